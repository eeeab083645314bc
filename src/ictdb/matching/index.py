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

import re
from array import array
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from operator import itemgetter
from typing import Any, NamedTuple

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from ictdb.matching import _align, cyrillic
from ictdb.matching.alignment import Alignment, PartCodes, Tally, align, joined, joined_scores, part_matrix
from ictdb.matching.names import Part, analyze
from ictdb.matching.phonetic import loose, skeleton, sound_classes
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
    nationality_feature,
    part_weight,
    part_weights,
    query_strength,
)
from ictdb.model.dates import FuzzyDate
from ictdb.model.errors import ValidationError
from ictdb.model.records import Name

PREFIX = 4
"""Characters of a loose key used as its blocking key: long enough to be selective, short enough for typos."""
CANDIDATES = 20
"""Names scored in full per query. Twenty find what thirty did on the Arabic, Latin-variant and Cyrillic
benchmark tasks (the same recall@1 and @10), in about a fifth less time."""
SHORTLIST = 90
"""Names ranked by shared blocking keys, of which ``CANDIDATES`` go on to full scoring."""
SHORTLIST_ONE_PART = 400
CANDIDATES_ONE_PART = 60
"""The same for a query of one part, whose few keys rank names poorly: more are compared in spelling and
scored in full (one part against one part is cheap)."""
KEEP_BY_KEYS = 12
"""Of the full-scoring candidates, this many are the best by shared keys; the rest the most alike in spelling."""
SPELLING_VARIANTS = 3
"""Spellings of a query name (its parts' first, second, third keys) compared with the shortlist; every
spelling of a one-part name."""
MAX_POSTING_SHARE = 0.05
"""A blocking key held by more than this share of names is used only when the query has nothing rarer."""
POSTING_BUDGET = 10_000
"""Name ids read per query at most, rarest keys first: on a large index the common keys' postings are long."""
MIN_NEAR_CLASSES = 3
"""Consonant classes this long or longer are also indexed with one class left out (``_near_sound_keys``):
shorter ones would leave one class or none, which nearly every name shares."""
NEAR_NAMES = 2000
"""Names one consonant class apart that a query with few candidates adds, at most, for the shortlist to
choose from: the keys one class apart are broad, and the right name is seldom among the first few."""
MAX_QUERY_NAMES = 10
QUERY_WEIGHTS_KEPT = 65_536
"""Query parts whose weight is kept until the index changes (parts recur from query to query)."""
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


class Match(NamedTuple):
    # A named tuple, not a frozen dataclass: both are immutable, and a search makes ten of these, which a
    # frozen dataclass builds field by field through object.__setattr__ at three times the cost.
    entity_id: str
    score: float
    caption: str
    explanation: dict[str, Any]


_new_match = partial(tuple.__new__, Match)
"""``Match`` from a tuple of its fields, without the Python frame of the named tuple's ``__new__``."""


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
        keys |= _part_blocking_keys(part)
    return keys


@lru_cache(maxsize=16384)
def _part_blocking_keys(part: Part) -> frozenset[str]:
    """``blocking_keys`` of one part; parts recur across names and queries, so they are worked out once."""
    keys: set[str] = set()
    for key in (*part.keys, *(loose(spelling) for spelling, _ in part.weighted)):
        keys.add("p" + key[:PREFIX])
        if len(key) >= PREFIX:
            keys.add("e" + key[-PREFIX:])  # a different start (Qaddafi, Gaddafi; Azhar, Mazhar) still shares the end
    for value in part.skeletons:
        if len(value) >= 2:
            keys.add("s" + value.lower())
    for key in part.keys:
        if "h" in key:
            bare = skeleton(_SILENT_H.sub("", key))
            if len(bare) >= 2:
                keys.add("s" + bare.lower())
    return frozenset(keys)


def _indexed_keys(parts: Iterable[Part]) -> set[str]:
    """A name's keys in the index: ``blocking_keys`` and each part's broad consonant classes."""
    keys = blocking_keys(parts)
    for part in parts:
        for classes in _sound_keys(part.text):
            keys.add("c" + classes)
            keys |= _near_sound_keys(classes)
    return keys


@lru_cache(maxsize=65536)
def _near_sound_keys(classes: str) -> frozenset[str]:
    """Keys of consonant classes whole and with any one class left out: two spellings one consonant apart
    (Undset and Унсет's unset) share one of them."""
    if len(classes) < MIN_NEAR_CLASSES:
        return frozenset()
    return frozenset({"d" + classes} | {"d" + classes[:i] + classes[i + 1 :] for i in range(len(classes))})


@lru_cache(maxsize=16384)
def _sound_keys(text: str) -> tuple[str, ...]:
    """The broad consonant classes of an indexed spelling; with a ``j`` (not ``dj``) also read as ``y``, as
    German, Scandinavian and Slavic names write it (Demjen, Демьен; Birjuk, Бирюк), and with a ``ch`` or
    ``gh`` also read as ``h``: the Hebrew and German ch is Russian х, which Latin spellings of it mostly
    write h (Avichai, Авихай), and the English gh is often silent (Connaughton, Коннотон)."""
    found = [sound_classes(text)]
    if "j" in text:
        found.append(sound_classes(_J_AS_Y.sub("y", text)))
    if "ch" in text or "gh" in text:
        found.append(sound_classes(_CH_GH_AS_H.sub("h", text)))
    return tuple(dict.fromkeys(classes for classes in found if classes))


_J_AS_Y = re.compile(r"(?<!d)j")
_CH_GH_AS_H = re.compile(r"(?<![sct])[cg]h")


def _query_keys(parts: Iterable[Part]) -> set[str]:
    """The keys a query name looks up: ``blocking_keys``, and for a part written in Cyrillic the broad
    consonant classes of every Latin name it may stand for (``phonetic.sound_classes``; the less likely
    spellings too, as Мехтизаде for Mehdizade, most of them share their classes). A Latin or Arabic query
    does without them: its spellings keep their consonants, and the extra postings would cost a tenth of its
    time."""
    keys = blocking_keys(parts)
    for part in parts:
        if part.weighted:
            keys |= _learned_sound_keys(part)
    return keys


@lru_cache(maxsize=16384)
def _learned_sound_keys(part: Part) -> frozenset[str]:
    return frozenset("c" + classes for spelling, _ in part.weighted if (classes := sound_classes(spelling)))


_SILENT_H = re.compile(r"(?<=[aeiou])h(?![aeiou])")
"""An h after a vowel that no vowel follows, often unwritten in another script's rendering (Fehrman and
Ферман, Ihnat and Инат, Kohde and Коде): names that differ in it share a blocking key, not a similarity."""


_Features = dict[str, tuple[float, dict[str, Any]] | None]
_Ints = np.ndarray[Any, np.dtype[np.int64]]
_Floats = np.ndarray[Any, np.dtype[np.float64]]


def _copy(values: array[int], dtype: type[np.int32] | type[np.int8]) -> np.ndarray[Any, Any]:
    """A numpy copy of one of the index's arrays, made without exporting its buffer to numpy.

    An array whose buffer is exported cannot grow, and another thread's ``add`` appends to these; numpy, given
    the array itself, may hold an export past the call (seen as a BufferError in the adding thread)."""
    return np.frombuffer(values.tobytes(), dtype=dtype)


def _rarity(sizes: list[int], cap: int) -> _Floats:
    """What sharing a key is worth, by its posting's length: the rarer the key, the more. ``_align.rank_postings``
    weighs the postings of a query's own keys by the same formula."""
    return np.log1p(cap / np.array(sizes, dtype=np.float64))


class _Named(NamedTuple):
    """How a search's candidate names scored, by position: the name, the query name that gave its best score,
    each query name's alignment (whose rows are the positions) and whether the letters run together gave it.
    Read only for the entries returned, through their best name's position."""

    name_ids: list[int]
    chosen: list[int]
    steps: list[Alignment]
    run_together: list[bool]


def _score(value: float) -> float:
    """``round(value, 4)`` clipped to [0, 1], without the exact decimal conversion of ``round`` (the two can
    differ only where the fifth decimal is a 5 to within the last bit): a search makes about twenty scores,
    and ``round`` with ``min`` and ``max`` took about a twentieth of its time. Part similarities in the
    explanations are rounded to thousandths the same way (``_align.explain_pairs``)."""
    if value <= 0.0:
        return 0.0
    if value >= 1.0:
        return 1.0
    return int(value * 10000.0 + 0.5) / 10000.0


_Found = tuple[float, float, str, MatchEntry, int, _Features]
"""A match before its explanation: minus its score, minus its unrounded name score, its id, its entry, its
best name's position among the candidates (``_Named``), its details."""

_NO_FEATURES: _Features = {}
"""The details of a query that has none (never written to)."""

_by_score = itemgetter(0, 1)
"""Best first: the score, then the unrounded name score."""


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

    @property
    def has_details(self) -> bool:
        return self.birth_date is not None or bool(self.nationality or self.gender or self.document)


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
        self._name_spelling: list[str] = []
        self._name_joined: list[str] = []
        self._name_start: array[int] = array("i", [0])
        self._name_parts: array[int] = array("i")
        self._entry_names: list[tuple[int, ...]] = []
        self._part_id: dict[Part, int] = {}
        self._part_key: array[int] = array("i")
        self._part_initial: array[int] = array("b")
        self._codes = PartCodes()
        self._parts = self._codes.parts
        self._tally = Tally()
        self._key_id: dict[str, int] = {}
        self._key_frequency: array[int] = array("i")
        self._live_names = 0
        self._part_weights: _Floats | None = None
        self._query_weights: dict[Part, float] = {}
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
            key = self._key_id.get(part.key)
            if key is None:
                key = self._key_id[part.key] = len(self._key_frequency)
                self._key_frequency.append(0)
            self._part_key.append(key)
            self._part_initial.append(len(part.text) == 1)
            self._codes.add(part)
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
            self._name_spelling.append(" ".join(sorted(part.key for part in parts)))
            self._name_joined.append(joined(parts))
            numbers = [self._part_number(part) for part in parts]
            self._name_parts.extend(numbers)
            self._name_start.append(len(self._name_parts))
            ids.append(name_id)
            for key in _indexed_keys(parts):
                posting = self._postings.get(key)
                if posting is None:
                    posting = self._postings[key] = array("i")
                posting.append(name_id)
            for number in numbers:
                frequency[self._part_key[number]] += 1
        self._entry_names.append(tuple(ids))
        self._live_names += len(ids)
        self._changed()

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
        self._changed()

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

    def _changed(self) -> None:
        """Forget the weights worked out since the last change: a name more or less moves every weight."""
        self._part_weights = None
        self._query_weights.clear()

    def _query_weight(self, part: Part) -> float:
        weight = self._query_weights.get(part)
        if weight is None:
            frequency = max((self._frequency(key) for key in part.keys), default=0)
            weight = part_weight(frequency, self._live_names)
            if len(part.text) == 1:
                weight *= INITIAL_WEIGHT
            if len(self._query_weights) < QUERY_WEIGHTS_KEPT:
                self._query_weights[part] = weight
        return weight

    def _weights(self, numbers: _Ints) -> _Floats:
        """``weight`` of many part numbers at once, from every part's weight worked out after the last
        change (any change moves them all: the weights depend on the number of names).

        A search on one thread may run while another adds a name: read the kept weights once, and work them
        out anew when they miss a part numbered since (added, but not yet followed by ``_changed``)."""
        weights = self._part_weights
        if weights is None or len(weights) < len(self._part_key):
            # Copies (``_copy``), not views. Each array is read after those it refers to have grown (a part's
            # key is counted before the part is keyed), and parts keyed but not yet marked initial wait for
            # the next call.
            keys = _copy(self._part_key, np.int32)
            frequency = _copy(self._key_frequency, np.int32)
            initial = _copy(self._part_initial, np.int8)
            count = min(len(keys), len(initial))
            weights = part_weights(frequency[keys[:count]], self._live_names)
            weights[initial[:count].astype(bool)] *= INITIAL_WEIGHT
            self._part_weights = weights
        return weights[numbers]

    def _candidate_names(self, parts_list: Sequence[tuple[Part, ...]], shortlist: int) -> _Ints:
        keys: set[str] = set()
        for parts in parts_list:
            keys |= _query_keys(parts)
        ranked = self._tally.rank(
            keys, self._postings, len(self._name_text), shortlist, KEEP_BY_KEYS, self._posting_cap(), POSTING_BUDGET
        )
        if ranked is not None:
            return ranked
        # every key is too common to rank by: the names sharing the two rarest
        postings = sorted((posting for key in keys if (posting := self._postings.get(key))), key=len)
        first = _copy(postings[0], np.int32)
        if len(postings) > 1:
            first = np.intersect1d(first, _copy(postings[1], np.int32), assume_unique=False)
        return first[:shortlist].astype(np.int64)

    def _posting_cap(self) -> int:
        """Postings longer than this are too common to rank by (``MAX_POSTING_SHARE``)."""
        return max(2000, int(MAX_POSTING_SHARE * len(self._name_text)))

    def _near_names(self, parts_list: Sequence[tuple[Part, ...]], ranked: _Ints) -> _Ints:
        """``ranked``, then names that its keys missed but whose consonant classes are one class from those of
        a learned spelling of a Cyrillic query part: those sharing the rarer such keys first, as
        ``_candidate_names`` ranks, at most ``NEAR_NAMES`` (``_shortlist`` then picks by spelling).

        Read only when the keys found fewer names than are scored: a foreign name that Russian wrote with one
        consonant fewer or more (Undset, Унсет; Ultrogothe, Вультрогота) shares no key with it, and on a list
        of any size the keys of a rarer name find few others.
        """
        keys: set[str] = set()
        for parts in parts_list:
            for part in parts:
                if part.weighted:
                    for key in _learned_sound_keys(part):
                        keys |= _near_sound_keys(key[1:])
        cap = self._posting_cap()
        postings = [
            _copy(posting, np.int32) for key in keys if (posting := self._postings.get(key)) and len(posting) <= cap
        ]
        if not postings:
            return ranked
        sizes = [len(posting) for posting in postings]
        weights = np.repeat(_rarity(sizes, cap), sizes)
        names, where = np.unique(np.concatenate(postings), return_inverse=True)
        shared = np.bincount(where, weights=weights)
        fresh = ~np.isin(names, ranked)
        names, shared = names[fresh], shared[fresh]
        nearest = names[np.argsort(-shared, kind="stable")[:NEAR_NAMES]]
        return np.concatenate([ranked, nearest.astype(np.int64)])

    def _shortlist(self, parts_list: Sequence[tuple[Part, ...]], ranked: _Ints, size: int) -> _Ints:
        """``size`` of the names ranked by shared keys: the first few, then the most alike in spelling.

        Shared keys rank a one-word query poorly on a large list (every name with the same four first
        letters ties); one batch of ``fuzz.ratio`` over the names' primary keys, sorted (``token_sort_ratio``
        with the sorting done once at indexing), finds the close ones.
        """
        if len(ranked) <= size:
            return ranked
        queries: list[str] = []
        for parts in parts_list:
            variants = max(len(part.keys) for part in parts)
            for k in range(variants if len(parts) == 1 else min(variants, SPELLING_VARIANTS)):
                queries.append(" ".join(sorted(part.keys[min(k, len(part.keys) - 1)] for part in parts)))
        alike = process.cdist(
            queries, _align.pick(self._name_spelling, ranked[KEEP_BY_KEYS:]), scorer=fuzz.ratio, dtype=np.uint8
        )
        return np.frombuffer(_align.most_alike(alike, len(queries), ranked, KEEP_BY_KEYS, size), dtype=np.int64)

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

    def _best_names(
        self, prepared: _Prepared, name_ids: _Ints
    ) -> tuple[_Floats, list[int], list[Alignment], list[bool]]:
        """For each candidate name, its best score against the query's names and which query name gave it (the
        first on ties), each query name's alignment, and whether the names' letters run together gave the
        score (``alignment.joined_scores``: Hamid Reza Malakotipour and Hamidreza Malekouti Pour)."""
        count = len(name_ids)
        name_starts, columns, candidates = self._codes.gather(name_ids, self._name_start, self._name_parts)
        weights = self._weights(candidates.numbers)
        alignments: list[Alignment] = []
        best = np.empty(0)
        chosen = np.zeros(count, dtype=np.int64)
        for position, (_, parts) in enumerate(prepared.names):
            similarity = part_matrix(parts, candidates, self._codes)
            query_weights = np.array([self._query_weight(part) for part in parts])
            alignment = align(similarity, name_starts, columns, weights, query_weights)
            scores = alignment.scores * query_strength(parts)
            alignments.append(alignment)
            if not position:
                best = scores
                continue
            better = scores > best
            best[better] = scores[better]
            chosen[better] = position
        run_together = np.zeros(count, dtype=bool)
        if any(len(parts) > 1 for _, parts in prepared.names):
            whole = joined_scores([joined(parts) for _, parts in prepared.names], self._name_joined, name_ids)
            for position, row in enumerate(whole):
                better = row > best
                if better.any():
                    best[better] = row[better]
                    chosen[better] = position
                    run_together |= better
        return best, chosen.tolist(), alignments, run_together.tolist()

    def _order_ties(self, prepared: _Prepared, named: _Named, found: list[_Found], limit: int) -> list[_Found]:
        """``found``, sorted best first, with each run of equal scores (and unrounded name scores) that reaches
        the first ``limit`` put in order (``_tie_keys``), then the lower id. Worked out for ties only: it costs
        a comparison."""
        keys = list(map(_by_score, found))
        ordered = list(found)
        count = len(keys)
        begin = 0
        while begin < limit and begin < count:
            key = keys[begin]
            end = begin + 1
            while end < count and keys[end] == key:
                end += 1
            if end - begin > 1:
                run = ordered[begin:end]
                ties = self._tie_keys(prepared, named, run)
                ordered[begin:end] = [run[k] for k in sorted(range(len(run)), key=lambda k: (ties[k], run[k][2]))]
            begin = end
        return ordered

    def _tie_keys(self, prepared: _Prepared, named: _Named, run: list[_Found]) -> list[float]:
        """Lower first among equal scores: for a query of one Cyrillic word, how much less likely the word was
        written for the name (``cyrillic.channel_costs``, its likeliest part); otherwise how far the name is
        spelled from the query letter by letter.

        Far from a Cyrillic word, where every name scores nothing, the letters of one romanization are a poor
        guide: by BGN/PCGN's lavleys, Hales comes before Lovelace for Лавлейс; the learned readings of its
        letters put Lovelace first.
        """
        if len(prepared.names) == 1:
            parts = prepared.names[0][1]
            if len(parts) == 1 and parts[0].weighted:
                starts, numbers, every = self._name_start, self._name_parts, self._parts
                name_ids = [named.name_ids[item[4]] for item in run]
                spans = [(starts[name_id], starts[name_id + 1]) for name_id in name_ids]
                costs = cyrillic.channel_costs(
                    parts[0].written, [every[numbers[k]].text for begin, end in spans for k in range(begin, end)]
                )
                out: list[float] = []
                at = 0
                for begin, end in spans:
                    out.append(min(costs[at : at + end - begin]))
                    at += end - begin
                return out
        spelled = [joined(parts) for _, parts in prepared.names]
        names = self._name_joined
        return [
            -Levenshtein.normalized_similarity(spelled[named.chosen[item[4]]], names[named.name_ids[item[4]]])
            for item in run
        ]

    def _details(self, prepared: _Prepared, entry: MatchEntry, name_score: float) -> tuple[float, _Features]:
        """The entry's final score: its name score moved by the query's identifying details (it has some),
        clipped and rounded."""
        features = {
            "birth_date": birth_date_feature(prepared.birth_date, entry.birth_dates),
            "nationality": nationality_feature(prepared.nationality, entry.nationalities),
            "gender": gender_feature(prepared.gender, normalize_gender(entry.gender)),
            "document": document_feature(prepared.document, entry.documents),
        }
        total = name_score
        for outcome in features.values():
            if outcome is not None:
                total += outcome[0]
        return _score(total), features

    def _match(
        self,
        prepared: _Prepared,
        named: _Named,
        entry: MatchEntry,
        position: int,
        name_score: float,
        score: float,
        features: _Features,
    ) -> Match:
        # Made for each match returned (ten a search), so written out flat: lookups are most of its cost.
        name_id = named.name_ids[position]
        query_name = named.chosen[position]
        text, query_parts = prepared.names[query_name]
        run_together = named.run_together[position]
        name: dict[str, Any] = {
            "query": text,
            "matched": self._name_text[name_id],
            "score": _score(name_score),
            "parts": (
                []
                if run_together
                else _align.explain_pairs(
                    named.steps[query_name].pairs[position],
                    query_parts,
                    self._parts,
                    self._name_parts,
                    self._name_start[name_id],
                )
            ),
        }
        explanation: dict[str, Any] = {"name": name}
        if run_together:
            name["run_together"] = True
        for feature, outcome in features.items():
            if outcome is not None:
                explanation[feature] = outcome[1]
        return _new_match((entry.entity_id, score, entry.caption, explanation))

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
        parts_list = [parts for _, parts in prepared.names]
        one_part = all(len(parts) == 1 for parts in parts_list)
        ranked = self._candidate_names(parts_list, SHORTLIST_ONE_PART if one_part else SHORTLIST)
        size = CANDIDATES_ONE_PART if one_part else CANDIDATES
        if len(ranked) < size:
            ranked = self._near_names(parts_list, ranked)
        shortlist = self._shortlist(parts_list, ranked, size)
        live = _align.live_names(shortlist, self._name_entry, self._entries, prepared.schema or None)
        if not live:
            return SearchResult()
        ids = np.frombuffer(live, dtype=np.int64)
        name_ids = ids.tolist()
        scores, chosen, steps, run_together = self._best_names(prepared, ids)
        # Explanations and identifying details cost more than names: only for entries that can still make it,
        # judged by the most the details could move a name score up or down.
        rise, fall = _feature_bounds(prepared)
        going_on = _align.best_entries(
            ids, scores, self._name_entry, self._entries, allowed, rise, fall, threshold, limit
        )
        found: list[_Found] = []
        restricted: list[tuple[str, float]] = []
        details = prepared.has_details
        entries = self._entries
        for score, slot, position, open_ in going_on:
            entry = entries[slot]
            if entry is None:
                continue  # removed by another thread since best_entries read it
            if details:
                total, features = self._details(prepared, entry, score)
            else:  # a name alone, as most screening rows are: the name score is the score
                total, features = _score(score), _NO_FEATURES
            if total < threshold:
                continue
            if open_:
                found.append((-total, -score, entry.entity_id, entry, position, features))
            else:
                restricted.append((entry.entity_id, total))
        found.sort(key=_by_score)
        named = _Named(name_ids, chosen, steps, run_together)
        found = self._order_ties(prepared, named, found, limit)
        # explanations only for what is returned
        matches = tuple(
            self._match(prepared, named, entry, position, -name_score, -total, features)
            for total, name_score, _, entry, position, features in found[:limit]
        )
        restricted.sort(key=lambda hit: (-hit[1], hit[0]))
        return SearchResult(matches, tuple(restricted))
