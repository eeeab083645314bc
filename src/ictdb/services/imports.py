"""Importing parsed items as records of one agency, in one transaction, idempotently.

Items arrive keyed by their id in the source file. A key already imported by the same owner updates
that record (a new version only when something changed); a new key creates a record. References
between items name keys of the same import, source ids the owner imported before, or record ids of the
node the actor may see; anything else aborts the import with the item's line and field, and nothing is
written.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from ictdb.model.actors import Actor
from ictdb.model.bundle import SOURCE_ID, ImportItem
from ictdb.model.envelope import Envelope, EnvelopeInput
from ictdb.model.errors import ImportFailed, ValidationError
from ictdb.model.records import Body, Identifier
from ictdb.model.stored import Record, body_to_data
from ictdb.model.vocab import Role
from ictdb.policy.roles import require
from ictdb.services import envelopes
from ictdb.services.audit import log
from ictdb.services.cooperation import events
from ictdb.services.node import Node
from ictdb.services.records import check_references
from ictdb.storage.records import Held, NewRecord
from ictdb.storage.store import Tx

Progress = Callable[[int, int], None]
BATCH = 2000
BULK_LOAD = 10_000
"""New records in one import from which the database's planner statistics are refreshed at once."""


@dataclass(slots=True)
class ImportSummary:
    source: str
    owner: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    ids_by_key: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    changed_fields: dict[str, list[str]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a bulk job builds objects it keeps until the end.

    Such a job frees nothing as it goes, so every collection walks a growing heap for nothing: with
    the collector on, a large import took time growing faster than its size.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _with_source_id(item: ImportItem) -> ImportItem:
    if any(i.scheme == SOURCE_ID for i in item.body.identifiers):
        return item
    body = item.body.model_copy(
        update={"identifiers": [*item.body.identifiers, Identifier(scheme=SOURCE_ID, value=item.key)]}
    )
    return ImportItem(key=item.key, body=body, envelope=item.envelope, line=item.line)


def _changed(old: Record, new: Record) -> list[str]:
    """Which top-level fields of the body, and which envelope fields, differ."""
    before, after = body_to_data(old.body), body_to_data(new.body)
    fields = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    env_before, env_after = old.envelope.model_dump(), new.envelope.model_dump()
    return fields + sorted(f"envelope.{k}" for k in env_before if env_before[k] != env_after[k])


def _fail(source: str, item: ImportItem, exc: ValidationError) -> ImportFailed:
    return ImportFailed(
        exc.message.split(": ", 1)[-1] if exc.field else exc.message, file=source, line=item.line, field=exc.field
    )


def _kept_envelope(given: EnvelopeInput | None, completed: Envelope, held: Held) -> Envelope:
    """The envelope a re-imported record gets: the stored one when the file sets none, else the file's,
    keeping the stored review date unless the file sets one (extending a review is the owner's act)."""
    if given is None:
        return held.envelope()
    if given.review_by is None:
        return completed.model_copy(update={"review_by": held.review_by})
    return completed


def _update(
    tx: Tx, summary: ImportSummary, actor: Actor, old: Record, body: Body, envelope: Envelope, now: datetime
) -> None:
    if body == old.body and envelope == old.envelope:
        summary.unchanged.append(old.id)
        return
    updated = old.model_copy(update={"body": body, "envelope": envelope, "version": old.version + 1, "updated_at": now})
    tx.records.replace(updated, expected_version=old.version, change="import", reason=summary.source, by=actor.username)
    summary.updated.append(old.id)
    summary.changed_fields[old.id] = _changed(old, updated)


def import_items(
    node: Node,
    actor: Actor,
    items: Iterable[ImportItem],
    *,
    source: str,
    progress: Progress | None = None,
    audit_action: str = "import",
    known_ids: dict[str, str] | None = None,
) -> ImportSummary:
    """Import ``items`` as records owned by the actor's agency. All or nothing."""
    with gc_paused(), node.store.transaction() as tx:
        summary = import_in(
            tx, node, actor, items, source=source, progress=progress, audit_action=audit_action, known_ids=known_ids
        )
    if len(summary.created) >= BULK_LOAD:
        node.store.refresh_statistics()
    return summary


def import_in(
    tx: Tx,
    node: Node,
    actor: Actor,
    items: Iterable[ImportItem],
    *,
    source: str,
    progress: Progress | None = None,
    audit_action: str = "import",
    known_ids: dict[str, str] | None = None,
) -> ImportSummary:
    """``import_items`` inside the caller's transaction, for imports that write more than the items."""
    require(actor, Role.ANALYST, "importing")
    staged = [_with_source_id(i) for i in items]
    seen: dict[str, ImportItem] = {}
    for item in staged:
        if item.key in seen:
            raise ImportFailed(
                f"duplicate id {item.key!r} (first on line {seen[item.key].line})",
                file=source,
                line=item.line,
                field="id",
            )
        seen[item.key] = item
    summary = ImportSummary(source=source, owner=actor.agency)
    _import(tx, node, actor, staged, summary, progress, known_ids or {})
    log(
        tx,
        node,
        actor,
        audit_action,
        summary.created + summary.updated,
        query=source,
        detail={
            "created": len(summary.created),
            "updated": len(summary.updated),
            "unchanged": len(summary.unchanged),
        },
    )
    events.records_changed(tx, node, actor, summary.created, summary.updated)
    return summary


def _import(
    tx: Tx,
    node: Node,
    actor: Actor,
    staged: list[ImportItem],
    summary: ImportSummary,
    progress: Progress | None,
    known_ids: dict[str, str],
) -> None:
    now, today, viewer = node.now(), node.today(), node.viewer(actor)
    existing = tx.records.held_by_source(actor.agency, [i.key for i in staged])
    ids = {**known_ids, **{key: held.id for key, held in existing.items()}}
    earlier = {ref for i in staged for refs in i.body.references().values() for ref in refs} - ids.keys()
    earlier -= {i.key for i in staged}
    ids.update({key: held.id for key, held in tx.records.held_by_source(actor.agency, sorted(earlier)).items()})
    for item in staged:
        if item.key not in ids:
            ids[item.key] = node.new_id(item.body.schema_name)
    summary.ids_by_key = ids
    envelope_cache: dict[object, Envelope] = {}
    fresh: list[tuple[NewRecord, str | None]] = []
    settled = 0
    for done, item in enumerate(staged, 1):
        try:
            cache_key = item.envelope
            if cache_key not in envelope_cache:
                envelope_cache[cache_key] = envelopes.complete(tx, actor.agency, item.envelope, today)
            envelope = envelope_cache[cache_key]
            body = check_references(tx, viewer, item.body, ids)
        except ValidationError as exc:
            raise _fail(summary.source, item, exc) from None
        held = existing.get(item.key)
        if held is None:
            record = NewRecord(ids[item.key], body, envelope, actor.username, now, now)
            fresh.append((record, item.key))
            summary.created.append(record.id)
        else:
            settled += 1
            new_envelope = _kept_envelope(item.envelope, envelope, held)
            if held.same_as(body, new_envelope):
                summary.unchanged.append(held.id)
            else:
                _update(tx, summary, actor, held.record(), body, new_envelope, now)
        if progress and done % 1000 == 0:
            progress(settled, len(staged))
    _write_new(tx, fresh, progress, settled, len(staged))


def _write_new(
    tx: Tx, fresh: list[tuple[NewRecord, str | None]], progress: Progress | None, settled: int, total: int
) -> None:
    """Store the new records in id order, a batch at a time.

    Ids are random, so in file order every row would land on a random page of each index keyed by id;
    in id order each batch extends those indexes at their end, which the database does several times faster.
    """
    fresh.sort(key=lambda pair: pair[0].id)
    for start in range(0, len(fresh), BATCH):
        tx.records.insert(fresh[start : start + BATCH])
        if progress:
            progress(settled + min(start + BATCH, len(fresh)), total)
    if progress and not fresh:
        progress(total, total)
