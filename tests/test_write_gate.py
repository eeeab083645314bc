"""Writers on one SQLite file queue for each other instead of failing or sleeping in SQLite's busy handler.

Each store here gives up on a locked database at once (busy timeout 0), so a second writer that reached
SQLite while the first still held its write lock would fail with "database is locked"; through the gate it
waits for the first to commit, then writes.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from ictdb.storage import write_gate
from ictdb.storage.audit import AuditEvent
from ictdb.storage.engine import make_engine, migrate
from ictdb.storage.store import Store

AT = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def impatient_store(path: Path) -> Store:
    engine = make_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _no_waiting(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout = 0")

    migrate(engine)
    return Store(engine)


def audit(store: Store, action: str, hold: float = 0.0, held: threading.Event | None = None) -> None:
    with store.transaction() as tx:
        tx.audit.append(AuditEvent(username="u", agency="A", action=action), AT, {})
        if held is not None:
            held.set()
        time.sleep(hold)


def actions(store: Store) -> list[str]:
    with store.transaction() as tx:
        return [event.action for event in sorted(tx.audit.events(), key=lambda event: event.seq or 0)]


def test_a_second_writer_waits_for_the_first_to_commit(tmp_path: Path) -> None:
    store = impatient_store(tmp_path / "node.sqlite3")
    held = threading.Event()
    first = threading.Thread(target=audit, args=(store, "first", 0.3, held))
    first.start()
    assert held.wait(10)
    audit(store, "second")  # without the gate: OperationalError, database is locked
    first.join()
    assert actions(store) == ["first", "second"]


def test_reads_do_not_wait_for_a_writer(tmp_path: Path) -> None:
    store = impatient_store(tmp_path / "node.sqlite3")
    audit(store, "before")
    held = threading.Event()
    writer = threading.Thread(target=audit, args=(store, "slow", 2.0, held))
    writer.start()
    assert held.wait(10)
    started = time.monotonic()
    assert actions(store) == ["before"]
    assert time.monotonic() - started < 1.5
    writer.join()


HOLDER = """
import sys, time
from datetime import UTC, datetime
from ictdb.storage.audit import AuditEvent
from ictdb.storage.store import Store
store = Store.open(sys.argv[1])
with store.transaction() as tx:
    tx.audit.append(AuditEvent(username="u", agency="B", action="other process"), datetime.now(UTC), {})
    print("holding", flush=True)
    time.sleep(0.5)
"""


def test_writers_in_two_processes_queue_too(tmp_path: Path) -> None:
    path = tmp_path / "node.sqlite3"
    store = impatient_store(path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, f"sqlite:///{path}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stderr is not None
    try:
        assert holder.stdout.readline().strip() == "holding", holder.stderr.read()
        audit(store, "this process")
        assert holder.wait(30) == 0
    finally:
        holder.kill()
        holder.communicate()
    assert actions(store) == ["other process", "this process"]


def test_a_writer_that_waits_too_long_fails_as_sqlite_would_and_leaves_the_gate_usable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "node.sqlite3"
    store = impatient_store(path)
    monkeypatch.setattr(write_gate, "BUSY_TIMEOUT", 0.2)
    held = threading.Event()
    same_process = threading.Thread(target=audit, args=(store, "slow", 1.0, held))
    same_process.start()
    assert held.wait(10)
    with pytest.raises(OperationalError, match="database is locked"):
        audit(store, "impatient")
    same_process.join()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, f"sqlite:///{path}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stderr is not None
    try:
        assert holder.stdout.readline().strip() == "holding", holder.stderr.read()
        with pytest.raises(OperationalError, match="database is locked"):
            audit(store, "impatient")
        assert holder.wait(30) == 0
    finally:
        holder.kill()
        holder.communicate()
    audit(store, "after")
    assert actions(store) == ["slow", "other process", "after"]
