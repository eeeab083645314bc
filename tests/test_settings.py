"""Settings read once in the composition root: the session key that every worker and every restart shares."""

from __future__ import annotations

import stat
from pathlib import Path

from ictdb.bootstrap import Settings


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
