"""Recording every read and write, verifying the chain, and showing the trail to those entitled to it.

Who may see which events: node administrators all; an agency's supervisors their own users' events;
an owner agency's supervisors the other agencies' accesses to its records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ictdb.model.actors import Actor
from ictdb.model.vocab import Role
from ictdb.policy.roles import require
from ictdb.services.node import Node
from ictdb.storage.audit import AuditEvent, ChainBreak
from ictdb.storage.store import Tx

__all__ = ["AuditEvent", "ChainBreak", "Verification", "accesses_to_mine", "agency_log", "log", "verify"]


def log(
    tx: Tx,
    node: Node,
    actor: Actor,
    action: str,
    record_ids: list[str] | tuple[str, ...] = (),
    *,
    query: str | None = None,
    outcome: str = "ok",
    detail: dict[str, Any] | None = None,
    owners: Mapping[str, str] | None = None,
) -> None:
    """Append one event in the caller's transaction, so the event and what it describes commit together.

    ``owners`` maps the record ids to their owners where the caller knows them already (owners never change);
    the others are read."""
    ids = tuple(record_ids)
    known = dict(owners or {})
    missing = [rid for rid in ids if rid not in known]
    if missing:
        known.update(tx.records.owners_of(missing))
    tx.audit.append(
        AuditEvent(
            username=actor.username,
            agency=actor.agency,
            action=action,
            record_ids=ids,
            # PostgreSQL text cannot hold NUL; a hostile query must still be recorded, not fail the request
            query=None if query is None else query.replace("\x00", "\ufffd"),
            outcome=outcome,
            origin=actor.origin,
            detail=detail or {},
        ),
        node.now(),
        known,
    )


def log_alone(node: Node, actor: Actor, action: str, **kwargs: Any) -> None:
    """Record an event in a transaction of its own: for refusals, whose own transaction rolled back."""
    with node.store.transaction() as tx:
        log(tx, node, actor, action, **kwargs)


@dataclass(frozen=True, slots=True)
class Verification:
    checked: int
    breaks: list[ChainBreak]

    @property
    def ok(self) -> bool:
        return not self.breaks


def verify(node: Node, actor: Actor) -> Verification:
    require(actor, Role.NODE_ADMIN, "verifying the audit chain")
    with node.store.transaction() as tx:
        checked, breaks = tx.audit.verify()
    with node.store.transaction() as tx:
        log(tx, node, actor, "audit.verify", outcome="ok" if not breaks else "broken", detail={"checked": checked})
    return Verification(checked, breaks)


def agency_log(
    node: Node, actor: Actor, *, username: str | None = None, action: str | None = None, limit: int = 100
) -> list[AuditEvent]:
    """The events of the actor's agency's users (all agencies' for a node administrator)."""
    require(actor, Role.SUPERVISOR, "reading the audit log")
    with node.store.transaction() as tx:
        agencies = None if Role.NODE_ADMIN in actor.roles else [actor.agency]
        events = tx.audit.events(
            agencies=agencies, usernames=[username] if username else None, action=action, limit=limit
        )
        if agencies is not None:
            # A search's event also names restricted records whose owners were told of the hit: those
            # ids are the owners' business, not the searching agency's.
            touched = {rid for e in events for rid in e.record_ids}
            visible = set(tx.records.get_many(node.viewer(actor), touched)) if touched else set()
            events = [_trimmed(e, visible) for e in events]
        log(tx, node, actor, "audit.read", query=username or action, detail={"returned": len(events)})
    return events


def _trimmed(event: AuditEvent, keep: set[str], *, detail: bool = True) -> AuditEvent:
    return AuditEvent(
        username=event.username,
        agency=event.agency,
        action=event.action,
        record_ids=tuple(rid for rid in event.record_ids if rid in keep),
        query=event.query,
        outcome=event.outcome,
        origin=event.origin,
        detail=event.detail if detail else {},
        at=event.at,
        seq=event.seq,
    )


def accesses_to_mine(node: Node, actor: Actor, *, record_id: str | None = None, limit: int = 100) -> list[AuditEvent]:
    """Other agencies' reads and searches that touched the actor's agency's records.

    Each event is cut down to the owner's records: the ids of other agencies' records it also touched
    are not the owner's business.
    """
    require(actor, Role.SUPERVISOR, "reading accesses to the agency's records")
    with node.store.transaction() as tx:
        events = tx.audit.accesses_to(actor.agency, record_id=record_id, limit=limit)
        owners = tx.records.owners_of({rid for e in events for rid in e.record_ids})
        mine = {rid for rid, owner in owners.items() if owner == actor.agency}
        trimmed = [_trimmed(e, mine, detail=False) for e in events]
        log(tx, node, actor, "audit.accesses", query=record_id, detail={"returned": len(trimmed)})
    return trimmed
