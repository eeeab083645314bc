"""Cooperation between agencies: watches, alerts in an inbox, hit notices, requests for information, webhooks.

These are values the services hand to the interfaces. None of them is a record: they belong to the agency
that receives them, and every one of them names only records that agency may see (the services check that
when an alert is written and again, through the visibility predicate, whenever it is read).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class WatchTarget(StrEnum):
    RECORD = "record"
    CLUSTER = "cluster"


class AlertKind(StrEnum):
    """What an inbox entry tells its agency."""

    LINK = "watch.link"  # a new record links to a watched one (membership, association, incident, report ...)
    MOVEMENT = "watch.movement"  # a movement of a watched person was recorded
    SCREENING = "watch.screening"  # a screening or search matched a watched record
    DESIGNATION = "watch.designation"  # a designation of a watched record was added or ended
    CLUSTER = "watch.cluster"  # a record was resolved into a watched cluster
    HIT = "hit"  # another agency's search or screening matched one of our restricted records
    REQUEST_OPENED = "request.opened"
    REQUEST_ANSWERED = "request.answered"
    REQUEST_REMINDER = "request.reminder"
    DELIVERY_FAILED = "delivery.failed"  # a webhook gave up on an alert


class Urgency(StrEnum):
    IMMEDIATE = "immediate"
    URGENT = "urgent"
    ROUTINE = "routine"

    @property
    def answer_within(self) -> timedelta:
        """How long the owner has to answer (after the practice of police cooperation channels)."""
        return {"immediate": timedelta(hours=24), "urgent": timedelta(days=3), "routine": timedelta(days=14)}[
            self.value
        ]


class RequestState(StrEnum):
    OPEN = "open"
    GRANTED = "granted"
    PARTIAL = "partially-granted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    @property
    def closed(self) -> bool:
        return self is not RequestState.OPEN


class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up after the last attempt
    WITHDRAWN = "withdrawn"  # the alert's records are no longer visible to its recipient


@dataclass(frozen=True, slots=True)
class Watch:
    id: str
    agency: str
    target_kind: WatchTarget
    target: str
    note: str | None
    created_by: str
    created_at: datetime
    caption: str | None = None


@dataclass(frozen=True, slots=True)
class Alert:
    """One inbox entry. ``record_id`` and ``about_id`` are records the recipient may see (or None)."""

    seq: int
    id: str
    agency: str
    kind: AlertKind
    record_id: str | None
    about_id: str | None
    payload: dict[str, Any]
    created_at: datetime
    read_at: datetime | None = None

    @property
    def unread(self) -> bool:
        return self.read_at is None


@dataclass(frozen=True, slots=True)
class HitRecord:
    record_id: str
    score: float
    hit_policy: str


@dataclass(frozen=True, slots=True)
class Hit:
    """A search or screening by another agency that matched records of ``owner`` it may not see."""

    id: str
    owner: str
    searcher_agency: str
    searcher_user: str
    action: str
    query: str
    source: str | None
    at: datetime
    records: tuple[HitRecord, ...]
    askable: bool
    """True when the searcher was told of the hit (hit-no-hit) and may open a request about it."""


@dataclass(frozen=True, slots=True)
class Message:
    """One entry of a request's thread."""

    seq: int
    at: datetime
    agency: str
    username: str
    kind: str
    text: str | None
    record_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class InfoRequest:
    """A request for information. ``record_ids`` holds only what the reader may see."""

    id: str
    from_agency: str
    to_agency: str
    hit_id: str | None
    record_ids: tuple[str, ...]
    justification: str
    urgency: Urgency
    handling_asked: str | None
    state: RequestState
    due_at: datetime
    created_by: str
    created_at: datetime
    answered_at: datetime | None = None
    answered_by: str | None = None
    thread: tuple[Message, ...] = field(default=())

    def overdue(self, now: datetime) -> bool:
        return self.state is RequestState.OPEN and now > self.due_at


@dataclass(frozen=True, slots=True)
class Webhook:
    id: str
    agency: str
    url: str
    active: bool
    created_by: str
    created_at: datetime
    delivered: int = 0
    pending: int = 0
    failed: int = 0


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What one pass of the delivery worker did."""

    delivered: int = 0
    retried: int = 0
    failed: int = 0
    withdrawn: int = 0
    reminders: int = 0
