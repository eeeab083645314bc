"""Records: create, read, list, edit with version checks, history, links, delete and review."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response, status

from ictdb.api.deps import ActorDep, NodeDep
from ictdb.api.schemas import ERRORS, LinkOut, RecordIn, RecordOut, RecordPage, RecordPatch, ReviewIn, VersionOut
from ictdb.model.digits import ascii_digits
from ictdb.model.errors import ValidationError
from ictdb.model.stored import parse_body
from ictdb.services import records
from ictdb.services.paging import MAX_OFFSET

router = APIRouter(tags=["records"], responses=ERRORS)


def _etag(version: int) -> str:
    return f'"{version}"'


def _version_from(if_match: str | None) -> int | None:
    if if_match is None:
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not ascii_digits(value):
        raise ValidationError('If-Match must be a record version such as "3"', "If-Match")
    return int(value)


@router.get("/records", response_model=RecordPage)
def list_records(
    node: NodeDep,
    actor: ActorDep,
    schema: Annotated[str | None, Query(description="only records of this type, e.g. Person")] = None,
    owner: Annotated[str | None, Query(description="only records owned by this agency")] = None,
    q: Annotated[str | None, Query(max_length=200, description="text contained in the record's caption")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    after: Annotated[
        str | None,
        Query(max_length=40, description="the last id of the previous page: every page then costs about the same"),
    ] = None,
) -> RecordPage:
    """List the records the caller may see, in id order, a page at a time.

    Page through a large node with ``after`` (the previous page's last id) rather than a growing ``offset``."""
    page = records.list_records(
        node, actor, schema=schema, owner=owner, text=q, limit=limit, offset=offset, after=after
    )
    return RecordPage(records=[RecordOut.of(r) for r in page.records], total=page.total, limit=limit, offset=offset)


@router.post("/records", response_model=RecordOut, status_code=status.HTTP_201_CREATED)
def create_record(node: NodeDep, actor: ActorDep, payload: RecordIn, response: Response) -> RecordOut:
    """Record something the caller's agency asserts. The agency owns it; the envelope defaults to the agency's.

    The body is ``schema`` plus that type's fields; references to other records (``person``, ``organization``,
    ...) must name records the caller may see.
    """
    data: dict[str, Any] = payload.model_dump(by_alias=True, exclude={"envelope"})
    record = records.add_record(node, actor, parse_body(data), payload.envelope)
    response.headers["ETag"] = _etag(record.version)
    response.headers["Location"] = f"/api/v1/records/{record.id}"
    return RecordOut.of(record)


@router.get("/records/{record_id}", response_model=RecordOut)
def get_record(node: NodeDep, actor: ActorDep, record_id: str, response: Response) -> RecordOut:
    """One record. A record hidden from the caller answers exactly like one that does not exist (404)."""
    record = records.get_record(node, actor, record_id)
    response.headers["ETag"] = _etag(record.version)
    return RecordOut.of(record)


@router.patch("/records/{record_id}", response_model=RecordOut, responses={409: ERRORS[422] | {"description": "stale"}})
def edit_record(
    node: NodeDep,
    actor: ActorDep,
    record_id: str,
    payload: RecordPatch,
    response: Response,
    if_match: Annotated[str | None, Header(description='the version read, as its ETag: "3"')] = None,
) -> RecordOut:
    """Change a record the caller's agency owns. The old version stays in the history.

    Send the version you read (``If-Match`` header or ``version`` field): when the record has moved on since,
    the answer is 409 and nothing changes.
    """
    expected = _version_from(if_match)
    if expected is None:
        expected = payload.version
    record = records.edit_record(
        node,
        actor,
        record_id,
        changes=payload.changes,
        envelope=payload.envelope,
        expected_version=expected,
        reason=payload.reason,
    )
    response.headers["ETag"] = _etag(record.version)
    return RecordOut.of(record)


@router.delete("/records/{record_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_record(
    node: NodeDep,
    actor: ActorDep,
    record_id: str,
    reason: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    """Delete a record the caller's agency owns: it leaves every read; its history stays for the audit."""
    records.delete_record(node, actor, record_id, reason)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/records/{record_id}/history", response_model=list[VersionOut])
def record_history(node: NodeDep, actor: ActorDep, record_id: str) -> list[VersionOut]:
    """Every version of a record, oldest first, with who changed it, when and why."""
    return [VersionOut.of(v) for v in records.record_history(node, actor, record_id)]


@router.get("/records/{record_id}/links", response_model=list[LinkOut])
def record_links(node: NodeDep, actor: ActorDep, record_id: str) -> list[LinkOut]:
    """Records the caller may see that point to this one (``in``) or that it points to (``out``)."""
    return [
        LinkOut(direction=direction, relation=field, record=RecordOut.of(record))
        for direction, field, record in records.linked_records(node, actor, record_id)
    ]


@router.get("/review/due", response_model=list[RecordOut], tags=["review"])
def review_due(node: NodeDep, actor: ActorDep, limit: Annotated[int, Query(ge=1, le=10_000)] = 1000) -> list[RecordOut]:
    """The caller's agency's records past their review date: hidden from search until reviewed or deleted."""
    return [RecordOut.of(r) for r in records.due_for_review(node, actor, limit)]


@router.post("/records/{record_id}/review", response_model=RecordOut, tags=["review"])
def review_record(node: NodeDep, actor: ActorDep, record_id: str, payload: ReviewIn) -> RecordOut:
    """Keep a record: set a new review date and say why it is still needed."""
    return RecordOut.of(records.extend_review(node, actor, record_id, payload.review_by, payload.reason))
