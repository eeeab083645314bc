"""The matcher's index of every person and group on the node, kept current with the store.

Built from the store on first use and refreshed before each search from the records written since
(deleted ones are removed). Each entry carries its record's reach (owner, distribution, audience,
review date) and hit policy as the index's opaque tag, so candidates a searcher may not see are
set aside before scoring.
"""

from __future__ import annotations

import gc
import threading
from dataclasses import dataclass

from ictdb.matching import MatchEntry, NameIndex
from ictdb.model.records import Organization, Person
from ictdb.model.vocab import HitPolicy
from ictdb.policy.visibility import Reach, reach_of
from ictdb.services.catch_up import CatchUp, Changes
from ictdb.services.node import Node
from ictdb.storage.records import Stored
from ictdb.storage.store import Tx


@dataclass(frozen=True, slots=True)
class Tag:
    reach: Reach
    hit_policy: HitPolicy


def entry_of(stored: Stored) -> MatchEntry | None:
    record = stored.record
    body = record.body
    if not isinstance(body, (Person, Organization)):
        return None
    tag = Tag(reach_of(record.envelope, stored.audience), record.envelope.hit_policy)
    if isinstance(body, Person):
        return MatchEntry(
            entity_id=record.id,
            schema="Person",
            names=tuple(body.names),
            birth_dates=tuple(body.birth_dates),
            nationalities=tuple(body.nationalities),
            gender=body.gender.value if body.gender else None,
            documents=tuple(d.number for d in body.documents),
            caption=record.caption(),
            tag=tag,
        )
    return MatchEntry(
        entity_id=record.id, schema="Organization", names=tuple(body.names), caption=record.caption(), tag=tag
    )


FREEZE_FROM = 20_000
"""Index entries from which the objects built at start-up are set aside from the cyclic garbage collector."""


def _settle_long_lived() -> None:
    # The index of a large node is millions of objects that live as long as the process. Python's collector
    # walked them all in every full collection: on a node of 100,000 persons, a pause of 1.5 s in the middle
    # of serving requests. Collected once now, then frozen, they are never walked again; objects made later
    # are collected as usual.
    gc.collect()
    gc.freeze()


class LiveIndex:
    """The index, kept in step with the store (see ``CatchUp``)."""

    def __init__(self) -> None:
        self.index = NameIndex()
        self.position = CatchUp()
        self.lock = threading.Lock()
        self.built = False

    def refresh(self, tx: Tx) -> NameIndex:
        with self.lock:
            self.position.read(tx, self._apply)
            self.built = True
            return self.index

    def _apply(self, changes: Changes, first: bool) -> None:
        if first:
            self.index.add_many([e for stored, deleted in changes if not deleted and (e := entry_of(stored))])
            if len(self.index) >= FREEZE_FROM:
                _settle_long_lived()
            return
        for stored, deleted in changes:
            if stored.record.id in self.index:
                self.index.remove(stored.record.id)
            entry = None if deleted else entry_of(stored)
            if entry is not None:
                self.index.add(entry)


def index_built(node: Node) -> bool:
    """Whether this process has built the node's index yet: the first search builds it, which takes seconds
    on a large node (26 s for 100,000 persons), where a search takes a millisecond or two."""
    cache: LiveIndex | None = node.caches.get("name_index")
    return cache is not None and cache.built


def live_index(node: Node, tx: Tx | None = None) -> NameIndex:
    """The node's index, brought up to date in ``tx`` (a search reads it in its own transaction, so that the
    index and the records it reads back agree) or in a transaction of its own."""
    cache: LiveIndex | None = node.caches.get("name_index")
    if cache is None:
        cache = node.caches["name_index"] = LiveIndex()
    if tx is not None:
        return cache.refresh(tx)
    with node.store.transaction() as own:
        return cache.refresh(own)
