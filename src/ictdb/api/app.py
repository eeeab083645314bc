"""The ASGI application: the JSON API under /api/v1 and the browser pages, built from a node."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from ictdb.api import cooperation, errors, resolution, ui
from ictdb.api.deps import Config
from ictdb.api.limits import MAX_BODY, RequestLimits
from ictdb.api.routes import audit, directory, health, records, search, session, tokens
from ictdb.services.node import Node

API_PREFIX = "/api/v1"

DESCRIPTION = """
The HTTP API of an ictdb node. Authenticate with a bearer token (`Authorization: Bearer <secret>`),
issued by `POST /api/v1/tokens` or `ictdb token create USER`.

Every answer shows only what the caller's agency may see: a record hidden from the caller answers exactly
like one that does not exist. Errors are JSON: `{"error": {"code": "not_found", "message": "..."}}`.
"""


def _threads(count: int | None) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if count is not None:
            # The routes and dependencies written as plain functions run on these threads.
            anyio.to_thread.current_default_thread_limiter().total_tokens = count
        yield

    return lifespan


def create_app(
    node: Node,
    *,
    session_key: bytes | None = None,
    secure_cookies: bool = True,
    max_body: int = MAX_BODY,
    request_threads: int | None = None,
) -> FastAPI:
    """Build the app around ``node``. ``session_key`` signs browser sessions: ``ictdb serve`` passes the one from
    the settings, shared by all workers; without one (tests) a random key lasts as long as this app.
    ``secure_cookies`` is off only for plain-HTTP test servers. ``request_threads`` caps how many requests the
    serving process works on at once (``Settings.request_threads``); without it, the server's default."""
    app = FastAPI(
        lifespan=_threads(request_threads),
        title="ictdb",
        summary="International Counter-Terrorism Database",
        description=DESCRIPTION,
        version="1",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.node = node
    app.state.config = Config(session_key=session_key or secrets.token_bytes(32), secure_cookies=secure_cookies)
    errors.install(app)
    # Routes are tried in order: searching and matching, the busiest, come first. Each router hangs from the
    # app itself rather than from one /api/v1 router, whose level FastAPI would walk again on every request.
    for module in (search, health, session, tokens, records, directory, audit, cooperation, resolution):
        app.include_router(module.router, prefix=API_PREFIX)
    ui.install(app)
    app.add_middleware(RequestLimits, max_body=max_body, form_paths=(f"{API_PREFIX}/screenings",))
    return app
