"""Latin comparison forms: a loose spelling and a consonant skeleton, both script-independent.

Every name part, whatever script it was written in, ends up as Latin spellings. Two spellings of the
same name differ in conventions (English ``sh`` and ``kh``, French ``ch`` and ``ou``, German ``sch`` and
``w``, doubled letters, silent final ``h``); the loose form folds those conventions so that an edit
distance measures real differences. The skeleton goes further and keeps only consonant classes, the
way Arabic script writes a name, so that Mohammed, Muhammad and Mohamad (and محمد) share ``mhmd``.
"""

from __future__ import annotations

import re
from functools import lru_cache

_LOOSE_RULES: tuple[tuple[re.Pattern[str], str, str | None], ...] = tuple(
    (re.compile(pattern), replacement, guard)
    for pattern, replacement, guard in (
        (r"tsch|tch|cz", "ch", "c"),
        (r"sch|sz", "sh", "s"),
        (r"dzh|dj", "j", "d"),
        (r"ph", "f", "ph"),
        (r"ck", "k", "ck"),
        (r"q", "k", "q"),
        (r"x", "ks", "x"),
        (r"c(?=[eiy])", "s", "c"),
        (r"c(?!h)", "k", "c"),
        (r"w", "v", "w"),
        (r"ou|oo", "u", "o"),
        (r"ee", "i", "ee"),
        (r"y", "i", "y"),
        (r"(?<=[aeiou])i(?=[aeiou])", "", "i"),
        (r"kh", "h", "kh"),
        (r"gh", "g", "gh"),
        (r"(.)\1+", r"\1", None),
        (r"(?<=[aeiou])h$", "", "h"),
    )
)
"""Rewrites in order, each with a string it cannot match without (or None): most names lack most of them, and
looking for a letter costs a fraction of a regular expression's pass."""


@lru_cache(maxsize=262144)
def loose(spelling: str) -> str:
    """A folded a-z spelling; two spellings of one name differ here by few edits."""
    text = spelling
    for pattern, replacement, guard in _LOOSE_RULES:
        if guard is None or guard in text:
            text = pattern.sub(replacement, text)
    return text


_SKELETON_RULES: tuple[tuple[re.Pattern[str], str, str | None], ...] = tuple(
    (re.compile(pattern), replacement, guard)
    for pattern, replacement, guard in (
        (r"^[aeiou]+", "A", None),
        (r"(?<=[aeiou])h$", "", "h"),
        (r"kh", "X", "kh"),
        (r"gh", "k", "gh"),  # Persian writes qaf as gh (Ghasem, Qasem; Araghi, Araqi)
        (r"sh|ch|sch", "S", "h"),
        (r"th", "t", "th"),
        (r"dh|zh", "d", "h"),
        (r"dj|dzh|j", "j", "j"),
        (r"ph", "f", "ph"),
        (r"[qgc]|ck", "k", None),
        (r"x", "ks", "x"),
        (r"(?<=.)[wy]", "", None),
        (r"w", "v", "w"),
        (r"[aeiou]", "", None),
        (r"(.)\1+", r"\1", None),
    )
)


@lru_cache(maxsize=262144)
def skeleton(spelling: str) -> str:
    """Consonant classes of an a-z spelling, with ``A`` for a leading vowel."""
    text = spelling
    for pattern, replacement, guard in _SKELETON_RULES:
        if guard is None or guard in text:
            text = pattern.sub(replacement, text)
    return text


_SOUND_CLASS = {
    **dict.fromkeys(("ph", "p", "b", "f", "v", "w"), "P"),
    **dict.fromkeys(("th", "dh", "t", "d"), "T"),
    **dict.fromkeys(("kh", "gh", "ck", "q", "c", "k", "g"), "K"),
    **dict.fromkeys(
        ("dzh", "dj", "dz", "tsch", "tch", "sch", "sh", "sz", "zh", "zs", "ch", "cz", "cs", "ts", "tz", "j", "s", "z"),
        "S",
    ),
    "x": "KS",
    **{letter: letter.upper() for letter in "mnlr"},
}
# a soft c first (group 1), then the longest spelling of a sound, then any other letter (a vowel or h: dropped)
_SOUND_UNIT = re.compile("(c(?=[eiy]))|" + "|".join(sorted(_SOUND_CLASS, key=len, reverse=True)) + "|[a-z]")
_REPEAT = re.compile(r"(.)\1+")


def _sound_class(unit: re.Match[str]) -> str:
    return "S" if unit.group(1) else _SOUND_CLASS.get(unit.group(), "")


@lru_cache(maxsize=262144)
def sound_classes(spelling: str) -> str:
    """The consonants of an a-z spelling in broad classes (labials, dentals, sibilants and affricates,
    velars), vowels and ``h`` left out.

    Coarser than the skeleton: a name that reached Cyrillic through a third language often comes back with
    a consonant of the same class changed (Reubeni, Реувени, Reuveni; Khune, Куне, Kune; Zaja, Жая,
    Zhaya), which no spelling key nor skeleton shares.
    """
    return _REPEAT.sub(r"\1", _SOUND_UNIT.sub(_sound_class, spelling))


_VOWEL_RUN = re.compile(r"[aeiou]+")
_FINAL_I = re.compile(r"[aeiou]*i$")


@lru_cache(maxsize=262144)
def shape(key: str) -> str:
    """A loose key with every run of vowels written ``a``: spellings that differ only in vowels share it.

    Transliterations of one name disagree mostly on vowels (Haniyah, Haniyeh; Jabir, Jaber; Ismael,
    Ismail), which an edit distance counts in full. The shape keeps the consonants and where the vowels
    are, so it is far more specific than the skeleton. A final ``i`` (the Arabic nisba: Hamedi, not Hamada)
    stays distinct.
    """
    return _VOWEL_RUN.sub("a", _FINAL_I.sub("I", key))
