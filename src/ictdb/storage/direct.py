"""Statements of the busiest paths run on the database driver's cursor, past SQLAlchemy's execution machinery.

SQLAlchemy spends about 20 microseconds of Python on each statement it runs (an execution context, events, a
result object), where SQLite reads a row by key in two or three. An API match request runs eight such
statements (its token, the index's change count, the viewer's groups, the matched records, its audit event);
run here, they left the request a fifth less CPU to spend. A ``Direct`` statement is still written once in SQLAlchemy Core and compiled by SQLAlchemy, once
per dialect, with its types' bind and result processors; only the running of it is done here, on the cursor of
the connection's own transaction. Statements that write take SQLite's ``WriteGate`` first, as the gate's
event does for every other statement.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.selectable import Select

from ictdb.storage.write_gate import WriteGate


def driver_cursor(connection: Connection, *, writes: bool) -> Any:
    """A cursor of the driver's own connection under ``connection``, in its transaction. For a statement that
    writes, the connection first queues for SQLite's ``WriteGate``, as the gate's event does for statements
    SQLAlchemy runs."""
    if writes:
        gate = WriteGate.of(connection.engine)
        if gate is not None:
            gate.enter(connection.info)
    return connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]


@dataclass(frozen=True, slots=True)
class _Plan:
    """A statement compiled for one dialect, and how to turn values into parameters and rows into tuples."""

    sql: str
    order: tuple[str, ...] | None
    """Parameter names in placeholder order for positional drivers (SQLite); None for named ones (psycopg)."""
    fixed: dict[str, Any]
    """The values bound in the statement itself (``id == 1``), processed already."""
    binders: dict[str, Callable[[Any], Any]]
    readers: tuple[Callable[[Any], Any] | None, ...]
    row: Any


class Direct:
    """One fixed statement, compiled per dialect on first use. ``params`` names the values given at each call,
    for an INSERT the columns it sets."""

    def __init__(self, statement: Select[Any] | UpdateBase, *, params: Sequence[str] = ()) -> None:
        self.statement = statement
        self.params = tuple(params)
        self.writes = isinstance(statement, UpdateBase)
        self._plans: dict[str, _Plan] = {}

    def _plan(self, dialect: Dialect) -> _Plan:
        plan = self._plans.get(dialect.name)
        if plan is not None:
            return plan
        compiled = self.statement.compile(dialect=dialect, column_keys=list(self.params) or None)
        binders = {}
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                binders[name] = process
        fixed = {
            name: binders[name](value) if name in binders else value
            for name, value in compiled.construct_params(dict.fromkeys(self.params)).items()
            if name not in self.params
        }
        columns = list(self.statement.exported_columns)
        readers = tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns)
        plan = _Plan(
            sql=compiled.string,
            order=tuple(compiled.positiontup) if dialect.positional and compiled.positiontup else None,
            fixed=fixed,
            binders={k: v for k, v in binders.items() if k in self.params},
            readers=readers,
            row=namedtuple("Row", [str(c.key) for c in columns], rename=True) if columns else tuple,
        )
        self._plans[dialect.name] = plan
        return plan

    def _parameters(self, plan: _Plan, values: Mapping[str, Any]) -> Any:
        given = {k: plan.binders[k](v) if k in plan.binders else v for k, v in values.items()}
        if plan.order is None:
            return {**plan.fixed, **given}
        merged = plan.fixed | given
        return tuple(merged[name] for name in plan.order)

    def rows(self, connection: Connection, values: Mapping[str, Any] | None = None) -> list[Any]:
        """Run the statement once in ``connection``'s transaction; the rows it returns, as named tuples."""
        plan = self._plan(connection.dialect)
        cursor = driver_cursor(connection, writes=self.writes)
        try:
            cursor.execute(plan.sql, self._parameters(plan, values or {}))
            found = cursor.fetchall() if cursor.description else []
        finally:
            cursor.close()
        readers, make = plan.readers, plan.row
        if not any(readers):
            return [make(*r) for r in found]
        return [make(*(read(v) if read else v for read, v in zip(readers, r, strict=True))) for r in found]

    def first(self, connection: Connection, values: Mapping[str, Any] | None = None) -> Any | None:
        found = self.rows(connection, values)
        return found[0] if found else None
