"""Watches, inbox alerts, hit notices, requests for information, webhooks and the delivery outbox.

Reads that show an agency anything about records compose ``visibility.visible(viewer)`` in SQL: an alert
names at most two records (``record_id``, ``about_id``) and is returned only while its reader may see both;
a request shows only the records of it its reader may see. Writes happen in the caller's transaction, so an
alert and its outbox rows commit with the event that caused them, or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)

from ictdb.model.cooperation import (
    Alert,
    AlertKind,
    DeliveryState,
    Hit,
    HitRecord,
    InfoRequest,
    Message,
    RequestState,
    Urgency,
    Watch,
    WatchTarget,
    Webhook,
)
from ictdb.policy.visibility import Viewer
from ictdb.storage import tables as t
from ictdb.storage._json import dumps, loads
from ictdb.storage._time import aware
from ictdb.storage.visibility import visible

A = t.alerts.c
O = t.outbox.c  # noqa: E741 - the outbox's columns, beside A and R
R = t.records.c
Q = t.info_requests.c


def _at(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _seen(viewer: Viewer, column: Any) -> ColumnElement[bool]:
    """The record named by ``column`` exists and the viewer may see it (a correlated EXISTS)."""
    return exists(select(R.id).where(R.id == column, visible(viewer)))


def _alert_visible(viewer: Viewer) -> ColumnElement[bool]:
    return and_(
        A.agency == viewer.agency,
        or_(A.record_id.is_(None), _seen(viewer, A.record_id)),
        or_(A.about_id.is_(None), _seen(viewer, A.about_id)),
    )


def _alert(row: Row[Any]) -> Alert:
    return Alert(
        seq=row.seq,
        id=row.id,
        agency=row.agency,
        kind=AlertKind(row.kind),
        record_id=row.record_id,
        about_id=row.about_id,
        payload=loads(row.payload),
        created_at=_at(row.created_at),
        read_at=aware(row.read_at),
    )


def _listing(alert: Alert) -> list[dict[str, Any]]:
    """The records an alert's payload lists by id (see ``Cooperation.listing_visible``)."""
    items = alert.payload.get("records")
    if not isinstance(items, list):
        return []
    return [item for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)]


def _due(now: datetime) -> ColumnElement[bool]:
    """An outbox row that should be pushed now: pending, its time has come, and no lease on it is running."""
    return and_(
        O.state == DeliveryState.PENDING.value,
        O.next_at <= now,
        or_(O.claimed_until.is_(None), O.claimed_until < now),
    )


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one leased push: delivered, pending again (a retry at ``next_at``) or withdrawn.

    A push given up after its last attempt is recorded with ``Cooperation.give_up`` instead.
    """

    seq: int
    state: DeliveryState
    attempts: int
    next_at: datetime | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """An outbox row claimed by the worker, with what it needs to post it."""

    seq: int
    key: str
    attempts: int
    webhook_id: str
    url: str
    secret: str
    alert: Alert


class Cooperation:
    def __init__(self, connection: Connection) -> None:
        self.c = connection

    # node settings
    def setting(self, key: str) -> str | None:
        value = self.c.execute(select(t.node_settings.c.value).where(t.node_settings.c.key == key)).scalar()
        return None if value is None else str(value)

    def set_setting(self, key: str, value: str) -> None:
        self.c.execute(delete(t.node_settings).where(t.node_settings.c.key == key))
        self.c.execute(insert(t.node_settings).values(key=key, value=value))

    # what a viewer may see, decided in SQL
    def visible_ids(self, viewer: Viewer, record_ids: Iterable[str]) -> set[str]:
        ids = list(set(record_ids))
        out: set[str] = set()
        for start in range(0, len(ids), 500):
            rows = self.c.execute(select(R.id).where(R.id.in_(ids[start : start + 500]), visible(viewer)))
            out.update(i for (i,) in rows)
        return out

    # watches
    def add_watch(self, watch: Watch) -> None:
        self.c.execute(
            insert(t.watches).values(
                id=watch.id,
                agency=watch.agency,
                target_kind=watch.target_kind.value,
                target=watch.target,
                note=watch.note,
                created_by=watch.created_by,
                created_at=watch.created_at,
            )
        )

    def find_watch(self, agency: str, kind: WatchTarget, target: str) -> str | None:
        W = t.watches.c
        value = self.c.execute(
            select(W.id).where(W.agency == agency, W.target_kind == kind.value, W.target == target)
        ).scalar()
        return None if value is None else str(value)

    def watches(self, viewer: Viewer) -> list[Watch]:
        """The agency's watches; a watch on a record it may no longer see is listed without its caption."""
        W = t.watches.c
        query = (
            select(t.watches, R.caption)
            .select_from(t.watches.outerjoin(t.records, and_(R.id == W.target, visible(viewer))))
            .where(W.agency == viewer.agency)
            .order_by(W.created_at, W.id)
        )
        return [
            Watch(
                id=r.id,
                agency=r.agency,
                target_kind=WatchTarget(r.target_kind),
                target=r.target,
                note=r.note,
                created_by=r.created_by,
                created_at=_at(r.created_at),
                caption=r.caption if r.target_kind == WatchTarget.RECORD.value else None,
            )
            for r in self.c.execute(query)
        ]

    def remove_watch(self, agency: str, watch_id: str) -> bool:
        W = t.watches.c
        result = self.c.execute(delete(t.watches).where(W.id == watch_id, W.agency == agency))
        return bool(result.rowcount)

    def watchers(self, kind: WatchTarget, targets: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
        """For each watched target among ``targets``: (agency, watch id) of every watch on it."""
        W = t.watches.c
        wanted = list(set(targets))
        out: dict[str, list[tuple[str, str]]] = {}
        for start in range(0, len(wanted), 500):
            rows = self.c.execute(
                select(W.target, W.agency, W.id).where(
                    W.target_kind == kind.value, W.target.in_(wanted[start : start + 500])
                )
            )
            for target, agency, watch_id in rows:
                out.setdefault(target, []).append((agency, watch_id))
        return out

    def cluster_watches(self) -> list[tuple[str, str, str]]:
        """(agency, watch id, target) of every cluster watch on the node."""
        W = t.watches.c
        rows = self.c.execute(
            select(W.agency, W.id, W.target).where(W.target_kind == WatchTarget.CLUSTER.value).order_by(W.id)
        )
        return [(agency, watch_id, target) for agency, watch_id, target in rows]

    def any_watches(self) -> bool:
        return self.c.execute(select(t.watches.c.id).limit(1)).first() is not None

    def links_to_watched(self, record_ids: Sequence[str]) -> list[tuple[str, str, str]]:
        """(record id, field, watched target) for links from these records to watched records."""
        L, W = t.record_links.c, t.watches.c
        out: list[tuple[str, str, str]] = []
        for start in range(0, len(record_ids), 500):
            chunk = list(record_ids[start : start + 500])
            rows = self.c.execute(
                select(L.record_id, L.field, L.target_id)
                .where(
                    L.record_id.in_(chunk),
                    exists(select(W.id).where(W.target_kind == WatchTarget.RECORD.value, W.target == L.target_id)),
                )
                .distinct()
            )
            out.extend((r, f, target) for r, f, target in rows)
        return out

    # alerts and the outbox
    def add_alert(
        self,
        alert_id: str,
        agency: str,
        kind: AlertKind,
        record_id: str | None,
        about_id: str | None,
        payload: dict[str, Any],
        now: datetime,
        *,
        webhooks: Sequence[str] = (),
    ) -> int:
        """Store an alert and, in the same transaction, one outbox row per webhook of its agency."""
        seq = self.c.execute(
            insert(t.alerts)
            .values(
                id=alert_id,
                agency=agency,
                kind=kind.value,
                record_id=record_id,
                about_id=about_id,
                payload=dumps(payload),
                created_at=now,
            )
            .returning(A.seq)
        ).scalar_one()
        if webhooks:
            self.c.execute(
                insert(t.outbox),
                [
                    {
                        "key": f"{alert_id}.{hook}",
                        "alert_seq": seq,
                        "webhook_id": hook,
                        "state": DeliveryState.PENDING.value,
                        "attempts": 0,
                        "next_at": now,
                        "created_at": now,
                    }
                    for hook in webhooks
                ],
            )
        return int(seq)

    def inbox(
        self,
        viewer: Viewer,
        *,
        kinds: Sequence[str] | None = None,
        skip_kinds: Sequence[str] = (),
        unread: bool = False,
        after: int = 0,
        limit: int = 100,
        newest_first: bool = True,
    ) -> list[Alert]:
        if after >= t.INTEGER_MAX:
            return []
        query = select(t.alerts).where(_alert_visible(viewer), A.seq > after)
        if kinds is not None:
            query = query.where(A.kind.in_(list(kinds)))
        if skip_kinds:
            query = query.where(A.kind.not_in(list(skip_kinds)))
        if unread:
            query = query.where(A.read_at.is_(None))
        query = query.order_by(A.seq.desc() if newest_first else A.seq).limit(limit)
        return self.listing_visible(viewer, [_alert(r) for r in self.c.execute(query)])

    def listing_visible(self, viewer: Viewer, alerts: list[Alert]) -> list[Alert]:
        """``alerts`` with the records their payloads list (``records``: ids and captions) cut to those the
        viewer may see now. An answer to a request lists every record it shared, but the alert is kept visible
        by its first record alone; any of the others may since have been deleted or passed its review date,
        and its id and caption must then go unsaid."""
        listed = {item["id"] for alert in alerts for item in _listing(alert)}
        if not listed:
            return alerts
        seen = self.visible_ids(viewer, listed)
        if seen >= listed:
            return alerts
        shown = []
        for alert in alerts:
            items = _listing(alert)
            kept = [item for item in items if item["id"] in seen]
            shown.append(
                alert if len(kept) == len(items) else replace(alert, payload={**alert.payload, "records": kept})
            )
        return shown

    def unread_counts(self, viewer: Viewer, *, skip_kinds: Sequence[str] = ()) -> dict[str, int]:
        query = select(A.kind, func.count()).where(_alert_visible(viewer), A.read_at.is_(None))
        if skip_kinds:
            query = query.where(A.kind.not_in(list(skip_kinds)))
        return {kind: int(n) for kind, n in self.c.execute(query.group_by(A.kind))}

    def mark_read(
        self, viewer: Viewer, now: datetime, *, ids: Sequence[str] | None = None, skip_kinds: Sequence[str] = ()
    ) -> int:
        seqs = select(A.seq).where(_alert_visible(viewer), A.read_at.is_(None))
        if ids is not None:
            seqs = seqs.where(A.id.in_(list(ids)))
        if skip_kinds:
            seqs = seqs.where(A.kind.not_in(list(skip_kinds)))
        wanted = [s for (s,) in self.c.execute(seqs)]
        for start in range(0, len(wanted), 500):
            self.c.execute(update(t.alerts).where(A.seq.in_(wanted[start : start + 500])).values(read_at=now))
        return len(wanted)

    def alert_if_visible(self, viewer: Viewer, seq: int) -> Alert | None:
        row = self.c.execute(select(t.alerts).where(A.seq == seq, _alert_visible(viewer))).first()
        return self.listing_visible(viewer, [_alert(row)])[0] if row else None

    def last_alert_seq(self) -> int:
        return int(self.c.execute(select(func.coalesce(func.max(A.seq), 0))).scalar_one())

    # hit notices
    def add_hit(self, hit: Hit) -> None:
        self.c.execute(
            insert(t.hits).values(
                id=hit.id,
                owner=hit.owner,
                searcher_agency=hit.searcher_agency,
                searcher_user=hit.searcher_user,
                action=hit.action,
                query=hit.query,
                source=hit.source,
                at=hit.at,
                records=dumps([{"id": r.record_id, "score": r.score, "policy": r.hit_policy} for r in hit.records]),
                askable=hit.askable,
            )
        )

    def hit(self, hit_id: str) -> Hit | None:
        row = self.c.execute(select(t.hits).where(t.hits.c.id == hit_id)).first()
        if row is None:
            return None
        return Hit(
            id=row.id,
            owner=row.owner,
            searcher_agency=row.searcher_agency,
            searcher_user=row.searcher_user,
            action=row.action,
            query=row.query,
            source=row.source,
            at=_at(row.at),
            records=tuple(HitRecord(r["id"], r["score"], r["policy"]) for r in loads(row.records)),
            askable=row.askable,
        )

    def hits_sent(self, agency: str, limit: int) -> list[tuple[str, str, str, str | None, datetime]]:
        """The askable hits an agency's searches produced: (hit id, owner, query, source, when). No record ids."""
        H = t.hits.c
        rows = self.c.execute(
            select(H.id, H.owner, H.query, H.source, H.at)
            .where(H.searcher_agency == agency, H.askable.is_(True))
            .order_by(H.at.desc(), H.id)
            .limit(limit)
        )
        return [(r.id, r.owner, r.query, r.source, _at(r.at)) for r in rows]

    # requests for information
    def add_request(self, request: InfoRequest) -> None:
        self.c.execute(
            insert(t.info_requests).values(
                id=request.id,
                from_agency=request.from_agency,
                to_agency=request.to_agency,
                hit_id=request.hit_id,
                justification=request.justification,
                urgency=request.urgency.value,
                handling_asked=request.handling_asked,
                state=request.state.value,
                due_at=request.due_at,
                created_by=request.created_by,
                created_at=request.created_at,
            )
        )
        if request.record_ids:
            self.c.execute(
                insert(t.info_request_records),
                [{"request_id": request.id, "record_id": rid} for rid in sorted(set(request.record_ids))],
            )

    def add_message(self, request_id: str, message: Message) -> None:
        M = t.info_request_messages.c
        seq = self.c.execute(select(func.coalesce(func.max(M.seq), 0)).where(M.request_id == request_id)).scalar_one()
        self.c.execute(
            insert(t.info_request_messages).values(
                request_id=request_id,
                seq=int(seq) + 1,
                at=message.at,
                agency=message.agency,
                username=message.username,
                kind=message.kind,
                text=message.text,
                record_ids=dumps(list(message.record_ids)),
            )
        )

    def add_request_records(self, request_id: str, record_ids: Sequence[str]) -> None:
        """Name more records in a request (the copies a grant made)."""
        if record_ids:
            self.c.execute(
                insert(t.info_request_records),
                [{"request_id": request_id, "record_id": rid} for rid in sorted(set(record_ids))],
            )

    def request_record_ids(self, request_id: str) -> list[str]:
        """All records of a request, seen or not: for its owner's answer only."""
        RR = t.info_request_records.c
        rows = self.c.execute(select(RR.record_id).where(RR.request_id == request_id).order_by(RR.record_id))
        return [r for (r,) in rows]

    def _request(self, viewer: Viewer, row: Row[Any], with_thread: bool) -> InfoRequest:
        RR, M = t.info_request_records.c, t.info_request_messages.c
        seen = self.c.execute(
            select(RR.record_id).where(RR.request_id == row.id, _seen(viewer, RR.record_id)).order_by(RR.record_id)
        )
        record_ids = tuple(r for (r,) in seen)
        thread: tuple[Message, ...] = ()
        if with_thread:
            shown = set(record_ids)
            thread = tuple(
                Message(
                    seq=m.seq,
                    at=_at(m.at),
                    agency=m.agency,
                    username=m.username,
                    kind=m.kind,
                    text=m.text,
                    record_ids=tuple(r for r in loads(m.record_ids) if r in shown),
                )
                for m in self.c.execute(select(t.info_request_messages).where(M.request_id == row.id).order_by(M.seq))
            )
        return InfoRequest(
            id=row.id,
            from_agency=row.from_agency,
            to_agency=row.to_agency,
            hit_id=row.hit_id,
            record_ids=record_ids,
            justification=row.justification,
            urgency=Urgency(row.urgency),
            handling_asked=row.handling_asked,
            state=RequestState(row.state),
            due_at=_at(row.due_at),
            created_by=row.created_by,
            created_at=_at(row.created_at),
            answered_at=aware(row.answered_at),
            answered_by=row.answered_by,
            thread=thread,
        )

    def request(self, viewer: Viewer, request_id: str, *, with_thread: bool = True) -> InfoRequest | None:
        """A request the viewer's agency sent or received; None for anyone else's."""
        row = self.c.execute(
            select(t.info_requests).where(
                Q.id == request_id, or_(Q.from_agency == viewer.agency, Q.to_agency == viewer.agency)
            )
        ).first()
        return self._request(viewer, row, with_thread) if row else None

    def requests(
        self, viewer: Viewer, *, box: str = "all", state: str | None = None, limit: int = 100
    ) -> list[InfoRequest]:
        mine = {
            "sent": Q.from_agency == viewer.agency,
            "received": Q.to_agency == viewer.agency,
            "all": or_(Q.from_agency == viewer.agency, Q.to_agency == viewer.agency),
        }[box]
        query = select(t.info_requests).where(mine)
        if state:
            query = query.where(Q.state == state)
        query = query.order_by(Q.created_at.desc(), Q.id).limit(limit)
        return [self._request(viewer, r, False) for r in self.c.execute(query)]

    def close_request(self, request_id: str, state: RequestState, by: str, now: datetime) -> bool:
        """Move an open request to ``state``; False when it was no longer open (answered twice)."""
        result = self.c.execute(
            update(t.info_requests)
            .where(Q.id == request_id, Q.state == RequestState.OPEN.value)
            .values(state=state.value, answered_by=by, answered_at=now)
        )
        return result.rowcount == 1

    def overdue_requests(self, now: datetime) -> list[tuple[str, str, str, datetime]]:
        """Open requests past their deadline and not yet reminded: (id, from, to, due)."""
        rows = self.c.execute(
            select(Q.id, Q.from_agency, Q.to_agency, Q.due_at).where(
                Q.state == RequestState.OPEN.value, Q.due_at < now, Q.reminded_at.is_(None)
            )
        )
        return [(r.id, r.from_agency, r.to_agency, _at(r.due_at)) for r in rows]

    def mark_reminded(self, request_id: str, now: datetime) -> bool:
        result = self.c.execute(
            update(t.info_requests).where(Q.id == request_id, Q.reminded_at.is_(None)).values(reminded_at=now)
        )
        return result.rowcount == 1

    # webhooks
    def add_webhook(self, hook_id: str, agency: str, url: str, secret: str, by: str, now: datetime) -> None:
        self.c.execute(
            insert(t.webhooks).values(
                id=hook_id, agency=agency, url=url, secret=secret, active=True, created_by=by, created_at=now
            )
        )

    def active_webhooks(self, agency: str) -> list[str]:
        H = t.webhooks.c
        rows = self.c.execute(select(H.id).where(H.agency == agency, H.active.is_(True)).order_by(H.id))
        return [i for (i,) in rows]

    def webhooks(self, agency: str) -> list[Webhook]:
        H = t.webhooks.c
        counts: dict[tuple[str, str], int] = {}
        for hook, state, n in self.c.execute(
            select(O.webhook_id, O.state, func.count())
            .join(t.webhooks, H.id == O.webhook_id)
            .where(H.agency == agency)
            .group_by(O.webhook_id, O.state)
        ):
            counts[(hook, state)] = int(n)
        return [
            Webhook(
                id=r.id,
                agency=r.agency,
                url=r.url,
                active=r.active,
                created_by=r.created_by,
                created_at=_at(r.created_at),
                delivered=counts.get((r.id, DeliveryState.DELIVERED.value), 0),
                pending=counts.get((r.id, DeliveryState.PENDING.value), 0),
                failed=counts.get((r.id, DeliveryState.FAILED.value), 0),
            )
            for r in self.c.execute(select(t.webhooks).where(H.agency == agency).order_by(H.created_at, H.id))
        ]

    def deactivate_webhook(self, agency: str, hook_id: str) -> bool:
        H = t.webhooks.c
        result = self.c.execute(
            update(t.webhooks).where(H.id == hook_id, H.agency == agency, H.active.is_(True)).values(active=False)
        )
        if result.rowcount:
            self.c.execute(
                update(t.outbox)
                .where(O.webhook_id == hook_id, O.state == DeliveryState.PENDING.value)
                .values(state=DeliveryState.WITHDRAWN.value, last_error="webhook removed")
            )
        return bool(result.rowcount)

    def outbox_rows(self, webhook_id: str | None = None) -> list[dict[str, Any]]:
        query = select(t.outbox).order_by(O.seq)
        if webhook_id:
            query = query.where(O.webhook_id == webhook_id)
        return [dict(r._mapping) for r in self.c.execute(query)]

    # the delivery worker
    def write_now(self) -> None:
        """Take the write lock at once, for a short transaction that writes, and hold it to the commit.

        On SQLite this is ``BEGIN IMMEDIATE``: the transaction first queues at the store's write gate
        (``storage.write_gate``), which lets it in as soon as the writer before it has committed, so that what
        it reads next is what it writes against. On PostgreSQL, which locks rows, it does nothing.
        """
        if self.c.dialect.name == "sqlite":
            self.c.exec_driver_sql("BEGIN IMMEDIATE")

    def any_due(self, now: datetime) -> bool:
        """Whether some outbox row is due: a read, so that an idle worker writes nothing."""
        return self.c.execute(select(O.seq).where(_due(now)).limit(1)).first() is not None

    def lease_due(self, now: datetime, until: datetime, limit: int) -> list[Delivery]:
        """Lease up to ``limit`` due rows to this worker until ``until``, oldest first.

        A row is due while it is pending, its ``next_at`` has come and no lease on it is running. One UPDATE
        picks and leases the rows. On PostgreSQL the rows another worker is leasing at that moment are
        skipped rather than waited for, and the condition is checked again on each row, so a row is never
        leased twice at once.
        """
        if limit <= 0:
            return []
        picked = (
            select(O.seq).where(_due(now)).order_by(O.next_at, O.seq).limit(limit).with_for_update(skip_locked=True)
        )
        won = [
            s
            for (s,) in self.c.execute(
                update(t.outbox).where(O.seq.in_(picked), _due(now)).values(claimed_until=until).returning(O.seq)
            )
        ]
        H = t.webhooks.c
        out: list[Delivery] = []
        for start in range(0, len(won), 500):
            rows = self.c.execute(
                select(O.seq.label("outbox_seq"), O.key, O.attempts, O.webhook_id, H.url, H.secret, t.alerts)
                .join(t.webhooks, H.id == O.webhook_id)
                .join(t.alerts, A.seq == O.alert_seq)
                .where(O.seq.in_(won[start : start + 500]))
            )
            out.extend(
                Delivery(r.outbox_seq, r.key, r.attempts, r.webhook_id, r.url, r.secret, _alert(r)) for r in rows
            )
        out.sort(key=lambda d: d.seq)
        return out

    def visible_alert_seqs(self, viewer: Viewer, items: Sequence[Delivery]) -> set[int]:
        """The alerts of ``items`` addressed to the viewer's agency that it may still see."""
        seqs = [d.alert.seq for d in items if d.alert.agency == viewer.agency]
        out: set[int] = set()
        for start in range(0, len(seqs), 500):
            rows = self.c.execute(select(A.seq).where(A.seq.in_(seqs[start : start + 500]), _alert_visible(viewer)))
            out.update(s for (s,) in rows)
        return out

    def finish_many(self, outcomes: Sequence[Outcome], now: datetime) -> None:
        """Record the outcomes of pushes, one statement per kind of outcome (give-ups go to ``give_up``).

        An outcome only changes a row that is still pending: a row already delivered or withdrawn (by another
        worker whose lease on it came later, or by the webhook's removal) keeps its final state.
        """
        groups: dict[DeliveryState, list[dict[str, Any]]] = {}
        for o in outcomes:
            if o.state is DeliveryState.FAILED:
                raise ValueError("a push given up is recorded with give_up, which says whether it changed the row")
            values: dict[str, Any] = {"o_seq": o.seq, "o_attempts": o.attempts}
            if o.state is DeliveryState.PENDING:
                values["o_next_at"] = o.next_at or now
            if o.state is not DeliveryState.DELIVERED:
                values["o_error"] = None if o.error is None else o.error[:1000]
            groups.setdefault(o.state, []).append(values)
        for state, rows in groups.items():
            changes: dict[str, Any] = {"state": state.value, "attempts": bindparam("o_attempts"), "claimed_until": None}
            if state is DeliveryState.DELIVERED:
                changes["delivered_at"] = now
            else:
                changes["last_error"] = bindparam("o_error")
            if state is DeliveryState.PENDING:
                changes["next_at"] = bindparam("o_next_at")
            self.c.execute(
                update(t.outbox)
                .where(O.seq == bindparam("o_seq"), O.state == DeliveryState.PENDING.value)
                .values(**changes),
                rows,
            )

    def give_up(self, seq: int, attempts: int, error: str) -> bool:
        """Mark a pending row failed after its last attempt; False when it had already left pending."""
        result = self.c.execute(
            update(t.outbox)
            .where(O.seq == seq, O.state == DeliveryState.PENDING.value)
            .values(state=DeliveryState.FAILED.value, attempts=attempts, claimed_until=None, last_error=error[:1000])
        )
        return result.rowcount == 1
