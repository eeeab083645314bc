"""A stored record: a body and its envelope, with identity, authorship and version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict, TypeAdapter

from ictdb.model.dates import DATES_MEMO
from ictdb.model.envelope import Envelope
from ictdb.model.errors import ValidationError
from ictdb.model.records import BODY_TYPES, NAMES_MEMO, Body, RecordBody

_BODY: TypeAdapter[Body] = TypeAdapter(RecordBody)


def first_problem(exc: pydantic.ValidationError, prefix: str = "") -> ValidationError:
    """Turn pydantic's report into our error, naming the first offending field by its dotted path."""
    error = exc.errors()[0]
    path = [str(p) for p in error["loc"]]
    if path and path[0] in BODY_TYPES:  # the tag pydantic puts first for a discriminated union
        path = path[1:]
    message = str(error["msg"]).removeprefix("Value error, ")
    field = ".".join(([prefix] if prefix else []) + path) or None
    return ValidationError(message, field)


def parse_memo() -> dict[str, Any]:
    """A memo for ``parse_body`` over many bodies (one file): names and dates seen before are not validated
    again. It holds what it has seen, so it lives as long as the job that reads them, no longer."""
    return {NAMES_MEMO: ({}, {}, {}), DATES_MEMO: {}}


def parse_body(data: Any, memo: dict[str, Any] | None = None) -> Body:
    """Validate a body from plain data; its ``schema`` key picks the record type. ``memo`` from ``parse_memo``."""
    if not isinstance(data, dict):
        raise ValidationError("a record must be a JSON object")
    schema = data.get("schema")
    if schema not in BODY_TYPES:
        raise ValidationError(f"unknown schema {schema!r}; one of {', '.join(BODY_TYPES)}", "schema")
    try:
        return _BODY.validate_python(data, context=memo)
    except pydantic.ValidationError as exc:
        raise first_problem(exc) from None


def body_to_data(body: Body) -> dict[str, Any]:
    """Plain JSON-ready data of a body, without empty defaults."""
    data = body.model_dump(mode="json", exclude_defaults=True, by_alias=True)
    data["schema"] = body.schema_name
    return data


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    body: RecordBody
    envelope: Envelope
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @property
    def schema_name(self) -> str:
        return self.body.schema_name

    @property
    def owner(self) -> str:
        return self.envelope.owner

    def caption(self) -> str:
        return self.body.caption()


def record_to_data(record: Record) -> dict[str, Any]:
    """A record as plain JSON-ready data: id, schema, the body's fields, the envelope and bookkeeping."""
    data: dict[str, Any] = {"id": record.id, **body_to_data(record.body)}
    data["envelope"] = record.envelope.model_dump(mode="json")
    data["version"] = record.version
    data["created_by"] = record.created_by
    data["created_at"] = record.created_at.isoformat()
    data["updated_at"] = record.updated_at.isoformat()
    return data
