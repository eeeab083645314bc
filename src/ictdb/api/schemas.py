"""Response and request bodies of the API, as the OpenAPI schema documents them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import orjson
from fastapi import Response
from pydantic import BaseModel, ConfigDict, Field

from ictdb.model.actors import Agency, SharingGroup, User
from ictdb.model.envelope import EnvelopeInput
from ictdb.model.stored import Record, record_to_data
from ictdb.model.vocab import Role
from ictdb.services.audit import AuditEvent
from ictdb.services.records import Version


class ErrorDetail(BaseModel):
    code: str = Field(examples=["not_found"])
    message: str = Field(examples=["no record per-3f9a0c1d2e4b"])


class ErrorBody(BaseModel):
    error: ErrorDetail


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in {
        401: "no valid token or session",
        403: "the actor's role or agency does not allow this",
        404: "no such thing, or one hidden from the actor (the two read the same)",
        422: "the input breaks a rule; the message names the field",
    }.items()
}


class RecordOut(BaseModel):
    """A record: its id, type, the body's fields (as in ``schema``), the handling envelope and bookkeeping."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "id": "per-3f9a0c1d2e4b",
                    "schema": "Person",
                    "names": [{"value": "أبو بكر البغدادي", "script": "Arab", "kind": "primary"}],
                    "envelope": {"owner": "JO-GID", "distribution": "members", "handling": "H0"},
                    "version": 1,
                }
            ]
        },
    )

    id: str
    schema_: str = Field(alias="schema")
    version: int
    envelope: dict[str, Any]
    created_by: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, record: Record) -> RecordOut:
        return cls.model_validate(record_to_data(record))


@dataclass(frozen=True, slots=True, eq=False)
class _Same:
    """A record as a cache key by identity: hashing a record's fields would cost more than the work saved."""

    record: Record

    def __hash__(self) -> int:
        return id(self.record)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.record is self.record


@lru_cache(maxsize=4096)
def _record_data(same: _Same) -> dict[str, Any]:
    return RecordOut.of(same.record).model_dump(mode="json", by_alias=True)


def record_data(record: Record) -> dict[str, Any]:
    """``record`` as ``RecordOut`` gives it in JSON, made once per record object: storage hands out the same
    object for an unchanged row, and the busiest answers (matches) show the same records again and again.
    Shared between answers: read it, never change it."""
    return _record_data(_Same(record))


def json_data_answer(data: Any) -> Response:
    """Plain JSON-ready data, already in the shape of the route's documented model, as the JSON answer."""
    return Response(orjson.dumps(data), media_type="application/json")


class RecordPage(BaseModel):
    records: list[RecordOut]
    total: int = Field(description="how many records match, of those the caller may see")
    limit: int
    offset: int


class RecordIn(BaseModel):
    """A new record: ``schema`` and the body's fields, plus an optional ``envelope`` (the agency's defaults fill
    what is left out)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "schema": "Person",
                    "names": ["Abu Bakr al-Baghdadi", "أبو بكر البغدادي"],
                    "envelope": {"distribution": "members", "handling": "H0"},
                }
            ]
        },
    )

    schema_: str = Field(alias="schema")
    envelope: EnvelopeInput | None = None


class RecordPatch(BaseModel):
    """Changes to a record: body fields to replace and/or envelope fields; ``version`` (or an ``If-Match``
    header) guards against overwriting someone else's edit."""

    model_config = ConfigDict(extra="forbid")

    changes: dict[str, Any] | None = Field(default=None, examples=[{"gender": "male"}])
    envelope: EnvelopeInput | None = None
    version: int | None = Field(default=None, description="the version the edit is based on", examples=[1])
    reason: str | None = Field(default=None, max_length=2000)


class VersionOut(BaseModel):
    record_id: str
    version: int
    body: dict[str, Any]
    envelope: dict[str, Any]
    change: str
    reason: str | None
    changed_by: str
    changed_at: datetime

    @classmethod
    def of(cls, version: Version) -> VersionOut:
        return cls(
            record_id=version.record_id,
            version=version.version,
            body=version.body,
            envelope=version.envelope,
            change=version.change,
            reason=version.reason,
            changed_by=version.changed_by,
            changed_at=version.changed_at,
        )


class LinkOut(BaseModel):
    relation: str = Field(description="the field of the relationship record, or its type")
    direction: str
    record: RecordOut


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    review_by: date = Field(description="the new review date (YYYY-MM-DD)", examples=["2031-01-01"])
    reason: str = Field(min_length=1, max_length=2000, examples=["active investigation"])


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(default=None, max_length=200, examples=["border screening system"])
    ttl_days: int = Field(default=90, ge=1, le=366)
    username: str | None = Field(default=None, description="an agency administrator may issue for its users")


class TokenOut(BaseModel):
    id: str
    secret: str = Field(description="shown once; the node keeps only its hash")
    username: str
    label: str | None
    expires_at: datetime


class AgencyOut(BaseModel):
    code: str
    name: str
    country: str
    list_authority: bool

    @classmethod
    def of(cls, agency: Agency) -> AgencyOut:
        return cls(code=agency.code, name=agency.name, country=agency.country, list_authority=agency.list_authority)


class AgencyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(examples=["JO-GID"])
    name: str = Field(examples=["General Intelligence Directorate"])
    country: str = Field(examples=["JO"])


class UserOut(BaseModel):
    username: str
    agency: str
    roles: list[Role]
    full_name: str | None
    active: bool

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            username=user.username,
            agency=user.agency,
            roles=sorted(user.roles),
            full_name=user.full_name,
            active=user.active,
        )


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(examples=["analyst.jo"])
    agency: str | None = Field(default=None, description="default: the caller's agency")
    roles: list[Role] = Field(default=[Role.ANALYST])
    full_name: str | None = None
    password: str | None = Field(default=None, description="default: a generated one, returned once")


class UserCreated(BaseModel):
    user: UserOut
    password: str | None = Field(description="the generated password, when none was given")


class GroupOut(BaseModel):
    name: str
    owner: str
    members: list[str]
    description: str | None

    @classmethod
    def of(cls, group: SharingGroup) -> GroupOut:
        return cls(name=group.name, owner=group.owner, members=sorted(group.members), description=group.description)


class GroupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(examples=["levant-cell"])
    members: list[str] = Field(examples=[["JO-GID", "IQ-CTS"]])
    description: str | None = None


class AuditEventOut(BaseModel):
    seq: int | None
    at: datetime | None
    username: str
    agency: str
    action: str
    record_ids: list[str]
    query: str | None
    outcome: str
    origin: str
    detail: dict[str, Any]

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventOut:
        return cls(
            seq=event.seq,
            at=event.at,
            username=event.username,
            agency=event.agency,
            action=event.action,
            record_ids=list(event.record_ids),
            query=event.query,
            outcome=event.outcome,
            origin=event.origin,
            detail=event.detail,
        )


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    initialised: bool
