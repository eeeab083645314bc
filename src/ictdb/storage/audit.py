"""The append-only, hash-chained audit trail.

Each event's hash covers its content and the previous event's hash, so changing, inserting or
deleting a row breaks the chain from that row on. A single-row head (sequence number and last
hash) is updated first in every append: that update takes the write lock in SQLite and the row
lock in PostgreSQL, so concurrent writers queue instead of forking the chain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select, update

from ictdb.storage import tables as t
from ictdb.storage._bulk import insert_rows
from ictdb.storage._json import dumps, loads
from ictdb.storage.direct import Direct

GENESIS = "0" * 64
A = t.audit_events.c


@dataclass(frozen=True, slots=True)
class AuditEvent:
    username: str
    agency: str
    action: str
    record_ids: tuple[str, ...] = ()
    query: str | None = None
    outcome: str = "ok"
    origin: str = "cli"
    detail: dict[str, Any] = field(default_factory=dict)
    at: datetime | None = None
    seq: int | None = None


@dataclass(frozen=True, slots=True)
class ChainBreak:
    seq: int
    problem: str


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _digest(seq: int, event: AuditEvent, at: datetime, prev_hash: str) -> str:
    content = {
        "seq": seq,
        "at": _utc(at).isoformat(timespec="microseconds"),
        "username": event.username,
        "agency": event.agency,
        "action": event.action,
        "record_ids": list(event.record_ids),
        "query": event.query,
        "outcome": event.outcome,
        "origin": event.origin,
        "detail": event.detail,
        "prev": prev_hash,
    }
    return hashlib.sha256(dumps(content).encode()).hexdigest()


def _event(row: Row[Any]) -> AuditEvent:
    return AuditEvent(
        seq=row.seq,
        at=_utc(row.at),
        username=row.username,
        agency=row.agency,
        action=row.action,
        record_ids=tuple(loads(row.record_ids)),
        query=row.query,
        outcome=row.outcome,
        origin=row.origin,
        detail=loads(row.detail),
    )


# Built once and run on the driver's cursor (see ``Direct``): every request appends an event.
_ADVANCE_HEAD = Direct(
    update(t.audit_head)
    .where(t.audit_head.c.id == 1)
    .values(seq=t.audit_head.c.seq + 1)
    .returning(t.audit_head.c.seq, t.audit_head.c.hash)
)
_EVENT_COLUMNS = (
    "seq", "at", "username", "agency", "action", "record_ids", "query", "outcome", "origin", "detail", "prev_hash",
    "hash",
)  # fmt: skip
_INSERT_EVENT = Direct(insert(t.audit_events), params=_EVENT_COLUMNS)
_SET_HEAD_HASH = Direct(
    update(t.audit_head).where(t.audit_head.c.id == 1).values(hash=bindparam("digest")), params=("digest",)
)


class AuditLog:
    def __init__(self, connection: Connection) -> None:
        self.c = connection

    def append(self, event: AuditEvent, at: datetime, owners: dict[str, str]) -> int:
        """Append ``event``; ``owners`` maps its record ids to their owners so owners can find their accesses."""
        head = _ADVANCE_HEAD.first(self.c)
        if head is None:
            self.c.execute(insert(t.audit_head).values(id=1, seq=1, hash=GENESIS))
            seq, prev = 1, GENESIS
        else:
            seq, prev = int(head.seq), str(head.hash)
        at = _utc(at.replace(microsecond=at.microsecond))
        digest = _digest(seq, event, at, prev)
        _INSERT_EVENT.rows(
            self.c,
            {
                "seq": seq,
                "at": at,
                "username": event.username,
                "agency": event.agency,
                "action": event.action,
                "record_ids": dumps(list(event.record_ids)),
                "query": event.query,
                "outcome": event.outcome,
                "origin": event.origin,
                "detail": dumps(event.detail),
                "prev_hash": prev,
                "hash": digest,
            },
        )
        _SET_HEAD_HASH.rows(self.c, {"digest": digest})
        # An import's one event names every record it wrote: a row each, handed to the driver in one go, in
        # id order so that each extends the table's key at its end.
        rows = [(seq, rid, owners[rid]) for rid in sorted(set(event.record_ids)) if rid in owners]
        insert_rows(self.c, t.audit_records, ("seq", "record_id", "owner"), rows)
        return seq

    def verify(self) -> tuple[int, list[ChainBreak]]:
        """Walk the chain; return how many events were checked and where it breaks."""
        breaks: list[ChainBreak] = []
        prev, expected_seq, checked = GENESIS, 1, 0
        for row in self.c.execute(select(t.audit_events).order_by(A.seq)).yield_per(5000):
            checked += 1
            event = _event(row)
            if row.seq != expected_seq:
                breaks.append(ChainBreak(expected_seq, f"event {expected_seq} is missing (next found is {row.seq})"))
            if row.prev_hash != prev:
                breaks.append(ChainBreak(row.seq, f"event {row.seq} does not follow the event before it"))
            if _digest(row.seq, event, row.at, row.prev_hash) != row.hash:
                breaks.append(ChainBreak(row.seq, f"event {row.seq} was changed after it was written"))
            prev, expected_seq = row.hash, row.seq + 1
        head = self.c.execute(select(t.audit_head)).first()
        if head is not None and (head.seq != expected_seq - 1 or head.hash != prev):
            breaks.append(
                ChainBreak(
                    int(head.seq),
                    f"the last {int(head.seq) - expected_seq + 1} event(s) were removed"
                    if head.seq >= expected_seq
                    else "the chain's head does not match its last event",
                )
            )
        return checked, breaks

    def events(
        self,
        *,
        agencies: Sequence[str] | None = None,
        usernames: Sequence[str] | None = None,
        action: str | None = None,
        since_seq: int = 0,
        limit: int = 100,
    ) -> list[AuditEvent]:
        query = select(t.audit_events).where(A.seq > since_seq).order_by(A.seq.desc()).limit(limit)
        if agencies is not None:
            query = query.where(A.agency.in_(list(agencies)))
        if usernames is not None:
            query = query.where(A.username.in_(list(usernames)))
        if action:
            query = query.where(A.action == action)
        return [_event(r) for r in self.c.execute(query)]

    def accesses_to(self, owner: str, *, record_id: str | None = None, limit: int = 100) -> list[AuditEvent]:
        """Events by other agencies that touched records owned by ``owner``."""
        touched = select(t.audit_records.c.seq).where(t.audit_records.c.owner == owner)
        if record_id is not None:
            touched = touched.where(t.audit_records.c.record_id == record_id)
        query = select(t.audit_events).where(A.seq.in_(touched), A.agency != owner).order_by(A.seq.desc()).limit(limit)
        return [_event(r) for r in self.c.execute(query)]

    def all(self) -> Iterator[AuditEvent]:
        for row in self.c.execute(select(t.audit_events).order_by(A.seq)).yield_per(5000):
            yield _event(row)
