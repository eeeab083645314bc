"""Cyrillic names: Latin spellings under the romanization schemes, and as the Latin names they were written for.

One Cyrillic name has several correct Latin forms (Басаев: Basayev in English and BGN/PCGN, Basaev in
passports since 2013 and most Russian systems). Each Cyrillic word is given the forms of the schemes
that differ in practice.

Russian also writes foreign names by sound, and no scheme undoes that: Шмидт is Schmidt, Жан is Jean,
Иветт is Yvette, Кэндзиро is Kenjiro. For those, a table learned from Wikidata name pairs
(``cyrillic_latin.tsv``, made by ``benchmarks/screening_train_cyrillic.py``) says which Latin letters each
Cyrillic letter was written for, next to each neighbouring letter; the likeliest Latin spellings of a
word are found by beam search over it, each with a cost (how much less likely it is than the best). Any
other Latin spelling is costed by aligning its letters with the word's under the same table (``channel_cost``,
in compiled code: a search compares a Cyrillic word with dozens of names).
"""

from __future__ import annotations

import math
from array import array
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import icu
import iuliia
import numpy as np
import numpy.typing as npt

from ictdb.matching import _align
from ictdb.matching.text import fold_latin

_Floats = npt.NDArray[np.float64]
_Ints = npt.NDArray[np.int64]

_ICU_SCHEMES = ("Russian-Latin/BGN", "Any-Latin")
_IULIIA_SCHEMES = ("WIKIPEDIA", "MOSMETRO", "ICAO_DOC_9303", "MVD_310_FR")

LEARNED_SPELLINGS = 12
"""Spellings kept per word from the learned table: enough for the usual ambiguities (Alois, Aloys)."""
BEAM = 24
MAX_COST = 6.0
"""Spellings this much less likely (natural log) than the best are not worth comparing."""
_OPTIONS = 6
_MIN_SHARE = 0.01
_SMOOTHING = 4.0


@lru_cache(maxsize=1)
def _transliterators() -> tuple[Any, ...]:
    icu_ones = tuple(icu.Transliterator.createInstance(name) for name in _ICU_SCHEMES)
    return icu_ones + tuple(getattr(iuliia, name) for name in _IULIIA_SCHEMES)


@lru_cache(maxsize=65536)
def scheme_spellings(word: str) -> tuple[str, ...]:
    """Distinct a-z spellings of one cleaned Cyrillic word under the romanization schemes, BGN/PCGN first."""
    found: list[str] = []
    for scheme in _transliterators():
        latin = scheme.transliterate(word) if isinstance(scheme, icu.Transliterator) else scheme.translate(word)
        folded = fold_latin(str(latin).casefold())
        if folded:
            found.append(folded)
    if "г" in word:
        # Russian writes the Arabic and Persian h (ح، ه) as г: Ибрагим is Ibrahim, Гусейн is Husayn.
        found.append(fold_latin(str(_transliterators()[0].transliterate(word.replace("г", "х"))).casefold()))
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True, slots=True)
class _Table:
    """Log-probabilities of the Latin segment each Cyrillic letter stands for, by neighbouring letter."""

    alone: dict[str, dict[str, float]]
    before: dict[tuple[str, str], dict[str, float]]
    after: dict[tuple[str, str], dict[str, float]]


def _shares(counts: dict[str, int], prior: dict[str, float] | None) -> dict[str, float]:
    total = sum(counts.values())
    if prior is None:
        return {target: count / total for target, count in counts.items()}
    return {
        target: (counts.get(target, 0) + _SMOOTHING * share) / (total + _SMOOTHING) for target, share in prior.items()
    }


@lru_cache(maxsize=1)
def _table() -> _Table:
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    source = resources.files("ictdb.matching") / "cyrillic_latin.tsv"
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line:
            continue
        context, letter, target, count = line.split("\t")
        counts[(context, letter)][target] = int(count)
    alone = {letter: _shares(row, None) for (context, letter), row in counts.items() if context == "*"}
    before: dict[tuple[str, str], dict[str, float]] = {}
    after: dict[tuple[str, str], dict[str, float]] = {}
    for (context, letter), row in counts.items():
        if context[0] in "<>" and letter in alone:
            shares = _shares(row, alone[letter])
            (before if context[0] == "<" else after)[(letter, context[1:])] = shares
    return _Table(
        {letter: {t: math.log(p) for t, p in row.items()} for letter, row in alone.items()},
        {key: {t: math.log(p) for t, p in row.items()} for key, row in before.items()},
        {key: {t: math.log(p) for t, p in row.items()} for key, row in after.items()},
    )


def _distribution(word: str, position: int) -> dict[str, float]:
    """Log-probabilities of the Latin segments one letter of ``word`` may stand for, given its neighbours."""
    left = word[position - 1] if position else "^"
    right = word[position + 1] if position + 1 < len(word) else "$"
    return _in_context(left, word[position], right)


@lru_cache(maxsize=65536)
def _in_context(left: str, letter: str, right: str) -> dict[str, float]:
    """The distribution of one letter between two neighbours: shared by every word that has them."""
    table = _table()
    alone = table.alone.get(letter)
    if alone is None:
        return {fold_latin(str(_transliterators()[0].transliterate(letter)).casefold()): 0.0}
    before = table.before.get((letter, left))
    after = table.after.get((letter, right))
    # both neighbours' evidence, each relative to the letter's overall odds (a naive-Bayes product)
    scored = {
        target: (before.get(target, base) if before else base) + (after.get(target, base) if after else base) - base
        for target, base in alone.items()
    }
    norm = math.log(sum(math.exp(value) for value in scored.values()))
    return {target: value - norm for target, value in scored.items()}


@lru_cache(maxsize=16384)
def _distributions(word: str) -> tuple[dict[str, float], ...]:
    return tuple(_distribution(word, position) for position in range(len(word)))


@lru_cache(maxsize=65536)
def _ranked(left: str, letter: str, right: str) -> tuple[tuple[str, float], ...]:
    ranked = sorted(_in_context(left, letter, right).items(), key=lambda item: -item[1])
    floor = math.log(_MIN_SHARE)
    return tuple([item for item in ranked[:_OPTIONS] if item[1] >= floor] or ranked[:1])


def _options(word: str, position: int) -> tuple[tuple[str, float], ...]:
    """The likeliest Latin segments for one letter of ``word``, with their log-probabilities."""
    left = word[position - 1] if position else "^"
    right = word[position + 1] if position + 1 < len(word) else "$"
    return _ranked(left, word[position], right)


@lru_cache(maxsize=65536)
def learned_spellings(word: str) -> tuple[tuple[str, float], ...]:
    """The likeliest a-z spellings of a cleaned Cyrillic word as a Latin name, each with its cost (>= 0)."""
    if not word or len(word) > 40:
        return ()
    beam: list[tuple[float, str]] = [(0.0, "")]
    for position in range(len(word)):
        grown: dict[str, float] = {}
        for target, logp in _options(word, position):
            for score, text in beam:
                candidate = text + target
                value = score + logp
                if value > grown.get(candidate, -math.inf):
                    grown[candidate] = value
        beam = sorted(((value, text) for text, value in grown.items()), reverse=True)[:BEAM]
    top = beam[0][0]
    return tuple(
        (text, round(top - value, 3)) for value, text in beam[:LEARNED_SPELLINGS] if text and top - value <= MAX_COST
    )


@lru_cache(maxsize=65536)
def spellings(word: str) -> tuple[str, ...]:
    """Distinct a-z spellings of one cleaned Cyrillic word: the schemes' (BGN/PCGN first), then learned ones."""
    return tuple(dict.fromkeys((*scheme_spellings(word), *(text for text, _ in learned_spellings(word)))))


_UNSEEN = math.log(1e-5)
"""Log-probability of a Latin segment the table never saw for a letter, per Latin letter it covers."""
MAX_SEGMENT = 4


def spelling_cost(word: str, latin: str) -> float:
    """How much less likely (natural log) ``latin`` is than the likeliest spelling of a Cyrillic word, at most
    ``MAX_COST``: ``channel_cost``, the best alignment of the Latin letters to the Cyrillic ones under the
    learned table, so that spellings the beam search did not reach (Zucker for Цукер) still get a fair cost."""
    return spelling_costs(word, [latin])[0]


def spelling_costs(word: str, latins: list[str]) -> list[float]:
    """``spelling_cost`` of one Cyrillic word against many a-z spellings, in one compiled pass."""
    out = [MAX_COST] * len(latins)
    if not learned_spellings(word):
        return out
    longest = 3 * len(word) + 4
    # an empty spelling, or one far longer than the word, is nothing it was written for: not worth aligning
    usable = [k for k, latin in enumerate(latins) if latin and len(latin) <= longest]
    for k, cost in zip(usable, channel_costs(word, [latins[k] for k in usable]), strict=True):
        out[k] = min(MAX_COST, cost)
    return out


def channel_cost(word: str, latin: str) -> float:
    """How much less likely (natural log) ``latin`` is than the likeliest spelling of a Cyrillic word, not capped.

    Every Latin segment of up to ``MAX_SEGMENT`` letters may stand for a letter, at the log-probability the
    table gives it in context or at ``_UNSEEN`` a Latin letter, whichever is higher, so that even names far
    from the word are put in order: Lovelace is a likelier reading of Лавлейс than Hales is, though both are
    beyond ``MAX_COST``. Infinite for a Latin spelling no reading of the word spans, or one not in a-z.
    """
    return channel_costs(word, [latin])[0]


def channel_costs(word: str, latins: list[str]) -> list[float]:
    """``channel_cost`` of one Cyrillic word against many a-z spellings, in one compiled pass."""
    found = np.frombuffer(_align.channel_logps(*_readings(word), latins, _UNSEEN, MAX_SEGMENT), dtype=np.float64)
    top = _top_logp(word)
    costs: list[float] = np.maximum(top - found, 0.0).tolist()
    return costs


_BUCKETS = 28
"""``_align.channel_logps`` finds a letter's Latin segments by their first letter: the empty one, a to z, other."""
_INT32 = np.dtype(np.int32).itemsize


def _bucket(segment: str) -> int:
    return 0 if not segment else ord(segment[0]) - 96 if "a" <= segment[0] <= "z" else _BUCKETS - 1


@dataclass(frozen=True, slots=True)
class _Segments:
    """A letter's Latin segments, in bucket order: where each is in its distributions, its letters packed in
    ``MAX_SEGMENT`` bytes, its length and bucket, and the log-probability an unseen segment of its length has."""

    order: _Ints
    slots: npt.NDArray[np.uint8]
    lengths: npt.NDArray[np.int32]
    buckets: _Ints
    unseen: npt.NDArray[np.float64]


@lru_cache(maxsize=256)
def _letter_segments(letter: str) -> _Segments:
    # every context of a letter lists the same segments in the same order (its row of the table)
    targets = list(_in_context("^", letter, "$"))
    usable = sorted(
        (_bucket(target), target, position)
        for position, target in enumerate(targets)
        if len(target) <= MAX_SEGMENT and target.isascii()
    )
    packed = b"".join(target.encode("ascii").ljust(MAX_SEGMENT, b"\0") for _, target, _ in usable)
    return _Segments(
        np.array([position for *_, position in usable], dtype=np.int64),
        np.frombuffer(packed, dtype=np.uint8).reshape(len(usable), MAX_SEGMENT),
        np.array([len(target) for _, target, _ in usable], dtype=np.int32),
        np.array([bucket for bucket, _, _ in usable], dtype=np.int64),
        np.array([_UNSEEN * max(1, len(target)) for _, target, _ in usable], dtype=np.float64),
    )


@lru_cache(maxsize=65536)
def _letter_readings(left: str, letter: str, right: str) -> tuple[bytes, bytes, bytes, list[int]]:
    """One letter's segments between two neighbours, packed (letters, int32 lengths, float64 log-probabilities),
    with each bucket's first: shared by every word that has them. Only those likelier than unseen ones: in
    context most of a letter's segments are far less likely (а has 162)."""
    segments = _letter_segments(letter)
    distribution = _in_context(left, letter, right)
    logps = np.fromiter(distribution.values(), dtype=np.float64, count=len(distribution))[segments.order]
    kept = np.flatnonzero(logps > segments.unseen)
    starts = np.searchsorted(segments.buckets[kept], np.arange(_BUCKETS)).tolist()
    return segments.slots[kept].tobytes(), segments.lengths[kept].tobytes(), logps[kept].tobytes(), starts


@lru_cache(maxsize=16384)
def _readings(word: str) -> tuple[bytes, memoryview[int], memoryview[float], memoryview[int]]:
    """The word's reading table as ``_align.channel_logps`` takes it: each letter's segments, by bucket."""
    letters = []
    for position in range(len(word)):
        left = word[position - 1] if position else "^"
        right = word[position + 1] if position + 1 < len(word) else "$"
        letters.append(_letter_readings(left, word[position], right))
    starts: list[int] = []
    base = 0
    for _, lengths, _, letter_starts in letters:
        starts.extend([base + start for start in letter_starts])
        base += len(lengths) // _INT32
    starts.append(base)
    return (
        b"".join([letter[0] for letter in letters]),
        memoryview(b"".join([letter[1] for letter in letters])).cast("i"),
        memoryview(b"".join([letter[2] for letter in letters])).cast("d"),
        memoryview(array("i", starts)),
    )


@lru_cache(maxsize=65536)
def _top_logp(word: str) -> float:
    return sum(max(distribution.values()) for distribution in _distributions(word))
