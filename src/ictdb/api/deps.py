"""Request dependencies: the node, and the actor a request runs for (bearer token or browser session)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from ictdb.api.connections import requests_in_flight
from ictdb.model.actors import Actor
from ictdb.model.errors import Unauthenticated
from ictdb.services import auth
from ictdb.services.name_index import index_built
from ictdb.services.node import Node

T = TypeVar("T")

SESSION_COOKIE = "ictdb_session"
CSRF_HEADER = "x-csrf-token"
_SAFE = {"GET", "HEAD", "OPTIONS"}


@dataclass(frozen=True, slots=True)
class Config:
    """What the app was built with; kept on ``app.state`` so nothing is read from the environment."""

    session_key: bytes
    secure_cookies: bool = True


def node_of(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


def config_of(request: Request) -> Config:
    config: Config = request.app.state.config
    return config


async def get_node(request: Request) -> Node:
    # A coroutine though nothing here awaits: FastAPI runs a plain function dependency on a worker thread,
    # and the hop there and back costs more than reading an attribute.
    return node_of(request)


async def current_actor(request: Request) -> Actor:
    """A bearer token if one is sent; else the session cookie, with the CSRF header on any change."""
    # Run on the event loop, not on a worker thread: the check is one read by key (a tenth of a millisecond on
    # SQLite), and the trip to a thread and back cost more CPU than that on every request.
    node = node_of(request)
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthenticated("use Authorization: Bearer <token>")
        return auth.authenticate_token(node, secret.strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        actor, session = auth.session_actor(node, cookie, config_of(request).session_key, origin="api")
        if request.method not in _SAFE:
            auth.check_csrf(session, request.headers.get(CSRF_HEADER))
        return actor
    raise Unauthenticated("authentication required: send a bearer token")


INLINE_QUERIES = 4
"""Searches a request may run on the event loop itself (see ``run_search``)."""
INLINE_IN_FLIGHT = 8
"""Requests in flight in the process up to which a search may run on the event loop (see ``run_search``)."""


async def run_search(node: Node, work: Callable[[], T], *, queries: int) -> T:
    """Run ``work``, a request's ``queries`` name searches, on the event loop when they are few, the process
    has few requests in flight, the store is in this process and the name index is built; else on a worker
    thread.

    A search is a millisecond or two of Python, which runs one thread at a time: on a thread it gains nothing
    but the trip there and back, which cost a tenth of a busy server's CPU on a virtual machine where waking
    a thread is slow. But uvloop runs every request that is ready before it sends any answer, so with dozens
    in flight some waited seconds (p99 0.9 s, against 0.3 s on threads, at 32 clients on one worker); the
    threads' queue is first come, first served. A batch of many searches would hold up every other request
    of the process, and with PostgreSQL each statement waits on the network, time in which a thread lets
    others work. Building the index, before a process's first search, takes seconds."""
    if (
        queries <= INLINE_QUERIES
        and requests_in_flight() <= INLINE_IN_FLIGHT
        and node.store_in_process
        and index_built(node)
    ):
        return work()
    return await run_in_threadpool(work)


NodeDep = Annotated[Node, Depends(get_node)]
ActorDep = Annotated[Actor, Depends(current_actor)]
