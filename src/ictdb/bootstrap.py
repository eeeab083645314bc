"""The composition root: configuration in, a node out. The only place that picks the storage backend."""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from ictdb.model.digits import ascii_digits
from ictdb.services.node import IdFactory, Node
from ictdb.storage.store import Store

ENV_DATABASE = "ICTDB_DATABASE_URL"
ENV_SESSION_KEY = "ICTDB_SESSION_KEY"
ENV_SESSION_KEY_FILE = "ICTDB_SESSION_KEY_FILE"
ENV_REQUEST_THREADS = "ICTDB_REQUEST_THREADS"
ENV_CONNECTION_TABLE = "ICTDB_CONNECTION_TABLE"
"""Set by ``ictdb serve`` for its workers: the file in which they count their connections."""
REQUEST_THREADS = 2
SESSION_KEY_FILE = "session.key"


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    session_secret: str | None = None
    """The secret that signs browser sessions (ICTDB_SESSION_KEY); when unset, ``session_key_file`` holds it."""
    session_key_file: Path | None = None
    """Where the signing key is kept (ICTDB_SESSION_KEY_FILE; default ``session.key`` in the data directory),
    created with a random key on first use. Every worker and every restart reads the same key, so sessions
    survive both."""
    request_threads: int = REQUEST_THREADS
    """How many requests one server process works on at once (ICTDB_REQUEST_THREADS). Requests are mostly
    Python work under one interpreter lock: more threads than a few only take turns with the lock, which
    costs time and leaves every request of a burst waiting for all the others."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, database_url: str | None = None) -> Settings:
        env = os.environ if environ is None else environ
        key_file = env.get(ENV_SESSION_KEY_FILE)
        return cls(
            database_url=database_url or env.get(ENV_DATABASE) or default_database_url(),
            session_secret=env.get(ENV_SESSION_KEY) or None,
            session_key_file=Path(key_file) if key_file else None,
            request_threads=_positive(env.get(ENV_REQUEST_THREADS), ENV_REQUEST_THREADS, REQUEST_THREADS),
        )

    def session_key(self) -> bytes:
        """The 32-byte key that signs sessions: derived from the configured secret, else read from (or first
        written to) the key file."""
        if self.session_secret:
            return hashlib.sha256(self.session_secret.encode()).digest()
        return _key_from_file(self.session_key_file or Path(user_data_dir("ictdb")) / SESSION_KEY_FILE)


def _positive(value: str | None, name: str, default: int) -> int:
    if value is None or not value.strip():
        return default
    if not ascii_digits(value.strip()) or int(value) < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, not {value!r}")
    return int(value)


def _key_from_file(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: when several workers start at once, one writes the key and the others read it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            text = path.read_text(encoding="ascii").strip()
            if len(text) == 64:
                return bytes.fromhex(text)
            time.sleep(0.05)  # another worker is writing it
        raise ValueError(f"{path} does not hold a session key (64 hex digits); delete it to make a new one") from None
    with os.fdopen(fd, "w", encoding="ascii") as sink:
        key = secrets.token_bytes(32)
        sink.write(key.hex() + "\n")
    return key


def default_database_url() -> str:
    return f"sqlite:///{Path(user_data_dir('ictdb')) / 'ictdb.sqlite3'}"


def open_node(settings: Settings, *, id_seed: int | None = None) -> Node:
    return Node(store=Store.open(settings.database_url), new_id=IdFactory(id_seed))
