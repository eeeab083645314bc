"""Writing many rows at once through the database driver itself, past SQLAlchemy's per-row handling."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table

from ictdb.storage.direct import driver_cursor


def insert_rows(connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table`` in the connection's transaction.

    SQLAlchemy's per-row parameter handling cost more than the database's own work. PostgreSQL takes the rows
    by COPY; SQLite by one prepared statement on the driver's cursor (``driver_cursor``). Values must be what
    SQLAlchemy would pass for these columns: SQLite gets dates and times as text (see ``Records``' binders),
    PostgreSQL the Python values.
    """
    if not rows:
        return
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(column) for column in columns)
    if dialect.name == "postgresql":
        driver: Any = connection.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" if dialect.paramstyle == "qmark" else "%s" for _ in columns)
    cursor = driver_cursor(connection, writes=True)
    try:
        cursor.executemany(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})", rows)
    finally:
        cursor.close()
