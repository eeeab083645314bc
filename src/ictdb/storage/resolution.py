"""Judgements, proposals and resolver runs; the relationship edges the network queries walk.

Every read that returns judgements or proposals takes a ``Viewer`` and keeps only rows whose two records
the viewer may see, by composing ``visible(viewer)`` into the SQL once per side. The few methods without a
viewer are the resolver's own bookkeeping (which pairs already have a verdict) and say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, and_, exists, func, insert, or_, select, update

from ictdb.model.resolution import Judgement, Pair, Proposal, Verdict
from ictdb.policy.visibility import Viewer
from ictdb.storage import tables as t
from ictdb.storage._json import dumps, loads
from ictdb.storage._time import aware
from ictdb.storage.visibility import visible

J = t.resolution_judgements.c
P = t.resolution_proposals.c
R = t.records.c
L = t.record_links.c

RELATION_SCHEMAS = ("Membership", "Association", "GroupRelation")


def _sees(viewer: Viewer, column: Any) -> ColumnElement[bool]:
    return exists(select(R.id).where(R.id == column, visible(viewer)))


def _both(viewer: Viewer, left: Any, right: Any) -> ColumnElement[bool]:
    return and_(_sees(viewer, left), _sees(viewer, right))


def _judgement(row: Row[Any]) -> Judgement:
    return Judgement(
        id=row.id,
        pair=Pair(row.left_id, row.right_id),
        verdict=Verdict(row.verdict),
        judge=row.judge,
        agency=row.agency,
        at=aware(row.at),
        reason=row.reason,
        score=row.score,
        supersedes=row.supersedes,
    )


@dataclass(frozen=True, slots=True)
class NewJudgement:
    pair: Pair
    verdict: Verdict
    judge: str
    agency: str
    at: datetime
    reason: str | None = None
    score: float | None = None
    supersedes: int | None = None


@dataclass(frozen=True, slots=True)
class NewProposal:
    pair: Pair
    schema: str
    score: float
    explanation: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Run:
    id: int
    started_at: datetime
    finished_at: datetime | None
    username: str
    agency: str
    scope: str
    since: datetime | None
    stats: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Edge:
    """A visible relationship record and one pair of the records it links (field names say which end is which)."""

    relation_id: str
    schema: str
    source: str
    target: str


class Resolution:
    def __init__(self, connection: Connection) -> None:
        self.c = connection

    # judgements: append-only
    def add_judgements(self, items: Sequence[NewJudgement]) -> list[int]:
        ids: list[int] = []
        for item in items:
            result = self.c.execute(
                insert(t.resolution_judgements).values(
                    left_id=item.pair.left,
                    right_id=item.pair.right,
                    verdict=item.verdict.value,
                    judge=item.judge,
                    agency=item.agency,
                    at=item.at,
                    reason=item.reason,
                    score=item.score,
                    supersedes=item.supersedes,
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            ids.append(int(key[0]))
        return ids

    def latest_unfiltered(self, pairs: Iterable[Pair]) -> dict[Pair, Judgement]:
        """The newest judgement of each pair (withdrawn ones included). The resolver's bookkeeping: no viewer."""
        wanted = list(dict.fromkeys(pairs))
        out: dict[Pair, Judgement] = {}
        for start in range(0, len(wanted), 300):
            chunk = wanted[start : start + 300]
            lefts = list({p.left for p in chunk})
            rows = self.c.execute(select(t.resolution_judgements).where(J.left_id.in_(lefts)).order_by(J.id))
            keep = set(chunk)
            for row in rows:
                judgement = _judgement(row)
                if judgement.pair in keep:
                    out[judgement.pair] = judgement
        return out

    def current_not_same(self) -> list[Pair]:
        """Pairs whose judgement in force is ``not-same``, over the whole node. A batch run's bookkeeping: no
        viewer (the run compares every record; what it files is shown through the filter)."""
        newest = select(func.max(J.id)).group_by(J.left_id, J.right_id).scalar_subquery()
        rows = self.c.execute(
            select(J.left_id, J.right_id).where(J.id.in_(newest), J.verdict == Verdict.NOT_SAME.value)
        )
        return [Pair(left, right) for left, right in rows]

    def history(self, viewer: Viewer, pair: Pair) -> list[Judgement]:
        query = (
            select(t.resolution_judgements)
            .where(J.left_id == pair.left, J.right_id == pair.right, _both(viewer, J.left_id, J.right_id))
            .order_by(J.id)
        )
        return [_judgement(r) for r in self.c.execute(query)]

    def judgements(self, viewer: Viewer, record_ids: Iterable[str] | None = None) -> list[Judgement]:
        """Judgements on pairs the viewer sees both records of; with ``record_ids``, those touching them."""
        query = select(t.resolution_judgements).where(_both(viewer, J.left_id, J.right_id)).order_by(J.id)
        if record_ids is None:
            return [_judgement(r) for r in self.c.execute(query)]
        ids = list(set(record_ids))
        out: dict[int, Judgement] = {}
        for start in range(0, len(ids), 300):
            chunk = ids[start : start + 300]
            for row in self.c.execute(query.where(or_(J.left_id.in_(chunk), J.right_id.in_(chunk)))):
                out[row.id] = _judgement(row)
        return [out[k] for k in sorted(out)]

    # proposals
    def upsert_proposals(self, items: Sequence[NewProposal], at: datetime) -> None:
        """File proposals; a pair filed before keeps its first date and takes the new score and explanation."""
        if not items:
            return
        rows = [
            {
                "left_id": i.pair.left,
                "right_id": i.pair.right,
                "schema": i.schema,
                "score": i.score,
                "explanation": dumps(i.explanation),
                "found_at": at,
                "updated_at": at,
            }
            for i in items
        ]
        # Each backend's own upsert, imported here: the PostgreSQL dialect's module is not worth loading on SQLite.
        statement: Any
        if self.c.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            statement = pg_insert(t.resolution_proposals)
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            statement = sqlite_insert(t.resolution_proposals)
        upsert = statement.on_conflict_do_update(
            index_elements=["left_id", "right_id"],
            set_={k: statement.excluded[k] for k in ("schema", "score", "explanation", "updated_at")},
        )
        for start in range(0, len(rows), 1000):
            self.c.execute(upsert, rows[start : start + 1000])

    def _proposal_query(self, viewer: Viewer, open_only: bool, min_score: float) -> Any:
        newest = t.resolution_judgements.alias("newest")
        latest = (
            select(func.max(newest.c.id))
            .where(newest.c.left_id == P.left_id, newest.c.right_id == P.right_id)
            .correlate(t.resolution_proposals)
            .scalar_subquery()
        )
        verdict = select(J.verdict).where(J.id == latest).correlate(t.resolution_proposals).scalar_subquery()
        query = select(t.resolution_proposals, verdict.label("verdict")).where(
            _both(viewer, P.left_id, P.right_id), P.score >= min_score
        )
        if open_only:
            query = query.where(or_(verdict.is_(None), verdict == Verdict.WITHDRAWN.value))
        return query

    def proposals(
        self, viewer: Viewer, *, open_only: bool = True, min_score: float = 0.0, limit: int = 100, offset: int = 0
    ) -> list[Proposal]:
        """Proposals whose two records the viewer sees, most likely first."""
        query = (
            self._proposal_query(viewer, open_only, min_score)
            .order_by(P.score.desc(), P.left_id, P.right_id)
            .limit(limit)
            .offset(offset)
        )
        out = []
        for row in self.c.execute(query):
            verdict = Verdict(row.verdict) if row.verdict else None
            out.append(
                Proposal(
                    pair=Pair(row.left_id, row.right_id),
                    schema=row.schema,
                    score=row.score,
                    explanation=loads(row.explanation),
                    found_at=aware(row.found_at),
                    verdict=None if verdict is Verdict.WITHDRAWN else verdict,
                )
            )
        return out

    def count_proposals(self, viewer: Viewer, *, open_only: bool = True, min_score: float = 0.0) -> int:
        inner = self._proposal_query(viewer, open_only, min_score).subquery()
        return int(self.c.execute(select(func.count()).select_from(inner)).scalar_one())

    # runs
    def start_run(self, username: str, agency: str, scope: str, since: datetime | None, at: datetime) -> int:
        result = self.c.execute(
            insert(t.resolution_runs).values(
                started_at=at, username=username, agency=agency, scope=scope, since=since, stats="{}"
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def finish_run(self, run_id: int, at: datetime, stats: dict[str, Any]) -> None:
        self.c.execute(
            update(t.resolution_runs).where(t.resolution_runs.c.id == run_id).values(finished_at=at, stats=dumps(stats))
        )

    def last_run(self, agency: str, scope: str) -> Run | None:
        row = self.c.execute(
            select(t.resolution_runs)
            .where(
                t.resolution_runs.c.agency == agency,
                t.resolution_runs.c.scope == scope,
                t.resolution_runs.c.finished_at.is_not(None),
            )
            .order_by(t.resolution_runs.c.id.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        return Run(
            id=row.id,
            started_at=aware(row.started_at),
            finished_at=aware(row.finished_at) if row.finished_at else None,
            username=row.username,
            agency=row.agency,
            scope=row.scope,
            since=aware(row.since) if row.since else None,
            stats=loads(row.stats),
        )

    # what the viewer may see
    def visible_ids(self, viewer: Viewer, record_ids: Iterable[str]) -> set[str]:
        ids = list(set(record_ids))
        out: set[str] = set()
        for start in range(0, len(ids), 500):
            rows = self.c.execute(select(R.id).where(R.id.in_(ids[start : start + 500]), visible(viewer)))
            out.update(i for (i,) in rows)
        return out

    def memberships(self, viewer: Viewer | None) -> dict[str, dict[str, list[str]]]:
        """person -> organization -> membership ids, over live Membership records (the viewer's, if given).

        ``viewer=None`` is for the node operator's batch resolution only.
        """
        person = t.record_links.alias("person_link")
        organization = t.record_links.alias("organization_link")
        query = (
            select(R.id, person.c.target_id, organization.c.target_id.label("organization"))
            .join(person, and_(person.c.record_id == R.id, person.c.field == "person"))
            .join(organization, and_(organization.c.record_id == R.id, organization.c.field == "organization"))
            .where(R.schema == "Membership", R.deleted_at.is_(None))
        )
        if viewer is not None:
            query = query.where(visible(viewer))
        out: dict[str, dict[str, list[str]]] = {}
        for membership, person_id, org_id in self.c.execute(query):
            out.setdefault(person_id, {}).setdefault(org_id, []).append(membership)
        return out

    def edges(self, viewer: Viewer) -> list[Edge]:
        """Links of every relationship record the viewer may see (both ends are checked by the caller)."""
        query = (
            select(L.record_id, R.schema, L.field, L.target_id)
            .join(t.records, R.id == L.record_id)
            .where(R.schema.in_(RELATION_SCHEMAS), visible(viewer))
            .order_by(L.record_id, L.field)
        )
        ends: dict[str, tuple[str, dict[str, str]]] = {}
        for relation_id, schema, field, target in self.c.execute(query):
            ends.setdefault(relation_id, (schema, {}))[1][field] = target
        out = []
        for relation_id, (schema, fields) in ends.items():
            source = fields.get("person") or fields.get("organization")
            target = fields.get("associate") or fields.get("target")
            if schema == "Membership":
                source, target = fields.get("person"), fields.get("organization")
            if source and target:
                out.append(Edge(relation_id, schema, source, target))
        return out
