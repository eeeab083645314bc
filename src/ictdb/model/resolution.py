"""Resolution of records into identities: pairs, judgements, proposals, and clusters under not-same constraints.

Two agencies' records on one man stay two records. What links them is a *judgement* on the pair: ``same``,
``not-same`` or ``unsure``, with who made it and when. Judgements are never changed or removed: a later
judgement on the same pair supersedes the earlier one (``withdrawn`` takes the pair back to no verdict),
and the history stays.

Clusters are the connected components of the current ``same`` judgements, with one rule on top: a current
``not-same`` between two records forbids them from ever ending up in one cluster by transitivity. The
algorithm (``cluster``) is a union-find that knows, for each component, which records some member was judged
not-same with. ``same`` judgements are applied in a fixed order (people before the automatic judge, then
oldest first; automatic ones by descending score); a ``same`` whose union would put a not-same pair into one
component is refused and reported as a ``Refusal`` for an analyst to settle. Since the order is fixed and the
input is the set of current judgements, the same judgements always give the same clusters, and withdrawing
or contradicting a ``same`` splits its cluster on the next computation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from ictdb.model.errors import ValidationError

AUTO_JUDGE = "auto"
"""The judge recorded for judgements made by the resolver above the configured confidence."""


class Verdict(StrEnum):
    SAME = "same"
    NOT_SAME = "not-same"
    UNSURE = "unsure"
    WITHDRAWN = "withdrawn"
    """Recorded by undo: the pair has no verdict any more (the superseded judgement stays in the history)."""


JUDGEABLE = (Verdict.SAME, Verdict.NOT_SAME, Verdict.UNSURE)


def parse_verdict(value: str) -> Verdict:
    text = value.strip().lower().replace("_", "-")
    for verdict in JUDGEABLE:
        if verdict.value == text:
            return verdict
    raise ValidationError(f"{value!r}: a verdict is same, not-same or unsure", "verdict")


@dataclass(frozen=True, slots=True, order=True)
class Pair:
    """Two distinct records, in id order, so that (A, B) and (B, A) are one pair."""

    left: str
    right: str

    @classmethod
    def of(cls, first: str, second: str) -> Pair:
        a, b = first.strip(), second.strip()
        if not a or not b:
            raise ValidationError("a pair needs two record ids", "pair")
        if a == b:
            raise ValidationError(f"a record cannot be judged against itself: {a}", "pair")
        return cls(a, b) if a < b else cls(b, a)

    def other(self, record_id: str) -> str:
        return self.right if record_id == self.left else self.left

    def __str__(self) -> str:
        return f"{self.left}~{self.right}"


@dataclass(frozen=True, slots=True)
class Judgement:
    """One decision on a pair, as recorded. ``id`` orders judgements: the highest on a pair is current."""

    id: int
    pair: Pair
    verdict: Verdict
    judge: str
    agency: str
    at: datetime
    reason: str | None = None
    score: float | None = None
    supersedes: int | None = None

    @property
    def automatic(self) -> bool:
        return self.judge == AUTO_JUDGE


@dataclass(frozen=True, slots=True)
class Proposal:
    """A candidate pair the resolver found, with its score and why; ``verdict`` is the pair's current one."""

    pair: Pair
    schema: str
    score: float
    explanation: dict[str, Any]
    found_at: datetime
    verdict: Verdict | None = None


def current(judgements: Iterable[Judgement]) -> dict[Pair, Judgement]:
    """The judgement in force on each pair: the newest one, unless it withdrew the verdict."""
    latest: dict[Pair, Judgement] = {}
    for judgement in judgements:
        seen = latest.get(judgement.pair)
        if seen is None or judgement.id > seen.id:
            latest[judgement.pair] = judgement
    return {pair: j for pair, j in latest.items() if j.verdict is not Verdict.WITHDRAWN}


@dataclass(frozen=True, slots=True)
class Refusal:
    """A ``same`` judgement that clustering did not follow, and the ``not-same`` pair that forbade it."""

    same: Judgement
    forbidding: Pair


@dataclass
class Clustering:
    """Clusters of two or more records (members sorted, clusters sorted by their first member)."""

    clusters: list[tuple[str, ...]] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    _of: dict[str, int] = field(default_factory=dict, repr=False)

    def cluster_of(self, record_id: str) -> tuple[str, ...]:
        """The members of the record's cluster; a record judged with nobody is a cluster of one."""
        index = self._of.get(record_id)
        return (record_id,) if index is None else self.clusters[index]


def _order(judgement: Judgement) -> tuple[int, float, int]:
    if judgement.automatic:
        return (1, -(judgement.score or 0.0), judgement.id)
    return (0, 0.0, judgement.id)


def cluster(judgements: Iterable[Judgement]) -> Clustering:
    """Connected components of the current ``same`` judgements that never join a ``not-same`` pair."""
    in_force = current(judgements)
    apart: dict[str, set[str]] = {}
    for pair, judgement in in_force.items():
        if judgement.verdict is Verdict.NOT_SAME:
            apart.setdefault(pair.left, set()).add(pair.right)
            apart.setdefault(pair.right, set()).add(pair.left)
    parent: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    forbidden: dict[str, set[str]] = {}

    def find(record_id: str) -> str:
        if record_id not in parent:
            parent[record_id] = record_id
            members[record_id] = [record_id]
            forbidden[record_id] = set(apart.get(record_id, ()))
            return record_id
        root = record_id
        while parent[root] != root:
            root = parent[root]
        while parent[record_id] != root:  # path compression
            parent[record_id], record_id = root, parent[record_id]
        return root

    refused: list[Refusal] = []
    sames = sorted((j for j in in_force.values() if j.verdict is Verdict.SAME), key=_order)
    for judgement in sames:
        a, b = find(judgement.pair.left), find(judgement.pair.right)
        if a == b:
            continue
        small, big = (a, b) if len(members[a]) <= len(members[b]) else (b, a)
        blocking = next((m for m in members[small] if m in forbidden[big]), None)
        if blocking is not None:
            partner = next(x for x in sorted(apart[blocking]) if find(x) == big)
            refused.append(Refusal(judgement, Pair.of(blocking, partner)))
            continue
        parent[small] = big
        members[big].extend(members.pop(small))
        forbidden[big] |= forbidden.pop(small)
    groups = sorted(tuple(sorted(group)) for group in members.values() if len(group) > 1)
    of = {record_id: index for index, group in enumerate(groups) for record_id in group}
    return Clustering(groups, refused, of)
