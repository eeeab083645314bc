"""One query name against many candidate names at once, in compiled code (``_align.c``).

The rules are ``score.part_similarity`` and ``score.name_score``; what runs here is their batch form for the
index, where a query meets a few dozen names with a hundred distinct parts. Spellings are compared by one
rapidfuzz ``cdist``; the best spelling per pair of parts, the skeleton and shape terms and the greedy pairing
of parts then run in C over integer codes: each distinct skeleton and shape of the index's parts gets a
number (``PartCodes``), so that a query part and a candidate part share one when their numbers do.
Pairs of a Cyrillic part with a Latin one are then compared by ``score.learned_terms`` as before.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter
from typing import Any

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ictdb.matching import _align
from ictdb.matching.names import Part
from ictdb.matching.score import (
    EXTRA_PART_WEIGHT,
    MIN_PART_SIMILARITY,
    SHAPE_SIMILARITY,
    SKELETON_REACH,
    SKELETON_SIMILARITY,
    learned_terms,
)

JOINED_FLOOR = 0.8
"""Names whose letters, run together, are less alike than this are not compared that way at all."""
JOINED_SHARE = 0.8
"""The most a name can score by its letters run together: a spacing variant is never taken for the same
spelling, and a whole-string likeness is weaker evidence than parts that agree one by one."""
JOINED_LONGEST = 300
"""Run-together names longer than this (only hostile input: names are cut to 12 parts) are not compared."""

_Floats = np.ndarray[Any, np.dtype[np.float64]]
_Ints = np.ndarray[Any, np.dtype[np.int64]]


class PartCodes:
    """The index's parts by number: their spellings in one flat list, and numbers for their skeletons and
    shapes (``skeleton_codes``, ``shape_codes``), each kept as ragged arrays (starts per part number, then
    the values)."""

    def __init__(self) -> None:
        self.skeleton_codes: dict[str, int] = {}
        self.shape_codes: dict[str, int] = {}
        self.parts: list[Part] = []
        self.keys: list[str] = []
        self.key_starts: array[int] = array("i", [0])
        self.skeleton_starts: array[int] = array("i", [0])
        self.skeletons: array[int] = array("i")
        self.shape_starts: array[int] = array("i", [0])
        self.shapes: array[int] = array("i")
        self._scratch: _Ints = np.full(1024, -1, dtype=np.int64)

    def add(self, part: Part) -> None:
        """Number the next part: its spellings, its skeletons (those of two letters or more, as
        ``part_similarity`` compares them) and shapes."""
        self.parts.append(part)
        self.keys.extend(part.keys)
        self.key_starts.append(len(self.keys))
        for value in dict.fromkeys(part.skeletons):
            if len(value) >= 2:
                self.skeletons.append(self.skeleton_codes.setdefault(value, len(self.skeleton_codes)))
        self.skeleton_starts.append(len(self.skeletons))
        for value in part.shapes:
            self.shapes.append(self.shape_codes.setdefault(value, len(self.shape_codes)))
        self.shape_starts.append(len(self.shapes))

    def gather(
        self, name_ids: _Ints, name_starts: array[int], name_parts: array[int]
    ) -> tuple[_Ints, _Ints, Candidates]:
        """The parts of a batch of names (given as the index's ragged array of part numbers per name id) as
        (each name's start in the columns, the columns of its parts in order, the distinct parts)."""
        if len(self._scratch) < len(self.parts):
            self._scratch = np.full(2 * len(self.parts), -1, dtype=np.int64)
        scratch = self._scratch[: len(self.parts)]
        starts, columns, numbers, key_starts, parts, keys = _align.gather(
            name_ids, name_starts, name_parts, self.key_starts, scratch, self.parts, self.keys
        )
        return (
            np.frombuffer(starts, dtype=np.int64),
            np.frombuffer(columns, dtype=np.int64),
            Candidates(np.frombuffer(numbers, dtype=np.int64), parts, keys, np.frombuffer(key_starts, dtype=np.int64)),
        )


class Tally:
    """Ranks names by the blocking keys they share with a query, in compiled code, with one accumulator
    per name id kept between queries (the compiled call holds the interpreter lock, so threads that search
    at once never see each other's counts)."""

    def __init__(self) -> None:
        self._scratch: _Floats = np.zeros(1024, dtype=np.float64)

    def rank(
        self,
        keys: Iterable[str],
        postings: dict[str, array[int]],
        names: int,
        size: int,
        keep: int,
        cap: int,
        budget: int,
    ) -> _Ints | None:
        """Name ids by the query ``keys`` they share, each key weighing log1p(cap / its posting's length): the
        best ``size``, most shared first (ties to the lower id), or all of them by id when there are no more
        than ``keep``. Postings of more than ``cap`` names are left out, and of the rest, shortest first, those
        after the running total of names passes ``budget``. None when every posting found is too long."""
        if len(self._scratch) < names:
            self._scratch = np.zeros(2 * names, dtype=np.float64)
        ranked = _align.rank_postings(keys, postings, self._scratch[:names], size, keep, cap, budget)
        return None if ranked is None else np.frombuffer(ranked, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class Candidates:
    """The distinct parts of a batch of candidate names: their part numbers, parts and spellings."""

    numbers: _Ints
    parts: list[Part]
    keys: list[str]
    key_starts: _Ints


_KEYS = attrgetter("keys")


def part_matrix(query: Sequence[Part], candidates: Candidates, codes: PartCodes) -> _Floats:
    """``score.part_similarity`` of every query part with every candidate part, as a (query, candidate) array."""
    query = tuple(query)
    query_keys = list(chain.from_iterable(map(_KEYS, query)))
    raw = process.cdist(query_keys, candidates.keys, scorer=Levenshtein.normalized_similarity, dtype=np.float64)
    out = np.empty((len(query), len(candidates.parts)), dtype=np.float64)
    # the query's skeletons and shapes are numbered as the index's are; one that no indexed part has gets
    # no number (it can agree with no candidate)
    _align.part_matrix(
        raw,
        query,
        codes.skeleton_codes,
        codes.shape_codes,
        candidates.key_starts,
        candidates.numbers,
        codes.skeleton_starts,
        codes.skeletons,
        codes.shape_starts,
        codes.shapes,
        out,
        SKELETON_SIMILARITY,
        SKELETON_REACH,
        SHAPE_SIMILARITY,
    )
    return learned_terms(out, query, candidates.parts)


def joined(parts: Sequence[Part]) -> str:
    """A name's parts' primary spellings run together, in written order."""
    return "".join(part.key for part in parts)


def joined_scores(queries: list[str], spellings: list[str], name_ids: Sequence[int] | _Ints) -> _Floats:
    """Names compared as their letters run together (``joined``), for names spaced differently: Hamidreza
    and Hamid Reza, Malekouti Pour and Malakotipour, whose parts pair badly or not at all.

    Returns a (query, name) array: the edit-distance similarity of the run-together spellings, above
    ``JOINED_FLOOR`` scaled to at most ``JOINED_SHARE``, and 0 below it.
    """
    ids = np.ascontiguousarray(name_ids, dtype=np.int64)
    raw = _align.joined_scores(queries, spellings, ids, JOINED_FLOOR, JOINED_SHARE, JOINED_LONGEST)
    return np.frombuffer(raw, dtype=np.float64).reshape(len(queries), len(name_ids))


@dataclass(frozen=True, slots=True)
class Alignment:
    """Each candidate name's score against one query name, and the part pairs that gave it."""

    scores: _Floats
    pairs: list[tuple[tuple[int, int, float], ...]]

    def pairs_of(self, row: int) -> tuple[tuple[int, int, float], ...]:
        """(query part, the name's part, similarity) of each pair of one name, in the order they were paired."""
        return self.pairs[row]


def align(
    similarity: _Floats, name_starts: _Ints, columns: _Ints, weights: _Floats, query_weights: _Floats
) -> Alignment:
    """``score.name_score`` of one query name against many candidate names.

    ``similarity`` is (query part, candidate part); name ``n``'s parts are the candidate parts
    ``columns[name_starts[n]:name_starts[n + 1]]``, in the name's order, each weighing ``weights[column]``.
    """
    scores = np.empty(len(name_starts) - 1, dtype=np.float64)
    pairs = _align.align(
        np.ascontiguousarray(similarity, dtype=np.float64),
        name_starts,
        columns,
        weights,
        query_weights,
        scores,
        MIN_PART_SIMILARITY,
        EXTRA_PART_WEIGHT,
    )
    return Alignment(scores, pairs)
