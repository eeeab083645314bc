"""``ictdb search`` and ``ictdb screen``: finding names in any script among what the acting agency may see.

The matcher loads when one of these commands runs, not with every command of ``ictdb``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ictdb.cli.context import out, progress_bar, state


def search_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="a name in any script")],
    birth_date: Annotated[str | None, typer.Option("--birth-date")] = None,
    nationality: Annotated[str | None, typer.Option("--nationality")] = None,
    gender: Annotated[str | None, typer.Option("--gender")] = None,
    document: Annotated[str | None, typer.Option("--document", help="a document number")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="person or organization")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 10,
    threshold: Annotated[float | None, typer.Option("--threshold", help="lowest score shown (default 0.5)")] = None,
) -> None:
    """Search persons and groups by name, in Arabic, Cyrillic or Latin script.

    Example: ictdb --as JO-GID search "أبو بكر البغدادي" --birth-date 1971 --nationality IQ --json
    """
    from ictdb.services.search import SEARCH_THRESHOLD, MatchQuery, search

    c = state(ctx)
    schema = {"person": "Person", "organization": "Organization"}.get((type_ or "").lower())
    query = MatchQuery(
        names=(name,),
        birth_date=birth_date,
        nationality=nationality,
        gender=gender,
        document_number=document,
        schema=schema,
    )
    outcome = search(
        c.node(), c.actor(), query, limit=limit, threshold=SEARCH_THRESHOLD if threshold is None else threshold
    )
    data = {
        "query": name,
        "matches": [
            {
                "entity_id": m.record.id,
                "score": m.score,
                "caption": m.record.caption(),
                "schema": m.record.schema_name,
                "owner": m.record.owner,
                "identifiers": [i.model_dump() for i in m.identifiers],
                "explanation": m.explanation,
            }
            for m in outcome.matches
        ],
        "restricted_hits": [{"owner": o, "hit": outcome.hit_refs.get(o)} for o in outcome.restricted_owners],
    }

    def human() -> None:
        for m in outcome.matches:
            out.print(f"{m.score:.2f}  {m.record.id:<18} {m.record.owner:<12} {m.record.caption()}")
        for owner in outcome.restricted_owners:
            ref = outcome.hit_refs.get(owner)
            how = f": ictdb request open --hit {ref} -j WHY" if ref else ""
            out.print(f"restricted hit: ask {owner}{how}")
        if not outcome.matches and not outcome.restricted_owners:
            out.print("no match")

    c.emit(data, human)


def screen_cmd(
    ctx: typer.Context,
    input_: Annotated[Path, typer.Argument(metavar="INPUT", help="a CSV (id,name,...) or PAXLST file")],
    out_file: Annotated[Path, typer.Option("--out", help="results, one JSON line per input row")],
    fmt: Annotated[str, typer.Option("--format", help="csv or paxlst")] = "csv",
    limit: Annotated[int, typer.Option("--limit")] = 10,
    threshold: Annotated[float | None, typer.Option("--threshold", help="lowest score reported (default 0.85)")] = None,
) -> None:
    """Screen a passenger manifest against everything the acting agency may see, on all cores.

    Example: ictdb --as FR-DGSI screen manifest.csv --out results.jsonl --threshold 0.85
    """
    from ictdb.services import screening
    from ictdb.services.search import SCREENING_THRESHOLD

    c = state(ctx)
    if threshold is None:
        threshold = SCREENING_THRESHOLD
    with progress_bar("screening") as progress:
        summary = screening.screen_file(
            c.node(), c.actor(), input_, out_file, fmt=fmt, limit=limit, threshold=threshold, progress=progress
        )
    c.emit(
        {
            "rows": summary.rows,
            "rows_with_matches": summary.rows_with_matches,
            "restricted_hits": summary.restricted_hits,
            "unscreenable": summary.unscreenable,
            "out": str(out_file),
        },
        lambda: out.print(
            f"screened {summary.rows} rows: {summary.rows_with_matches} with matches, "
            f"{summary.restricted_hits} with restricted hits, {summary.unscreenable} not screenable; results in {out_file}"
        ),
    )


def register(app: typer.Typer) -> None:
    app.command("search")(search_cmd)
    app.command("screen")(screen_cmd)
