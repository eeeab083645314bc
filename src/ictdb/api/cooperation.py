"""Cooperation over HTTP: watches, the inbox (and its event stream), hit notices, requests, movements, webhooks.

Everything answers for the caller's agency only, and names only records it may see.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
from anyio import to_thread
from fastapi import APIRouter, Header, Query, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from ictdb.api.deps import ActorDep, NodeDep
from ictdb.api.schemas import ERRORS, RecordOut
from ictdb.model.cooperation import Alert, InfoRequest, RequestState, Urgency, Watch, WatchTarget, Webhook
from ictdb.model.digits import ascii_digits
from ictdb.model.vocab import HandlingCode
from ictdb.services.cooperation import inbox, movements, requests, watches, webhooks

router = APIRouter(tags=["cooperation"], responses=ERRORS)

STREAM_POLL = 1.0
STREAM_HEARTBEAT = 15.0


class WatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    target: str = Field(max_length=100, description="a person or group record id, or a cluster id")
    kind: WatchTarget = WatchTarget.RECORD
    note: str | None = Field(default=None, max_length=2000)


class WatchOut(BaseModel):
    id: str
    target: str
    kind: WatchTarget
    caption: str | None
    note: str | None
    created_by: str
    created_at: datetime

    @classmethod
    def of(cls, w: Watch) -> WatchOut:
        return cls(
            id=w.id,
            target=w.target,
            kind=w.target_kind,
            caption=w.caption,
            note=w.note,
            created_by=w.created_by,
            created_at=w.created_at,
        )


class AlertOut(BaseModel):
    id: str
    seq: int = Field(description="increasing; the event stream's event id")
    kind: str
    unread: bool
    created_at: datetime
    payload: dict[str, Any]

    @classmethod
    def of(cls, a: Alert) -> AlertOut:
        return cls(id=a.id, seq=a.seq, kind=a.kind.value, unread=a.unread, created_at=a.created_at, payload=a.payload)


class InboxOut(BaseModel):
    unread: int
    unread_by_kind: dict[str, int]
    alerts: list[AlertOut]


class ReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[str] | None = Field(default=None, max_length=1000, description="alert ids; all when left out")


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    justification: str = Field(max_length=10_000)
    to: str | None = Field(default=None, description="the agency asked; implied by record_id or hit")
    record_id: str | None = None
    hit: str | None = Field(default=None, description="a restricted hit reference from a search or screening")
    urgency: Urgency = Urgency.ROUTINE
    handling_asked: HandlingCode | None = None


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str | None = Field(default=None, max_length=10_000)
    record_ids: list[str] | None = Field(default=None, max_length=1000, description="for a partial grant")
    as_copy: bool = Field(
        default=False,
        description="send copies (owned by the answering agency, under its handling code, traceable to the "
        "originals by a copy-of identifier) instead of adding the asker to the records' audience",
    )


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=10_000)


class RequestOut(BaseModel):
    id: str
    from_agency: str
    to_agency: str
    hit_id: str | None
    record_ids: list[str] = Field(description="only those the caller may see")
    justification: str
    urgency: str
    handling_asked: str | None
    state: str
    due_at: datetime
    created_by: str
    created_at: datetime
    answered_at: datetime | None
    answered_by: str | None
    thread: list[dict[str, Any]]

    @classmethod
    def of(cls, r: InfoRequest) -> RequestOut:
        data = asdict(r)
        data.update(urgency=r.urgency.value, state=r.state.value, record_ids=list(r.record_ids))
        data["thread"] = [{**asdict(m), "record_ids": list(m.record_ids)} for m in r.thread]
        return cls(**data)


class ConfirmIn(BaseModel):
    """A screening match the caller confirms: the traveller is this person; travel details as screened."""

    model_config = ConfigDict(extra="forbid")
    record_id: str
    source: str | None = Field(default=None, max_length=200, description="the manifest or screening job")
    origin_country: str | None = None
    origin_place: str | None = Field(default=None, max_length=200)
    destination_country: str | None = None
    destination_place: str | None = Field(default=None, max_length=200)
    point_of_entry: str | None = Field(default=None, max_length=200)
    departure: datetime | None = None
    arrival: datetime | None = None
    flight: str | None = Field(default=None, max_length=50)
    carrier: str | None = Field(default=None, max_length=200)
    document_number: str | None = Field(default=None, max_length=100)


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(max_length=2000)


class WebhookOut(BaseModel):
    id: str
    url: str
    active: bool
    created_by: str
    created_at: datetime
    delivered: int
    pending: int
    failed: int
    secret: str | None = Field(default=None, description="the signing secret, only in the answer that creates it")

    @classmethod
    def of(cls, h: Webhook, secret: str | None = None) -> WebhookOut:
        return cls(**{k: v for k, v in asdict(h).items() if k != "agency"}, secret=secret)


@router.get("/watches", response_model=list[WatchOut])
def list_watches(node: NodeDep, actor: ActorDep) -> list[WatchOut]:
    """The caller's agency's watches."""
    return [WatchOut.of(w) for w in watches.list_watches(node, actor)]


@router.post("/watches", response_model=WatchOut, status_code=status.HTTP_201_CREATED)
def add_watch(node: NodeDep, actor: ActorDep, payload: WatchIn) -> WatchOut:
    """Watch a person or group the caller may see (or a cluster): be alerted when partners record about it."""
    return WatchOut.of(watches.add_watch(node, actor, payload.target, kind=payload.kind, note=payload.note))


@router.delete("/watches/{watch_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_watch(node: NodeDep, actor: ActorDep, watch_id: str) -> None:
    watches.remove_watch(node, actor, watch_id)


@router.get("/inbox", response_model=InboxOut)
def read_inbox(
    node: NodeDep,
    actor: ActorDep,
    unread: bool = False,
    kind: Annotated[str | None, Query(max_length=30, examples=["watch.movement"])] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> InboxOut:
    """The agency's alerts, newest first, with unread counts (hit notices only for supervisors)."""
    box = inbox.inbox(node, actor, unread=unread, kind=kind, limit=limit)
    return InboxOut(unread=box.unread, unread_by_kind=box.unread_by_kind, alerts=[AlertOut.of(a) for a in box.alerts])


@router.get("/inbox/count")
def unread(node: NodeDep, actor: ActorDep) -> dict[str, int]:
    """How many alerts are unread."""
    return {"unread": inbox.unread_count(node, actor)}


@router.post("/inbox/read")
def mark_read(node: NodeDep, actor: ActorDep, payload: ReadIn) -> dict[str, int]:
    """Mark alerts read for the whole agency (all of them when no ids are given)."""
    return {"changed": inbox.mark_read(node, actor, payload.ids)}


@router.get("/inbox/stream", response_class=StreamingResponse)
async def stream(
    node: NodeDep,
    actor: ActorDep,
    after: Annotated[int | None, Query(ge=0, description="send alerts after this seq (default: from now)")] = None,
    last_event_id: Annotated[str | None, Header()] = None,
    max_events: Annotated[int | None, Query(ge=1, le=10_000, description="close after this many")] = None,
    max_seconds: Annotated[float | None, Query(gt=0, le=86_400, description="close after this long")] = None,
) -> StreamingResponse:
    """Server-sent events: each new alert as ``id: <seq>``, ``event: <kind>``, ``data: <alert JSON>``.

    A reconnecting client sends ``Last-Event-ID`` and misses nothing.
    """
    start = after
    if start is None and last_event_id and ascii_digits(last_event_id):
        start = int(last_event_id)
    if start is None:
        start = await to_thread.run_sync(inbox.latest_seq, node)
    began = time.monotonic()

    async def events() -> AsyncIterator[bytes]:
        cursor, sent, beat = start, 0, time.monotonic()
        yield b": ictdb alerts\n\n"
        while True:
            found = await to_thread.run_sync(inbox.poll, node, actor, cursor)
            for alert in found:
                data = orjson.dumps(AlertOut.of(alert).model_dump(mode="json"))
                yield f"id: {alert.seq}\nevent: {alert.kind.value}\n".encode() + b"data: " + data + b"\n\n"
                cursor, sent = alert.seq, sent + 1
                if max_events is not None and sent >= max_events:
                    return
            if max_seconds is not None and time.monotonic() - began >= max_seconds:
                return
            if time.monotonic() - beat >= STREAM_HEARTBEAT:
                beat = time.monotonic()
                yield b": keep-alive\n\n"
            pause = 0.0 if found else STREAM_POLL
            if max_seconds is not None:
                pause = min(pause, max(0.0, max_seconds - (time.monotonic() - began)))
            await asyncio.sleep(pause)

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})


@router.get("/hits", response_model=list[AlertOut])
def hit_notices(node: NodeDep, actor: ActorDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[AlertOut]:
    """Other agencies' searches and screenings that matched the agency's restricted records (supervisors):
    who, which agency, when, with what query and score."""
    return [AlertOut.of(a) for a in inbox.hit_notices(node, actor, limit=limit)]


class SentHit(BaseModel):
    hit: str
    owner: str
    query: str
    source: str | None
    at: str


@router.get("/hits/sent", response_model=list[SentHit])
def sent_hits(node: NodeDep, actor: ActorDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[SentHit]:
    """Restricted hits the agency's own searches were given: the reference to quote in a request, and whom to ask."""
    return [
        SentHit(hit=h, owner=o, query=q, source=s, at=at)
        for h, o, q, s, at in requests.askable_hits(node, actor, limit)
    ]


@router.post("/requests", response_model=RequestOut, status_code=status.HTTP_201_CREATED)
def open_request(node: NodeDep, actor: ActorDep, payload: RequestIn) -> RequestOut:
    """Ask another agency for information about a record, a restricted hit, or in general."""
    return RequestOut.of(
        requests.open_request(
            node,
            actor,
            justification=payload.justification,
            to=payload.to,
            record_id=payload.record_id,
            hit_id=payload.hit,
            urgency=payload.urgency,
            handling_asked=payload.handling_asked,
        )
    )


@router.get("/requests", response_model=list[RequestOut])
def list_requests(
    node: NodeDep,
    actor: ActorDep,
    box: Literal["all", "sent", "received"] = "all",
    state: RequestState | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[RequestOut]:
    """Requests the agency sent or received, newest first."""
    found = requests.list_requests(node, actor, box=box, state=state.value if state else None, limit=limit)
    return [RequestOut.of(r) for r in found]


@router.get("/requests/{request_id}", response_model=RequestOut)
def show_request(node: NodeDep, actor: ActorDep, request_id: str) -> RequestOut:
    """A request with its whole thread."""
    return RequestOut.of(requests.show_request(node, actor, request_id))


@router.post("/requests/{request_id}/comments", response_model=RequestOut, include_in_schema=False)
def comment(node: NodeDep, actor: ActorDep, request_id: str, payload: CommentIn) -> RequestOut:
    return RequestOut.of(requests.comment(node, actor, request_id, payload.text))


@router.post("/requests/{request_id}/{decision}", response_model=RequestOut)
def answer_request(
    node: NodeDep,
    actor: ActorDep,
    request_id: str,
    decision: Literal["grant", "partial", "decline"],
    payload: AnswerIn,
) -> RequestOut:
    """Answer, once, a request to the caller's agency (supervisors): ``grant`` (the asker joins the records'
    audience), ``partial`` (a written answer and perhaps some records) or ``decline`` (with a reason in text)."""
    state = {"grant": RequestState.GRANTED, "partial": RequestState.PARTIAL, "decline": RequestState.DECLINED}
    return RequestOut.of(
        requests.answer_request(
            node,
            actor,
            request_id,
            state[decision],
            text=payload.text,
            record_ids=payload.record_ids,
            copy=payload.as_copy,
        )
    )


@router.get("/persons/{person_id}/movements", response_model=list[RecordOut])
def timeline(node: NodeDep, actor: ActorDep, person_id: str) -> list[RecordOut]:
    """A person's movements the caller may see, oldest first."""
    return [RecordOut.of(r) for r in movements.timeline(node, actor, person_id)]


@router.post("/movements/confirm", response_model=RecordOut, status_code=status.HTTP_201_CREATED)
def confirm(node: NodeDep, actor: ActorDep, payload: ConfirmIn) -> RecordOut:
    """Confirm a screening match: the observed Movement is recorded, owned by the caller's agency under its
    default distribution, and watchers of the person are alerted."""
    data = payload.model_dump(exclude={"record_id"})
    return RecordOut.of(movements.confirm_screening_match(node, actor, payload.record_id, **data))


@router.get("/webhooks", response_model=list[WebhookOut])
def list_hooks(node: NodeDep, actor: ActorDep) -> list[WebhookOut]:
    """The agency's webhooks with delivered, pending and given-up counts (agency administrators)."""
    return [WebhookOut.of(h) for h in webhooks.list_webhooks(node, actor)]


@router.post("/webhooks", response_model=WebhookOut, status_code=status.HTTP_201_CREATED)
def add_hook(node: NodeDep, actor: ActorDep, payload: WebhookIn) -> WebhookOut:
    """Push the agency's alerts to a URL: JSON signed with HMAC-SHA256 (``X-Ictdb-Signature: sha256=<hex>``
    over ``<X-Ictdb-Timestamp>.<body>``), ``Idempotency-Key`` stable across retries. The secret is shown once."""
    hook, secret = webhooks.add_webhook(node, actor, payload.url)
    return WebhookOut.of(hook, secret)


@router.delete("/webhooks/{hook_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_hook(node: NodeDep, actor: ActorDep, hook_id: str) -> None:
    webhooks.remove_webhook(node, actor, hook_id)
