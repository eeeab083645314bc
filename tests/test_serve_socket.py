"""The socket `ictdb serve` shares between its workers: connections accepted from it must not wait on Nagle."""

from __future__ import annotations

import asyncio
import socket

from ictdb.cli.serve_cmd import listening_socket


def test_connections_accepted_from_the_shared_socket_send_at_once() -> None:
    """asyncio turns Nagle's algorithm off only on sockets whose protocol says TCP; with it on, every response on
    a kept-alive connection waited about 40 ms for the client's delayed acknowledgement."""
    listening = listening_socket("127.0.0.1", 0)
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
    assert nodelay and nodelay[0] != 0
