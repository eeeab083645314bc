"""Screening a manifest file (CSV or UN/EDIFACT PAXLST): read, match every traveller, write one result per row.

No row is dropped: a row that cannot be screened (no name, no id) gets a result with no matches and the
reason under ``error``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from ictdb.formats.paxlst import read_paxlst
from ictdb.formats.screening_csv import read_screening_csv
from ictdb.formats.screening_rows import ScreeningRow
from ictdb.matching import MatchQuery
from ictdb.model.actors import Actor
from ictdb.model.errors import ImportFailed, ValidationError
from ictdb.services.node import Node
from ictdb.services.search import SCREENING_THRESHOLD, SearchOutcome, screen

FORMATS = ("csv", "paxlst")
MAX_MANIFEST = 200 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ScreeningSummary:
    rows: int
    rows_with_matches: int
    restricted_hits: int
    unscreenable: int


def read_rows(data: BinaryIO, filename: str, fmt: str) -> list[ScreeningRow]:
    if fmt == "csv":
        return list(read_screening_csv(data, filename))
    if fmt == "paxlst":
        raw = data.read(MAX_MANIFEST + 1)
        if len(raw) > MAX_MANIFEST:
            raise ImportFailed(f"larger than {MAX_MANIFEST // (1024 * 1024)} MB", file=filename)
        return list(read_paxlst(raw, filename).rows)
    raise ValidationError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}", "format")


def query_of(row: ScreeningRow) -> MatchQuery | None:
    if row.invalid:
        return None
    return MatchQuery(
        names=(row.name,),
        birth_date=row.birth_date,
        nationality=row.nationality,
        gender=row.gender,
        document_number=row.document_number,
        schema="Person",
    )


def result_line(row: ScreeningRow, outcome: SearchOutcome | None) -> dict[str, Any]:
    line: dict[str, Any] = {
        "id": row.id,
        "matches": [
            {
                "entity_id": m.record.id,
                "score": m.score,
                "caption": m.record.caption(),
                "identifiers": [i.model_dump() for i in m.identifiers],
                "explanation": m.explanation,
            }
            for m in (outcome.matches if outcome else [])
        ],
        # "hit" is the reference to quote in ``ictdb request open --hit``
        "restricted_hits": [{"owner": o, "hit": outcome.hit_refs.get(o)} for o in outcome.restricted_owners]
        if outcome
        else [],
    }
    if row.invalid:
        line["error"] = row.invalid
    if row.warnings:
        line["warnings"] = list(row.warnings)
    return line


def screen_rows(
    node: Node,
    actor: Actor,
    rows: list[ScreeningRow],
    *,
    source: str,
    limit: int = 10,
    threshold: float = SCREENING_THRESHOLD,
    progress: Callable[[int, int], Any] | None = None,
) -> Iterator[dict[str, Any]]:
    """One result line per row, in input order."""
    queries = [(i, q) for i, row in enumerate(rows) if (q := query_of(row)) is not None]
    outcomes = screen(
        node, actor, [q for _, q in queries], source=source, limit=limit, threshold=threshold, progress=progress
    )
    by_row = {i: o for (i, _), o in zip(queries, outcomes, strict=True)}
    for i, row in enumerate(rows):
        yield result_line(row, by_row.get(i))


def screen_file(
    node: Node,
    actor: Actor,
    path: Path,
    out: Path,
    *,
    fmt: str = "csv",
    limit: int = 10,
    threshold: float = SCREENING_THRESHOLD,
    progress: Callable[[int, int], Any] | None = None,
) -> ScreeningSummary:
    try:
        with path.open("rb") as stream:
            rows = read_rows(stream, str(path), fmt)
    except OSError as exc:
        raise ImportFailed(exc.strerror or str(exc), file=str(path)) from None
    matched = restricted = unscreenable = 0
    with out.open("wb") as sink:
        for line in screen_rows(
            node, actor, rows, source=path.name, limit=limit, threshold=threshold, progress=progress
        ):
            matched += bool(line["matches"])
            restricted += bool(line["restricted_hits"])
            unscreenable += "error" in line
            sink.write(orjson.dumps(line) + b"\n")
    return ScreeningSummary(len(rows), matched, restricted, unscreenable)
