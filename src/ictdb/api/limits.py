"""Refusing bad requests before they reach a route: oversized bodies, wrong content types, deep JSON."""

from __future__ import annotations

from collections.abc import Iterable

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY = 10 * 1024 * 1024
MAX_DEPTH = 64
_BODY_METHODS = {"POST", "PUT", "PATCH"}


def _error(status: int, code: str, message: str) -> tuple[int, bytes]:
    return status, orjson.dumps({"error": {"code": code, "message": message}})


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
    expected), 422 for JSON nested deeper than ``max_depth``; only for paths under ``prefix``."""

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
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            await self._refuse(send, *_error(413, "too_large", f"the body exceeds {self.max_body} bytes"))
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
                await self._refuse(send, *_error(413, "too_large", f"the body exceeds {self.max_body} bytes"))
                return
        path: str = scope["path"]
        if path.startswith(self.prefix) and body:
            kind = headers.get("content-type", "").split(";")[0].strip().lower()
            wants_form = path.rstrip("/") in self.form_paths
            allowed = {"multipart/form-data"} if wants_form else {"application/json"}
            if kind not in allowed and not kind.endswith("+json"):
                expected = " or ".join(sorted(allowed))
                await self._refuse(send, *_error(415, "unsupported_media_type", f"send {expected}, not {kind!r}"))
                return
            if kind != "multipart/form-data" and json_depth_exceeds(bytes(body), self.max_depth):
                await self._refuse(send, *_error(422, "invalid", f"JSON nested deeper than {self.max_depth} levels"))
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
    async def _refuse(send: Send, status: int, payload: bytes) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": payload})
