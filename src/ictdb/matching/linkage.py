"""Clusters from scored pairs that do not chain: strongest links first, merges refused on conflict or weak support.

Connected components of pairs above one threshold chain: A is like B, B is like C, and soon a hundred
records on different people hang together by one link each. Here pairs are merged strongest first, and a
merge of two groups is refused when

* a not-same judgement joins a record of one group to a record of the other (the analyst's veto);
* the groups' birth years are further apart than ``MAX_YEAR_SPREAD`` (known dates that cannot be one man's);
* the groups are weakly connected: the mean match probability over every record pair across them (a pair
  not scored counting as 0) is below ``SUPPORT`` (average linkage; a lone link between two groups is not
  enough).

Refused merges are simply not made; each record stays in the group it joined first, which, links being taken
strongest first, is its likeliest one. The result depends only on the pairs, so reruns give the same clusters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from ictdb.model.resolution import Pair

MAX_YEAR_SPREAD = 100
"""Birth years further apart than this cannot be one person's. Generous on purpose: mistyped years (1852 for
1842, 1810 for 1801) are common in real holdings, and a tighter bound (5, 30) lost more true links than false
ones on the tuning half of the resolution benchmark."""
SUPPORT = 0.07
"""The mean match probability over the cross pairs of two groups needed for them to merge (tuned, see
docs/resolution.md)."""


_NONE: dict[str, float] = {}


class Edge(NamedTuple):
    """A scored pair (a tuple: batch runs make hundreds of thousands)."""

    left: str
    right: str
    probability: float


@dataclass(slots=True)
class _Group:
    members: set[str]
    low: int | None
    high: int | None


def _spread(a: _Group, b: _Group) -> int:
    lows = [y for y in (a.low, b.low) if y is not None]
    highs = [y for y in (a.high, b.high) if y is not None]
    return max(highs) - min(lows) if lows and highs else 0


def link(
    edges: Iterable[Edge],
    years: Mapping[str, int],
    not_same: Iterable[Pair] = (),
    *,
    support: Iterable[Edge] | None = None,
    min_support: float = SUPPORT,
    max_year_spread: int = MAX_YEAR_SPREAD,
) -> list[tuple[str, ...]]:
    """Clusters of two or more records, each sorted, from ``edges`` (the links) merged strongest first.

    ``support``: the scored pairs counted when judging whether two groups are linked enough (default: the
    edges themselves); ``years``: each record's birth year where known.
    """
    ordered = sorted(edges, key=lambda e: (-e.probability, e.left, e.right))
    neighbours: dict[str, dict[str, float]] = {}
    for edge in ordered if support is None else support:
        neighbours.setdefault(edge.left, {})[edge.right] = edge.probability
        neighbours.setdefault(edge.right, {})[edge.left] = edge.probability
    vetoes: dict[str, set[str]] = {}
    for pair in not_same:
        vetoes.setdefault(pair.left, set()).add(pair.right)
        vetoes.setdefault(pair.right, set()).add(pair.left)
    group_of: dict[str, _Group] = {}

    def group(record: str) -> _Group:
        found = group_of.get(record)
        if found is None:
            year = years.get(record)
            found = group_of[record] = _Group({record}, year, year)
        return found

    for edge in ordered:
        a, b = group(edge.left), group(edge.right)
        if a is b:
            continue
        small, large = (a, b) if len(a.members) <= len(b.members) else (b, a)
        inside = large.members
        if vetoes and any(not vetoes[m].isdisjoint(inside) for m in small.members if m in vetoes):
            continue
        if _spread(a, b) > max_year_spread:
            continue
        needed = min_support * len(small.members) * len(large.members)
        if (
            needed > 0
            and sum(p for m in small.members for o, p in neighbours.get(m, _NONE).items() if o in inside) < needed
        ):
            continue
        large.members.update(small.members)
        lows = [y for y in (a.low, b.low) if y is not None]
        highs = [y for y in (a.high, b.high) if y is not None]
        large.low, large.high = (min(lows), max(highs)) if lows else (None, None)
        for member in small.members:
            group_of[member] = large
    unique = {id(g): g for g in group_of.values()}
    return sorted(tuple(sorted(g.members)) for g in unique.values() if len(g.members) > 1)
