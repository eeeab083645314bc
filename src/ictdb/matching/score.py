"""Scoring a candidate: order-free alignment of name parts, then birth date, nationality, gender, documents.

Every function returns its contribution together with an explanation, so that an analyst can see why a
record came up. Name scores are in [0, 1]; the other features move the score up or down by bounded
amounts, and the total is clipped to [0, 1].
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ictdb.matching import cyrillic
from ictdb.matching.names import Part
from ictdb.matching.phonetic import loose
from ictdb.model.dates import FuzzyDate, Precision

MIN_PART_SIMILARITY = 0.6
"""Below this, two name parts are taken as different names, not as two spellings of one."""
SKELETON_SIMILARITY = 0.9
"""What agreeing consonant skeletons are worth when the spellings differ more (Mohamad, Muhammad)."""
SKELETON_REACH = 0.3
"""Agreeing skeletons lift a spelling similarity by at most this much: Craig and George share ``krk``."""
SHAPE_SIMILARITY = 0.95
"""What spellings that differ only in their vowels are worth (Haniyah, Haniyeh; Jabir, Jaber)."""
EXTRA_PART_WEIGHT = 0.35
"""A candidate's parts the query does not mention count about a third: lists hold fuller names than passports."""

SINGLE_PART = 0.9
"""A query name of one whole part (Craig, Saint, al-Adnani) says less about who is meant than a full name:
its name score is scaled by this, so that one agreeing word alone rarely raises a screening alert."""
INITIALS_ONLY = 0.5
"""A query name made of initials only (``A.``) is scaled by this."""

BIRTH_EXACT = 0.06
BIRTH_OVERLAP = 0.03
BIRTH_NEAR = -0.03
BIRTH_CONFLICT = -0.15
BIRTH_FAR = -0.25
NATIONALITY_AGREE = 0.02
NATIONALITY_CONFLICT = -0.04
GENDER_CONFLICT = -0.08
DOCUMENT_AGREE = 0.3


LEARNED_COST = 0.04
"""Similarity lost per unit of a learned spelling's cost (natural-log odds against the likeliest spelling)."""
REFINE_FROM = 0.6
"""Cyrillic-Latin pairs this alike are also costed letter by letter (spellings beyond the likeliest few)."""
LOOSE_ONLY = 0.1
"""Similarity lost when a Latin part agrees with a learned spelling only once both are loosened
(``phonetic.loose``: Zuckermann and Цукерман's zukerman, doubled letters and ck for k). German and Dutch names
double letters that Russian writes once; costed letter by letter such a name scored below unrelated ones.
Set on four hold-outs of the development split: at 0.1 to 0.2 the share of negatives alerting stays as it
was, and recall@1 rises most at 0.1; at 0.05 and below, names one letter apart from a listed name alert."""
KEYS_ONLY = 0.25
"""Similarity lost when a Cyrillic part agrees with a Latin one only through loose keys or skeletons."""


def part_similarity(query: Part, candidate: Part) -> float:
    """How alike two name parts are in [0, 1]: the best of their spellings, or their skeletons' agreement.

    Where one part was written in Cyrillic and the other not, the Latin part's spelling is also compared,
    letter for letter, with the Latin names the Cyrillic one was likely written for, likelier ones counting
    more: Алойс is Alois a little more than Aloys.
    """
    if query is candidate:
        return 1.0
    if query.weighted and not candidate.weighted:
        return _learned_similarity(query, candidate)
    if candidate.weighted and not query.weighted:
        return _learned_similarity(candidate, query)
    return _key_similarity(query, candidate)


@lru_cache(maxsize=16384)
def _loose_spellings(written: Part) -> tuple[str, ...]:
    """The learned spellings of a Cyrillic part, loosened (``phonetic.loose``), in their order."""
    return tuple(loose(spelling) for spelling, _ in written.weighted)


def _learned_similarity(written: Part, latin: Part) -> float:
    best = _key_similarity(written, latin) - KEYS_ONLY
    text, key = latin.text, latin.key
    for (spelling, cost), loosened in zip(written.weighted, _loose_spellings(written), strict=True):
        penalty = LEARNED_COST * cost
        if 1.0 - penalty <= best:
            break  # costs only grow along the list
        value = max(
            Levenshtein.normalized_similarity(spelling, text),
            Levenshtein.normalized_similarity(loosened, key) - LOOSE_ONLY,
        )
        value -= penalty
        if value > best:
            best = value
    if REFINE_FROM <= best < 1.0:
        cost = cyrillic.spelling_cost(written.written, text)
        if cost < cyrillic.MAX_COST:  # at the cap the cost says nothing: no alignment was found
            best = max(best, 1.0 - LEARNED_COST * cost)
    return max(0.0, best)


def _key_similarity(query: Part, candidate: Part) -> float:
    best = 0.0
    for left in query.keys:
        for right in candidate.keys:
            value = Levenshtein.normalized_similarity(left, right, score_cutoff=best)
            if value > best:
                best = value
                if best == 1.0:
                    return best
    if best < SHAPE_SIMILARITY:
        for left in query.shapes:
            if left in candidate.shapes:
                return SHAPE_SIMILARITY
    if best < SKELETON_SIMILARITY:
        for left in query.skeletons:
            if len(left) >= 2 and left in candidate.skeletons:
                return min(SKELETON_SIMILARITY, best + SKELETON_REACH)
    return best


def similarity_matrix(query: Sequence[Part], candidates: Sequence[Part]) -> np.ndarray[Any, np.dtype[np.float64]]:
    """``part_similarity`` of every query part with every candidate part, as a (query, candidate) array.

    The edit distances of all spellings run in one batch; only pairs of a Cyrillic part with a Latin one
    beyond the batch (costed letter by letter) and Cyrillic candidates against Latin queries run one by one.
    """
    q_keys: list[str] = []
    q_starts: list[int] = []
    for part in query:
        q_starts.append(len(q_keys))
        q_keys.extend(part.keys)
    c_keys: list[str] = []
    c_starts: list[int] = []
    for part in candidates:
        c_starts.append(len(c_keys))
        c_keys.extend(part.keys)
    raw = process.cdist(q_keys, c_keys, scorer=Levenshtein.normalized_similarity, dtype=np.float64)
    keys = np.maximum.reduceat(np.maximum.reduceat(raw, q_starts, axis=0), c_starts, axis=1)
    shared = np.zeros(keys.shape, dtype=bool)
    owners: dict[str, list[int]] = {}
    for i, part in enumerate(query):
        for value in part.skeletons:
            if len(value) >= 2:
                owners.setdefault(value, []).append(i)
    if owners:
        for j, part in enumerate(candidates):
            for value in part.skeletons:
                for i in owners.get(value, ()):
                    shared[i, j] = True
    out: np.ndarray[Any, np.dtype[np.float64]] = np.where(
        shared, np.maximum(keys, np.minimum(SKELETON_SIMILARITY, keys + SKELETON_REACH)), keys
    )
    shape_owners: dict[str, list[int]] = {}
    for i, part in enumerate(query):
        for value in part.shapes:
            shape_owners.setdefault(value, []).append(i)
    if shape_owners:
        for j, part in enumerate(candidates):
            for value in part.shapes:
                for i in shape_owners.get(value, ()):
                    if out[i, j] < SHAPE_SIMILARITY:
                        out[i, j] = SHAPE_SIMILARITY
    return learned_terms(out, query, candidates)


def learned_terms(
    keys: np.ndarray[Any, np.dtype[np.float64]], query: Sequence[Part], candidates: Sequence[Part]
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """The (query, candidate) similarities ``keys`` of spellings, skeletons and shapes, with every pair of a
    Cyrillic part and a Latin one replaced by ``part_similarity``'s learned comparison (in place)."""
    out = keys
    written = [j for j, part in enumerate(candidates) if part.weighted]
    if not written and not any(part.weighted for part in query):
        return out
    plain = np.ones(len(candidates), dtype=bool)
    plain[written] = False
    for i, part in enumerate(query):
        if part.weighted:
            columns = np.flatnonzero(plain)
            if len(columns):
                latin = [candidates[j] for j in columns.tolist()]
                out[i, columns] = _learned_row(part, latin, out[i, columns])
            continue
        for j in written:
            if candidates[j] is not part:
                out[i, j] = _learned_similarity(candidates[j], part)
    return out


def _learned_row(
    written: Part, latin: Sequence[Part], keys: np.ndarray[Any, np.dtype[np.float64]]
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """``_learned_similarity`` of one Cyrillic part with many Latin ones, given their key similarities."""
    texts = [part.text for part in latin]
    spellings = [spelling for spelling, _ in written.weighted]
    penalties = LEARNED_COST * np.array([cost for _, cost in written.weighted], dtype=np.float64)
    learned = np.maximum(
        process.cdist(spellings, texts, scorer=Levenshtein.normalized_similarity, dtype=np.float64),
        process.cdist(
            _loose_spellings(written),
            [part.keys[0] for part in latin],
            scorer=Levenshtein.normalized_similarity,
            dtype=np.float64,
        )
        - LOOSE_ONLY,
    )
    best = np.maximum(keys - KEYS_ONLY, (learned - penalties[:, None]).max(axis=0))
    refine = np.flatnonzero((best >= REFINE_FROM) & (best < 1.0))
    if len(refine):
        costs = np.array(cyrillic.spelling_costs(written.written, [texts[j] for j in refine.tolist()]))
        aligned = costs < cyrillic.MAX_COST
        best[refine[aligned]] = np.maximum(best[refine[aligned]], 1.0 - LEARNED_COST * costs[aligned])
    clipped: np.ndarray[Any, np.dtype[np.float64]] = np.maximum(best, 0.0)
    return clipped


def query_strength(parts: Sequence[Part]) -> float:
    """How much a query name can say: 1 for two or more whole parts, less for one part or initials only."""
    whole = sum(1 for part in parts if len(part.text) > 1)
    return 1.0 if whole >= 2 else SINGLE_PART if whole == 1 else INITIALS_ONLY


def credit(similarity: float) -> float:
    """The share of a part's weight that a similarity earns: nothing below the floor, all at identity."""
    if similarity < MIN_PART_SIMILARITY:
        return 0.0
    return (similarity - MIN_PART_SIMILARITY) / (1.0 - MIN_PART_SIMILARITY)


def pair_total(share: float) -> float:
    """What a paired part counts in a name's total weight (per unit of weight), given its earned share.

    Two whole weights when the parts agree; as little as two unpaired parts would count (the query's in
    full, the candidate's at ``EXTRA_PART_WEIGHT``) when they barely do, so that pairing two different
    names (Shi and Chi) never costs more than leaving both unpaired (Shi against Wen).
    """
    return 1.0 + EXTRA_PART_WEIGHT + (1.0 - EXTRA_PART_WEIGHT) * share


@dataclass(frozen=True, slots=True)
class NameScore:
    score: float
    pairs: tuple[tuple[int, int, float], ...]


def name_score(
    query: Sequence[Part],
    query_weights: Sequence[float],
    candidate: Sequence[Part],
    candidate_weights: Sequence[float],
    cache: dict[tuple[int, int], float] | None = None,
) -> NameScore:
    """Align parts greedily by similarity, whatever their order, and weigh the matched share of the names."""
    if not query or not candidate:
        return NameScore(0.0, ())
    scored: list[tuple[float, int, int]] = []
    for i, left in enumerate(query):
        for j, right in enumerate(candidate):
            key = (id(left), id(right))
            similarity = cache.get(key) if cache is not None else None
            if similarity is None:
                similarity = part_similarity(left, right)
                if cache is not None:
                    cache[key] = similarity
            if similarity >= MIN_PART_SIMILARITY:
                scored.append((similarity, i, j))
    scored.sort(reverse=True)
    used_query: set[int] = set()
    used_candidate: set[int] = set()
    pairs: list[tuple[int, int, float]] = []
    earned = 0.0
    matched_weight = 0.0
    for similarity, i, j in scored:
        if i in used_query or j in used_candidate:
            continue
        used_query.add(i)
        used_candidate.add(j)
        pairs.append((i, j, similarity))
        weight = candidate_weights[j]
        share = credit(similarity)
        earned += 2 * weight * share
        matched_weight += weight * pair_total(share)
    missing_query = sum(w for i, w in enumerate(query_weights) if i not in used_query)
    missing_candidate = sum(w for j, w in enumerate(candidate_weights) if j not in used_candidate)
    total = matched_weight + missing_query + EXTRA_PART_WEIGHT * missing_candidate
    return NameScore(earned / total if total else 0.0, tuple(pairs))


def birth_date_feature(query: FuzzyDate | None, dates: Sequence[FuzzyDate]) -> tuple[float, dict[str, Any]] | None:
    """Agreement of a birth date with a record's: exact day, overlap, near (a year off), or conflict."""
    if query is None or not dates:
        return None
    best: tuple[float, str, FuzzyDate] | None = None
    for date in dates:
        if query.precision is Precision.DAY and date.precision is Precision.DAY and query.earliest == date.earliest:
            outcome = (BIRTH_EXACT, "exact", date)
        elif query.overlaps(date):
            outcome = (BIRTH_OVERLAP, "overlap", date)
        else:
            gap = max((date.earliest - query.latest).days, (query.earliest - date.latest).days)
            if gap <= timedelta(days=366).days:
                outcome = (BIRTH_NEAR, "near", date)
            elif gap <= timedelta(days=5 * 366).days:
                outcome = (BIRTH_CONFLICT, "conflict", date)
            else:
                outcome = (BIRTH_FAR, "far", date)
        if best is None or outcome[0] > best[0]:
            best = outcome
    assert best is not None
    return best[0], {"query": query.text, "record": best[2].text, "relation": best[1], "contribution": best[0]}


def nationality_feature(query: str | None, nationalities: Sequence[str]) -> tuple[float, dict[str, Any]] | None:
    if not query or not nationalities:
        return None
    agree = query in nationalities
    value = NATIONALITY_AGREE if agree else NATIONALITY_CONFLICT
    return value, {"query": query, "record": list(nationalities), "agree": agree, "contribution": value}


def gender_feature(query: str | None, gender: str | None) -> tuple[float, dict[str, Any]] | None:
    if not query or not gender or query == gender:
        return None
    return GENDER_CONFLICT, {"query": query, "record": gender, "agree": False, "contribution": GENDER_CONFLICT}


_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


def document_key(number: str) -> str:
    """A document number as compared: letters and digits only, upper case."""
    return _NOT_ALNUM.sub("", number.upper())


def document_feature(query: str | None, documents: Sequence[str]) -> tuple[float, dict[str, Any]] | None:
    if not query or not documents:
        return None
    key = document_key(query)
    if len(key) < 4:
        return None
    for number in documents:
        if document_key(number) == key:
            return DOCUMENT_AGREE, {"query": query, "record": number, "agree": True, "contribution": DOCUMENT_AGREE}
    return None


def part_weight(frequency: int, size: int) -> float:
    """How much a name part identifies: 1 for a rare part, down to about 0.3 for Muhammad on a big list."""
    share = frequency / max(size, 10_000)
    return 1.0 / (1.0 + math.log10(1.0 + share * 2000.0))


def part_weights(frequencies: np.ndarray[Any, np.dtype[np.int32]], size: int) -> np.ndarray[Any, np.dtype[np.float64]]:
    """``part_weight`` of many frequencies at once."""
    share = frequencies.astype(np.float64) / max(size, 10_000)
    weights: np.ndarray[Any, np.dtype[np.float64]] = 1.0 / (1.0 + np.log10(1.0 + share * 2000.0))
    return weights
