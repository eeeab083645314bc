"""Screening jobs, their rows and the matches found, with the analysts' decisions on each match.

A job is read only with the agency that ran it; the matches of a job are read only through the visibility
filter, so a record hidden from the agency since the job ran drops out of its results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from ictdb.policy.visibility import Viewer
from ictdb.storage import tables as t
from ictdb.storage._json import dumps, loads
from ictdb.storage._time import aware
from ictdb.storage.visibility import visible

J = t.screening_jobs.c
W = t.screening_rows.c
H = t.screening_hits.c


@dataclass(frozen=True, slots=True)
class JobRow:
    id: str
    agency: str
    username: str
    source: str
    format: str
    state: str
    done: int
    total: int
    error: dict[str, str] | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class RowRow:
    idx: int
    row_id: str
    traveller: dict[str, Any]
    restricted: list[str]
    error: str | None


@dataclass(frozen=True, slots=True)
class HitRow:
    idx: int
    entity_id: str
    score: float
    explanation: dict[str, Any]
    decision: str | None = None
    reason: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None


def _job(row: Any) -> JobRow:
    return JobRow(
        id=row.id,
        agency=row.agency,
        username=row.username,
        source=row.source,
        format=row.format,
        state=row.state,
        done=row.done,
        total=row.total,
        error=loads(row.error) if row.error else None,
        created_at=aware(row.created_at) or row.created_at,
        updated_at=aware(row.updated_at) or row.updated_at,
    )


def _hit(row: Any) -> HitRow:
    return HitRow(
        idx=row.idx,
        entity_id=row.entity_id,
        score=row.score,
        explanation=loads(row.explanation),
        decision=row.decision,
        reason=row.reason,
        decided_by=row.decided_by,
        decided_at=aware(row.decided_at),
    )


class ScreeningJobs:
    def __init__(self, connection: Connection) -> None:
        self.c = connection

    def create(self, job: JobRow) -> None:
        self.c.execute(
            insert(t.screening_jobs).values(
                id=job.id,
                agency=job.agency,
                username=job.username,
                source=job.source,
                format=job.format,
                state=job.state,
                done=job.done,
                total=job.total,
                error=dumps(job.error) if job.error else None,
                created_at=job.created_at,
                updated_at=job.updated_at,
            )
        )

    def progress(self, job_id: str, *, state: str, done: int, total: int, at: datetime) -> None:
        self.c.execute(
            update(t.screening_jobs).where(J.id == job_id).values(state=state, done=done, total=total, updated_at=at)
        )

    def finish(
        self,
        job_id: str,
        *,
        at: datetime,
        rows: Sequence[RowRow],
        hits: Sequence[HitRow],
        error: dict[str, str] | None = None,
    ) -> None:
        """Store the results and close the job: ``done`` with its rows and hits, or ``failed`` with ``error``."""
        if rows:
            self.c.execute(
                insert(t.screening_rows),
                [
                    {
                        "job_id": job_id,
                        "idx": r.idx,
                        "row_id": r.row_id[:200],
                        "traveller": dumps(r.traveller),
                        "restricted": dumps(r.restricted),
                        "error": r.error,
                    }
                    for r in rows
                ],
            )
        if hits:
            self.c.execute(
                insert(t.screening_hits),
                [
                    {
                        "job_id": job_id,
                        "idx": h.idx,
                        "entity_id": h.entity_id,
                        "score": h.score,
                        "explanation": dumps(h.explanation),
                    }
                    for h in hits
                ],
            )
        values: dict[str, Any] = {"state": "failed" if error else "done", "updated_at": at}
        if error:
            values["error"] = dumps(error)
        else:
            values["done"] = len(rows)
            values["total"] = len(rows)
        self.c.execute(update(t.screening_jobs).where(J.id == job_id).values(**values))

    def get(self, agency: str, job_id: str) -> JobRow | None:
        """A job of ``agency``; any other agency's reads as missing."""
        row = self.c.execute(select(t.screening_jobs).where(J.id == job_id, J.agency == agency)).first()
        return _job(row) if row else None

    def of_agency(self, agency: str, limit: int = 50) -> list[JobRow]:
        query = select(t.screening_jobs).where(J.agency == agency).order_by(J.created_at.desc(), J.id).limit(limit)
        return [_job(row) for row in self.c.execute(query)]

    def rows(self, job_id: str) -> list[RowRow]:
        query = select(t.screening_rows).where(W.job_id == job_id).order_by(W.idx)
        return [
            RowRow(r.idx, r.row_id, loads(r.traveller), loads(r.restricted), r.error) for r in self.c.execute(query)
        ]

    def row(self, job_id: str, idx: int) -> RowRow | None:
        if not 0 <= idx <= t.INTEGER_MAX:
            return None
        r = self.c.execute(select(t.screening_rows).where(W.job_id == job_id, W.idx == idx)).first()
        return RowRow(r.idx, r.row_id, loads(r.traveller), loads(r.restricted), r.error) if r else None

    def visible_hits(self, viewer: Viewer, job_id: str) -> list[HitRow]:
        """The job's matches on records the viewer may see now, best first within each row."""
        seen = select(t.records.c.id).where(visible(viewer))
        query = (
            select(t.screening_hits)
            .where(H.job_id == job_id, H.entity_id.in_(seen))
            .order_by(H.idx, H.score.desc(), H.entity_id)
        )
        return [_hit(row) for row in self.c.execute(query)]

    def decide(
        self, job_id: str, idx: int, entity_id: str, *, decision: str, reason: str, by: str, at: datetime
    ) -> bool:
        """Record a decision on an undecided match; False when the match was decided already."""
        result = self.c.execute(
            update(t.screening_hits)
            .where(H.job_id == job_id, H.idx == idx, H.entity_id == entity_id, H.decision.is_(None))
            .values(decision=decision, reason=reason, decided_by=by, decided_at=at)
        )
        return result.rowcount == 1

    def purge(self, before: datetime) -> int:
        """Delete jobs last touched before ``before``, with their rows and matches; how many jobs went."""
        old = select(J.id).where(J.updated_at < before)
        ids = [row.id for row in self.c.execute(old)]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            self.c.execute(delete(t.screening_hits).where(H.job_id.in_(chunk)))
            self.c.execute(delete(t.screening_rows).where(W.job_id.in_(chunk)))
            self.c.execute(delete(t.screening_jobs).where(J.id.in_(chunk)))
        return len(ids)
