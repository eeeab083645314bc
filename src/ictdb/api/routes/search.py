"""Search one name, match a batch of structured queries, and screen manifests as background jobs."""

from __future__ import annotations

import io
import threading
import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile, status
from pydantic import BaseModel, ConfigDict, Field

from ictdb.api.deps import ActorDep, NodeDep
from ictdb.api.schemas import ERRORS, RecordOut
from ictdb.model.actors import Actor
from ictdb.model.errors import IctdbError, ImportFailed, NotFound, ValidationError
from ictdb.services import screening
from ictdb.services.node import Node
from ictdb.services.search import SEARCH_THRESHOLD, FoundMatch, MatchQuery, SearchOutcome, search

router = APIRouter(tags=["search"], responses=ERRORS)

MAX_QUERIES = 100
MAX_UPLOAD = 10 * 1024 * 1024


class MatchOut(BaseModel):
    id: str
    score: float = Field(ge=0, le=1)
    caption: str
    explanation: dict[str, Any] = Field(description="each feature's contribution to the score")
    record: RecordOut

    @classmethod
    def of(cls, found: FoundMatch) -> MatchOut:
        return cls(
            id=found.record.id,
            score=found.score,
            caption=found.record.caption(),
            explanation=found.explanation,
            record=RecordOut.of(found.record),
        )


class RestrictedHit(BaseModel):
    owner: str = Field(description="a record of this agency matched that the caller may not see: ask them")


class SearchOut(BaseModel):
    results: list[MatchOut]
    restricted_hits: list[RestrictedHit]

    @classmethod
    def of(cls, outcome: SearchOutcome) -> SearchOut:
        return cls(
            results=[MatchOut.of(m) for m in outcome.matches],
            restricted_hits=[RestrictedHit(owner=o) for o in outcome.restricted_owners],
        )


@router.get("/search", response_model=SearchOut)
def search_names(
    node: NodeDep,
    actor: ActorDep,
    q: Annotated[str, Query(min_length=1, max_length=300, description="a name in any script")],
    birth_date: Annotated[str | None, Query(max_length=10, examples=["1971-07-28"])] = None,
    nationality: Annotated[str | None, Query(max_length=2, examples=["IQ"])] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    threshold: Annotated[float, Query(ge=0, le=1)] = SEARCH_THRESHOLD,
) -> SearchOut:
    """Persons and groups whose names match ``q`` (Arabic, Cyrillic or Latin), best first, with scores and
    explanations. Records the caller may not see never appear; where their owner allows it, a restricted hit
    names the agency to ask."""
    query = MatchQuery(names=(q,), birth_date=birth_date, nationality=nationality)
    return SearchOut.of(search(node, actor, query, limit=limit, threshold=threshold))


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
def match(
    node: NodeDep,
    actor: ActorDep,
    payload: MatchIn,
    limit: Annotated[int, Query(ge=1, le=100)] = 5,
    threshold: Annotated[float, Query(ge=0, le=1)] = SEARCH_THRESHOLD,
) -> MatchOutBatch:
    """Match a batch of structured queries at once (the ``/match`` shape of OpenSanctions' yente).

    Each query is a schema and properties (``name``, ``alias``, ``birthDate``, ``nationality``, ``gender``,
    ``idNumber``); each answer lists matches best first with a score and an explanation.
    """
    if not payload.queries:
        raise ValidationError("send at least one query", "queries")
    if len(payload.queries) > MAX_QUERIES:
        raise ValidationError(f"at most {MAX_QUERIES} queries per request", "queries")
    built = {key: q.to_query() for key, q in payload.queries.items()}
    responses = {}
    for key, query in built.items():
        found = SearchOut.of(search(node, actor, query, limit=limit, threshold=threshold))
        responses[key] = MatchResponse(results=found.results, restricted_hits=found.restricted_hits)
    return MatchOutBatch(responses=responses)


@dataclass
class Job:
    id: str
    owner: str
    agency: str
    source: str
    state: str = "queued"
    done: int = 0
    total: int = 0
    results: list[dict[str, Any]] = field(default_factory=list)
    error: dict[str, str] | None = None


class Jobs:
    """Screening jobs of this server, kept in memory; each runs in its own thread."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, node: Node, actor: Actor, rows: list[Any], source: str) -> Job:
        job = Job(id=f"scr-{uuid.uuid4().hex[:12]}", owner=actor.username, agency=actor.agency, source=source)
        job.total = len(rows)
        with self._lock:
            self._jobs[job.id] = job

        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        def run() -> None:
            job.state = "running"
            try:
                job.results = list(screening.screen_rows(node, actor, rows, source=source, progress=progress))
                job.done = job.total = len(rows)
                job.state = "done"
            except IctdbError as exc:
                job.error = {"code": exc.code, "message": exc.message}
                job.state = "failed"

        threading.Thread(target=run, name=job.id, daemon=True).start()
        return job

    def get(self, actor: Actor, job_id: str) -> Job:
        """A job of the caller's own; anyone else's reads as missing."""
        job = self._jobs.get(job_id)
        if job is None or job.owner != actor.username or job.agency != actor.agency:
            raise NotFound(f"no screening {job_id}")
        return job


def jobs_of(request: Request) -> Jobs:
    jobs: Jobs = request.app.state.screenings
    return jobs


class ScreeningOut(BaseModel):
    id: str
    state: Literal["queued", "running", "done", "failed"]
    source: str
    done: int
    total: int
    results: list[dict[str, Any]] | None = Field(
        default=None, description="one line per manifest row, in order, once the job is done"
    )
    error: dict[str, str] | None = None

    @classmethod
    def of(cls, job: Job, with_results: bool = True) -> ScreeningOut:
        return cls(
            id=job.id,
            state=job.state,
            source=job.source,
            done=job.done,
            total=job.total,
            results=job.results if with_results and job.state == "done" else None,
            error=job.error,
        )


def start_screening(request: Request, node: Node, actor: Actor, data: bytes, filename: str, fmt: str) -> Job:
    """Read a manifest and start screening it; shared with the browser's upload form."""
    if fmt not in screening.FORMATS:
        raise ValidationError(f"one of {', '.join(screening.FORMATS)}", "format")
    if len(data) > MAX_UPLOAD:
        raise ImportFailed(f"larger than {MAX_UPLOAD // (1024 * 1024)} MB", file=filename)
    # Only the base name is kept: a path in the upload's file name means nothing here.
    safe_name = filename.replace("\\", "/").rsplit("/", 1)[-1][:200] or "manifest"
    rows = screening.read_rows(io.BytesIO(data), safe_name, fmt)
    return jobs_of(request).start(node, actor, rows, safe_name)


@router.post("/screenings", response_model=ScreeningOut, status_code=status.HTTP_202_ACCEPTED)
async def create_screening(
    request: Request,
    node: NodeDep,
    actor: ActorDep,
    file: Annotated[UploadFile, File(description="a CSV (name, birth_date, nationality, ...) or PAXLST manifest")],
    format: Annotated[Literal["csv", "paxlst"], Form()] = "csv",
) -> ScreeningOut:
    """Upload a manifest to screen (multipart form: ``file`` and ``format``). The answer is the job; poll
    ``GET /screenings/{id}`` for progress and, when done, the results."""
    data = await file.read(MAX_UPLOAD + 1)
    job = start_screening(request, node, actor, data, file.filename or "manifest", format)
    return ScreeningOut.of(job, with_results=False)


@router.get("/screenings/{job_id}", response_model=ScreeningOut)
def get_screening(request: Request, actor: ActorDep, job_id: str) -> ScreeningOut:
    """A screening job's progress, and its results once done. Only its starter sees it."""
    return ScreeningOut.of(jobs_of(request).get(actor, job_id))
