"""Which writing system a string is in, judged by its letters."""

from __future__ import annotations

import re

from ictdb.model.vocab import Script

# Letters only (\w minus digits and underscore), counted per script with one regular expression each:
# a character loop in Python was the slowest step of a bulk import.
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFEFF]")
_CYRILLIC = re.compile(r"[\u0400-\u052F]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F\u1E00-\u1EFF]")
_LETTER = re.compile(r"[^\W\d_]")


def detect_script(text: str) -> Script:
    """The script of most of the letters in ``text``; OTHER when there are none or another script wins."""
    letters = len(_LETTER.findall(text))
    if not letters:
        return Script.OTHER
    arabic = sum(1 for c in _ARABIC.findall(text) if c.isalpha())
    cyrillic = len(_CYRILLIC.findall(text))
    latin = sum(1 for c in _LATIN.findall(text) if c.isalpha())
    other = letters - arabic - cyrillic - latin
    counts = [(latin, Script.LATIN), (arabic, Script.ARABIC), (cyrillic, Script.CYRILLIC), (other, Script.OTHER)]
    best = max(counts, key=lambda pair: pair[0])
    return best[1]
