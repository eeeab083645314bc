"""``ictdb serve``: run the API and the web pages on uvicorn; ``ictdb token create``: issue an API token."""

from __future__ import annotations

import os
import socket
import tempfile
from datetime import timedelta
from typing import Annotated, Any

import typer

from ictdb.bootstrap import ENV_CONNECTION_TABLE, ENV_DATABASE, ENV_REQUEST_THREADS
from ictdb.cli.context import out, state
from ictdb.services import auth

token_app = typer.Typer(help="API tokens.", no_args_is_help=True)

# The app is named by import string, as uvicorn expects for workers, and built by its factory at start-up.
APP_FACTORY = "ictdb.api.server:from_environment"
# With several workers, one that holds more than its share of kept-alive connections closes some: see the module.
SERVER_PROTOCOL = "ictdb.api.connections:BalancedHttpProtocol"


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
    threads: Annotated[
        int | None,
        typer.Option(min=1, help="requests each worker works on at once (default 2, or ICTDB_REQUEST_THREADS)"),
    ] = None,
    access_log: Annotated[bool, typer.Option(help="log every request to standard output")] = True,
) -> None:
    """Serve the web application and the API (/api/v1, documented at /api/v1/docs).

    Browser sessions are signed with ICTDB_SESSION_KEY, or else with a key kept in ICTDB_SESSION_KEY_FILE
    (default: session.key in the data directory, made on first start), so they survive restarts and work
    across workers. Each worker takes up to --threads requests at once (the others wait their turn): the
    work is mostly Python, which runs one thread at a time, so a few per worker keep the cores busy and more
    would only make every request of a burst wait for the others; add workers, not threads, to use more cores.
    Workers share a client's kept-alive connections evenly.
    Example: ictdb --db sqlite:///demo.sqlite3 serve --port 8000 --workers 4
    """
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    c = state(ctx)
    # Opening the node brings its schema up to date. Done here once, before any worker opens it: workers that
    # started together on a new database raced to create the schema, and all but one died.
    c.node().store.close()
    os.environ[ENV_DATABASE] = c.settings.database_url
    if threads is not None:
        os.environ[ENV_REQUEST_THREADS] = str(threads)
    out.print(f"serving {c.settings.database_url} on http://{host}:{port}/ (API docs: /api/v1/docs)")
    config = uvicorn.Config(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
        access_log=access_log,
        # A worker opens the node (and checks its schema) before it answers the supervisor's health check; on
        # a busy machine that takes longer than uvicorn's default 5 s, which would kill and restart it forever.
        timeout_worker_healthcheck=120,
        http=SERVER_PROTOCOL,
    )
    if config.workers == 1:
        uvicorn.Server(config).run()
        return
    shared = WorkerSocket(host, port) if hasattr(socket, "SO_REUSEPORT") else listening_socket(host, port)
    handle, table = tempfile.mkstemp(prefix="ictdb-connections-")
    os.close(handle)
    os.environ[ENV_CONNECTION_TABLE] = table
    try:
        Multiprocess(config, sockets=[shared]).run()
    finally:
        os.unlink(table)


def listening_socket(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    """A socket bound to ``host:port`` for the server to listen on, marked as TCP.

    asyncio turns Nagle's algorithm off (TCP_NODELAY) only on connections accepted from a socket whose
    protocol says TCP, and a socket made with protocol 0 says 0. With Nagle on, the second small write of a
    response waits for the client's delayed acknowledgement: 40 ms more on every request of a kept-alive
    connection. With ``reuse_port`` others may bind the same address too (SO_REUSEPORT), and the kernel
    shares the incoming connections among those that listen."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise typer.BadParameter(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    sock.set_inheritable(True)
    return sock


class WorkerSocket(socket.socket):
    """What the supervisor hands each worker: a placeholder that becomes the worker's own listening socket.

    Workers sharing one listening socket took connections greedily: whichever was idle when a burst of
    clients connected accepted them all, and kept them (kept-alive connections stay with their worker), so
    under eight clients one worker was often busy and the other idle. With a socket of its own per worker,
    bound with SO_REUSEPORT, the kernel assigns each new connection to one of them. The supervisor sends
    its workers their sockets by pickling them; this one unpickles as a fresh socket, bound in the worker.
    The placeholder itself stays bound without listening, which keeps the port (and its number, when 0 was
    asked for) while workers come and go."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(fileno=listening_socket(host, port, reuse_port=True).detach())
        self.address = (host, self.getsockname()[1])

    def __reduce__(self) -> tuple[Any, tuple[str, int]]:
        return _worker_listening_socket, self.address


def _worker_listening_socket(host: str, port: int) -> socket.socket:
    return listening_socket(host, port, reuse_port=True)


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="the user the token acts for")],
    label: Annotated[str | None, typer.Option(help="what the token is for")] = None,
    days: Annotated[int, typer.Option(help="days until it expires")] = 90,
) -> None:
    """Issue an API token; its secret is printed once. Example: ictdb --as JO-GID token create officer.jo"""
    c = state(ctx)
    issued = auth.issue_token(c.node(), c.actor(), username=username, label=label, ttl=timedelta(days=days))
    c.emit(
        {"id": issued.id, "secret": issued.secret, "username": issued.username, "expires_at": issued.expires_at},
        lambda: out.print(
            f"token {issued.id} for {issued.username}, until {issued.expires_at:%Y-%m-%d}:\n{issued.secret}"
        ),
    )


@token_app.command("revoke")
def token_revoke(ctx: typer.Context, token_id: Annotated[str, typer.Argument()]) -> None:
    """Revoke one of the acting user's tokens. Example: ictdb --as JO-GID:officer.jo token revoke tok-0123abcd"""
    c = state(ctx)
    auth.revoke_token(c.node(), c.actor(), token_id)
    c.emit({"revoked": token_id}, lambda: out.print(f"revoked {token_id}"))


def register(cli: typer.Typer) -> None:
    cli.command("serve")(serve)
    cli.add_typer(token_app, name="token")
