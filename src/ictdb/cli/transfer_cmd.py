"""``ictdb import`` and ``ictdb export``: files in and out of the node."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ictdb.cli.context import Context, out, progress_bar, state
from ictdb.services import transfer
from ictdb.services.imports import ImportSummary

import_app = typer.Typer(help="Import files into the node.", no_args_is_help=True)
export_app = typer.Typer(help="Export what the acting agency may pass on.", no_args_is_help=True)


def _report(c: Context, summary: ImportSummary, extra: dict[str, object] | None = None) -> None:
    data: dict[str, object] = {
        "source": summary.source,
        "owner": summary.owner,
        "created": len(summary.created),
        "updated": len(summary.updated),
        "unchanged": len(summary.unchanged),
        "changed_fields": summary.changed_fields,
        "warnings": summary.warnings,
        **(extra or {}),
    }

    def human() -> None:
        out.print(
            f"{summary.source}: {len(summary.created)} created, {len(summary.updated)} updated, "
            f"{len(summary.unchanged)} unchanged (owner {summary.owner})"
        )
        for record_id, fields in summary.changed_fields.items():
            out.print(f"  changed {record_id}: {', '.join(fields)}")
        for key, value in (extra or {}).items():
            out.print(f"  {key}: {value}")
        for warning in summary.warnings:
            out.print(f"warning: {warning}")

    c.emit(data | {"ids": summary.ids_by_key} if c.json else data, human)


@import_app.command("entities")
def import_entities(ctx: typer.Context, file: Annotated[Path, typer.Argument(help="a JSON Lines file")]) -> None:
    """Import records from JSON Lines (docs/formats.md), owned by the acting agency; idempotent.

    Example: ictdb --as JO-GID import entities persons.jsonl
    """
    c = state(ctx)
    with progress_bar("importing") as progress:
        summary = transfer.import_entities(c.node(), c.actor(), file, progress=progress)
    _report(c, summary)


@import_app.command("un-sc")
def import_un_sc(
    ctx: typer.Context, file: Annotated[Path, typer.Argument(help="the UN consolidated list XML")]
) -> None:
    """Import (or update) the UN Security Council Consolidated List, owned by UN-SC.

    Example: ictdb import un-sc consolidated.xml
    """
    from ictdb.services import sanctions  # the list parsers: loaded by the commands that read lists

    c = state(ctx)
    with progress_bar("importing") as progress:
        result = sanctions.import_un_sc(c.node(), c.actor(), file, progress=progress)
    result.summary.warnings.extend(result.report.warnings)
    _report(c, result.summary, {"delisted": len(result.delisted), "unparsed": result.report.unparsed})


@import_app.command("ofac-sdn")
def import_ofac_sdn(
    ctx: typer.Context, directory: Annotated[Path, typer.Argument(help="folder with sdn.csv, alt.csv, add.csv")]
) -> None:
    """Import (or update) OFAC's SDN list from its legacy CSV files, owned by US-OFAC.

    Example: ictdb import ofac-sdn ./ofac/
    """
    from ictdb.services import sanctions  # the list parsers: loaded by the commands that read lists

    c = state(ctx)
    with progress_bar("importing") as progress:
        result = sanctions.import_ofac_sdn(c.node(), c.actor(), directory, progress=progress)
    result.summary.warnings.extend(result.report.warnings)
    _report(c, result.summary, {"delisted": len(result.delisted), "unparsed": result.report.unparsed})


@import_app.command("ftm")
def import_ftm(
    ctx: typer.Context, file: Annotated[Path, typer.Argument(help="FollowTheMoney entity JSON lines")]
) -> None:
    """Import FollowTheMoney entities as records of the acting agency. Example: ictdb --as DE-BKA import ftm entities.ftm.json"""
    c = state(ctx)
    with progress_bar("importing") as progress:
        summary = transfer.import_ftm_file(c.node(), c.actor(), file, progress=progress)
    _report(c, summary)


@import_app.command("stix")
def import_stix(ctx: typer.Context, file: Annotated[Path, typer.Argument(help="a STIX 2.1 bundle")]) -> None:
    """Import a STIX 2.1 bundle as records of the acting agency. Example: ictdb --as DE-BKA import stix bundle.json"""
    c = state(ctx)
    with progress_bar("importing") as progress:
        summary = transfer.import_stix_file(c.node(), c.actor(), file, progress=progress)
    _report(c, summary)


@export_app.command("entities")
def export_entities(
    ctx: typer.Context, file: Annotated[Path, typer.Argument(help="the JSON Lines file to write")]
) -> None:
    """Export every record the acting agency may see and pass on (never others' H2 records).

    Example: ictdb --as JO-GID export entities out.jsonl
    """
    c = state(ctx)
    count = transfer.export_entities(c.node(), c.actor(), file)
    c.emit({"file": str(file), "records": count}, lambda: out.print(f"wrote {count} records to {file}"))


@export_app.command("ftm")
def export_ftm(ctx: typer.Context, file: Annotated[Path, typer.Argument()]) -> None:
    """Export as FollowTheMoney entities (for yente, nomenklatura). Example: ictdb --as JO-GID export ftm out.ftm.json"""
    c = state(ctx)
    count = transfer.export_ftm_file(c.node(), c.actor(), file)
    c.emit({"file": str(file), "entities": count}, lambda: out.print(f"wrote {count} entities to {file}"))


@export_app.command("stix")
def export_stix(ctx: typer.Context, file: Annotated[Path, typer.Argument()]) -> None:
    """Export as a STIX 2.1 bundle with TLP 2.0 markings. Example: ictdb --as JO-GID export stix bundle.json"""
    c = state(ctx)
    count = transfer.export_stix_file(c.node(), c.actor(), file)
    c.emit({"file": str(file), "objects": count}, lambda: out.print(f"wrote {count} STIX objects to {file}"))


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
    app.add_typer(export_app, name="export")
