"""Browser sessions: log in with a password (a signed, HttpOnly cookie), see who you are, log out."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from ictdb.api.deps import SESSION_COOKIE, ActorDep, NodeDep, config_of
from ictdb.api.schemas import ERRORS
from ictdb.model.errors import Unauthenticated
from ictdb.model.vocab import Role
from ictdb.services import auth
from ictdb.services.node import Node

router = APIRouter(tags=["session"], responses=ERRORS)


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(max_length=64, examples=["officer.jo-gid"])
    password: str = Field(max_length=1024)


class SessionOut(BaseModel):
    username: str
    agency: str
    roles: list[Role]
    csrf: str = Field(description="send back as the X-CSRF-Token header on every change made with the cookie")


def start_session(node: Node, request: Request, response: Response, username: str, password: str) -> SessionOut:
    """Check the password and set the session cookie on ``response``; shared with the login form."""
    actor = auth.login(node, username, password)
    config = config_of(request)
    cookie, session = auth.open_session(node, actor, config.session_key)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=int(auth.SESSION_TTL.total_seconds()),
        httponly=True,
        secure=config.secure_cookies,
        samesite="strict",
        path="/",
    )
    return SessionOut(username=actor.username, agency=actor.agency, roles=sorted(actor.roles), csrf=session.csrf)


@router.post("/session", response_model=SessionOut)
def log_in(node: NodeDep, request: Request, response: Response, payload: LoginIn) -> SessionOut:
    """Log in with a username and password; the answer sets an HttpOnly, Secure, SameSite=Strict cookie."""
    return start_session(node, request, response, payload.username, payload.password)


@router.get("/session", response_model=SessionOut)
def who_am_i(node: NodeDep, request: Request, actor: ActorDep) -> SessionOut:
    """The logged-in user and the CSRF token to send with changes."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise Unauthenticated("no session: this answers for cookie sessions only")
    _, session = auth.session_actor(node, cookie, config_of(request).session_key)
    return SessionOut(username=actor.username, agency=actor.agency, roles=sorted(actor.roles), csrf=session.csrf)


@router.delete("/session", status_code=status.HTTP_204_NO_CONTENT)
def log_out() -> Response:
    """End the browser session."""
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
