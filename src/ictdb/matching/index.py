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
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ictdb.matching.names import Part, analyze
from ictdb.matching.phonetic import loose
from ictdb.matching.score import (
    BIRTH_EXACT,
    BIRTH_FAR,
    DOCUMENT_AGREE,
    EXTRA_PART_WEIGHT,
    GENDER_CONFLICT,
    MIN_PART_SIMILARITY,
    NATIONALITY_AGREE,
    NATIONALITY_CONFLICT,
    birth_date_feature,
    document_feature,
    gender_feature,
    nationality_feature,
    part_weight,
    part_weights,
    similarity_matrix,
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


@dataclass(frozen=True, slots=True)
class _Best:
    """The best-matching name of an entry: its score, the query name, the matched name and the part pairs."""

    score: float
    text: str
    name_id: int
    pairs: tuple[tuple[int, int, float], ...]


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


_Features = dict[str, tuple[float, dict[str, Any]] | None]
_Ints = np.ndarray[Any, np.dtype[np.int64]]
_Floats = np.ndarray[Any, np.dtype[np.float64]]


class NameIndex:
    """Names of people and organizations, searchable across scripts. Not thread-safe for writes.

    Distinct name parts are numbered once; a name is held as the numbers of its parts (one flat array with
    offsets), so that a query compares each distinct candidate part once and aligns all candidate names
    together in arrays.
    """

    def __init__(self) -> None:
        self._entries: list[MatchEntry | None] = []
        self._slot: dict[str, int] = {}
        self._name_entry: array[int] = array("i")
        self._name_text: list[str] = []
        self._name_start: array[int] = array("i", [0])
        self._name_parts: array[int] = array("i")
        self._entry_names: list[tuple[int, ...]] = []
        self._part_id: dict[Part, int] = {}
        self._parts: list[Part] = []
        self._part_key: array[int] = array("i")
        self._part_initial: array[int] = array("b")
        self._key_id: dict[str, int] = {}
        self._key_frequency: array[int] = array("i")
        self._live_names = 0
        self._postings: dict[str, array[int]] = {}

    def __len__(self) -> int:
        return len(self._slot)

    @property
    def name_count(self) -> int:
        """Names of live entries indexed."""
        return self._live_names

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self._slot

    def _part_number(self, part: Part) -> int:
        number = self._part_id.get(part)
        if number is None:
            number = self._part_id[part] = len(self._parts)
            self._parts.append(part)
            key = self._key_id.get(part.key)
            if key is None:
                key = self._key_id[part.key] = len(self._key_frequency)
                self._key_frequency.append(0)
            self._part_key.append(key)
            self._part_initial.append(len(part.text) == 1)
        return number

    def add(self, entry: MatchEntry) -> None:
        """Index an entry, replacing any earlier version with the same id."""
        if entry.entity_id in self._slot:
            self.remove(entry.entity_id)
        slot = len(self._entries)
        self._entries.append(entry)
        self._slot[entry.entity_id] = slot
        ids: list[int] = []
        seen: set[tuple[Part, ...]] = set()
        frequency = self._key_frequency
        for name in entry.names:
            parts = analyze(name.value)
            if not parts or parts in seen:
                continue
            seen.add(parts)
            name_id = len(self._name_text)
            self._name_entry.append(slot)
            self._name_text.append(name.value)
            numbers = [self._part_number(part) for part in parts]
            self._name_parts.extend(numbers)
            self._name_start.append(len(self._name_parts))
            ids.append(name_id)
            for key in blocking_keys(parts):
                posting = self._postings.get(key)
                if posting is None:
                    posting = self._postings[key] = array("i")
                posting.append(name_id)
            for number in numbers:
                frequency[self._part_key[number]] += 1
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
        self._entries[slot] = None
        for name_id in self._entry_names[slot]:
            for number in self._numbers(name_id):
                self._key_frequency[self._part_key[number]] -= 1
        self._live_names -= len(self._entry_names[slot])

    def entry(self, entity_id: str) -> MatchEntry | None:
        slot = self._slot.get(entity_id)
        return None if slot is None else self._entries[slot]

    def _numbers(self, name_id: int) -> array[int]:
        return self._name_parts[self._name_start[name_id] : self._name_start[name_id + 1]]

    def _frequency(self, key: str) -> int:
        number = self._key_id.get(key)
        return 0 if number is None else self._key_frequency[number]

    def weight(self, part: Part) -> float:
        """How much a part identifies in this index: rarer parts weigh more, initials a quarter."""
        weight = part_weight(self._frequency(part.key), self._live_names)
        return weight * INITIAL_WEIGHT if len(part.text) == 1 else weight

    def _query_weight(self, part: Part) -> float:
        frequency = max((self._frequency(key) for key in part.keys), default=0)
        weight = part_weight(frequency, self._live_names)
        return weight * INITIAL_WEIGHT if len(part.text) == 1 else weight

    def _weights(self, numbers: _Ints) -> _Floats:
        """``weight`` of many part numbers at once."""
        keys = np.frombuffer(self._part_key, dtype=np.int32)[numbers]
        weights = part_weights(np.frombuffer(self._key_frequency, dtype=np.int32)[keys], self._live_names)
        initial = np.frombuffer(self._part_initial, dtype=np.int8)[numbers].astype(bool)
        weights[initial] *= INITIAL_WEIGHT
        return weights

    def _candidate_names(self, parts_list: Sequence[tuple[Part, ...]]) -> _Ints:
        keys: set[str] = set()
        for parts in parts_list:
            keys |= blocking_keys(parts)
        postings = [posting for key in keys if (posting := self._postings.get(key))]
        if not postings:
            return np.empty(0, dtype=np.int64)
        cap = max(2000, int(MAX_POSTING_SHARE * len(self._name_text)))
        usable = [posting for posting in postings if len(posting) <= cap]
        if not usable:
            postings.sort(key=len)
            first = np.frombuffer(postings[0], dtype=np.int32)
            if len(postings) > 1:
                first = np.intersect1d(first, np.frombuffer(postings[1], dtype=np.int32), assume_unique=False)
            return first[:CANDIDATES].astype(np.int64)
        lengths = np.array([len(posting) for posting in usable])
        weights = np.repeat(np.log1p(cap / lengths), lengths)
        ids, inverse = np.unique(
            np.concatenate([np.frombuffer(posting, dtype=np.int32) for posting in usable]), return_inverse=True
        )
        if len(ids) <= CANDIDATES:
            return ids.astype(np.int64)
        totals = np.bincount(inverse, weights=weights)
        return ids[np.argpartition(-totals, CANDIDATES)[:CANDIDATES]].astype(np.int64)

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

    def _best_names(self, prepared: _Prepared, name_ids: list[int]) -> list[_Best]:
        """For each candidate name, its best alignment with one of the query's names (the first on ties)."""
        count = len(name_ids)
        ids = np.array(name_ids, dtype=np.int64)
        starts = np.frombuffer(self._name_start, dtype=np.int32)
        first = starts[ids].astype(np.int64)
        lengths = starts[ids + 1] - first
        width = int(lengths.max())
        present = np.arange(width)[None, :] < lengths[:, None]
        flat = np.frombuffer(self._name_parts, dtype=np.int32)
        numbers = np.where(present, flat[np.minimum(first[:, None] + np.arange(width)[None, :], len(flat) - 1)], 0)
        distinct, columns = np.unique(numbers[present], return_inverse=True)
        place = np.zeros((count, width), dtype=np.int64)
        place[present] = columns
        candidates = [self._parts[number] for number in distinct.tolist()]
        weights = np.where(present, self._weights(numbers), 0.0)
        best: list[_Best | None] = [None] * count
        for text, parts in prepared.names:
            similarity = similarity_matrix(parts, candidates)[:, place]  # (query part, name, candidate part)
            query_weights = np.array([self._query_weight(part) for part in parts])
            scores, pairs = _align(similarity.transpose(1, 0, 2), present, query_weights, weights)
            for position, score in enumerate(scores.tolist()):
                if best[position] is None or score > best[position].score:  # type: ignore[union-attr]
                    best[position] = _Best(score, text, name_ids[position], pairs[position])
        return [item for item in best if item is not None]

    def _details(self, prepared: _Prepared, entry: MatchEntry, best: _Best) -> tuple[float, _Features]:
        """The entry's final score: its name score moved by the identifying details, clipped and rounded."""
        features = {
            "birth_date": birth_date_feature(prepared.birth_date, entry.birth_dates),
            "nationality": nationality_feature(prepared.nationality, entry.nationalities),
            "gender": gender_feature(prepared.gender, normalize_gender(entry.gender)),
            "document": document_feature(prepared.document, entry.documents),
        }
        total = best.score
        for outcome in features.values():
            if outcome is not None:
                total += outcome[0]
        return round(min(1.0, max(0.0, total)), 4), features

    def _match(self, prepared: _Prepared, entry: MatchEntry, best: _Best, score: float, features: _Features) -> Match:
        candidate = [self._parts[number] for number in self._numbers(best.name_id)]
        query_parts = dict(prepared.names)[best.text]
        explanation: dict[str, Any] = {
            "name": {
                "query": best.text,
                "matched": self._name_text[best.name_id],
                "score": round(best.score, 4),
                "parts": [
                    {"query": query_parts[i].text, "matched": candidate[j].text, "similarity": round(sim, 3)}
                    for i, j, sim in best.pairs
                ],
            }
        }
        for feature, outcome in features.items():
            if outcome is not None:
                explanation[feature] = outcome[1]
        return Match(entry.entity_id, score, entry.caption, explanation)

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
        name_ids: list[int] = []
        for name_id in self._candidate_names([parts for _, parts in prepared.names]).tolist():
            entry = self._entries[self._name_entry[name_id]]
            if entry is not None and not (prepared.schema and entry.schema != prepared.schema):
                name_ids.append(name_id)
        if not name_ids:
            return SearchResult()
        by_entry: dict[int, _Best] = {}
        for best in self._best_names(prepared, name_ids):
            slot = self._name_entry[best.name_id]
            known = by_entry.get(slot)
            if known is None or best.score > known.score:
                by_entry[slot] = best
        verdicts: dict[Hashable, bool] = {}
        scored: list[tuple[float, int, _Best, bool]] = []
        for slot, best in by_entry.items():
            entry = self._entries[slot]
            assert entry is not None
            if entry.tag not in verdicts:
                verdicts[entry.tag] = bool(allowed(entry.tag))
            scored.append((best.score, slot, best, verdicts[entry.tag]))
        # Explanations and identifying details cost more than names: only for entries that can still make it,
        # judged by the most the details could move a name score up or down.
        rise, fall = _feature_bounds(prepared)
        floors = sorted((score + fall for score, _, _, open_ in scored if open_), reverse=True)
        cut = max(threshold, floors[limit - 1] if len(floors) >= limit else -math.inf) - 1e-3
        found: list[tuple[float, str, MatchEntry, _Best, _Features]] = []
        restricted: list[tuple[str, float]] = []
        for score, slot, best, open_ in scored:
            if score + rise < (cut if open_ else threshold - 1e-3):
                continue
            entry = self._entries[slot]
            assert entry is not None
            total, features = self._details(prepared, entry, best)
            if total < threshold:
                continue
            if open_:
                found.append((-total, entry.entity_id, entry, best, features))
            else:
                restricted.append((entry.entity_id, total))
        # explanations only for what is returned
        found.sort(key=lambda item: (item[0], item[1]))
        matches = tuple(
            self._match(prepared, entry, best, -total, features) for total, _, entry, best, features in found[:limit]
        )
        restricted.sort(key=lambda hit: (-hit[1], hit[0]))
        return SearchResult(matches, tuple(restricted))


def _align(
    similarity: _Floats, present: np.ndarray[Any, np.dtype[np.bool_]], query_weights: _Floats, weights: _Floats
) -> tuple[_Floats, list[tuple[tuple[int, int, float], ...]]]:
    """``score.name_score`` of one query name against many candidate names at once.

    ``similarity`` is (name, query part, candidate part); ``present`` and ``weights`` are (name, candidate
    part). Parts are paired greedily, most similar first, ties to the later query part and then the later
    candidate part, as ``name_score`` does.
    """
    count, size, width = similarity.shape
    open_ = np.where(present[:, None, :] & (similarity >= MIN_PART_SIMILARITY), similarity, -1.0)
    flipped = np.ascontiguousarray(open_[:, ::-1, ::-1])  # argmax takes the first maximum: flip for the last
    view = flipped.reshape(count, size * width)
    rows = np.arange(count)
    used_query = np.zeros((count, size), dtype=bool)
    used_candidate = np.zeros((count, width), dtype=bool)
    earned = np.zeros(count)
    matched = np.zeros(count)
    steps: list[tuple[_Ints, _Ints, _Ints, _Floats]] = []
    for _ in range(min(size, width)):
        where = view.argmax(axis=1)
        value = view[rows, where]
        ok = value >= 0.0
        if not ok.any():
            break
        hit = rows[ok]
        flip_i, flip_j = where[ok] // width, where[ok] % width
        i, j = size - 1 - flip_i, width - 1 - flip_j
        steps.append((hit, i, j, value[ok]))
        flipped[hit, flip_i, :] = -1.0
        flipped[hit, :, flip_j] = -1.0
        used_query[hit, i] = True
        used_candidate[hit, j] = True
        weight = weights[hit, j]
        earned[hit] += 2 * weight * (value[ok] - MIN_PART_SIMILARITY) / (1.0 - MIN_PART_SIMILARITY)
        matched[hit] += 2 * weight
    missing_query = (query_weights[None, :] * ~used_query).sum(axis=1)
    missing_candidate = (weights * (present & ~used_candidate)).sum(axis=1)
    total = matched + missing_query + EXTRA_PART_WEIGHT * missing_candidate
    scores = np.divide(earned, total, out=np.zeros(count), where=total > 0)
    pairs: list[list[tuple[int, int, float]]] = [[] for _ in range(count)]
    for hit, i, j, value in steps:
        for name, left, right, sim in zip(hit.tolist(), i.tolist(), j.tolist(), value.tolist(), strict=True):
            pairs[name].append((left, right, sim))
    return scores, [tuple(found) for found in pairs]
