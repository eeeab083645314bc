"""One writer at a time on a SQLite file, waiting in a queue rather than in SQLite's busy handler.

SQLite lets one transaction at a time write. A connection that finds the write lock taken sleeps in its busy
handler and tries again after 1, 2, 5, 10, 15, 20, 25 ... 100 ms, whatever happens meanwhile. Every request
of the server writes (its audit event), so under load most of a request's tail latency was such sleeping:
at eight clients, the slowest requests of a run waited 100 to 200 ms for a lock that had been free for most
of that time.

The gate makes the writers of ``Store.transaction`` queue instead: before the first statement that writes, a
transaction takes a lock held until it has committed or rolled back, a thread lock within the process and an
``flock`` on a file beside the database across processes. The thread lock wakes the next waiter as soon as
it is released; the process that waits for another asks again every fifth of a millisecond. Reads never wait.
PostgreSQL, which locks rows and wakes waiters itself, has no gate.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
import weakref
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError

from ictdb.storage.engine import BUSY_TIMEOUT

_READS = frozenset({"SELECT", "PRAGMA", "EXPLAIN", "VALUES"})
"""First words of statements that never take SQLite's write lock; every other statement is taken as a write
(a ``WITH`` too, unless SQLAlchemy compiled it as a read)."""
GATED = "ictdb_write_gate"
"""Key in a connection's ``info``: the connection runs a ``Store.transaction``, which the gate serves."""
_HELD = "ictdb_write_gate_held"

_gates: weakref.WeakKeyDictionary[Engine, WriteGate] = weakref.WeakKeyDictionary()


class WriteGate:
    """The queue of writing transactions on one SQLite file."""

    def __init__(self, lock_path: str) -> None:
        self._lock_path = lock_path
        self._thread_lock = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    @classmethod
    def of(cls, engine: Engine) -> WriteGate | None:
        """The gate of ``engine``, set up on first use; None where there is none to keep (PostgreSQL, or an
        in-memory database, which one connection alone sees)."""
        if engine.dialect.name != "sqlite":
            return None
        database = engine.url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        gate = _gates.get(engine)
        if gate is None:
            gate = _gates[engine] = cls(os.path.abspath(os.path.expanduser(database)) + "-writer")
            event.listen(engine, "before_cursor_execute", gate._before_execute)
        return gate

    def _before_execute(
        self, conn: Any, _cursor: Any, statement: str, _parameters: Any, context: Any, _executemany: bool
    ) -> None:
        info = conn.info
        if not info.get(GATED) or info.get(_HELD):
            return
        first = statement.lstrip()[:8].split(None, 1)[0].upper() if statement.strip() else ""
        if first in _READS or (first == "WITH" and not _compiled_write(context)):
            return
        self.enter(info, statement)

    def enter(self, info: dict[Any, Any], statement: str = "") -> None:
        """Before a statement that writes, on the connection whose ``info`` this is: queue for the gate unless
        the connection holds it already or runs outside a ``Store.transaction``."""
        if not info.get(GATED) or info.get(_HELD):
            return
        if not self._acquire(time.monotonic() + BUSY_TIMEOUT):
            # as SQLite itself would have answered after waiting as long
            raise OperationalError(statement, None, sqlite3.OperationalError("database is locked"))
        info[_HELD] = True

    def _acquire(self, deadline: float) -> bool:
        if not self._thread_lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
            return False
        try:
            if self._pid != os.getpid():  # a forked process opens its own: flock is per open file
                self._fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
                self._pid = os.getpid()
            assert self._fd is not None
            pause = 0.00005
            while True:
                try:
                    fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return True
                except BlockingIOError:
                    # another process writes; a blocking flock could not give up, so ask again soon (the
                    # pauses stay at a fifth of a millisecond, far below the busy handler's)
                    if time.monotonic() > deadline:
                        self._thread_lock.release()
                        return False
                    time.sleep(pause)
                    pause = min(pause * 2, 0.0002)
        except BaseException:
            self._thread_lock.release()
            raise

    def release(self, info: dict[Any, Any]) -> None:
        """After the transaction of the connection whose ``info`` this is has ended: let the next writer in."""
        info.pop(GATED, None)
        if info.pop(_HELD, False):
            assert self._fd is not None
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            self._thread_lock.release()


def _compiled_write(context: Any) -> bool:
    return bool(context is not None and (context.isinsert or context.isupdate or context.isdelete))
