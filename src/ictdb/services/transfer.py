"""Files in and out: each format's parser or renderer, joined to the import and export services."""

from __future__ import annotations

from pathlib import Path

from ictdb.formats.jsonl import read_entities, write_entities
from ictdb.model.actors import Actor
from ictdb.model.errors import ImportFailed
from ictdb.services.exports import exportable
from ictdb.services.imports import ImportSummary, Progress, import_items
from ictdb.services.node import Node


def import_entities(node: Node, actor: Actor, path: Path, *, progress: Progress | None = None) -> ImportSummary:
    """Import a JSON Lines file of entities (docs/formats.md) as records of the actor's agency."""
    try:
        with path.open("rb") as stream:
            items = list(read_entities(stream, filename=str(path)))
    except OSError as exc:
        raise ImportFailed(exc.strerror or str(exc), file=str(path)) from None
    return import_items(node, actor, items, source=path.name, progress=progress)


def export_entities(node: Node, actor: Actor, path: Path) -> int:
    """Write every record the actor may export as JSON Lines; returns how many."""
    records = exportable(node, actor, fmt="jsonl")
    with path.open("wb") as stream:
        return write_entities(records(), stream)
