"""Records, their versions, audiences, links and identifiers.

Every read here takes a ``Viewer`` and composes ``visibility.visible(viewer)`` into its SQL.
The few methods without a viewer are for the owner's own bookkeeping (imports, reviews) and say so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from operator import attrgetter
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Column, Connection, Dialect, Row, Select, bindparam, delete, func, insert, select, update

from ictdb.model.envelope import Distribution, Envelope
from ictdb.model.records import Body
from ictdb.model.stored import Record, body_to_data, parse_body, parse_memo
from ictdb.policy.visibility import Audience, Viewer, audience_of
from ictdb.storage import tables as t
from ictdb.storage._bulk import insert_rows
from ictdb.storage._json import dumps, loads
from ictdb.storage._time import aware
from ictdb.storage.direct import Direct
from ictdb.storage.visibility import visible, visible_parts

R = t.records.c
V = t.record_versions.c


@dataclass(frozen=True, slots=True)
class Version:
    record_id: str
    version: int
    body: dict[str, Any]
    envelope: dict[str, Any]
    change: str
    reason: str | None
    changed_by: str
    changed_at: datetime


@dataclass(frozen=True, slots=True)
class Stored:
    """A record as held, with who besides the owner is named for it (used by the matcher's index)."""

    record: Record
    audience: Audience


def envelope_data(envelope: Envelope) -> dict[str, Any]:
    return envelope.model_dump(mode="json")


_ENVELOPE_COLUMNS = tuple(Envelope.model_fields)
"""The columns of a record's row that make its envelope, named as its fields: one list for building it and
for telling two apart."""
_envelope_values = attrgetter(*_ENVELOPE_COLUMNS)


def _to_envelope(row: Row[Any], memo: dict[tuple[Any, ...], Envelope] | None = None) -> Envelope:
    """The envelope of a record's row; with ``memo`` (many records at once), one object for every row whose
    envelope columns are the same (envelopes are immutable)."""
    values: tuple[Any, ...] = _envelope_values(row)
    if memo is None:
        return _envelope(values)
    found = memo.get(values)
    if found is None:
        found = memo[values] = _envelope(values)
    return found


def _envelope(values: tuple[Any, ...]) -> Envelope:
    fields = dict(zip(_ENVELOPE_COLUMNS, values, strict=True))
    fields["distribution"] = Distribution.parse(fields["distribution"])
    return Envelope(**fields)


def settled_version(row: Row[Any]) -> tuple[str, str]:
    """The body and envelope JSON of a record's row, as a version stores them: what a current version that
    ``Records.insert`` left to the row holds."""
    return row.body, dumps(envelope_data(_to_envelope(row)))


def _to_record(
    row: Row[Any], memo: dict[str, Any] | None = None, envelopes: dict[tuple[Any, ...], Envelope] | None = None
) -> Record:
    return Record(
        id=row.id,
        body=parse_body(loads(row.body), memo),
        envelope=_to_envelope(row, envelopes),
        created_by=row.created_by,
        created_at=aware(row.created_at),
        updated_at=aware(row.updated_at),
        version=row.version,
    )


RECENT_RECORDS = 4096
"""Records read by id that each server process keeps parsed, with the rows they came from."""


@lru_cache(maxsize=RECENT_RECORDS)
def _recent_record(row: Row[Any]) -> Record:
    """``_to_record`` of a whole row of ``records``, kept for the next read of the same row.

    A record is a function of its row alone, and a row equals another only when every column does (version,
    body, envelope and times included), so a kept record is never stale: a changed record is a new row. Searches
    read the same matched records back again and again; parsing their bodies was a seventh of a match request.
    """
    return _to_record(row)


class Held:
    """A stored record before its body is parsed; ``record()`` parses it once."""

    __slots__ = ("_record", "id", "row")

    def __init__(self, row: Row[Any]) -> None:
        self.row = row
        self.id: str = row.id
        self._record: Record | None = None

    @property
    def review_by(self) -> date:
        value: date = self.row.review_by
        return value

    def envelope(self) -> Envelope:
        return self._record.envelope if self._record is not None else _to_envelope(self.row)

    def record(self) -> Record:
        if self._record is None:
            self._record = _to_record(self.row)
        return self._record

    def same_as(self, body: Body, envelope: Envelope) -> bool:
        """Whether ``body`` and ``envelope`` are exactly what is stored, without parsing the stored body.

        Equal JSON means equal bodies; unequal JSON may still be an equal body written by an older
        version of the model, so the caller compares the parsed records before writing a new version.
        """
        env = self.row
        return bool(
            dumps(body_to_data(body)) == env.body
            and str(envelope.distribution) == env.distribution
            and envelope.handling.value == env.handling
            and envelope.handling_note == env.handling_note
            and envelope.hit_policy.value == env.hit_policy
            and envelope.grading == env.grading
            and envelope.purpose.value == env.purpose
            and envelope.justification == env.justification
            and envelope.review_by == env.review_by
        )


def _row_values(record: Record, source_id: str | None) -> dict[str, Any]:
    env = record.envelope
    return {
        "id": record.id,
        "schema": record.schema_name,
        "owner": env.owner,
        "source_id": source_id,
        "caption": record.caption()[:500],
        "distribution": str(env.distribution),
        "dist_kind": env.distribution.kind.value,
        "handling": env.handling.value,
        "handling_note": env.handling_note,
        "hit_policy": env.hit_policy.value,
        "grading": env.grading,
        "purpose": env.purpose.value,
        "justification": env.justification,
        "review_by": env.review_by,
        "created_by": record.created_by,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "version": record.version,
        "body": dumps(body_to_data(record.body)),
    }


_RECORD_COLUMNS = (
    "id",
    "schema",
    "owner",
    "source_id",
    "caption",
    "distribution",
    "dist_kind",
    "handling",
    "handling_note",
    "hit_policy",
    "grading",
    "purpose",
    "justification",
    "review_by",
    "created_by",
    "created_at",
    "updated_at",
    "version",
    "body",
)
_VERSION_COLUMNS = ("record_id", "version", "body", "envelope", "change", "reason", "changed_by", "changed_at")


@dataclass(frozen=True, slots=True)
class _EnvelopeRows:
    """What a stored record's rows take from its envelope: the envelope columns of ``records`` (distribution
    to review date, in ``_RECORD_COLUMNS`` order) and the audience it names."""

    columns: tuple[Any, ...]
    agencies: tuple[str, ...]
    groups: tuple[str, ...]

    @classmethod
    def of(cls, env: Envelope, bind_date: Callable[[Any], Any]) -> _EnvelopeRows:
        audience = audience_of(env)
        return cls(
            columns=(
                str(env.distribution),
                env.distribution.kind.value,
                env.handling.value,
                env.handling_note,
                env.hit_policy.value,
                env.grading,
                env.purpose.value,
                env.justification,
                bind_date(env.review_by),
            ),
            agencies=tuple(a for a in sorted(audience.agencies) if a != env.owner),
            groups=tuple(sorted(audience.groups)),
        )


def _links(record_id: str, body: Body) -> list[tuple[str, str, str]]:
    """(record id, field, target id) of every record the body points to, each once, in the body's order."""
    references = body.references()
    if not references:
        return []
    return list({(record_id, field, target): None for field, targets in references.items() for target in targets})


def _identifiers(record_id: str, body: Body) -> list[tuple[str, str, str]]:
    """(record id, scheme, value) of the body's identifiers, each once, in the body's order."""
    return list({(record_id, ident.scheme, ident.value): None for ident in body.identifiers})


class Storable(Protocol):
    """What the bulk writer reads of a record: a ``Record``, or a ``NewRecord`` built from validated parts."""

    @property
    def id(self) -> str: ...
    @property
    def body(self) -> Body: ...
    @property
    def envelope(self) -> Envelope: ...
    @property
    def created_by(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def version(self) -> int: ...


class NewRecord(NamedTuple):
    """A record stored for the first time by a bulk import, from a body and an envelope validated already:
    a ``Record`` for each would cost a model construction per record and is not needed to write the rows.
    A named tuple, since a frozen dataclass set each of its fields through ``object.__setattr__``."""

    id: str
    body: Body
    envelope: Envelope
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int = 1


def _binder(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any]:
    """The value the driver gets for ``column``, as SQLAlchemy would convert it (SQLite stores dates as text).

    A bulk write repeats a few timestamps and review dates thousands of times: each is converted once."""
    processor = column.type.dialect_impl(dialect).bind_processor(dialect)
    if processor is None:
        return lambda value: value
    seen: dict[Any, Any] = {None: None}

    def bind(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            converted = seen[value] = processor(value)
            return converted

    return bind


CREATED = "create"
"""The change that makes a record; its first version needs no row while it is current (see ``Records.insert``)."""


def _first_version(row: Row[Any], body: str | None, envelope: str | None) -> dict[str, Any]:
    """The row of a record's first version, made by ``insert`` with ``CREATED``, from the record's own row."""
    return {
        "record_id": row.id,
        "version": 1,
        "body": body,
        "envelope": envelope,
        "change": CREATED,
        "reason": None,
        "changed_by": row.created_by,
        "changed_at": row.created_at,
    }


@dataclass(frozen=True, slots=True)
class _Row:
    """A version row not (yet) stored, read like one that is."""

    record_id: str
    version: int
    body: str | None
    envelope: str | None
    change: str
    reason: str | None
    changed_by: str
    changed_at: datetime


@lru_cache(maxsize=2)
def _add_if_missing(dialect: str) -> Any:
    """INSERT of a version row that does nothing when the row is there: a concurrent writer may have added it."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(t.record_versions).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(t.record_versions).on_conflict_do_nothing()


_CHANGE_COUNT = Direct(select(t.change_counters.c.value).where(t.change_counters.c.name == "records"))
"""Read before every search: built once and run on the driver's cursor (see ``Direct``)."""


@lru_cache(maxsize=1024)
def _visible_by_ids(viewer: Viewer, size: int) -> Direct:
    # One statement per viewer and number of ids, run on the driver's cursor (see ``Direct``): SQLAlchemy keys
    # its compiled statements by walking the whole expression, and the visibility rule made that walk cost far
    # more than the query on every read. Sizes are powers of two, the last id repeated to fill them.
    names = tuple(f"id{i}" for i in range(size))
    return Direct(select(t.records).where(visible(viewer), R.id.in_([bindparam(n) for n in names])), params=names)


def _by_ids(connection: Connection, viewer: Viewer, ids: Sequence[str]) -> list[Any]:
    size = 1 << (len(ids) - 1).bit_length()
    padded = [*ids, *[ids[-1]] * (size - len(ids))]
    return _visible_by_ids(viewer, size).rows(connection, {f"id{i}": rid for i, rid in enumerate(padded)})


class Records:
    def __init__(self, connection: Connection) -> None:
        self.c = connection
        self.wrote = False
        """Whether this transaction wrote records or their audiences (the store then counts a change)."""
        self._inserted_owners: dict[str, str] = {}
        """Owner of each record this transaction inserted: the audit event of an import names them all."""

    # writing
    def insert(self, items: Sequence[tuple[Storable, str | None]], *, change: str = CREATED) -> None:
        """Store new records (each with its source id, if imported) and their first version, in bulk.

        A first version made by ``change="create"`` has no row of its own while it is current: who made it and
        when, its body and its envelope are the record's own columns (``created_by``, ``created_at``), and
        ``_settle`` writes its row out before the record first changes. Any other change gets a row naming it,
        its body and envelope left to the record's row in the same way.

        Rows go to the driver as plain tuples (see ``insert_rows``); what depends only on the envelope is
        worked out once per envelope, since a bulk import gives thousands of records the same one.
        """
        if not items:
            return
        dialect = self.c.dialect
        bind_date, bind_time = _binder(R.review_by, dialect), _binder(R.created_at, dialect)
        rows: list[tuple[Any, ...]] = []
        versions: list[tuple[Any, ...]] = []
        agencies: list[tuple[str, str, str]] = []
        groups: list[tuple[str, str]] = []
        links: list[tuple[str, str, str]] = []
        identifiers: list[tuple[str, str, str]] = []
        by_envelope: dict[int, _EnvelopeRows] = {}
        owners = self._inserted_owners
        implied = change == CREATED
        for record, source_id in items:
            env, body, rid = record.envelope, record.body, record.id
            shared = by_envelope.get(id(env))
            if shared is None:
                shared = by_envelope[id(env)] = _EnvelopeRows.of(env, bind_date)
            created_by, version, updated_at = record.created_by, record.version, bind_time(record.updated_at)
            rows.append(
                (
                    rid,
                    body.schema_name,
                    env.owner,
                    source_id,
                    body.caption()[:500],
                    *shared.columns,
                    created_by,
                    bind_time(record.created_at),
                    updated_at,
                    version,
                    dumps(body_to_data(body)),
                )
            )
            if not (implied and version == 1):
                versions.append((rid, version, None, None, change, None, created_by, updated_at))
            owners[rid] = env.owner
            if shared.agencies:
                agencies.extend((rid, agency, "distribution") for agency in shared.agencies)
            if shared.groups:
                groups.extend((rid, group) for group in shared.groups)
            links.extend(_links(rid, body))
            identifiers.extend(_identifiers(rid, body))
        insert_rows(self.c, t.records, _RECORD_COLUMNS, rows)
        insert_rows(self.c, t.record_versions, _VERSION_COLUMNS, versions)
        insert_rows(self.c, t.record_agencies, ("record_id", "agency", "via"), agencies)
        insert_rows(self.c, t.record_groups, ("record_id", "group_name"), groups)
        insert_rows(self.c, t.record_links, ("record_id", "field", "target_id"), links)
        insert_rows(self.c, t.record_identifiers, ("record_id", "scheme", "value"), identifiers)
        self.wrote = True

    def replace(self, record: Record, *, expected_version: int, change: str, reason: str | None, by: str) -> bool:
        """Write a new version of a record; False when someone else changed it first."""
        if not self._settle(record.id, expected_version):
            return False
        values = _row_values(record, None)
        del values["source_id"], values["created_at"], values["created_by"], values["id"]
        result = self.c.execute(
            update(t.records)
            .where(R.id == record.id, R.version == expected_version, R.deleted_at.is_(None))
            .values(**values)
        )
        if result.rowcount != 1:
            return False
        if record.id in self._inserted_owners:
            self._inserted_owners[record.id] = record.owner
        self.c.execute(insert(t.record_versions), [self._version_row(record, values["body"], change, reason, by)])
        self.c.execute(
            delete(t.record_agencies).where(
                t.record_agencies.c.record_id == record.id, t.record_agencies.c.via == "distribution"
            )
        )
        self.c.execute(delete(t.record_groups).where(t.record_groups.c.record_id == record.id))
        self.c.execute(delete(t.record_links).where(t.record_links.c.record_id == record.id))
        self.c.execute(delete(t.record_identifiers).where(t.record_identifiers.c.record_id == record.id))
        agencies, groups = self._audience_rows(record)
        granted = self._granted(record.id)
        agencies = [a for a in agencies if a["agency"] not in granted]
        for table, batch in (
            (t.record_agencies, agencies),
            (t.record_groups, groups),
            (t.record_links, self._link_rows(record)),
            (t.record_identifiers, self._identifier_rows(record)),
        ):
            if batch:
                self.c.execute(insert(table), batch)
        self.wrote = True
        return True

    def mark_deleted(self, record: Record, *, by: str, at: datetime, reason: str | None) -> bool:
        if not self._settle(record.id):
            return False
        result = self.c.execute(
            update(t.records)
            .where(R.id == record.id, R.deleted_at.is_(None))
            .values(deleted_at=at, source_id=None, version=record.version + 1, updated_at=at)
        )
        if result.rowcount != 1:
            return False
        deleted = record.model_copy(update={"version": record.version + 1, "updated_at": at})
        self.c.execute(
            insert(t.record_versions),
            [self._version_row(deleted, dumps(body_to_data(record.body)), "delete", reason, by)],
        )
        self.c.execute(delete(t.record_links).where(t.record_links.c.record_id == record.id))
        self.wrote = True
        return True

    def grant(self, record_id: str, agency: str, at: datetime | None = None) -> None:
        """Add ``agency`` to a record's audience; ``at`` marks the record changed so the matcher's index
        picks up its new audience."""
        if agency not in self._granted(record_id) | self._named(record_id):
            self.c.execute(insert(t.record_agencies), [{"record_id": record_id, "agency": agency, "via": "grant"}])
            if at is not None:
                self.c.execute(update(t.records).where(R.id == record_id).values(updated_at=at))
            self.wrote = True

    def count_change(self) -> None:
        """Count this transaction's record writes as one change (see ``change_count``).

        The store calls it last, just before commit: the counter's row is the last lock such a transaction
        takes, so two writers never wait on each other in opposite orders over it and the audit chain's head.
        """
        bumped = self.c.execute(
            update(t.change_counters)
            .where(t.change_counters.c.name == "records")
            .values(value=t.change_counters.c.value + 1)
        )
        if bumped.rowcount == 0:
            self.c.execute(insert(t.change_counters).values(name="records", value=1))

    def _settle(self, record_id: str, expected_version: int | None = None) -> bool:
        """Before a record's row changes: write out the body and envelope of its current version, which
        ``insert`` left to the row. False when there is no live row (at ``expected_version``, if given).
        """
        row = self.c.execute(select(t.records).where(R.id == record_id, R.deleted_at.is_(None))).first()
        if row is None or expected_version not in (None, row.version):
            return False
        body, envelope = settled_version(row)
        written = self.c.execute(
            update(t.record_versions)
            .where(V.record_id == record_id, V.version == row.version, V.body.is_(None))
            .values(body=body, envelope=envelope)
        )
        if written.rowcount == 0 and row.version == 1:
            # A first version ``insert`` left to the row entirely: its row now, unless it has one already.
            self.c.execute(_add_if_missing(self.c.dialect.name), _first_version(row, body, envelope))
        return True

    def _granted(self, record_id: str) -> set[str]:
        rows = self.c.execute(
            select(t.record_agencies.c.agency).where(
                t.record_agencies.c.record_id == record_id, t.record_agencies.c.via == "grant"
            )
        )
        return {a for (a,) in rows}

    def _named(self, record_id: str) -> set[str]:
        rows = self.c.execute(select(t.record_agencies.c.agency).where(t.record_agencies.c.record_id == record_id))
        return {a for (a,) in rows}

    @staticmethod
    def _version_row(record: Record, body_json: str, change: str, reason: str | None, by: str) -> dict[str, Any]:
        return {
            "record_id": record.id,
            "version": record.version,
            "body": body_json,
            "envelope": dumps(envelope_data(record.envelope)),
            "change": change,
            "reason": reason,
            "changed_by": by,
            "changed_at": record.updated_at,
        }

    @staticmethod
    def _audience_rows(record: Record) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        audience = audience_of(record.envelope)
        agencies = [
            {"record_id": record.id, "agency": a, "via": "distribution"}
            for a in sorted(audience.agencies)
            if a != record.owner
        ]
        groups = [{"record_id": record.id, "group_name": g} for g in sorted(audience.groups)]
        return agencies, groups

    @staticmethod
    def _link_rows(record: Record) -> list[dict[str, Any]]:
        return [
            {"record_id": rid, "field": f, "target_id": target} for rid, f, target in _links(record.id, record.body)
        ]

    @staticmethod
    def _identifier_rows(record: Record) -> list[dict[str, Any]]:
        return [
            {"record_id": rid, "scheme": scheme, "value": v} for rid, scheme, v in _identifiers(record.id, record.body)
        ]

    # reading, always through the viewer's filter
    def _select(self, viewer: Viewer) -> Select[Any]:
        return select(t.records).where(visible(viewer))

    def get(self, viewer: Viewer, record_id: str) -> Record | None:
        rows = _by_ids(self.c, viewer, [record_id])
        return _recent_record(rows[0]) if rows else None

    def get_many(self, viewer: Viewer, record_ids: Iterable[str]) -> dict[str, Record]:
        ids = list(dict.fromkeys(record_ids))
        found: dict[str, Record] = {}
        for start in range(0, len(ids), 256):
            for row in _by_ids(self.c, viewer, ids[start : start + 256]):
                found[row.id] = _recent_record(row)
        return found

    def _filtered(
        self,
        query: Select[Any],
        *,
        schema: str | None,
        owner: str | None,
        due_before: date | None,
        text: str | None = None,
    ) -> Select[Any]:
        if schema:
            query = query.where(R.schema == schema)
        if owner:
            query = query.where(R.owner == owner)
        if due_before:
            query = query.where(R.review_by < due_before)
        if text:
            query = query.where(func.lower(R.caption).contains(text.lower(), autoescape=True))
        return query

    def select_page(
        self,
        viewer: Viewer | None,
        *,
        schema: str | None = None,
        owner: str | None = None,
        due_before: date | None = None,
        text: str | None = None,
        limit: int = 100,
        offset: int = 0,
        after: str | None = None,
    ) -> list[Record]:
        """Records the viewer may see, in id order. ``viewer=None`` is only for measuring the filter's cost.

        ``after`` starts the page past that id (the last of the page before): the database seeks to it,
        where an offset makes it step through, and test the filter on, every record before the page.
        """
        query = select(t.records) if viewer is None else self._select(viewer)
        query = self._filtered(query, schema=schema, owner=owner, due_before=due_before, text=text)
        if after is not None:
            query = query.where(R.id > after)
        query = query.order_by(R.id).limit(limit).offset(offset)
        return [_to_record(r) for r in self.c.execute(query)]

    def count(
        self,
        viewer: Viewer,
        *,
        schema: str | None = None,
        owner: str | None = None,
        due_before: date | None = None,
        text: str | None = None,
    ) -> int:
        if not (schema or owner or due_before or text):
            # All the viewer may see: the sum over disjoint parts that indexes answer without reading rows.
            parts = [select(func.count()).where(part).scalar_subquery() for part in visible_parts(viewer)]
            return int(self.c.execute(select(sum(parts[1:], parts[0]))).scalar_one())
        query = select(func.count()).select_from(t.records).where(visible(viewer))
        query = self._filtered(query, schema=schema, owner=owner, due_before=due_before, text=text)
        return int(self.c.execute(query).scalar_one())

    def count_by_schema(self, viewer: Viewer) -> dict[str, int]:
        query = select(R.schema, func.count()).where(visible(viewer)).group_by(R.schema)
        return {schema: int(n) for schema, n in self.c.execute(query)}

    def history(self, viewer: Viewer, record_id: str) -> list[Version]:
        row = self.c.execute(self._select(viewer).where(R.id == record_id)).first()
        if row is None:
            return []
        rows: list[Any] = list(
            self.c.execute(select(t.record_versions).where(V.record_id == record_id).order_by(V.version))
        )
        # a version that ``insert`` left to the record's row holds what the row holds
        current = settled_version(row)
        if row.version == 1 and not rows:
            rows = [_Row(**_first_version(row, None, None))]
        return [
            Version(
                record_id=r.record_id,
                version=r.version,
                body=loads(current[0] if r.body is None else r.body),
                envelope=loads(current[1] if r.envelope is None else r.envelope),
                change=r.change,
                reason=r.reason,
                changed_by=r.changed_by,
                changed_at=aware(r.changed_at),
            )
            for r in rows
        ]

    def linked(self, viewer: Viewer, record_id: str) -> list[tuple[str, str, Record]]:
        """Visible records that point to ``record_id`` or that it points to: (direction, field, record)."""
        out: list[tuple[str, str, Record]] = []
        incoming = self.c.execute(
            select(t.record_links.c.field, t.records)
            .join(t.records, R.id == t.record_links.c.record_id)
            .where(t.record_links.c.target_id == record_id, visible(viewer))
            .order_by(R.id)
        )
        for row in incoming:
            out.append(("in", row.field, _to_record(row)))
        outgoing = self.c.execute(
            select(t.record_links.c.field, t.records)
            .join(t.records, R.id == t.record_links.c.target_id)
            .where(t.record_links.c.record_id == record_id, visible(viewer))
            .order_by(R.id)
        )
        for row in outgoing:
            out.append(("out", row.field, _to_record(row)))
        return out

    def stream(self, viewer: Viewer, *, schemas: Sequence[str] | None = None, batch: int = 2000) -> Iterator[Record]:
        """Every visible record, in id order, a batch at a time (exports)."""
        last = ""
        while True:
            query = self._select(viewer).where(R.id > last).order_by(R.id).limit(batch)
            if schemas:
                query = query.where(R.schema.in_(list(schemas)))
            rows = self.c.execute(query).all()
            if not rows:
                return
            for row in rows:
                yield _to_record(row)
            last = rows[-1].id

    # the owner's own bookkeeping
    def by_source(self, owner: str, source_ids: Sequence[str]) -> dict[str, Record]:
        """The owner's live records with these source ids (for idempotent imports)."""
        return {key: held.record() for key, held in self.held_by_source(owner, source_ids).items()}

    def held_by_source(self, owner: str, source_ids: Sequence[str]) -> dict[str, Held]:
        """The owner's live records with these source ids, as stored: parsed only when asked.

        A re-import of an unchanged file compares each body's stored JSON with the new one and never
        needs to validate the thousands of bodies that did not change.
        """
        found: dict[str, Held] = {}
        if not source_ids or not self._has_source_ids(owner):
            # An owner's first import: asking for each of its keys, 500 at a time, found nothing slowly.
            return found
        for start in range(0, len(source_ids), 500):
            chunk = list(source_ids[start : start + 500])
            # Deletion clears a record's source id, so none of these rows is deleted; the condition is tested
            # here rather than in SQL, where SQLite took it for a reason to read the owner's index on deletion
            # (every live record of the owner, for each chunk) instead of the key of owner and source id.
            query = select(t.records).where(R.owner == owner, R.source_id.in_(chunk))
            for row in self.c.execute(query):
                if row.deleted_at is None:
                    found[row.source_id] = Held(row)
        return found

    def _has_source_ids(self, owner: str) -> bool:
        """Whether the owner holds any record with a source id (one step into the key of owner and source id)."""
        query = select(R.id).where(R.owner == owner, R.source_id.is_not(None)).limit(1)
        return self.c.execute(query).first() is not None

    def source_ids(self, owner: str, schema: str) -> dict[str, str]:
        """Source id -> record id of the owner's live records of one schema (a list's delisting check)."""
        query = select(R.source_id, R.id).where(
            R.owner == owner, R.schema == schema, R.source_id.is_not(None), R.deleted_at.is_(None)
        )
        return {source_id: record_id for source_id, record_id in self.c.execute(query)}

    def existing_ids(self, record_ids: Iterable[str]) -> set[str]:
        """Which of these ids name live records. Callers must not reveal the answer beyond visibility."""
        ids = list(set(record_ids))
        out: set[str] = set()
        for start in range(0, len(ids), 500):
            rows = self.c.execute(select(R.id).where(R.id.in_(ids[start : start + 500]), R.deleted_at.is_(None)))
            out.update(i for (i,) in rows)
        return out

    def matchable(
        self, schemas: Sequence[str] = ("Person", "Organization"), *, changed_since: datetime | None = None
    ) -> Iterator[tuple[Stored, bool]]:
        """Records of these schemas with their audience, and whether each is deleted, for the matcher's index.

        The index keeps each entry's audience and filters candidates by the searcher's visibility
        before scoring (architecture, section 2); results are then read back through ``get_many``.
        With ``changed_since``, only records written at or after that moment (deleted ones included).
        """
        query = select(t.records).where(R.schema.in_(list(schemas))).order_by(R.id)
        if changed_since is None:
            query = query.where(R.deleted_at.is_(None))
            ids = None
        else:
            query = query.where(R.updated_at >= changed_since)
            ids = select(R.id).where(R.schema.in_(list(schemas)), R.updated_at >= changed_since)
        grants: dict[str, set[str]] = {}
        agency_rows = select(t.record_agencies.c.record_id, t.record_agencies.c.agency)
        group_rows = select(t.record_groups.c.record_id, t.record_groups.c.group_name)
        if ids is not None:
            agency_rows = agency_rows.where(t.record_agencies.c.record_id.in_(ids))
            group_rows = group_rows.where(t.record_groups.c.record_id.in_(ids))
        for record_id, agency in self.c.execute(agency_rows):
            grants.setdefault(record_id, set()).add(agency)
        groups: dict[str, set[str]] = {}
        for record_id, group in self.c.execute(group_rows):
            groups.setdefault(record_id, set()).add(group)
        memo = parse_memo()  # many records share a birth date, a nationality's names, an alias, an envelope
        envelopes: dict[tuple[Any, ...], Envelope] = {}
        for row in self.c.execute(query):
            stored = Stored(
                _to_record(row, memo, envelopes),
                Audience(frozenset(grants.get(row.id, ())), frozenset(groups.get(row.id, ()))),
            )
            yield stored, row.deleted_at is not None

    def change_count(self) -> int:
        """How many writes records and their audiences have had: the matcher's index compares it before every
        search. It commits with the writes it counts, so a reader that sees it sees them too."""
        row = _CHANGE_COUNT.first(self.c)
        value = row[0] if row else None
        return int(value or 0)

    def newest_write(self) -> datetime | None:
        value = self.c.execute(select(func.max(R.updated_at))).scalar()
        return None if value is None else aware(value)

    def audience(self, record_id: str) -> Audience:
        agencies = self.c.execute(select(t.record_agencies.c.agency).where(t.record_agencies.c.record_id == record_id))
        groups = self.c.execute(select(t.record_groups.c.group_name).where(t.record_groups.c.record_id == record_id))
        return Audience(frozenset(a for (a,) in agencies), frozenset(g for (g,) in groups))

    def owners_of(self, record_ids: Iterable[str]) -> dict[str, str]:
        wanted = set(record_ids)
        known = self._inserted_owners
        out = {rid: known[rid] for rid in wanted if rid in known}
        ids = list(wanted - out.keys())
        for start in range(0, len(ids), 500):
            out.update(self.c.execute(select(R.id, R.owner).where(R.id.in_(ids[start : start + 500]))).all())
        return out

    def owner_due(self, owner: str, today: date, limit: int = 1000) -> list[Record]:
        query = (
            select(t.records)
            .where(R.owner == owner, R.deleted_at.is_(None), R.review_by < today)
            .order_by(R.review_by, R.id)
            .limit(limit)
        )
        return [_to_record(r) for r in self.c.execute(query)]
