"""Cyrillic names: Latin spellings under the romanization schemes passports, newspapers and lists use.

One Cyrillic name has several correct Latin forms (Басаев: Basayev in English and BGN/PCGN, Basaev in
passports since 2013 and most Russian systems). Each Cyrillic word is given the forms of the schemes
that differ in practice; matching takes the best of them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import icu
import iuliia

from ictdb.matching.text import fold_latin

_ICU_SCHEMES = ("Russian-Latin/BGN", "Any-Latin")
_IULIIA_SCHEMES = ("WIKIPEDIA", "MOSMETRO", "ICAO_DOC_9303", "MVD_310_FR")


@lru_cache(maxsize=1)
def _transliterators() -> tuple[Any, ...]:
    icu_ones = tuple(icu.Transliterator.createInstance(name) for name in _ICU_SCHEMES)
    return icu_ones + tuple(getattr(iuliia, name) for name in _IULIIA_SCHEMES)


@lru_cache(maxsize=65536)
def spellings(word: str) -> tuple[str, ...]:
    """Distinct a-z spellings of one cleaned Cyrillic word, the BGN/PCGN one first."""
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
