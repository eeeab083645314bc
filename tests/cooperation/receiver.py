"""A webhook receiver on 127.0.0.1 for tests: records every push; ``/fail`` answers 500, ``/slow`` stalls."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson


@dataclass
class Push:
    path: str
    key: str
    timestamp: str
    signature: str
    body: bytes

    @property
    def payload(self) -> dict[str, object]:
        data: dict[str, object] = orjson.loads(self.body)
        return data


@dataclass
class Receiver:
    base: str
    pushes: list[Push] = field(default_factory=list)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def keys(self, path: str = "/ok") -> list[str]:
        with self.lock:
            return [p.key for p in self.pushes if p.path == path]


@contextmanager
def receiver(delay: float = 0.0) -> Iterator[Receiver]:
    state = Receiver("")
    state.delay = delay

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path == "/slow":
                time.sleep(3)
            elif state.delay:
                time.sleep(state.delay)
            with state.lock:
                state.pushes.append(
                    Push(
                        self.path,
                        self.headers.get("Idempotency-Key", ""),
                        self.headers.get("X-Ictdb-Timestamp", ""),
                        self.headers.get("X-Ictdb-Signature", ""),
                        body,
                    )
                )
            self.send_response(500 if self.path == "/fail" else 204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
