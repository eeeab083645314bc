"""Files in and out: each format's parser or renderer, joined to the import and export services."""

from __future__ import annotations

from pathlib import Path

import orjson

from ictdb.formats.ftm import export_ftm, import_ftm
from ictdb.formats.jsonl import read_entities, write_entities
from ictdb.formats.stix import export_stix, import_stix
from ictdb.model.actors import Actor
from ictdb.model.errors import ImportFailed
from ictdb.services.exports import exportable
from ictdb.services.imports import ImportSummary, Progress, gc_paused, import_items
from ictdb.services.node import Node

# JSON Lines, FtM and STIX imports hold the whole file's entities in memory before the one transaction
# that writes them (references may point forward), so a file is refused by its size before it is read.
MAX_IMPORT_BYTES = 256 * 1024 * 1024


def _check_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFailed(exc.strerror or str(exc), file=str(path)) from None
    if size > MAX_IMPORT_BYTES:
        raise ImportFailed(
            f"file is {size:,} bytes; the limit is {MAX_IMPORT_BYTES:,} (split it into several imports)",
            file=str(path),
        )


def import_entities(node: Node, actor: Actor, path: Path, *, progress: Progress | None = None) -> ImportSummary:
    """Import a JSON Lines file of entities (docs/formats.md) as records of the actor's agency."""
    _check_size(path)
    # The collector stays paused from reading to writing, and the items are dropped before it resumes:
    # resumed in between, it walked every object read so far, all of them still needed.
    with gc_paused():
        try:
            with path.open("rb") as stream:
                items = list(read_entities(stream, filename=str(path)))
        except OSError as exc:
            raise ImportFailed(exc.strerror or str(exc), file=str(path)) from None
        summary = import_items(node, actor, items, source=path.name, progress=progress)
        del items
    return summary


def export_entities(node: Node, actor: Actor, path: Path) -> int:
    """Write every record the actor may export as JSON Lines; returns how many."""
    records = exportable(node, actor, fmt="jsonl")
    with path.open("wb") as stream:
        return write_entities(records(), stream)


def import_ftm_file(node: Node, actor: Actor, path: Path, *, progress: Progress | None = None) -> ImportSummary:
    """Import FollowTheMoney entity JSON lines as records of the actor's agency."""
    _check_size(path)
    try:
        with path.open("rb") as stream:
            items, report = import_ftm(stream, str(path))
    except OSError as exc:
        raise ImportFailed(exc.strerror or str(exc), file=str(path)) from None
    summary = import_items(node, actor, items, source=path.name, progress=progress, audit_action="import.ftm")
    summary.warnings.extend(report.warnings)
    return summary


def import_stix_file(node: Node, actor: Actor, path: Path, *, progress: Progress | None = None) -> ImportSummary:
    """Import a STIX 2.1 bundle as records of the actor's agency."""
    _check_size(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailed(exc.strerror or str(exc), file=str(path)) from None
    items, report = import_stix(data, str(path))
    summary = import_items(node, actor, items, source=path.name, progress=progress, audit_action="import.stix")
    summary.warnings.extend(report.warnings)
    return summary


def export_ftm_file(node: Node, actor: Actor, path: Path) -> int:
    """Write what the actor may export as FollowTheMoney entity JSON lines; returns how many entities."""
    records = exportable(node, actor, fmt="ftm")
    count = 0
    with path.open("wb") as stream:
        for entity in export_ftm(records()):
            stream.write(orjson.dumps(entity) + b"\n")
            count += 1
    return count


def export_stix_file(node: Node, actor: Actor, path: Path) -> int:
    """Write what the actor may export as one STIX 2.1 bundle; returns how many objects."""
    records = list(exportable(node, actor, fmt="stix")())
    with node.store.transaction() as tx:
        agencies = {a.code: a for a in tx.directory.agencies()}
    bundle = export_stix(records, agencies)
    path.write_bytes(orjson.dumps(bundle, option=orjson.OPT_INDENT_2))
    return len(bundle.get("objects", []))
