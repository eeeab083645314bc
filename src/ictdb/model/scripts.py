"""Which writing system a string is in, judged by its letters."""

from __future__ import annotations

import unicodedata

from ictdb.model.vocab import Script


def detect_script(text: str) -> Script:
    """The script of most of the letters in ``text``; OTHER when there are none or another script wins."""
    counts = {Script.LATIN: 0, Script.ARABIC: 0, Script.CYRILLIC: 0, Script.OTHER: 0}
    for char in text:
        if not char.isalpha():
            continue
        code = ord(char)
        if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0xFB50 <= code <= 0xFEFF:
            counts[Script.ARABIC] += 1
        elif 0x0400 <= code <= 0x052F:
            counts[Script.CYRILLIC] += 1
        elif code < 0x0250 or 0x1E00 <= code <= 0x1EFF:
            counts[Script.LATIN] += 1
        elif unicodedata.category(char).startswith("L"):
            counts[Script.OTHER] += 1
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else Script.OTHER
