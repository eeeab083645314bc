"""Which writing system a string is in, judged by its letters."""

from __future__ import annotations

import re

from ictdb.model.vocab import Script

_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFEFF]")
_CYRILLIC = re.compile(r"[\u0400-\u052F]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F\u1E00-\u1EFF]")
_LETTER = re.compile(r"[^\W\d_]")  # letters only: \w minus digits and underscore


class _Marks(dict[int, str | None]):
    """Each character, as ``str.translate`` sees it, to the one mark that says what it counts for:
    ``a`` an Arabic letter, ``l`` a Latin letter, ``c`` a Cyrillic letter, ``k`` another character of the
    Cyrillic block, ``o`` a letter of any other script; anything else is dropped. Worked out once per
    character: counting marks in C replaced a regular expression and a generator per script and name,
    the slowest step of a bulk import."""

    def __missing__(self, code: int) -> str | None:
        char = chr(code)
        letter = _LETTER.match(char) is not None
        mark: str | None
        if _CYRILLIC.match(char):
            mark = "c" if letter else "k"
        elif _ARABIC.match(char) and char.isalpha():
            mark = "a"
        elif _LATIN.match(char) and char.isalpha():
            mark = "l"
        else:
            mark = "o" if letter else None
        self[code] = mark
        return mark


_MARKS = _Marks()


def detect_script(text: str) -> Script:
    """The script of most of the letters in ``text``; OTHER when there are none or another script wins.

    Every character of the Cyrillic block counts for Cyrillic, letter or not; a tie goes to the script
    named first of Latin, Arabic, Cyrillic and other.
    """
    marks = text.translate(_MARKS)
    if not marks:
        return Script.OTHER
    if text.isascii():  # the only letters ASCII has are Latin ones
        return Script.LATIN
    cyrillic_signs = marks.count("k")
    letters = len(marks) - cyrillic_signs
    if not letters:
        return Script.OTHER
    arabic = marks.count("a")
    cyrillic = marks.count("c") + cyrillic_signs
    latin = marks.count("l")
    other = letters - arabic - cyrillic - latin
    best, script = latin, Script.LATIN
    for count, candidate in ((arabic, Script.ARABIC), (cyrillic, Script.CYRILLIC), (other, Script.OTHER)):
        if count > best:
            best, script = count, candidate
    return script
