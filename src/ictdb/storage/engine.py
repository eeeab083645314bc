"""Opening a node's database: the engine for SQLite (WAL) or PostgreSQL, and migrating it to the current schema."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
CACHE_KIB = 128 * 1024
"""The most page cache one SQLite connection may hold, in KiB."""
BUSY_TIMEOUT = 30.0
"""Seconds a SQLite connection waits for another's write lock before it gives up."""
POOL_SIZE = 8
"""SQLite connections kept open: more than a server process's request threads and its background jobs."""


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL, foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # A connection beyond the pool's size is closed when it is given back, and its successor starts with an
        # empty page cache: under a burst of requests a small pool reopened connections all the time.
        engine = create_engine(
            url, connect_args={"timeout": BUSY_TIMEOUT}, pool_size=POOL_SIZE, max_overflow=2 * POOL_SIZE
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            # A bulk import writes every index of a table it grows by hundreds of megabytes in one transaction;
            # with SQLite's default 2 MB of cache it wrote the same pages out to the log again and again.
            # The cache grows only as pages are read or written, so small nodes pay nothing for the limit.
            cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            cursor.execute("PRAGMA temp_store=MEMORY")
            cursor.close()

        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        return create_engine(url, pool_pre_ping=True)
    raise ValueError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite:/// or postgresql://")


def _config() -> Config:
    from alembic.config import Config  # alembic is slow to import; most commands never migrate

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


_REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\s*=\s*(.+)$", re.MULTILINE)


def head_revisions() -> set[str]:
    """The migrations nothing builds on. Read from the files, so that everyday commands need not import alembic.

    Several heads are allowed: independent features add their own migration on the same parent, and
    ``migrate`` upgrades to all of them.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        found = _REVISION.search(text)
        if not found:
            continue
        revisions.add(found.group(1))
        down = _DOWN.search(text)
        if down:
            parents.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    return revisions - parents


def needs_migration(engine: Engine) -> bool:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return True
        current = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
    return current != head_revisions()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision, in one transaction."""
    if not needs_migration(engine):
        return
    from alembic import command

    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
