"""The sockets `ictdb serve` gives its workers: connections reach every worker and never wait on Nagle."""

from __future__ import annotations

import asyncio
import pickle
import socket
import time
from multiprocessing.reduction import ForkingPickler

import pytest
import typer

from ictdb.cli.serve_cmd import WorkerSocket, listening_socket


@pytest.mark.parametrize("kind", ["shared", "per worker"])
def test_connections_accepted_by_a_worker_send_at_once(kind: str) -> None:
    """asyncio turns Nagle's algorithm off only on sockets whose protocol says TCP; with it on, every response on
    a kept-alive connection waited about 40 ms for the client's delayed acknowledgement."""
    placeholder = WorkerSocket("127.0.0.1", 0) if kind == "per worker" else None
    listening = listening_socket("127.0.0.1", 0) if placeholder is None else _as_sent_to_a_worker(placeholder)
    port = listening.getsockname()[1]
    nodelay: list[int] = []

    async def main() -> None:
        accepted = asyncio.Event()

        def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            nodelay.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()
            accepted.set()

        server = await asyncio.start_server(on_connect, sock=listening)
        async with server:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            await asyncio.wait_for(accepted.wait(), 10)
            writer.close()

    asyncio.run(main())
    if placeholder is not None:
        placeholder.close()
    assert nodelay and nodelay[0] != 0


def _as_sent_to_a_worker(placeholder: WorkerSocket) -> socket.socket:
    """What a worker process gets: the supervisor pickles its sockets the way multiprocessing does."""
    received: socket.socket = pickle.loads(ForkingPickler.dumps(placeholder))
    return received


def test_each_worker_listens_on_a_socket_of_its_own_and_connections_reach_them_all() -> None:
    """With one shared socket, the worker that was idle when a burst of clients connected took them all."""
    placeholder = WorkerSocket("127.0.0.1", 0)
    port = placeholder.address[1]
    workers = [_as_sent_to_a_worker(placeholder) for _ in range(2)]
    try:
        assert len({w.fileno() for w in workers}) == 2
        for worker in workers:
            assert worker.getsockname()[1] == port and worker.proto == socket.IPPROTO_TCP
            worker.listen(64)
            worker.setblocking(False)
        clients = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(32)]
        accepted = [0, 0]
        deadline = time.monotonic() + 5
        while sum(accepted) < len(clients) and time.monotonic() < deadline:
            for n, worker in enumerate(workers):
                try:
                    worker.accept()[0].close()
                    accepted[n] += 1
                except BlockingIOError:
                    time.sleep(0.001)
        for client in clients:
            client.close()
        # each connection is assigned by a hash of its addresses: 32 all on one side has odds of 1 in 2 billion
        assert sum(accepted) == len(clients) and min(accepted) > 0
    finally:
        for sock in (*workers, placeholder):
            sock.close()


def test_a_port_in_use_is_refused_before_any_worker_starts() -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    try:
        with pytest.raises(typer.BadParameter, match="cannot listen"):
            WorkerSocket("127.0.0.1", taken.getsockname()[1])
    finally:
        taken.close()
