"""The audit trail, for supervisors: their agency's users' actions, and others' accesses to its records."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ictdb.api.deps import ActorDep, NodeDep
from ictdb.api.schemas import ERRORS, AuditEventOut
from ictdb.services import audit

router = APIRouter(tags=["audit"], responses=ERRORS)


@router.get("/audit/log", response_model=list[AuditEventOut])
def agency_log(
    node: NodeDep,
    actor: ActorDep,
    username: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=64, examples=["record.read"])] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> list[AuditEventOut]:
    """What the caller's agency's users did, newest first (every agency's, for a node administrator)."""
    events = audit.agency_log(node, actor, username=username, action=action, limit=limit)
    return [AuditEventOut.of(e) for e in events]


@router.get("/audit/accesses", response_model=list[AuditEventOut])
def accesses(
    node: NodeDep,
    actor: ActorDep,
    record_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> list[AuditEventOut]:
    """Other agencies' reads and searches that touched the caller's agency's records (only those ids shown)."""
    return [AuditEventOut.of(e) for e in audit.accesses_to_mine(node, actor, record_id=record_id, limit=limit)]
