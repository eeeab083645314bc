"""Kept-alive connections spread evenly over the server's worker processes.

Each worker listens on a socket of its own (SO_REUSEPORT), and the kernel assigns each new connection to one
of them by a hash of its addresses. A client that opens a few connections and keeps them alive, as systems
that screen through the API do, often ends up with most of them on one worker: of eight, six on one and two
on the other, seen in runs in a row. That worker then queues three requests for each the other one serves,
and the other sits idle between its two.

So the workers count their open connections in a small table that all of them map into memory (a file named
by ``ICTDB_CONNECTION_TABLE``, which ``ictdb serve`` makes when it starts more than one worker). A worker that
holds more than its fair share, the total divided by the workers and rounded up, answers the next request on
a connection with ``Connection: close``. The client opens a new one, which the kernel assigns afresh, and
within a few requests each worker holds its share. At its share or under, a worker closes nothing.
"""

from __future__ import annotations

import asyncio
import fcntl
import mmap
import os
import struct
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ictdb.bootstrap import ENV_CONNECTION_TABLE

SLOTS = 256
"""Workers the table has room for, counting those restarted after their slot's worker died."""
_SLOT = struct.Struct("<qq")
"""A slot: the worker's process id (0 when free) and its open connections."""


class ConnectionTable:
    """The open connections of each worker process, in a file every worker maps into its memory.

    Each worker writes only its own slot, so no writer waits for another; a reader may see a count a moment
    old, which costs at most one connection closed early or late."""

    def __init__(self, path: str) -> None:
        size = SLOTS * _SLOT.size
        with open(path, "r+b") as file:
            # Workers open the table in any order: whoever comes first sizes it, under a lock.
            fcntl.flock(file, fcntl.LOCK_EX)
            try:
                if os.fstat(file.fileno()).st_size < size:
                    file.truncate(size)
            finally:
                fcntl.flock(file, fcntl.LOCK_UN)
            self._map = mmap.mmap(file.fileno(), size)
        self._path = path
        self._slot = -1
        self._pid = 0

    def join(self, pid: int) -> None:
        """Take a slot for worker ``pid``: a free one, or one whose worker has died."""
        with open(self._path, "rb") as file:
            fcntl.flock(file, fcntl.LOCK_EX)
            try:
                for slot in range(SLOTS):
                    holder, _ = _SLOT.unpack_from(self._map, slot * _SLOT.size)
                    if holder in (0, pid) or not _alive(holder):
                        _SLOT.pack_into(self._map, slot * _SLOT.size, pid, 0)
                        self._slot, self._pid = slot, pid
                        return
            finally:
                fcntl.flock(file, fcntl.LOCK_UN)
        raise RuntimeError(f"the connection table {self._path} has no free slot")

    def record(self, open_connections: int) -> None:
        """This worker's open connections, now."""
        _SLOT.pack_into(self._map, self._slot * _SLOT.size, self._pid, open_connections)

    def fair_share(self) -> int:
        """The open connections of all live workers, divided among them and rounded up."""
        workers = total = 0
        for pid, count in _SLOT.iter_unpack(self._map):
            if pid:
                workers += 1
                total += count
        return -(-total // workers) if workers else 0

    def forget_dead(self) -> None:
        """Free the slots of workers that have died: their connections died with them."""
        for slot in range(SLOTS):
            pid, _ = _SLOT.unpack_from(self._map, slot * _SLOT.size)
            if pid and not _alive(pid):
                _SLOT.pack_into(self._map, slot * _SLOT.size, 0, 0)

    def over_share(self, open_connections: int) -> bool:
        """Whether a worker with ``open_connections`` holds more than its share. A worker that died leaves
        its count behind until the slot is freed, so the dead are looked for before the answer is yes."""
        if open_connections <= self.fair_share():
            return False
        self.forget_dead()
        return open_connections > self.fair_share()


def requests_in_flight() -> int:
    """Requests this server process has started and not yet answered; 0 outside ``ictdb serve``."""
    return len(BalancedHttpProtocol._requests)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, under another user
        return True
    return True


class BalancedHttpProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol, which closes a kept-alive connection when its worker holds more than its
    share of them (see the module's docstring), and tells how many requests are in flight. Without
    ``ICTDB_CONNECTION_TABLE`` (one worker) it closes nothing."""

    _table: ClassVar[ConnectionTable | None] = None
    _open: ClassVar[int] = 0
    """This worker's open connections, less those told to close: each of those is gone after one answer, and
    counting it still would close others for the same excess."""
    _joined_pid: ClassVar[int] = 0
    _requests: ClassVar[set[Any]] = set()
    """The requests this process has started and not yet answered (uvicorn's set of their tasks)."""
    _closing = False

    @classmethod
    def _shared_table(cls) -> ConnectionTable | None:
        path = os.environ.get(ENV_CONNECTION_TABLE)
        if not path:
            return None
        if cls._joined_pid != os.getpid():
            table = ConnectionTable(path)
            table.join(os.getpid())
            cls._table, cls._open, cls._joined_pid = table, 0, os.getpid()
        return cls._table

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        BalancedHttpProtocol._requests = self.tasks
        table = self._shared_table()
        if table is not None:
            BalancedHttpProtocol._open += 1
            table.record(BalancedHttpProtocol._open)

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        table = self._shared_table()
        if table is not None and not self._closing:
            BalancedHttpProtocol._open -= 1
            table.record(BalancedHttpProtocol._open)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        cycle = self.cycle
        table = self._table
        if (
            table is not None
            and cycle is not None
            and cycle.keep_alive
            and not self._closing
            and not cycle.response_complete
            and table.over_share(BalancedHttpProtocol._open)
        ):
            # this request is answered in full; the client then connects anew
            cycle.keep_alive = False
            self._closing = True
            BalancedHttpProtocol._open -= 1
            table.record(BalancedHttpProtocol._open)
