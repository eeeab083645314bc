"""Screening jobs: a manifest uploaded, screened in the background, its matches worked through one by one.

A job belongs to the agency that ran it: its users see it, nobody else does (another agency's job reads as
missing). A job's matches are shown only while their records stay visible to that agency. Each match gets a
decision, ``confirm`` (the traveller is the person on record) or ``dismiss``, with a reason; decisions are
final and audited. Jobs and decisions live in the database, so every server worker sees them and a restart
loses none; a job whose worker stopped midway reads as failed.
"""

from __future__ import annotations

import io
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ictdb.formats.screening_rows import ScreeningRow
from ictdb.model.actors import Actor
from ictdb.model.errors import Conflict, IctdbError, ImportFailed, NotFound, ValidationError
from ictdb.model.stored import Record
from ictdb.model.vocab import Role
from ictdb.policy.roles import require
from ictdb.services import screening
from ictdb.services.audit import log
from ictdb.services.cooperation import movements
from ictdb.services.node import Node
from ictdb.storage.screening_jobs import HitRow, JobRow, RowRow, ScreeningJobs

__all__ = [
    "DECISIONS",
    "Hit",
    "Job",
    "Row",
    "decide",
    "get_job",
    "job_rows",
    "list_jobs",
    "purge_old_jobs",
    "start_job",
]

DECISIONS = ("confirm", "dismiss")
MAX_UPLOAD = 10 * 1024 * 1024
# A running job writes its progress at least this often; one silent for longer lost its worker.
STALE_AFTER = timedelta(minutes=10)
KEEP_FOR = timedelta(days=90)
_PROGRESS_EVERY = 0.5
_TRAVELLER_FIELDS = (
    "name",
    "birth_date",
    "nationality",
    "gender",
    "document_number",
    "document_type",
    "document_country",
    "flight",
    "carrier",
    "departure_place",
    "departure_time",
    "arrival_place",
    "arrival_time",
    "line",
)
_log = logging.getLogger(__name__)

Job = JobRow
Runner = Callable[[Callable[[], None]], None]


@dataclass(frozen=True, slots=True)
class Hit:
    """A match of a manifest row on a record the agency may see, and what the analyst decided about it."""

    row: int
    record: Record
    score: float
    explanation: dict[str, Any]
    decision: str | None
    reason: str | None
    decided_by: str | None
    decided_at: datetime | None


@dataclass(frozen=True, slots=True)
class Row:
    """One manifest row: the traveller as uploaded, its visible matches, and the agencies to ask."""

    index: int
    id: str
    traveller: dict[str, Any]
    hits: list[Hit]
    restricted: list[str]
    error: str | None


def in_thread(work: Callable[[], None]) -> None:
    threading.Thread(target=work, name="screening", daemon=True).start()


def _repo(tx: Any) -> ScreeningJobs:
    return ScreeningJobs(tx.connection)


def _traveller(row: ScreeningRow) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in _TRAVELLER_FIELDS:
        value = getattr(row, name)
        if value is not None:
            data[name] = value.isoformat() if isinstance(value, datetime) else value
    return data


def safe_filename(filename: str) -> str:
    """Only the base name of an upload is kept: a path in it means nothing here and must not travel further."""
    return filename.replace("\\", "/").rsplit("/", 1)[-1].strip()[:200] or "manifest"


def start_job(node: Node, actor: Actor, data: bytes, filename: str, fmt: str, *, run: Runner = in_thread) -> Job:
    """Read a manifest and screen it in the background (``run`` starts the work); the job to poll."""
    if fmt not in screening.FORMATS:
        raise ValidationError(f"one of {', '.join(screening.FORMATS)}", "format")
    source = safe_filename(filename)
    if len(data) > MAX_UPLOAD:
        raise ImportFailed(f"larger than {MAX_UPLOAD // (1024 * 1024)} MB", file=source)
    rows = screening.read_rows(io.BytesIO(data), source, fmt)
    now = node.now()
    job = JobRow(
        id=f"scr-{secrets.token_hex(6)}",
        agency=actor.agency,
        username=actor.username,
        source=source,
        format=fmt,
        state="queued",
        done=0,
        total=len(rows),
        error=None,
        created_at=now,
        updated_at=now,
    )
    with node.store.transaction() as tx:
        _repo(tx).purge(now - KEEP_FOR)
        _repo(tx).create(job)
        log(tx, node, actor, "screening.start", query=source, detail={"job": job.id, "rows": len(rows)})
    run(lambda: _run(node, actor, job.id, rows, source))
    return job


def _run(node: Node, actor: Actor, job_id: str, rows: list[ScreeningRow], source: str) -> None:
    lock = threading.Lock()
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        with lock:
            if time.monotonic() - last < _PROGRESS_EVERY and done < total:
                return
            last = time.monotonic()
            with node.store.transaction() as tx:
                _repo(tx).progress(job_id, state="running", done=done, total=total, at=node.now())

    try:
        progress(0, len(rows))
        lines = list(screening.screen_rows(node, actor, rows, source=source, progress=progress))
        stored_rows = [
            RowRow(
                idx=i,
                row_id=row.id,
                traveller=_traveller(row),
                restricted=[h["owner"] for h in line["restricted_hits"]],
                error=line.get("error"),
            )
            for i, (row, line) in enumerate(zip(rows, lines, strict=True))
        ]
        hits = [
            HitRow(idx=i, entity_id=m["entity_id"], score=m["score"], explanation=m["explanation"])
            for i, line in enumerate(lines)
            for m in line["matches"]
        ]
        with node.store.transaction() as tx:
            _repo(tx).finish(job_id, at=node.now(), rows=stored_rows, hits=hits)
    except IctdbError as exc:
        _fail(node, job_id, {"code": exc.code, "message": exc.message})
    except Exception:
        _log.exception("screening job %s failed", job_id)
        _fail(node, job_id, {"code": "internal", "message": "the screening failed; see the server log"})


def _fail(node: Node, job_id: str, error: dict[str, str]) -> None:
    with node.store.transaction() as tx:
        _repo(tx).finish(job_id, at=node.now(), rows=(), hits=(), error=error)


def _current(node: Node, job: JobRow) -> JobRow:
    """A queued or running job silent for too long lost its worker (a restart): it reads as failed."""
    if job.state in ("queued", "running") and node.now() - job.updated_at > STALE_AFTER:
        return JobRow(
            **{
                **{f: getattr(job, f) for f in JobRow.__dataclass_fields__},
                "state": "failed",
                "error": {"code": "interrupted", "message": "the server stopped during the screening; upload again"},
            }
        )
    return job


def _missing(job_id: str) -> NotFound:
    return NotFound(f"no screening {job_id}")


def get_job(node: Node, actor: Actor, job_id: str) -> Job:
    """A job of the actor's agency (its progress); any other reads as missing."""
    with node.store.transaction() as tx:
        job = _repo(tx).get(actor.agency, job_id)
    if job is None:
        raise _missing(job_id)
    return _current(node, job)


def list_jobs(node: Node, actor: Actor, limit: int = 50) -> list[Job]:
    """The agency's latest jobs, newest first."""
    with node.store.transaction() as tx:
        return [_current(node, job) for job in _repo(tx).of_agency(actor.agency, limit)]


def _hit(hit: HitRow, record: Record) -> Hit:
    return Hit(
        row=hit.idx,
        record=record,
        score=hit.score,
        explanation=hit.explanation,
        decision=hit.decision,
        reason=hit.reason,
        decided_by=hit.decided_by,
        decided_at=hit.decided_at,
    )


def job_rows(node: Node, actor: Actor, job_id: str) -> list[Row]:
    """A finished job's rows in manifest order, each with its matches among records the agency may see now."""
    viewer = node.viewer(actor)
    with node.store.transaction() as tx:
        repo = _repo(tx)
        job = repo.get(actor.agency, job_id)
        if job is None:
            raise _missing(job_id)
        hits = repo.visible_hits(viewer, job_id)
        found = tx.records.get_many(viewer, {h.entity_id for h in hits})
        by_row: dict[int, list[Hit]] = {}
        for hit in hits:
            if hit.entity_id in found:
                by_row.setdefault(hit.idx, []).append(_hit(hit, found[hit.entity_id]))
        rows = [
            Row(r.idx, r.row_id, r.traveller, by_row.get(r.idx, []), r.restricted, r.error) for r in repo.rows(job_id)
        ]
        log(tx, node, actor, "screening.results", sorted(found), query=job.source, detail={"job": job_id})
    return rows


def _validated(decision: str, reason: str) -> str:
    if decision not in DECISIONS:
        raise ValidationError(f"one of {', '.join(DECISIONS)}", "decision")
    reason = reason.strip()
    if not reason:
        raise ValidationError("say why", "reason")
    if len(reason) > 2000:
        raise ValidationError("at most 2000 characters", "reason")
    return reason


def _as_row(row: RowRow) -> ScreeningRow:
    """The manifest row again, with what a movement needs: the traveller's flight, places, times, document."""
    data = row.traveller

    def when(key: str) -> datetime | None:
        value = data.get(key)
        return datetime.fromisoformat(value) if value else None

    return ScreeningRow(
        id=row.row_id,
        name=str(data.get("name", "")),
        line=int(data.get("line", 0)),
        document_number=data.get("document_number"),
        flight=data.get("flight"),
        carrier=data.get("carrier"),
        departure_place=data.get("departure_place"),
        departure_time=when("departure_time"),
        arrival_place=data.get("arrival_place"),
        arrival_time=when("arrival_time"),
    )


def decide(node: Node, actor: Actor, job_id: str, row: int, record_id: str, decision: str, reason: str) -> Hit:
    """Confirm or dismiss one match, saying why. A decision is final; the audit keeps who, when and why.

    Confirming a person's match on a row that says where the traveller went records the crossing as an
    observed Movement (``cooperation.movements``), which alerts the person's watchers.
    """
    require(actor, Role.ANALYST, "deciding on a screening match")
    reason = _validated(decision, reason)
    viewer = node.viewer(actor)
    missing = NotFound(f"no match {record_id} in row {row} of screening {job_id}")
    with node.store.transaction() as tx:
        repo = _repo(tx)
        job = repo.get(actor.agency, job_id)
        if job is None:
            raise _missing(job_id)
        hit = next((h for h in repo.visible_hits(viewer, job_id) if (h.idx, h.entity_id) == (row, record_id)), None)
        record = tx.records.get(viewer, record_id) if hit else None
        manifest_row = repo.row(job_id, row)
        if hit is None or record is None or manifest_row is None:
            raise missing
        if hit.decision is not None:
            raise Conflict(f"the match {record_id} in row {row} was decided already")
    movement = None
    travelled = manifest_row.traveller.get("departure_place") or manifest_row.traveller.get("arrival_place")
    if decision == "confirm" and record.schema_name == "Person" and travelled:
        movement = movements.confirm_screening_match(
            node, actor, record_id, row=_as_row(manifest_row), source=job.source
        ).id
    now = node.now()
    with node.store.transaction() as tx:
        if not _repo(tx).decide(job_id, row, record_id, decision=decision, reason=reason, by=actor.username, at=now):
            raise Conflict(f"the match {record_id} in row {row} was decided already")
        log(
            tx,
            node,
            actor,
            "screening.decision",
            [record_id, *([movement] if movement else [])],
            query=job.source,
            detail={"job": job_id, "row": row, "decision": decision, "reason": reason, "movement": movement},
        )
    return Hit(row, record, hit.score, hit.explanation, decision, reason, actor.username, now)


def purge_old_jobs(node: Node, older_than: timedelta = KEEP_FOR) -> int:
    """Delete jobs untouched for ``older_than`` with their rows and decisions (the audit keeps the decisions)."""
    with node.store.transaction() as tx:
        return _repo(tx).purge(node.now() - older_than)
