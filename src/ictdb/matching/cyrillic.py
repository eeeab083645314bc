"""Cyrillic names: Latin spellings under the romanization schemes, and as the Latin names they were written for.

One Cyrillic name has several correct Latin forms (Басаев: Basayev in English and BGN/PCGN, Basaev in
passports since 2013 and most Russian systems). Each Cyrillic word is given the forms of the schemes
that differ in practice.

Russian also writes foreign names by sound, and no scheme undoes that: Шмидт is Schmidt, Жан is Jean,
Иветт is Yvette, Кэндзиро is Kenjiro. For those, a table learned from Wikidata name pairs
(``cyrillic_latin.tsv``, made by ``benchmarks/screening_train_cyrillic.py``) says which Latin letters each
Cyrillic letter was written for, next to each neighbouring letter; the likeliest Latin spellings of a
word are found by beam search over it, each with a cost (how much less likely it is than the best).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import icu
import iuliia

from ictdb.matching.text import fold_latin

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


@dataclass(frozen=True, slots=True)
class _Costing:
    """What ``spelling_cost`` needs of a word: per letter, its segments by length and its best log-probability."""

    segments: tuple[tuple[tuple[int, dict[str, float]], ...], ...]
    best_before: tuple[float, ...]
    """The sum of the best log-probabilities of the letters before each position (and of all, last)."""
    unseen_hopeless: bool
    """Whether a segment the table never saw costs MAX_COST or more at every letter, so need not be tried."""


@lru_cache(maxsize=16384)
def _costing(word: str) -> _Costing:
    segments = []
    best_before = [0.0]
    hopeless = True
    for position in range(len(word)):
        left = word[position - 1] if position else "^"
        right = word[position + 1] if position + 1 < len(word) else "$"
        by_length, top = _segments(left, word[position], right)
        segments.append(by_length)
        best_before.append(best_before[-1] + top)
        hopeless = hopeless and top - _UNSEEN >= MAX_COST
    return _Costing(tuple(segments), tuple(best_before), hopeless)


@lru_cache(maxsize=65536)
def _segments(left: str, letter: str, right: str) -> tuple[tuple[tuple[int, dict[str, float]], ...], float]:
    distribution = _in_context(left, letter, right)
    lengths = sorted({len(target) for target in distribution})
    return tuple((length, distribution) for length in lengths if length <= MAX_SEGMENT), max(distribution.values())


@lru_cache(maxsize=65536)
def spelling_cost(word: str, latin: str) -> float:
    """How much less likely (natural log) ``latin`` is than the likeliest spelling of a Cyrillic word.

    The best alignment of the Latin letters to the Cyrillic ones under the learned table, so that
    spellings the beam search did not reach (Zucker for Цукер) still get a fair cost. Alignments already
    MAX_COST behind the best possible are dropped as they go: the cost is capped there anyway.
    """
    learned = learned_spellings(word)
    if not learned or not latin or len(latin) > 3 * len(word) + 4:
        return MAX_COST
    costing = _costing(word)
    if not costing.unseen_hopeless:
        return _full_spelling_cost(word, latin)
    size = len(latin)
    states = {0: 0.0}
    for position, segments in enumerate(costing.segments):
        floor = costing.best_before[position + 1] - MAX_COST
        grown: dict[int, float] = {}
        for start, here in states.items():
            for length, distribution in segments:
                end = start + length
                if end > size:
                    break
                logp = distribution.get(latin[start:end])
                if logp is not None and here + logp > floor and here + logp > grown.get(end, -math.inf):
                    grown[end] = here + logp
        if not grown:
            return MAX_COST
        states = grown
    if size not in states:
        return MAX_COST
    return min(MAX_COST, max(0.0, costing.best_before[-1] - states[size]))


def _full_spelling_cost(word: str, latin: str) -> float:
    """``spelling_cost`` trying every segment, unseen ones too: for words with a letter that has no clear reading."""
    distributions = _distributions(word)
    size = len(latin)
    best = [0.0] + [-math.inf] * size
    for distribution in distributions:
        after = [-math.inf] * (size + 1)
        for start, here in enumerate(best):
            if here == -math.inf:
                continue
            for end in range(start, min(size, start + MAX_SEGMENT) + 1):
                logp = distribution.get(latin[start:end])
                value = here + (logp if logp is not None else _UNSEEN * max(1, end - start))
                if value > after[end]:
                    after[end] = value
        best = after
    top = _top_logp(word)
    return min(MAX_COST, max(0.0, top - best[size]))


@lru_cache(maxsize=65536)
def _top_logp(word: str) -> float:
    return sum(max(distribution.values()) for distribution in _distributions(word))
