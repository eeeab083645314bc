"""The node: its store, its clock and how it names new records. Built once by the composition root."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from ictdb.model.actors import Actor
from ictdb.policy.visibility import Viewer
from ictdb.storage.store import Store

PREFIX = {
    "Person": "per",
    "Organization": "org",
    "Membership": "mem",
    "Association": "asc",
    "GroupRelation": "grl",
    "Movement": "mov",
    "Incident": "inc",
    "Plot": "plt",
    "Designation": "des",
    "Report": "rep",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class IdFactory:
    """Record ids like ``per-3f9a0c1d2e4b``; seeded for reproducible demo nodes, random otherwise."""

    seed: int | None = None
    _rng: random.Random | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.seed is not None:
            self._rng = random.Random(self.seed)  # noqa: S311 - reproducible ids, not secrets

    def __call__(self, schema: str) -> str:
        suffix = f"{self._rng.getrandbits(48):012x}" if self._rng else secrets.token_hex(6)
        return f"{PREFIX.get(schema, 'rec')}-{suffix}"


@dataclass
class Node:
    store: Store
    clock: Callable[[], datetime] = utcnow
    new_id: IdFactory = field(default_factory=IdFactory)
    caches: dict[str, Any] = field(default_factory=dict, repr=False)
    """Derived in-memory state kept per node (the matcher's index); rebuilt from the store when missing."""

    def now(self) -> datetime:
        return self.clock()

    @property
    def store_in_process(self) -> bool:
        """Whether the store runs inside this process (SQLite), where a statement costs microseconds of CPU
        and never waits on the network."""
        return self.store.backend == "sqlite"

    def today(self) -> date:
        return self.clock().date()

    def viewer(self, actor: Actor) -> Viewer:
        return Viewer(agency=actor.agency, today=self.today())
