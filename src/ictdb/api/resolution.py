"""Resolution and network routes: proposals, judgements, clusters, consolidated profiles and network queries.

Every answer passes through the caller's visibility: a pair appears only when the caller may see both records,
a cluster counts only the records the caller may see, and a hidden record answers like a missing one (404).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from ictdb.api.deps import ActorDep, NodeDep
from ictdb.api.schemas import ERRORS
from ictdb.services import network, resolution
from ictdb.services.paging import MAX_OFFSET

router = APIRouter(responses=ERRORS)


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    threshold: float = Field(resolution.PROPOSAL_THRESHOLD, gt=0, le=1)
    auto_above: float | None = Field(None, gt=0, le=1)


class JudgementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    left: str = Field(min_length=1, max_length=100)
    right: str = Field(min_length=1, max_length=100)
    verdict: str = Field(description="same, not-same or unsure; `withdrawn` is written by DELETE")
    reason: str | None = Field(None, max_length=2000)


@router.post("/resolution/runs", tags=["resolution"])
def run_resolution(node: NodeDep, actor: ActorDep, payload: ResolveIn) -> dict[str, Any]:
    """Compare the persons and groups the caller's agency may see and file proposals above the threshold; pairs
    above ``auto_above`` are judged `same` automatically (judge `auto`)."""
    summary = resolution.resolve(node, actor, threshold=payload.threshold, auto_above=payload.auto_above)
    return resolution.summary_data(summary)


@router.get("/resolution/proposals", tags=["resolution"])
def list_proposals(
    node: NodeDep,
    actor: ActorDep,
    all_: Annotated[bool, Query(alias="all", description="judged proposals too")] = False,
    min_score: Annotated[float, Query(ge=0, le=1)] = 0.0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    """Proposals on pairs the caller may see both records of, most likely first."""
    page = resolution.list_proposals(node, actor, open_only=not all_, min_score=min_score, limit=limit, offset=offset)
    return {"total": page.total, "proposals": [resolution.proposal_data(p) for p in page.proposals]}


@router.post("/resolution/judgements", tags=["resolution"])
def judge(node: NodeDep, actor: ActorDep, payload: JudgementIn) -> dict[str, Any]:
    """Judge a pair. A different verdict supersedes the current one (kept in the history); the same again is
    answered with ``unchanged``. A `same` that a `not-same` keeps apart is listed under ``refused``."""
    outcome = resolution.judge(node, actor, payload.left, payload.right, payload.verdict, payload.reason)
    return resolution.outcome_data(outcome)


@router.delete("/resolution/judgements/{left}/{right}", tags=["resolution"])
def undo(
    node: NodeDep, actor: ActorDep, left: str, right: str, reason: Annotated[str | None, Query(max_length=2000)] = None
) -> dict[str, Any]:
    """Withdraw the pair's current verdict: a new judgement supersedes it, and its cluster splits."""
    return resolution.outcome_data(resolution.undo(node, actor, left, right, reason))


@router.get("/resolution/judgements/{left}/{right}", tags=["resolution"])
def history(node: NodeDep, actor: ActorDep, left: str, right: str) -> list[dict[str, Any]]:
    """Every judgement on a pair, oldest first."""
    return [resolution.judgement_data(j) for j in resolution.pair_history(node, actor, left, right)]


@router.get("/resolution/clusters", tags=["resolution"])
def list_clusters(
    node: NodeDep,
    actor: ActorDep,
    min_size: Annotated[int, Query(ge=2)] = 2,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[dict[str, Any]]:
    """Clusters among the records the caller may see, from the judgements the caller may see."""
    found = resolution.clusters(node, actor, min_size=min_size, limit=limit)
    return [{"id": m[0], "size": len(m), "members": list(m)} for m in found.clusters]


@router.get("/resolution/clusters/{record_id}", tags=["resolution"])
def consolidated_profile(node: NodeDep, actor: ActorDep, record_id: str) -> dict[str, Any]:
    """The consolidated profile of the record's cluster: each value with its owner and grading, conflicts apart."""
    return resolution.profile_data(resolution.consolidated_profile(node, actor, record_id))


@router.get("/network/{record_id}/neighbours", tags=["network"])
def neighbours(
    node: NodeDep, actor: ActorDep, record_id: str, hops: Annotated[int, Query(ge=1, le=network.MAX_HOPS)] = 1
) -> dict[str, Any]:
    """Records within ``hops`` visible relationships (Membership, Association, GroupRelation)."""
    return network.neighbourhood_data(network.neighbours(node, actor, record_id, hops))


@router.get("/network/{record_id}/path/{other_id}", tags=["network"])
def path(node: NodeDep, actor: ActorDep, record_id: str, other_id: str) -> dict[str, Any]:
    """The shortest chain of visible relationships between two records."""
    return network.path_data(network.path(node, actor, record_id, other_id))


@router.get("/network/{record_id}/lineage", tags=["network"])
def lineage(node: NodeDep, actor: ActorDep, record_id: str) -> dict[str, Any]:
    """A group's mergers, splits, renamings, allegiances and factions, with dates."""
    return network.lineage_data(network.lineage(node, actor, record_id))


@router.get("/network/{record_id}/central", tags=["network"])
def central(
    node: NodeDep, actor: ActorDep, record_id: str, limit: Annotated[int, Query(ge=1, le=1000)] = 10
) -> dict[str, Any]:
    """The most central members of a group's network (betweenness, then degree)."""
    return network.central_data(network.central(node, actor, record_id, limit))
