"""Liveness: whether the server answers and its node is set up."""

from __future__ import annotations

from fastapi import APIRouter

from ictdb.api.deps import NodeDep
from ictdb.api.schemas import Health
from ictdb.services import directory

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(node: NodeDep) -> Health:
    """Answers without authentication: ``ok`` when the database answers."""
    return Health(status="ok", initialised=directory.is_initialised(node))
