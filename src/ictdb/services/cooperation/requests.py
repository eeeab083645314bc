"""Requests for information: one agency asks another about a record or a restricted hit; the owner answers.

A request is opened by an analyst of the asking agency, about a record it may see, about a hit reference
its own search or screening was given (hit-no-hit: it never learns which record matched), or about nothing
in particular. The owner's supervisor answers once: grant (the asker joins the records' audience), partial
grant (some of the records, and a written answer), or decline with a reason.

A grant or partial grant may instead hand the asker a copy of each record shared (``copy=True``): a new
record with the same body at the moment of the answer, an identifier ``copy-of: <original id>`` that traces
it to the original, and the original's envelope except its audience, which is the asking agency alone. The
copy stays owned by the original's owner, on purpose: the owner's handling code keeps its force (an H2 copy
cannot be exported or passed on by the asker, who does not own it), the owner can still edit, review or
delete it, and the original's audience does not change, so later versions and links of the original do not
reach the asker. The request then lists the copies, which is all the asker can see of it. Deadlines follow urgency;
overdue requests remind the owner once. Every step is in the request's thread and in the audit trail, and
each side reads only the records of a request it may see.
"""

from __future__ import annotations

from datetime import datetime

from ictdb.model.actors import Actor
from ictdb.model.cooperation import AlertKind, InfoRequest, Message, RequestState, Urgency
from ictdb.model.envelope import Distribution, check_agency_code
from ictdb.model.errors import Conflict, Forbidden, NotFound, ValidationError
from ictdb.model.records import Identifier
from ictdb.model.stored import Record
from ictdb.model.vocab import HandlingCode, HitPolicy, Role
from ictdb.policy.roles import require
from ictdb.policy.visibility import Viewer
from ictdb.services.audit import log
from ictdb.services.cooperation.alerts import new_id, notify, repo
from ictdb.services.node import Node
from ictdb.services.records import not_found
from ictdb.storage.store import Tx

__all__ = [
    "answer_request",
    "askable_hits",
    "comment",
    "decline_request",
    "grant_request",
    "list_requests",
    "open_request",
    "send_reminders",
    "show_request",
]

BOXES = ("all", "sent", "received")
COPY_SCHEME = "copy-of"
"""The identifier scheme of a granted copy; its value is the original record's id."""
SYSTEM_USER = "system"


def _text(value: str | None, field: str, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(f"say {what}", field)
    if len(text) > 10_000:
        raise ValidationError("at most 10000 characters", field)
    return text


def _agency_asked(code: str) -> str:
    try:
        return check_agency_code(code)
    except ValueError as exc:
        raise ValidationError(str(exc), "to") from exc


def open_request(
    node: Node,
    actor: Actor,
    *,
    justification: str,
    to: str | None = None,
    record_id: str | None = None,
    hit_id: str | None = None,
    urgency: Urgency | str = Urgency.ROUTINE,
    handling_asked: HandlingCode | str | None = None,
) -> InfoRequest:
    """Ask another agency for information; ``to`` is implied by a record or a hit reference."""
    require(actor, Role.ANALYST, "requesting information")
    reason = _text(justification, "justification", "why the information is needed")
    level = Urgency(urgency)
    handling = HandlingCode(handling_asked) if handling_asked else None
    if record_id and hit_id:
        raise ValidationError("a request is about a record or a hit, not both", "record_id")
    now = node.now()
    with node.store.transaction() as tx:
        coop = repo(tx)
        record_ids: list[str] = []
        owner: str | None = None
        if hit_id:
            hit = coop.hit(hit_id.strip())
            if hit is None or hit.searcher_agency != actor.agency or not hit.askable:
                raise NotFound(f"no hit {hit_id} of {actor.agency} to ask about")
            owner = hit.owner
            record_ids = [h.record_id for h in hit.records if h.hit_policy == HitPolicy.HIT_NO_HIT.value]
        elif record_id:
            record = tx.records.get(node.viewer(actor), record_id)
            if record is None:
                raise not_found(record_id)
            owner, record_ids = record.owner, [record.id]
        target = _agency_asked(to) if to else owner
        if target is None:
            raise ValidationError("name the agency to ask, a record or a hit", "to")
        if owner is not None and target != owner:
            raise ValidationError(f"that is {owner}'s to answer, not {target}'s", "to")
        if tx.directory.agency(target) is None:
            raise NotFound(f"no agency {target}")
        if target == actor.agency:
            raise ValidationError("a request goes to another agency, not to one's own", "to")
        request = InfoRequest(
            id=new_id("req"),
            from_agency=actor.agency,
            to_agency=target,
            hit_id=hit_id.strip() if hit_id else None,
            record_ids=tuple(record_ids),
            justification=reason,
            urgency=level,
            handling_asked=handling.value if handling else None,
            state=RequestState.OPEN,
            due_at=now + level.answer_within,
            created_by=actor.username,
            created_at=now,
        )
        coop.add_request(request)
        coop.add_message(request.id, Message(0, now, actor.agency, actor.username, "open", reason, tuple(record_ids)))
        owned = tx.records.get_many(Viewer(target, node.today()), record_ids)
        notify(
            tx,
            node,
            target,
            AlertKind.REQUEST_OPENED,
            {
                "request": request.id,
                "from_agency": actor.agency,
                "urgency": level.value,
                "due_at": request.due_at.isoformat(),
                "justification": reason,
                "handling_asked": request.handling_asked,
                "hit": request.hit_id,
                "records": [{"id": r.id, "caption": r.caption()} for r in owned.values()],
            },
            record_id=next(iter(sorted(owned)), None),
        )
        log(
            tx,
            node,
            actor,
            "request.open",
            record_ids,
            query=request.id,
            detail={"to": target, "urgency": level.value, "hit": request.hit_id},
        )
        found = coop.request(node.viewer(actor), request.id)
    assert found is not None
    return found


def _received(tx: Tx, node: Node, actor: Actor, request_id: str) -> InfoRequest:
    request = repo(tx).request(node.viewer(actor), request_id)
    if request is None:
        raise NotFound(f"no request {request_id}")
    if request.to_agency != actor.agency:
        raise Forbidden(f"only {request.to_agency} answers request {request_id}")
    if request.state.closed:
        raise Conflict(f"request {request_id} is already {request.state.value}")
    return request


def answer_request(
    node: Node,
    actor: Actor,
    request_id: str,
    decision: RequestState | str,
    *,
    text: str | None = None,
    record_ids: list[str] | None = None,
    copy: bool = False,
) -> InfoRequest:
    """Grant, partially grant or decline an open request addressed to the actor's agency. Once only.

    With ``copy`` the asker receives copies of the records shared instead of joining their audience.
    """
    require(actor, Role.SUPERVISOR, "answering a request")
    state = RequestState(decision)
    if state not in (RequestState.GRANTED, RequestState.PARTIAL, RequestState.DECLINED):
        raise ValidationError("grant, partially grant or decline", "decision")
    if copy and state is RequestState.DECLINED:
        raise ValidationError("a declined request shares no copy", "copy")
    if state is RequestState.DECLINED:
        text = _text(text, "reason", "why the request is declined")
    if state is RequestState.PARTIAL:
        text = _text(text, "text", "what is shared in answer")
    now = node.now()
    with node.store.transaction() as tx:
        coop = repo(tx)
        request = _received(tx, node, actor, request_id)
        asked = coop.request_record_ids(request_id)
        shared: list[str] = []
        if state is RequestState.GRANTED:
            shared = asked
        elif state is RequestState.PARTIAL:
            shared = list(dict.fromkeys(record_ids or []))
            stray = [rid for rid in shared if rid not in asked]
            if stray:
                raise ValidationError(f"{stray[0]} is not one of the records asked about", "record_ids")
        own = tx.records.get_many(node.viewer(actor), shared)
        for rid in shared:
            if rid not in own or own[rid].owner != actor.agency:
                raise ValidationError(f"{rid} is no longer a record of {actor.agency} to share", "record_ids")
        copies: dict[str, str] = {}
        if copy:
            made = [_copy_for(node, own[rid], request.from_agency, request_id, actor.username, now) for rid in shared]
            tx.records.insert([(c, None) for c in made], change="copy")
            copies = {rid: c.id for rid, c in zip(shared, made, strict=True)}
            coop.add_request_records(request_id, list(copies.values()))
            own.update({c.id: c for c in made})
            shared = list(copies.values())
        else:
            for rid in shared:
                tx.records.grant(rid, request.from_agency, at=now)
        if not coop.close_request(request_id, state, actor.username, now):
            raise Conflict(f"request {request_id} was answered meanwhile")
        coop.add_message(request_id, Message(0, now, actor.agency, actor.username, state.value, text, tuple(shared)))
        seen = coop.visible_ids(Viewer(request.from_agency, node.today()), shared)
        granted = [rid for rid in shared if rid in seen]
        notify(
            tx,
            node,
            request.from_agency,
            AlertKind.REQUEST_ANSWERED,
            {
                "request": request_id,
                "state": state.value,
                "by_agency": actor.agency,
                "text": text,
                "records": [{"id": rid, "caption": own[rid].caption()} for rid in granted],
            },
            record_id=granted[0] if granted else None,
        )
        log(
            tx,
            node,
            actor,
            f"request.{'grant' if state is RequestState.GRANTED else state.value}",
            [*copies, *shared],
            query=request_id,
            detail={
                "to": request.from_agency,
                **({"reason": text} if text else {}),
                **({"copies": copies} if copy else {}),
            },
        )
        found = coop.request(node.viewer(actor), request_id)
    assert found is not None
    return found


def _copy_for(node: Node, original: Record, asker: str, request_id: str, by: str, now: datetime) -> Record:
    """The original's body and envelope, seen by the asking agency alone, traceable to the original."""
    trace = Identifier(scheme=COPY_SCHEME, value=original.id)
    body = original.body.model_copy(update={"identifiers": [*original.body.identifiers, trace]})
    envelope = original.envelope.model_copy(
        update={"distribution": Distribution.parse(f"agencies:{asker}"), "justification": f"copy for {request_id}"}
    )
    return Record(
        id=node.new_id(original.schema_name),
        body=body,
        envelope=envelope,
        created_by=by,
        created_at=now,
        updated_at=now,
    )


def grant_request(
    node: Node, actor: Actor, request_id: str, text: str | None = None, *, copy: bool = False
) -> InfoRequest:
    return answer_request(node, actor, request_id, RequestState.GRANTED, text=text, copy=copy)


def decline_request(node: Node, actor: Actor, request_id: str, reason: str) -> InfoRequest:
    return answer_request(node, actor, request_id, RequestState.DECLINED, text=reason)


def comment(node: Node, actor: Actor, request_id: str, text: str) -> InfoRequest:
    """Add to the thread of a request the actor's agency sent or received (open or not)."""
    require(actor, Role.ANALYST, "writing on a request")
    body = _text(text, "text", "something")
    with node.store.transaction() as tx:
        coop = repo(tx)
        request = coop.request(node.viewer(actor), request_id)
        if request is None:
            raise NotFound(f"no request {request_id}")
        coop.add_message(request_id, Message(0, node.now(), actor.agency, actor.username, "comment", body))
        other = request.to_agency if actor.agency == request.from_agency else request.from_agency
        kind = AlertKind.REQUEST_OPENED if other == request.to_agency else AlertKind.REQUEST_ANSWERED
        notify(tx, node, other, kind, {"request": request_id, "state": request.state.value, "comment": body})
        log(tx, node, actor, "request.comment", query=request_id)
        found = coop.request(node.viewer(actor), request_id)
    assert found is not None
    return found


def list_requests(
    node: Node, actor: Actor, *, box: str = "all", state: str | None = None, limit: int = 100
) -> list[InfoRequest]:
    if box not in BOXES:
        raise ValidationError(f"one of {', '.join(BOXES)}", "box")
    if state is not None:
        state = RequestState(state).value
    if not 1 <= limit <= 1000:
        raise ValidationError("limit must be between 1 and 1000", "limit")
    with node.store.transaction() as tx:
        found = repo(tx).requests(node.viewer(actor), box=box, state=state, limit=limit)
        log(tx, node, actor, "request.list", sorted({r for q in found for r in q.record_ids}))
    return found


def show_request(node: Node, actor: Actor, request_id: str) -> InfoRequest:
    with node.store.transaction() as tx:
        found = repo(tx).request(node.viewer(actor), request_id)
        if found is None:
            raise NotFound(f"no request {request_id}")
        log(tx, node, actor, "request.read", list(found.record_ids), query=request_id)
    return found


def askable_hits(node: Node, actor: Actor, limit: int = 100) -> list[tuple[str, str, str, str | None, str]]:
    """The hit references the agency's searches were given: (hit, owner, query, source, when). No record ids."""
    with node.store.transaction() as tx:
        rows = repo(tx).hits_sent(actor.agency, limit)
    return [(h, owner, query, source, at.isoformat()) for h, owner, query, source, at in rows]


def send_reminders(node: Node) -> int:
    """Remind owners, once, of open requests past their deadline. Returns how many were sent."""
    sent = 0
    now = node.now()
    with node.store.transaction() as tx:
        coop = repo(tx)
        for request_id, asker, owner, due in coop.overdue_requests(now):
            if not coop.mark_reminded(request_id, now):
                continue
            coop.add_message(request_id, Message(0, now, owner, SYSTEM_USER, "reminder", f"overdue since {due}"))
            notify(
                tx,
                node,
                owner,
                AlertKind.REQUEST_REMINDER,
                {"request": request_id, "from_agency": asker, "due_at": due.isoformat()},
            )
            system = Actor(username=SYSTEM_USER, agency=owner, origin="worker")
            log(tx, node, system, "request.remind", query=request_id, detail={"due_at": due.isoformat()})
            sent += 1
    return sent
