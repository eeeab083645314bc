"""Settings read once in the composition root: the session key that every worker and every restart shares."""

from __future__ import annotations

import stat
from pathlib import Path

import anyio
import anyio.to_thread
import pytest

from ictdb.api.app import create_app
from ictdb.bootstrap import REQUEST_THREADS, Settings
from ictdb.services.node import Node


def test_the_session_key_comes_from_the_environment_or_a_key_file_made_once(tmp_path: Path) -> None:
    key_file = tmp_path / "keys" / "session.key"
    env = {"ICTDB_DATABASE_URL": "sqlite:///x.sqlite3", "ICTDB_SESSION_KEY_FILE": str(key_file)}
    first = Settings.from_env(env).session_key()
    assert len(first) == 32 and key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # another worker, or the server after a restart, reads the same key
    assert Settings.from_env(env).session_key() == first
    configured = Settings.from_env({**env, "ICTDB_SESSION_KEY": "a long shared secret"}).session_key()
    assert (
        configured != first
        and configured == Settings.from_env({"ICTDB_SESSION_KEY": "a long shared secret"}).session_key()
    )


def test_a_broken_key_file_is_a_clear_error(tmp_path: Path) -> None:
    key_file = tmp_path / "session.key"
    key_file.write_text("not a key\n")
    try:
        Settings.from_env({"ICTDB_SESSION_KEY_FILE": str(key_file)}).session_key()
    except ValueError as exc:
        assert str(key_file) in str(exc)
    else:
        raise AssertionError("a broken key file was accepted")


def test_request_threads_come_from_the_environment_and_bad_values_are_refused() -> None:
    assert Settings.from_env({}).request_threads == REQUEST_THREADS
    assert Settings.from_env({"ICTDB_REQUEST_THREADS": "2"}).request_threads == 2
    for bad in ("0", "-1", "two", "1.5"):
        with pytest.raises(ValueError, match="ICTDB_REQUEST_THREADS"):
            Settings.from_env({"ICTDB_REQUEST_THREADS": bad})


def test_a_served_app_works_on_as_many_requests_at_once_as_it_was_told(node: Node) -> None:
    async def serving() -> float:
        app = create_app(node, request_threads=3)
        async with app.router.lifespan_context(app):
            # plain-function routes and dependencies run on the threads this limiter hands out
            return anyio.to_thread.current_default_thread_limiter().total_tokens

    assert anyio.run(serving) == 3
