"""The in-memory name index: blocking keys over every name of every record, search with visibility tags.

Each name is analyzed once when its record is added. Its parts' loose-key prefixes and consonant
skeletons go into an inverted index of integer name ids. A query collects the postings of its own keys,
ranks names by how many rare keys they share, and scores the best few hundred in full.

The index knows nothing of agencies: each entry carries an opaque ``tag`` from the caller, and a search
asks the caller's ``allowed`` function once per distinct tag among the candidates. Entries whose tag is
not allowed never reach ``SearchResult.matches``; those that score at or above the threshold are listed
in ``SearchResult.restricted`` for the caller's hit policy.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ictdb.matching.names import Part, analyze
from ictdb.matching.phonetic import loose
from ictdb.matching.score import (
    BIRTH_EXACT,
    BIRTH_FAR,
    DOCUMENT_AGREE,
    GENDER_CONFLICT,
    NATIONALITY_AGREE,
    NATIONALITY_CONFLICT,
    birth_date_feature,
    document_feature,
    gender_feature,
    name_score,
    nationality_feature,
    part_weight,
)
from ictdb.model.dates import FuzzyDate
from ictdb.model.errors import ValidationError
from ictdb.model.records import Name

PREFIX = 4
"""Characters of a loose key used as its blocking key: long enough to be selective, short enough for typos."""
CANDIDATES = 60
"""Names scored in full per query: the best by shared blocking keys."""
MAX_POSTING_SHARE = 0.05
"""A blocking key held by more than this share of names is used only when the query has nothing rarer."""
MAX_QUERY_NAMES = 10
INITIAL_WEIGHT = 0.25
"""An initial (a part of one letter) identifies about a quarter of what a whole name part does."""


@dataclass(frozen=True, slots=True)
class MatchEntry:
    """A person or organization as the index holds it."""

    entity_id: str
    schema: str
    names: tuple[Name, ...]
    birth_dates: tuple[FuzzyDate, ...] = ()
    nationalities: tuple[str, ...] = ()
    gender: str | None = None
    documents: tuple[str, ...] = ()
    caption: str = ""
    tag: Hashable = None


@dataclass(frozen=True, slots=True)
class MatchQuery:
    """What is searched or screened: one or more names and, if known, identifying details."""

    names: tuple[str, ...]
    birth_date: str | None = None
    nationality: str | None = None
    gender: str | None = None
    document_number: str | None = None
    schema: str | None = None

    def __post_init__(self) -> None:
        if not self.names:
            raise ValidationError("a query needs at least one name")


@dataclass(frozen=True, slots=True)
class Match:
    entity_id: str
    score: float
    caption: str
    explanation: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SearchResult:
    matches: tuple[Match, ...] = ()
    restricted: tuple[tuple[str, float], ...] = ()


def normalize_gender(value: str | None) -> str | None:
    """``male``/``female`` from the spellings forms use (M, F, Male, female); None when unknown."""
    if not value:
        return None
    text = value.strip().casefold()
    if text in {"m", "male", "man"}:
        return "male"
    if text in {"f", "female", "woman"}:
        return "female"
    return None


def _parse_date(value: str | None) -> FuzzyDate | None:
    if not value:
        return None
    try:
        return FuzzyDate.parse(value)
    except ValidationError:
        return None


def blocking_keys(parts: Iterable[Part]) -> set[str]:
    """The inverted-index keys of a name: each spelling's prefix and each consonant skeleton."""
    keys: set[str] = set()
    for part in parts:
        for key in part.keys:
            keys.add("p" + key[:PREFIX])
            if len(key) > PREFIX + 1:
                keys.add("e" + key[-PREFIX:])  # a different first letter (Qaddafi, Gaddafi) still shares the end
        for skeleton in part.skeletons:
            if len(skeleton) >= 2:
                keys.add("s" + skeleton.lower())
        for spelling, _ in part.weighted:
            key = loose(spelling)
            keys.add("p" + key[:PREFIX])
            if len(key) > PREFIX + 1:
                keys.add("e" + key[-PREFIX:])
    return keys


_Best = tuple[float, str, int, Any]
"""A name score, the query name it is for, the matched name's id and the part alignment."""


def _feature_bounds(prepared: _Prepared) -> tuple[float, float]:
    """The most that the query's identifying details can add to, and take from, a name score."""
    rise = fall = 0.0
    if prepared.birth_date is not None:
        rise += BIRTH_EXACT
        fall += BIRTH_FAR
    if prepared.nationality:
        rise += NATIONALITY_AGREE
        fall += NATIONALITY_CONFLICT
    if prepared.gender:
        fall += GENDER_CONFLICT
    if prepared.document:
        rise += DOCUMENT_AGREE
    return rise, fall


@dataclass(slots=True)
class _Prepared:
    """A query analyzed once: its names' parts and the parsed identifying details."""

    names: list[tuple[str, tuple[Part, ...]]]
    birth_date: FuzzyDate | None
    nationality: str | None
    gender: str | None
    document: str | None
    schema: str | None
    cache: dict[tuple[int, int], float] = field(default_factory=dict)
    weights: dict[int, float] = field(default_factory=dict)
    query_weights: dict[str, list[float]] = field(default_factory=dict)


class NameIndex:
    """Names of people and organizations, searchable across scripts. Not thread-safe for writes."""

    def __init__(self) -> None:
        self._entries: list[MatchEntry | None] = []
        self._slot: dict[str, int] = {}
        self._name_entry: array[int] = array("i")
        self._name_parts: list[tuple[Part, ...]] = []
        self._name_text: list[str] = []
        self._entry_names: list[tuple[int, ...]] = []
        self._live_names = 0
        self._postings: dict[str, array[int]] = {}
        self._frequency: Counter[str] = Counter()
        self._weights: dict[Part, float] = {}
        """Part weights as of the current frequencies; emptied whenever an entry comes or goes."""

    def __len__(self) -> int:
        return len(self._slot)

    @property
    def name_count(self) -> int:
        """Names of live entries indexed."""
        return self._live_names

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self._slot

    def add(self, entry: MatchEntry) -> None:
        """Index an entry, replacing any earlier version with the same id."""
        if entry.entity_id in self._slot:
            self.remove(entry.entity_id)
        if self._weights:
            self._weights.clear()
        slot = len(self._entries)
        self._entries.append(entry)
        self._slot[entry.entity_id] = slot
        ids: list[int] = []
        seen: set[tuple[Part, ...]] = set()
        for name in entry.names:
            parts = analyze(name.value)
            if not parts or parts in seen:
                continue
            seen.add(parts)
            name_id = len(self._name_parts)
            self._name_entry.append(slot)
            self._name_parts.append(parts)
            self._name_text.append(name.value)
            ids.append(name_id)
            for key in blocking_keys(parts):
                posting = self._postings.get(key)
                if posting is None:
                    posting = self._postings[key] = array("i")
                posting.append(name_id)
            for part in parts:
                self._frequency[part.key] += 1
        self._entry_names.append(tuple(ids))
        self._live_names += len(ids)

    def add_many(self, entries: Iterable[MatchEntry]) -> None:
        """Index many entries (start-up rebuild); analysis results are shared across names."""
        for entry in entries:
            self.add(entry)

    def remove(self, entity_id: str) -> None:
        """Forget an entry; unknown ids are ignored. Its postings are skipped until the next rebuild."""
        slot = self._slot.pop(entity_id, None)
        if slot is None:
            return
        self._weights.clear()
        self._entries[slot] = None
        for name_id in self._entry_names[slot]:
            for part in self._name_parts[name_id]:
                self._frequency[part.key] -= 1
        self._live_names -= len(self._entry_names[slot])

    def entry(self, entity_id: str) -> MatchEntry | None:
        slot = self._slot.get(entity_id)
        return None if slot is None else self._entries[slot]

    def weight(self, part: Part) -> float:
        cached = self._weights.get(part)
        if cached is not None:
            return cached
        weight = part_weight(self._frequency.get(part.key, 0), self._live_names)
        if len(part.text) == 1:
            weight *= INITIAL_WEIGHT
        self._weights[part] = weight
        return weight

    def _query_weight(self, part: Part) -> float:
        frequency = max((self._frequency.get(key, 0) for key in part.keys), default=0)
        weight = part_weight(frequency, self._live_names)
        return weight * INITIAL_WEIGHT if len(part.text) == 1 else weight

    def _candidate_names(self, parts_list: Sequence[tuple[Part, ...]]) -> np.ndarray[Any, np.dtype[np.int32]]:
        keys: set[str] = set()
        for parts in parts_list:
            keys |= blocking_keys(parts)
        postings = [posting for key in keys if (posting := self._postings.get(key))]
        if not postings:
            return np.empty(0, dtype=np.int32)
        cap = max(2000, int(MAX_POSTING_SHARE * len(self._name_parts)))
        usable = [posting for posting in postings if len(posting) <= cap]
        if not usable:
            postings.sort(key=len)
            first = np.frombuffer(postings[0], dtype=np.int32)
            if len(postings) > 1:
                first = np.intersect1d(first, np.frombuffer(postings[1], dtype=np.int32), assume_unique=False)
            return first[:CANDIDATES]
        arrays = [np.frombuffer(posting, dtype=np.int32) for posting in usable]
        weights = np.concatenate([np.full(len(posting), math.log1p(cap / len(posting))) for posting in usable])
        ids, inverse = np.unique(np.concatenate(arrays), return_inverse=True)
        totals = np.bincount(inverse, weights=weights)
        if len(ids) > CANDIDATES:
            best = np.argpartition(-totals, CANDIDATES)[:CANDIDATES]
            return ids[best]
        return ids

    def _prepare(self, query: MatchQuery) -> _Prepared:
        names = [(text, analyze(text)) for text in query.names[:MAX_QUERY_NAMES] if isinstance(text, str)]
        nationality = query.nationality.strip().upper() if query.nationality else None
        return _Prepared(
            names=[(text, parts) for text, parts in names if parts],
            birth_date=_parse_date(query.birth_date),
            nationality=nationality or None,
            gender=normalize_gender(query.gender),
            document=query.document_number,
            schema=query.schema,
        )

    def _best_name(self, prepared: _Prepared, name_ids: Iterable[int]) -> _Best:
        """The entry's name that best matches one of the query's names, and its name score."""
        best: _Best | None = None
        known = prepared.weights
        for text, parts in prepared.names:
            query_weights = prepared.query_weights.get(text)
            if query_weights is None:
                query_weights = prepared.query_weights[text] = [self._query_weight(part) for part in parts]
            for name_id in name_ids:
                candidate = self._name_parts[name_id]
                weights = []
                for part in candidate:
                    weight = known.get(id(part))
                    if weight is None:
                        weight = known[id(part)] = self.weight(part)
                    weights.append(weight)
                result = name_score(parts, query_weights, candidate, weights, prepared.cache)
                if best is None or result.score > best[0]:
                    best = (result.score, text, name_id, result)
        assert best is not None
        return best

    def _score_entry(self, prepared: _Prepared, entry: MatchEntry, best: _Best) -> Match:
        score, text, name_id, result = best
        candidate = self._name_parts[name_id]
        query_parts = dict(prepared.names)[text]
        explanation: dict[str, Any] = {
            "name": {
                "query": text,
                "matched": self._name_text[name_id],
                "score": round(score, 4),
                "parts": [
                    {"query": query_parts[i].text, "matched": candidate[j].text, "similarity": round(sim, 3)}
                    for i, j, sim in result.pairs
                ],
            }
        }
        features = {
            "birth_date": birth_date_feature(prepared.birth_date, entry.birth_dates),
            "nationality": nationality_feature(prepared.nationality, entry.nationalities),
            "gender": gender_feature(prepared.gender, normalize_gender(entry.gender)),
            "document": document_feature(prepared.document, entry.documents),
        }
        total = score
        for feature, outcome in features.items():
            if outcome is not None:
                total += outcome[0]
                explanation[feature] = outcome[1]
        total = min(1.0, max(0.0, total))
        return Match(entry.entity_id, round(total, 4), entry.caption, explanation)

    def search(
        self,
        query: MatchQuery,
        allowed: Callable[[Hashable], bool],
        limit: int = 10,
        threshold: float = 0.0,
    ) -> SearchResult:
        """The best allowed matches (at most ``limit``, score >= ``threshold``) and the restricted ones."""
        prepared = self._prepare(query)
        if not prepared.names or limit <= 0:
            return SearchResult()
        name_ids = self._candidate_names([parts for _, parts in prepared.names])
        by_entry: dict[int, list[int]] = {}
        for name_id in name_ids.tolist():
            slot = self._name_entry[name_id]
            entry = self._entries[slot]
            if entry is None or (prepared.schema and entry.schema != prepared.schema):
                continue
            by_entry.setdefault(slot, []).append(name_id)
        verdicts: dict[Hashable, bool] = {}
        scored: list[tuple[float, int, _Best, bool]] = []
        for slot, ids in by_entry.items():
            entry = self._entries[slot]
            assert entry is not None
            if entry.tag not in verdicts:
                verdicts[entry.tag] = bool(allowed(entry.tag))
            best = self._best_name(prepared, ids)
            scored.append((best[0], slot, best, verdicts[entry.tag]))
        # Explanations and identifying details cost more than names: only for entries that can still make it,
        # judged by the most the details could move a name score up or down.
        rise, fall = _feature_bounds(prepared)
        floors = sorted((score + fall for score, _, _, open_ in scored if open_), reverse=True)
        cut = max(threshold, floors[limit - 1] if len(floors) >= limit else -math.inf) - 1e-3
        matches: list[Match] = []
        restricted: list[tuple[str, float]] = []
        for score, slot, best, open_ in scored:
            if score + rise < (cut if open_ else threshold - 1e-3):
                continue
            entry = self._entries[slot]
            assert entry is not None
            match = self._score_entry(prepared, entry, best)
            if match.score < threshold:
                continue
            if open_:
                matches.append(match)
            else:
                restricted.append((entry.entity_id, match.score))
        matches.sort(key=lambda match: (-match.score, match.entity_id))
        restricted.sort(key=lambda hit: (-hit[1], hit[0]))
        return SearchResult(tuple(matches[:limit]), tuple(restricted))
