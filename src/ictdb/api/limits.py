"""Refusing bad requests before they reach a route: oversized bodies, wrong content types, deep JSON.

Each refusal is written to the audit trail (action ``request.refused``), under the caller's name when a valid
bearer token came with it, else as ``anonymous`` with the client's address.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ictdb.model.actors import Actor
from ictdb.model.digits import ascii_digits
from ictdb.model.errors import Unauthenticated
from ictdb.services import auth
from ictdb.services.audit import log_alone

MAX_BODY = 10 * 1024 * 1024
MAX_DEPTH = 64
_BODY_METHODS = {"POST", "PUT", "PATCH"}


def _error(status: int, code: str, message: str) -> tuple[int, str, str]:
    return status, code, message


_NUL = _error(422, "invalid", "text may not contain NUL characters")
"""No name, id or text holds one, and PostgreSQL cannot store one: refused in paths, queries and JSON alike."""
_JSON_NUL = b"\\u0000"


def _audit_refusal(scope: Scope, headers: dict[str, str], status: int, code: str, message: str) -> None:
    app = scope.get("app")
    node = getattr(getattr(app, "state", None), "node", None)
    if node is None:
        return
    client = scope.get("client") or ("?", 0)
    origin = f"api {client[0]}"[:100]
    actor = Actor(username="anonymous", agency="-", origin=origin)
    scheme, _, secret = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        with contextlib.suppress(Unauthenticated):
            actor = auth.authenticate_token(node, secret.strip(), origin=origin)
    path = scope["path"].replace("\x00", "\ufffd")  # PostgreSQL text cannot hold NUL
    detail = {"status": status, "code": code, "message": message, "method": scope["method"], "path": path}
    log_alone(node, actor, "request.refused", outcome="refused", detail=detail)


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """Whether brackets nest deeper than ``limit``, counted outside strings, without parsing."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


class RequestLimits:
    """ASGI middleware: 413 above ``max_body`` bytes, 415 for a body that is not JSON (or a form where one is
    expected), 422 for JSON nested deeper than ``max_depth`` or holding a NUL character; only for paths under
    ``prefix``. A NUL character in any path, query string or form is refused with 422 too."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        prefix: str = "/api/",
        max_body: int = MAX_BODY,
        max_depth: int = MAX_DEPTH,
        form_paths: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.prefix = prefix
        self.max_body = max_body
        self.max_depth = max_depth
        self.form_paths = tuple(form_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and ("\x00" in scope["path"] or b"%00" in scope["query_string"]):
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            await self._refuse(scope, headers, send, *_NUL)
            return
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        declared = headers.get("content-length", "")
        if ascii_digits(declared) and int(declared) > self.max_body:
            await self._refuse(
                scope, headers, send, *_error(413, "too_large", f"the body exceeds {self.max_body} bytes")
            )
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_body:
                too_large = _error(413, "too_large", f"the body exceeds {self.max_body} bytes")
                await self._refuse(scope, headers, send, *too_large)
                return
        path: str = scope["path"]
        kind = headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "application/x-www-form-urlencoded" and b"%00" in body:  # the web pages' forms
            await self._refuse(scope, headers, send, *_NUL)
            return
        if path.startswith(self.prefix) and body:
            wants_form = path.rstrip("/") in self.form_paths
            allowed = {"multipart/form-data"} if wants_form else {"application/json"}
            if kind not in allowed and not kind.endswith("+json"):
                expected = " or ".join(sorted(allowed))
                wrong = _error(415, "unsupported_media_type", f"send {expected}, not {kind!r}")
                await self._refuse(scope, headers, send, *wrong)
                return
            if kind != "multipart/form-data" and _JSON_NUL in body:
                await self._refuse(scope, headers, send, *_NUL)
                return
            if kind != "multipart/form-data" and json_depth_exceeds(bytes(body), self.max_depth):
                deep = _error(422, "invalid", f"JSON nested deeper than {self.max_depth} levels")
                await self._refuse(scope, headers, send, *deep)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(scope: Scope, headers: dict[str, str], send: Send, status: int, code: str, message: str) -> None:
        await run_in_threadpool(_audit_refusal, scope, headers, status, code, message)
        payload = orjson.dumps({"error": {"code": code, "message": message}})
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": payload})
