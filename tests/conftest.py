"""Shared fixtures: a real node on SQLite and on PostgreSQL, through one parametrized fixture.

PostgreSQL comes from ICTDB_TEST_POSTGRES_URL (default: the local server's ``test`` database). Each test
session creates its own database there and empties it between tests. When the server cannot be
reached the PostgreSQL half is skipped with the reason, unless ICTDB_REQUIRE_POSTGRES=1 (CI) makes
that a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ictdb.services.node import IdFactory, Node
from ictdb.storage.engine import make_engine, migrate
from ictdb.storage.store import Store
from ictdb.storage.tables import metadata

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
PG_URL = os.environ.get("ICTDB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("ICTDB_REQUIRE_POSTGRES") == "1"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Clock:
    """A clock tests can move."""

    now: datetime = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now = self.now + timedelta(**kwargs)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    base = make_url(PG_URL)
    name = f"ictdb_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required (ICTDB_REQUIRE_POSTGRES=1) but {PG_URL} failed: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc}")
    url = base.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], str]:
    """Makes freshly migrated, empty databases: a new SQLite file, or the session's PostgreSQL database emptied."""
    counter = iter(range(1_000_000))
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")

        def make_sqlite() -> str:
            path = tmp_path / f"node{next(counter)}.sqlite3"
            shutil.copy(template, path)
            return f"sqlite:///{path}"

        return make_sqlite
    url: str = request.getfixturevalue("postgres_url")

    def make_postgres() -> str:
        _empty_postgres(url)
        return url

    return make_postgres


@pytest.fixture
def database_url(fresh_database: Callable[[], str]) -> str:
    return fresh_database()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def node_factory(fresh_database: Callable[[], str]) -> Iterator[Callable[[Clock], Node]]:
    """Fresh nodes on the parametrized backend, closed at the end of the test."""
    stores: list[Store] = []

    def make(clock: Clock) -> Node:
        for store in stores:
            store.close()
        stores.clear()
        store = Store.open(fresh_database())
        stores.append(store)
        return Node(store=store, clock=clock, new_id=IdFactory(1234))

    yield make
    for store in stores:
        store.close()


@pytest.fixture
def node(node_factory: Callable[[Clock], Node], clock: Clock) -> Node:
    return node_factory(clock)
