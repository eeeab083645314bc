"""The storage facade: one engine, and units of work that bundle the repositories on one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from ictdb.storage.audit import AuditLog
from ictdb.storage.directory import Directory
from ictdb.storage.engine import make_engine, migrate
from ictdb.storage.records import Records
from ictdb.storage.write_gate import GATED, WriteGate


@dataclass(frozen=True, slots=True)
class Tx:
    """The repositories, bound to one open transaction."""

    connection: Connection
    directory: Directory
    records: Records
    audit: AuditLog


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._gate = WriteGate.of(engine)

    @classmethod
    def open(cls, url: str, *, migrate_schema: bool = True) -> Store:
        engine = make_engine(url)
        if migrate_schema:
            migrate(engine)
        return cls(engine)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """Everything inside commits together or not at all.

        On a SQLite file, a transaction that writes queues at the ``WriteGate`` before its first write."""
        gate = self._gate
        info: dict[object, object] | None = None
        try:
            with self.engine.begin() as connection:
                if gate is not None:
                    info = connection.info
                    info[GATED] = True
                records = Records(connection)
                yield Tx(connection, Directory(connection), records, AuditLog(connection))
                if records.wrote:
                    records.count_change()
        finally:
            if gate is not None and info is not None:  # released after the commit or rollback, not before
                gate.release(info)

    def refresh_statistics(self) -> None:
        """After a bulk load, let PostgreSQL's planner know the tables' new sizes at once.

        Until its autovacuum gets round to it, the planner took the freshly loaded ``records`` for a small table
        and chose the wrong index: re-importing the same file right after took twice as long. SQLite's planner
        does without."""
        if self.backend != "postgresql":
            return
        with self.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE records, record_identifiers, record_links, record_versions")

    def close(self) -> None:
        self.engine.dispose()
