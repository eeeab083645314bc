"""The cooperation pages: the agency's inbox, and requests for information from a restricted hit to the answer.

The routes render through ``ui.render`` (the header shows the inbox's unread count on every page) and call
the cooperation services only, so a page shows exactly what the CLI and the API would: alerts and request
records the reader may see. Every form carries the session's CSRF token.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ictdb.api import ui
from ictdb.api.deps import node_of
from ictdb.model.cooperation import RequestState, Urgency
from ictdb.model.errors import Conflict, NotFound, ValidationError
from ictdb.model.vocab import Role
from ictdb.services.cooperation import inbox, requests

router = APIRouter(include_in_schema=False)

DECISIONS = {"grant": RequestState.GRANTED, "partial": RequestState.PARTIAL, "decline": RequestState.DECLINED}


@router.get("/inbox")
def inbox_page(request: Request, unread: bool = False) -> Response:
    found = ui._session(request)
    if found is None:
        return ui._to_login()
    box = inbox.inbox(node_of(request), found[0], unread=unread, limit=200)
    return ui.render(request, "inbox.html", box=box, only_unread=unread)


@router.post("/inbox/read")
def inbox_read(request: Request, csrf: Annotated[str, Form()] = "", alert: Annotated[str, Form()] = "") -> Response:
    actor = ui._checked(request, csrf)
    if actor is None:
        return ui._to_login()
    inbox.mark_read(node_of(request), actor, [alert] if alert else None)
    return RedirectResponse("/inbox", status_code=303)


@router.get("/requests")
def requests_page(request: Request, box: str = "all", error: str | None = None) -> Response:
    found = ui._session(request)
    if found is None:
        return ui._to_login()
    box = box if box in requests.BOXES else "all"
    listed = requests.list_requests(node_of(request), found[0], box=box, limit=200)
    return ui.render(
        request, "requests.html", requests=listed, box=box, boxes=requests.BOXES, urgencies=list(Urgency), error=error
    )


@router.post("/requests")
def request_open_form(
    request: Request,
    justification: Annotated[str, Form(max_length=10_000)],
    hit: Annotated[str, Form(max_length=100)] = "",
    to: Annotated[str, Form(max_length=20)] = "",
    record: Annotated[str, Form(max_length=100)] = "",
    urgency: Annotated[str, Form()] = Urgency.ROUTINE.value,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Open a request in one step: from a restricted hit's reference, a record, or to an agency."""
    actor = ui._checked(request, csrf)
    if actor is None:
        return ui._to_login()
    try:
        opened = requests.open_request(
            node_of(request),
            actor,
            justification=justification,
            hit_id=hit or None,
            to=to or None,
            record_id=record or None,
            urgency=Urgency(urgency) if urgency in {u.value for u in Urgency} else Urgency.ROUTINE,
        )
    except (ValidationError, NotFound) as exc:
        listed = requests.list_requests(node_of(request), actor, limit=200)
        return ui.render(
            request,
            "requests.html",
            status=422 if isinstance(exc, ValidationError) else 404,
            requests=listed,
            box="all",
            boxes=requests.BOXES,
            urgencies=list(Urgency),
            error=exc.message,
        )
    return RedirectResponse(f"/requests/{opened.id}", status_code=303)


@router.get("/requests/{request_id}")
def request_page(request: Request, request_id: str, error: str | None = None) -> Response:
    found = ui._session(request)
    if found is None:
        return ui._to_login()
    actor = found[0]
    shown = requests.show_request(node_of(request), actor, request_id)
    may_answer = shown.to_agency == actor.agency and not shown.state.closed and actor.has(Role.SUPERVISOR)
    return ui.render(request, "request.html", req=shown, may_answer=may_answer, error=error)


@router.post("/requests/{request_id}/answer")
def request_answer_form(
    request: Request,
    request_id: str,
    decision: Annotated[str, Form()],
    text: Annotated[str, Form(max_length=10_000)] = "",
    record: Annotated[list[str] | None, Form()] = None,
    as_copy: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """A supervisor grants (perhaps as copies), partially grants or declines with a reason."""
    actor = ui._checked(request, csrf)
    if actor is None:
        return ui._to_login()
    if decision not in DECISIONS:
        raise ValidationError("grant, partial or decline", "decision")
    try:
        requests.answer_request(
            node_of(request),
            actor,
            request_id,
            DECISIONS[decision],
            text=text or None,
            record_ids=record or [],
            copy=bool(as_copy) and decision != "decline",
        )
    except (ValidationError, Conflict) as exc:
        return ui.render(
            request,
            "request.html",
            status=422 if isinstance(exc, ValidationError) else 409,
            req=requests.show_request(node_of(request), actor, request_id),
            may_answer=isinstance(exc, ValidationError),
            error=exc.message,
        )
    return RedirectResponse(f"/requests/{request_id}", status_code=303)
