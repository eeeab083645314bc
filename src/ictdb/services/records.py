"""Recording, reading, editing and deleting records, each read and write audited.

A record the actor may not see answers exactly like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ictdb.model.actors import Actor
from ictdb.model.envelope import EnvelopeInput
from ictdb.model.errors import Conflict, Forbidden, NotFound, ValidationError
from ictdb.model.records import Body
from ictdb.model.stored import Record, body_to_data, parse_body
from ictdb.model.vocab import Role
from ictdb.policy.roles import require
from ictdb.policy.visibility import Viewer
from ictdb.services import envelopes
from ictdb.services.audit import log, log_alone
from ictdb.services.cooperation import events
from ictdb.services.node import Node
from ictdb.services.paging import check_page
from ictdb.storage.records import Version
from ictdb.storage.store import Tx

__all__ = [
    "Page",
    "Version",
    "add_record",
    "count_records",
    "delete_record",
    "edit_record",
    "get_record",
    "linked_records",
    "list_records",
    "record_history",
]


def not_found(record_id: str) -> NotFound:
    """The one answer for a record that is missing, deleted or hidden from the actor."""
    return NotFound(f"no record {record_id}")


def check_references(tx: Tx, viewer: Viewer, body: Body, resolved: Mapping[str, str] | None = None) -> Body:
    """Every record a body points to must exist and be visible; keys known to the caller are swapped for ids."""
    refs = body.references()
    if not refs:
        return body
    mapping: Mapping[str, str] = resolved or {}
    wanted = {ref for targets in refs.values() for ref in targets if ref not in mapping}
    visible = tx.records.get_many(viewer, wanted) if wanted else {}
    updates: dict[str, Any] = {}
    for field, targets in refs.items():
        ids = []
        for ref in targets:
            target = mapping.get(ref, ref)
            if ref not in mapping and ref not in visible:
                raise ValidationError(f"no record {ref}", field)
            ids.append(target)
        value = getattr(body, field)
        updates[field] = ids if isinstance(value, list) else ids[0]
    return body.model_copy(update=updates)


def add_record(node: Node, actor: Actor, body: Body, envelope: EnvelopeInput | None = None) -> Record:
    require(actor, Role.ANALYST, "recording")
    now = node.now()
    viewer = node.viewer(actor)
    with node.store.transaction() as tx:
        complete = envelopes.complete(tx, actor.agency, envelope, node.today())
        body = check_references(tx, viewer, body)
        record = Record(
            id=node.new_id(body.schema_name),
            body=body,
            envelope=complete,
            created_by=actor.username,
            created_at=now,
            updated_at=now,
        )
        tx.records.insert([(record, None)])
        log(tx, node, actor, "record.create", [record.id], detail={"schema": record.schema_name})
        events.record_written(tx, node, actor, record, "create")
    return record


def get_record(node: Node, actor: Actor, record_id: str) -> Record:
    with node.store.transaction() as tx:
        record = tx.records.get(node.viewer(actor), record_id)
        if record is not None:
            log(tx, node, actor, "record.read", [record_id])
            return record
    log_alone(node, actor, "record.read", query=record_id, outcome="not-found")
    raise not_found(record_id)


@dataclass(frozen=True, slots=True)
class Page:
    records: list[Record]
    total: int


def list_records(
    node: Node,
    actor: Actor,
    *,
    schema: str | None = None,
    owner: str | None = None,
    text: str | None = None,
    due: bool = False,
    limit: int = 100,
    offset: int = 0,
    after: str | None = None,
) -> Page:
    """A page of the records the actor may see, in id order, and how many there are in all.

    ``after`` (the last id of the previous page) pages through a large node at the same cost for every
    page; an offset costs more the deeper it goes."""
    check_page(limit, offset)
    viewer = node.viewer(actor)
    due_before = node.today() if due else None
    with node.store.transaction() as tx:
        found = tx.records.select_page(
            viewer,
            schema=schema,
            owner=owner,
            text=text,
            due_before=due_before,
            limit=limit,
            offset=offset,
            after=after,
        )
        total = tx.records.count(viewer, schema=schema, owner=owner, text=text, due_before=due_before)
        query = " ".join(f"{k}={v}" for k, v in (("schema", schema), ("owner", owner), ("text", text)) if v)
        log(tx, node, actor, "record.list", [r.id for r in found], query=query or None, detail={"total": total})
    return Page(found, total)


def count_records(node: Node, actor: Actor, *, schema: str | None = None) -> int:
    with node.store.transaction() as tx:
        total = tx.records.count(node.viewer(actor), schema=schema)
        log(tx, node, actor, "record.count", query=schema, detail={"total": total})
    return total


def counts_by_schema(node: Node, actor: Actor) -> dict[str, int]:
    with node.store.transaction() as tx:
        counts = tx.records.count_by_schema(node.viewer(actor))
        log(tx, node, actor, "record.count", detail=counts)
    return counts


def record_history(node: Node, actor: Actor, record_id: str) -> list[Version]:
    with node.store.transaction() as tx:
        versions = tx.records.history(node.viewer(actor), record_id)
        if versions:
            log(tx, node, actor, "record.history", [record_id])
            return versions
    log_alone(node, actor, "record.history", query=record_id, outcome="not-found")
    raise not_found(record_id)


def linked_records(node: Node, actor: Actor, record_id: str) -> list[tuple[str, str, Record]]:
    with node.store.transaction() as tx:
        viewer = node.viewer(actor)
        if tx.records.get(viewer, record_id) is None:
            raise not_found(record_id)
        links = tx.records.linked(viewer, record_id)
        log(tx, node, actor, "record.links", [record_id, *(r.id for _, _, r in links)])
    return links


def _owned(tx: Tx, node: Node, actor: Actor, record_id: str) -> Record:
    record = tx.records.get(node.viewer(actor), record_id)
    if record is None:
        raise not_found(record_id)
    if record.owner != actor.agency:
        raise Forbidden(f"only {record.owner} may change record {record_id}")
    return record


def edit_record(
    node: Node,
    actor: Actor,
    record_id: str,
    *,
    changes: Mapping[str, Any] | None = None,
    envelope: EnvelopeInput | None = None,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Record:
    """Change fields of the body and/or the envelope; the old version stays in the history."""
    require(actor, Role.ANALYST, "editing")
    with node.store.transaction() as tx:
        current = _owned(tx, node, actor, record_id)
        if expected_version is not None and expected_version != current.version:
            raise Conflict(f"record {record_id} is at version {current.version}, not {expected_version}")
        body: Body = current.body
        if changes:
            data = body_to_data(current.body)
            if "schema" in changes and changes["schema"] != current.schema_name:
                raise ValidationError("a record's type cannot change", "schema")
            data.update(changes)
            body = check_references(tx, node.viewer(actor), parse_body(data))
        new_envelope = current.envelope
        if envelope is not None:
            given = {k: v for k, v in envelope.model_dump().items() if v is not None}
            merged = {**current.envelope.model_dump(), **given}
            new_envelope = type(current.envelope).model_validate(merged)
            envelopes.check(tx, new_envelope)
        if body == current.body and new_envelope == current.envelope:
            return current
        updated = current.model_copy(
            update={"body": body, "envelope": new_envelope, "version": current.version + 1, "updated_at": node.now()}
        )
        if not tx.records.replace(
            updated, expected_version=current.version, change="edit", reason=reason, by=actor.username
        ):
            raise Conflict(f"record {record_id} changed meanwhile; read it again")
        log(tx, node, actor, "record.edit", [record_id], query=reason, detail={"version": updated.version})
        events.record_written(tx, node, actor, updated, "edit", current)
    return updated


def extend_review(node: Node, actor: Actor, record_id: str, until: date, reason: str) -> Record:
    require(actor, Role.ANALYST, "reviewing")
    if not reason.strip():
        raise ValidationError("say why the record is still needed", "reason")
    if until <= node.today():
        raise ValidationError("the new review date must be in the future", "review_by")
    with node.store.transaction() as tx:
        current = _owned(tx, node, actor, record_id)
        updated = current.model_copy(
            update={
                "envelope": current.envelope.model_copy(update={"review_by": until}),
                "version": current.version + 1,
                "updated_at": node.now(),
            }
        )
        if not tx.records.replace(
            updated, expected_version=current.version, change="review", reason=reason, by=actor.username
        ):
            raise Conflict(f"record {record_id} changed meanwhile; read it again")
        log(tx, node, actor, "record.review", [record_id], query=reason, detail={"review_by": until.isoformat()})
    return updated


def delete_record(node: Node, actor: Actor, record_id: str, reason: str | None = None) -> None:
    """Delete a record: it disappears from every read; its history stays for the audit."""
    require(actor, Role.ANALYST, "deleting")
    with node.store.transaction() as tx:
        current = _owned(tx, node, actor, record_id)
        if not tx.records.mark_deleted(current, by=actor.username, at=node.now(), reason=reason):
            raise not_found(record_id)
        log(tx, node, actor, "record.delete", [record_id], query=reason)
        events.record_written(tx, node, actor, current, "delete")


def due_for_review(node: Node, actor: Actor, limit: int = 1000) -> list[Record]:
    """The actor's agency's records past their review date (hidden from everyone else until reviewed)."""
    with node.store.transaction() as tx:
        found = tx.records.owner_due(actor.agency, node.today(), limit)
        log(tx, node, actor, "review.due", [r.id for r in found])
    return found
