"""Search and screening: names in any script against every person and group the actor may see.

Matches the actor may not see never appear. By the owner's hit policy they become a "restricted hit:
ask AGENCY" line for the searcher (hit-no-hit), or nothing for the searcher (notify-owner, silent). The
owner of a notify-owner or hit-no-hit record finds the hit among the accesses to its records in the audit;
a silent record leaves no trace that either side can see.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ictdb.matching import (
    SCREENING_THRESHOLD,
    SEARCH_THRESHOLD,
    Match,
    MatchQuery,
    NameIndex,
    SearchResult,
    screen_many,
)
from ictdb.model.actors import Actor
from ictdb.model.errors import ValidationError
from ictdb.model.records import Identifier
from ictdb.model.stored import Record
from ictdb.policy.hits import outcome_of
from ictdb.policy.visibility import Viewer, may_reach
from ictdb.services.audit import log
from ictdb.services.cooperation import events
from ictdb.services.name_index import Tag, live_index
from ictdb.services.node import Node
from ictdb.storage.store import Tx

__all__ = [
    "SCREENING_THRESHOLD",
    "SEARCH_THRESHOLD",
    "FoundMatch",
    "MatchQuery",
    "SearchOutcome",
    "screen",
    "search",
]

MAX_LIMIT = 100


@dataclass(frozen=True, slots=True)
class FoundMatch:
    record: Record
    score: float
    explanation: dict[str, Any]

    @property
    def identifiers(self) -> list[Identifier]:
        return list(self.record.body.identifiers)


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    matches: list[FoundMatch] = field(default_factory=list)
    restricted_owners: list[str] = field(default_factory=list)
    """Agencies to ask: owners of hit-no-hit records that matched but that the actor may not see."""
    notified: list[str] = field(default_factory=list, repr=False)
    """Ids of restricted records whose owners are told of the hit (kept for the audit, never shown)."""
    hit_scores: dict[str, float] = field(default_factory=dict, repr=False)
    """The match score of each notified id, for the owner's hit notice (never shown to the searcher)."""
    hit_refs: dict[str, str] = field(default_factory=dict)
    """Owner -> hit reference the searcher may quote to open a request (hit-no-hit owners only)."""


def _allowed(tx: Tx, viewer: Viewer) -> Callable[[Hashable], bool]:
    groups = tx.directory.groups_of(viewer.agency)

    def allowed(tag: Hashable) -> bool:
        return isinstance(tag, Tag) and may_reach(viewer, tag.reach, groups)

    return allowed


def _check(limit: int, threshold: float) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"limit must be between 1 and {MAX_LIMIT}", "limit")
    if not 0.0 <= threshold <= 1.0:
        raise ValidationError("threshold must be between 0 and 1", "threshold")


def _outcomes(tx: Tx, viewer: Viewer, index: NameIndex, results: Sequence[SearchResult]) -> list[SearchOutcome]:
    """Read matched records back through the visibility filter and apply hit policies to restricted ones."""
    wanted = {m.entity_id for r in results for m in r.matches}
    records = tx.records.get_many(viewer, wanted)
    outcomes = []
    for result in results:
        matches = [_found(records, m) for m in result.matches if m.entity_id in records]
        owners: list[str] = []
        notified: list[str] = []
        scores: dict[str, float] = {}
        for entity_id, score in result.restricted:
            entry = index.entry(entity_id)
            if entry is None or not isinstance(entry.tag, Tag):
                continue
            outcome = outcome_of(entry.tag.hit_policy)
            if outcome.tell_owner:
                notified.append(entity_id)
                scores[entity_id] = score
            if outcome.tell_searcher and entry.tag.reach.owner not in owners:
                owners.append(entry.tag.reach.owner)
        outcomes.append(SearchOutcome(matches, sorted(owners), notified, scores))
    return outcomes


def _owners(index: NameIndex, outcomes: Sequence[SearchOutcome]) -> dict[str, str]:
    """The owner of every record the outcomes name, known already from the records read and the index."""
    owners = {m.record.id: m.record.owner for o in outcomes for m in o.matches}
    for rid in (rid for o in outcomes for rid in o.notified):
        entry = index.entry(rid)
        if entry is not None and isinstance(entry.tag, Tag):
            owners[rid] = entry.tag.reach.owner
    return owners


def _found(records: dict[str, Record], match: Match) -> FoundMatch:
    return FoundMatch(records[match.entity_id], match.score, match.explanation)


def search(
    node: Node, actor: Actor, query: MatchQuery, *, limit: int = 10, threshold: float = SEARCH_THRESHOLD
) -> SearchOutcome:
    """The best matches among what the actor may see, and the restricted hits the owners allow it to learn.

    One transaction: the matched records are read, the search audited and the owners notified together.
    """
    _check(limit, threshold)
    viewer = node.viewer(actor)
    with node.store.transaction() as tx:
        index = live_index(node, tx)
        result = index.search(query, _allowed(tx, viewer), limit=limit, threshold=threshold)
        outcome = _outcomes(tx, viewer, index, [result])[0]
        log(
            tx,
            node,
            actor,
            "search",
            [m.record.id for m in outcome.matches] + outcome.notified,
            query=" | ".join(query.names),
            detail={"returned": len(outcome.matches), "restricted_hits": outcome.restricted_owners},
            owners=_owners(index, [outcome]),
        )
        events.matched(tx, node, actor, "search", [" | ".join(query.names)], [outcome])
    return outcome


def screen(
    node: Node,
    actor: Actor,
    queries: Sequence[MatchQuery],
    *,
    source: str,
    limit: int = 10,
    threshold: float = SCREENING_THRESHOLD,
    progress: Callable[[int, int], Any] | None = None,
) -> list[SearchOutcome]:
    """Screen a batch (a manifest) on all cores; one outcome per query, in input order.

    The matching runs outside any transaction (a manifest may take a while); the matched records are then
    read, the screening audited and the owners notified in one.
    """
    _check(limit, threshold)
    viewer = node.viewer(actor)
    with node.store.transaction() as tx:
        index = live_index(node, tx)
        allowed = _allowed(tx, viewer)
    results = screen_many(index, queries, allowed, limit=limit, threshold=threshold, progress=progress)
    with node.store.transaction() as tx:
        outcomes = _outcomes(tx, viewer, index, results)
        ids = list(dict.fromkeys(i for o in outcomes for i in [*(m.record.id for m in o.matches), *o.notified]))
        log(
            tx,
            node,
            actor,
            "screen",
            ids,
            query=source,
            detail={"rows": len(queries), "rows_with_matches": sum(1 for o in outcomes if o.matches)},
            owners=_owners(index, outcomes),
        )
        events.matched(tx, node, actor, "screen", [" | ".join(q.names) for q in queries], outcomes, source=source)
    return outcomes
