"""Search one name, match a batch of structured queries, and screen manifests as background jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from ictdb.api.deps import ActorDep, NodeDep, run_search
from ictdb.api.schemas import ERRORS, RecordOut, json_data_answer, record_data
from ictdb.model.errors import ValidationError
from ictdb.services import screening_jobs
from ictdb.services.search import SEARCH_THRESHOLD, FoundMatch, MatchQuery, SearchOutcome, search

router = APIRouter(tags=["search"], responses=ERRORS)

MAX_QUERIES = 100


class MatchOut(BaseModel):
    id: str
    score: float = Field(ge=0, le=1)
    caption: str
    explanation: dict[str, Any] = Field(description="each feature's contribution to the score")
    record: RecordOut


class RestrictedHit(BaseModel):
    owner: str = Field(description="a record of this agency matched that the caller may not see: ask them")
    hit: str | None = Field(
        default=None, description="the hit reference to quote when opening a request (POST /api/v1/requests)"
    )


class SearchOut(BaseModel):
    results: list[MatchOut]
    restricted_hits: list[RestrictedHit]


# The answers of the two busiest routes are built as plain data in the shape of the models above (which document
# them): building and validating the models took a tenth of a match request's time, for data that is right by
# construction. The API's schema test checks these answers against the models.
def _match_data(found: FoundMatch) -> dict[str, Any]:
    record = found.record
    return {
        "id": record.id,
        "score": found.score,
        "caption": record.caption(),
        "explanation": found.explanation,
        "record": record_data(record),
    }


def _search_data(outcome: SearchOutcome) -> dict[str, Any]:
    return {
        "results": [_match_data(m) for m in outcome.matches],
        "restricted_hits": [{"owner": o, "hit": outcome.hit_refs.get(o)} for o in outcome.restricted_owners],
    }


@router.get("/search", response_model=SearchOut)
async def search_names(
    node: NodeDep,
    actor: ActorDep,
    q: Annotated[str, Query(min_length=1, max_length=300, description="a name in any script")],
    birth_date: Annotated[str | None, Query(max_length=10, examples=["1971-07-28"])] = None,
    nationality: Annotated[str | None, Query(max_length=2, examples=["IQ"])] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    threshold: Annotated[float, Query(ge=0, le=1)] = SEARCH_THRESHOLD,
) -> Response:
    """Persons and groups whose names match ``q`` (Arabic, Cyrillic or Latin), best first, with scores and
    explanations. Records the caller may not see never appear; where their owner allows it, a restricted hit
    names the agency to ask."""
    query = MatchQuery(names=(q,), birth_date=birth_date, nationality=nationality)
    outcome = await run_search(node, lambda: search(node, actor, query, limit=limit, threshold=threshold), queries=1)
    return json_data_answer(_search_data(outcome))


class EntityQuery(BaseModel):
    """One query in the shape of a FollowTheMoney entity: a schema and lists of property values."""

    model_config = ConfigDict(extra="forbid")

    schema_: Literal["Person", "Organization", "LegalEntity", "Thing"] = Field(default="Person", alias="schema")
    properties: dict[str, list[str]] = Field(
        examples=[{"name": ["Abu Bakr al-Baghdadi"], "birthDate": ["1971"], "nationality": ["iq"]}]
    )

    def to_query(self) -> MatchQuery:
        props = self.properties
        names = tuple(n for n in props.get("name", []) + props.get("alias", []) if n.strip())
        if not names:
            raise ValidationError("a query needs at least one name", "properties.name")
        if any(len(n) > 300 for n in names):
            raise ValidationError("a name has at most 300 characters", "properties.name")

        def first(key: str) -> str | None:
            values = props.get(key) or []
            return values[0] if values else None

        nationality = first("nationality") or first("country")
        return MatchQuery(
            names=names,
            birth_date=first("birthDate"),
            nationality=nationality.upper() if nationality else None,
            gender=first("gender"),
            document_number=first("idNumber") or first("passportNumber"),
            schema=None if self.schema_ in ("LegalEntity", "Thing") else self.schema_,
        )


class MatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    queries: dict[str, EntityQuery] = Field(
        description=f"up to {MAX_QUERIES} queries, keyed by the caller's own ids",
        examples=[{"q1": {"schema": "Person", "properties": {"name": ["أبو بكر البغدادي"], "birthDate": ["1971"]}}}],
    )


class MatchResponse(BaseModel):
    status: int = 200
    results: list[MatchOut]
    restricted_hits: list[RestrictedHit]


class MatchOutBatch(BaseModel):
    responses: dict[str, MatchResponse]


@router.post("/match", response_model=MatchOutBatch)
async def match(
    node: NodeDep,
    actor: ActorDep,
    payload: MatchIn,
    limit: Annotated[int, Query(ge=1, le=100)] = 5,
    threshold: Annotated[float, Query(ge=0, le=1)] = SEARCH_THRESHOLD,
) -> Response:
    """Match a batch of structured queries at once (the ``/match`` shape of OpenSanctions' yente).

    Each query is a schema and properties (``name``, ``alias``, ``birthDate``, ``nationality``, ``gender``,
    ``idNumber``); each answer lists matches best first with a score and an explanation.
    """
    if not payload.queries:
        raise ValidationError("send at least one query", "queries")
    if len(payload.queries) > MAX_QUERIES:
        raise ValidationError(f"at most {MAX_QUERIES} queries per request", "queries")
    built = {key: q.to_query() for key, q in payload.queries.items()}

    def answers() -> dict[str, Any]:
        return {
            key: {"status": 200, **_search_data(search(node, actor, query, limit=limit, threshold=threshold))}
            for key, query in built.items()
        }

    return json_data_answer({"responses": await run_search(node, answers, queries=len(built))})


class ScreeningMatch(BaseModel):
    entity_id: str
    score: float = Field(ge=0, le=1)
    caption: str
    identifiers: list[dict[str, Any]]
    explanation: dict[str, Any]
    decision: Literal["confirm", "dismiss"] | None = Field(default=None, description="the analyst's decision")
    reason: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None

    @classmethod
    def of(cls, hit: screening_jobs.Hit) -> ScreeningMatch:
        return cls(
            entity_id=hit.record.id,
            score=hit.score,
            caption=hit.record.caption(),
            identifiers=[i.model_dump(mode="json") for i in hit.record.body.identifiers],
            explanation=hit.explanation,
            decision=hit.decision,
            reason=hit.reason,
            decided_by=hit.decided_by,
            decided_at=hit.decided_at,
        )


class ScreeningLine(BaseModel):
    id: str = Field(description="the row's id in the manifest")
    row: int = Field(description="the row's position in the manifest, from 0")
    traveller: dict[str, Any]
    matches: list[ScreeningMatch]
    restricted_hits: list[RestrictedHit]
    error: str | None = Field(default=None, description="why the row could not be screened")

    @classmethod
    def of(cls, row: screening_jobs.Row) -> ScreeningLine:
        return cls(
            id=row.id,
            row=row.index,
            traveller=row.traveller,
            matches=[ScreeningMatch.of(h) for h in row.hits],
            restricted_hits=[RestrictedHit(owner=o) for o in row.restricted],
            error=row.error,
        )


class ScreeningOut(BaseModel):
    id: str
    state: Literal["queued", "running", "done", "failed"]
    source: str
    format: str
    username: str = Field(description="who uploaded the manifest")
    created_at: datetime
    done: int
    total: int
    results: list[ScreeningLine] | None = Field(
        default=None, description="one line per manifest row, in order, once the job is done"
    )
    error: dict[str, str] | None = None

    @classmethod
    def of(cls, job: screening_jobs.Job, rows: list[screening_jobs.Row] | None = None) -> ScreeningOut:
        return cls(
            id=job.id,
            state=job.state,
            source=job.source,
            format=job.format,
            username=job.username,
            created_at=job.created_at,
            done=job.done,
            total=job.total,
            results=[ScreeningLine.of(r) for r in rows] if rows is not None else None,
            error=job.error,
        )


@router.post("/screenings", response_model=ScreeningOut, status_code=status.HTTP_202_ACCEPTED)
async def create_screening(
    node: NodeDep,
    actor: ActorDep,
    file: Annotated[UploadFile, File(description="a CSV (name, birth_date, nationality, ...) or PAXLST manifest")],
    format: Annotated[Literal["csv", "paxlst"], Form()] = "csv",
) -> ScreeningOut:
    """Upload a manifest to screen (multipart form: ``file`` and ``format``). The answer is the job; poll
    ``GET /screenings/{id}`` for progress and, when done, the results."""
    data = await file.read(screening_jobs.MAX_UPLOAD + 1)
    job = await run_in_threadpool(screening_jobs.start_job, node, actor, data, file.filename or "manifest", format)
    return ScreeningOut.of(job)


@router.get("/screenings", response_model=list[ScreeningOut])
def list_screenings(
    node: NodeDep, actor: ActorDep, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[ScreeningOut]:
    """The caller's agency's latest screening jobs, newest first, without their results."""
    return [ScreeningOut.of(job) for job in screening_jobs.list_jobs(node, actor, limit)]


@router.get("/screenings/{job_id}", response_model=ScreeningOut)
def get_screening(node: NodeDep, actor: ActorDep, job_id: Annotated[str, Path(max_length=40)]) -> ScreeningOut:
    """A screening job's progress, and its results once done. Only the agency that ran it sees it; matches
    on records it may no longer see drop out."""
    job = screening_jobs.get_job(node, actor, job_id)
    return ScreeningOut.of(job, screening_jobs.job_rows(node, actor, job_id) if job.state == "done" else None)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["confirm", "dismiss"]
    reason: str = Field(min_length=1, max_length=2000, examples=["passport number and birth date agree"])


@router.post("/screenings/{job_id}/rows/{row}/matches/{record_id}/decision", response_model=ScreeningMatch)
def decide_match(
    node: NodeDep,
    actor: ActorDep,
    job_id: Annotated[str, Path(max_length=40)],
    row: Annotated[int, Path(ge=0)],
    record_id: Annotated[str, Path(max_length=40)],
    payload: DecisionIn,
) -> ScreeningMatch:
    """Confirm (the traveller is the person on record) or dismiss one match, with a reason. Decisions are
    final (a second one is 409) and audited."""
    hit = screening_jobs.decide(node, actor, job_id, row, record_id, payload.decision, payload.reason)
    return ScreeningMatch.of(hit)
