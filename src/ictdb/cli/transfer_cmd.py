"""``ictdb import`` and ``ictdb export``: files in and out of the node."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ictdb.cli.context import out, progress_bar, state
from ictdb.services import transfer

import_app = typer.Typer(help="Import files into the node.", no_args_is_help=True)
export_app = typer.Typer(help="Export what the acting agency may pass on.", no_args_is_help=True)


@import_app.command("entities")
def import_entities(ctx: typer.Context, file: Annotated[Path, typer.Argument(help="a JSON Lines file")]) -> None:
    """Import records from JSON Lines (docs/formats.md), owned by the acting agency; idempotent.

    Example: ictdb --as JO-GID import entities persons.jsonl
    """
    c = state(ctx)
    with progress_bar("importing") as progress:
        summary = transfer.import_entities(c.node(), c.actor(), file, progress=progress)
    data = {
        "source": summary.source,
        "owner": summary.owner,
        "created": len(summary.created),
        "updated": len(summary.updated),
        "unchanged": len(summary.unchanged),
        "ids": summary.ids_by_key,
    }
    c.emit(
        data,
        lambda: out.print(
            f"{summary.source}: {len(summary.created)} created, {len(summary.updated)} updated, "
            f"{len(summary.unchanged)} unchanged (owner {summary.owner})"
        ),
    )


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


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
    app.add_typer(export_app, name="export")
