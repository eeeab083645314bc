"""Kept-alive connections spread evenly over the workers of `ictdb serve`."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from conftest import free_port
from ictdb.api.connections import ConnectionTable

ICTDB = [sys.executable, "-m", "ictdb.cli"]


@pytest.fixture
def table_path(tmp_path: Path) -> Path:
    path = tmp_path / "connections"
    path.touch()
    return path


@pytest.fixture
def other_workers() -> Iterator[list[int]]:
    """Process ids of two live processes standing in for the other workers."""
    sleepers = [subprocess.Popen(["sleep", "60"]) for _ in range(2)]
    yield [p.pid for p in sleepers]
    for sleeper in sleepers:
        sleeper.kill()
        sleeper.wait()


def _worker(path: Path, pid: int, connections: int) -> ConnectionTable:
    table = ConnectionTable(str(path))
    table.join(pid)
    table.record(connections)
    return table


def test_a_worker_closes_connections_only_while_it_holds_more_than_its_share(
    table_path: Path, other_workers: list[int]
) -> None:
    busy = _worker(table_path, os.getpid(), 6)
    idle = _worker(table_path, other_workers[0], 2)
    assert busy.over_share(6) and not idle.over_share(2)
    busy.record(5)
    idle.record(3)
    assert busy.over_share(5)
    busy.record(4)
    idle.record(4)
    assert not busy.over_share(4) and not idle.over_share(4)
    # nine connections cannot split evenly: five on one worker is its share, rounded up
    busy.record(5)
    assert not busy.over_share(5)


def test_a_dead_workers_slot_counts_for_nothing_and_is_taken_again(table_path: Path, other_workers: list[int]) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    _worker(table_path, dead.pid, 3)
    first = _worker(table_path, os.getpid(), 4)
    _worker(table_path, other_workers[0], 4)
    # counted with the dead worker, the share would be ceil(11 / 3) = 4; without it, 4 of 8 is the share
    assert not first.over_share(4)
    # and with no one dead, a share of ceil(8 / 3) = 3 would have had the first worker close a connection
    replacement = _worker(table_path, other_workers[1], 0)
    assert first.over_share(4) and not replacement.over_share(0)
    assert len({first._slot, replacement._slot}) == 2


def test_a_worker_that_joins_again_keeps_its_slot(table_path: Path) -> None:
    table = _worker(table_path, os.getpid(), 2)
    again = _worker(table_path, os.getpid(), 2)
    assert table._slot == again._slot


def _connections_per_worker(server: psutil.Process, port: int) -> list[int]:
    counts = []
    for worker in server.children(recursive=True):
        try:
            held = worker.net_connections(kind="tcp")
        except psutil.NoSuchProcess:
            continue
        if any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in held):
            counts.append(sum(c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port for c in held))
    return sorted(counts)


def test_a_client_with_twelve_kept_alive_connections_gets_four_on_each_of_three_workers(tmp_path: Path) -> None:
    """The kernel assigns connections to workers by a hash of their addresses: of eight on two workers, six on
    one and two on the other was a common draw, and that worker answered three requests for each the other
    one did. An even draw of twelve on three workers has odds of 1 in 15."""
    port = free_port()
    env = {**os.environ, "ICTDB_SESSION_KEY": "test only"}
    db = f"sqlite:///{tmp_path / 'node.sqlite3'}"
    args = [*ICTDB, "--db", db, "serve", "--port", str(port), "--workers", "3", "--no-access-log"]
    server = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    clients = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(12)]
    try:
        deadline = time.monotonic() + 120
        while len(_connections_per_worker(psutil.Process(server.pid), port)) < 3:
            assert server.poll() is None, "the server exited"
            assert time.monotonic() < deadline, "the server's three workers did not all start listening"
            time.sleep(0.2)
        counts: list[int] = []
        # a worker listens from its fork on, but answers only once its application has loaded, which takes
        # seconds while other tests load the machine: the share is reached once all three answer
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for client in clients:
                client.request("GET", "/api/v1/health")
                answer = client.getresponse()
                answer.read()
                assert answer.status == 200
            counts = _connections_per_worker(psutil.Process(server.pid), port)
            if counts == [4, 4, 4]:
                break
        assert counts == [4, 4, 4]
        # a worker at its share closes nothing: the balance holds, and every connection stays open
        for _ in range(5):
            for client in clients:
                client.request("GET", "/api/v1/health")
                answer = client.getresponse()
                answer.read()
                assert answer.getheader("connection", "").lower() != "close"
        assert _connections_per_worker(psutil.Process(server.pid), port) == [4, 4, 4]
    finally:
        for client in clients:
            client.close()
        server.terminate()
        server.wait(60)
