"""Script-neutral text cleaning: Unicode folding, invisible marks, punctuation and length limits.

Everything downstream works on the tokens this module yields, so hostile input (10,000-character names,
bidirectional marks, zero-width joiners, emoji, control characters) is tamed here once.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from ictdb.model.vocab import Script

MAX_NAME_CHARS = 300
"""Characters of a name that are looked at; real names are far shorter and the rest is noise."""
MAX_TOKENS = 12
"""Name parts kept per name; the longest real nasab chains have about ten."""
MAX_TOKEN_CHARS = 40

_NOT_ASCII_LETTER = re.compile("[^a-z]+")
_PLAIN_ARABIC = re.compile("[\u0621-\u063a\u0641-\u064a ]+")
_APOSTROPHES = frozenset("'`´ʹʺʻʼʽʾʿˈ’‘‛′")


def _char_script(char: str) -> Script | None:
    code = ord(char)
    if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0x08A0 <= code <= 0x08FF or 0xFB50 <= code <= 0xFEFF:
        return Script.ARABIC
    if 0x0400 <= code <= 0x052F:
        return Script.CYRILLIC
    if code < 0x02B0 or 0x1E00 <= code <= 0x1EFF:
        # up to 0x02AF: the IPA letters that Latin alphabets took in (Azerbaijani ə, West African ɛ and ɔ)
        return Script.LATIN
    return Script.OTHER


def clean(text: str) -> str:
    """NFKC, case-folded text with only letters and marks kept; everything else becomes a space.

    Apostrophes (Latin ayn and hamza markers such as Sa'id, Ma'mun) are removed without a space, so that the
    word stays whole. A token never mixes scripts: a change of script inside a word splits it.
    """
    text = text[: MAX_NAME_CHARS * 2]
    if text.isascii():
        # the common case, and the same result: every ASCII letter is Latin, so only separators matter
        plain = _NOT_ASCII_LETTER.sub(" ", text.casefold().replace("'", "").replace("`", "")).lstrip()
        return plain[:MAX_NAME_CHARS].strip()
    if _PLAIN_ARABIC.fullmatch(text):
        # the common non-ASCII case, and the same result: base Arabic letters are NFKC-stable and caseless
        return " ".join(text.split())[:MAX_NAME_CHARS].strip()
    text = unicodedata.normalize("NFKC", text).casefold()
    out: list[str] = []
    previous: Script | None = None
    for char in text:
        category = unicodedata.category(char)
        if char in _APOSTROPHES:
            continue
        if category[0] == "L":
            script = _char_script(char)
            if previous is not None and script is not previous and out and out[-1] != " ":
                out.append(" ")
            previous = script
            out.append(char)
        elif category[0] == "M":
            if out and out[-1] != " ":
                out.append(char)
        elif category == "Cf":
            continue  # zero-width joiners, bidirectional marks, tatweel-like format characters
        else:
            if out and out[-1] != " ":
                out.append(" ")
            previous = None
        if len(out) >= MAX_NAME_CHARS:
            break
    return "".join(out).strip()


def tokens(text: str) -> list[str]:
    """The name parts of ``text``, cleaned, at most ``MAX_TOKENS`` of at most ``MAX_TOKEN_CHARS`` each."""
    return [token[:MAX_TOKEN_CHARS] for token in clean(text).split()[:MAX_TOKENS]]


def token_script(token: str) -> Script:
    """The script of a cleaned token, judged by its first letter (tokens never mix scripts)."""
    for char in token:
        if unicodedata.category(char)[0] == "L":
            return _char_script(char) or Script.OTHER
    return Script.OTHER


_LATIN_SPECIAL = str.maketrans(
    {
        **{"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h"},
        # letters with no decomposition, written in English as these (Məmmədov: Mammadov, Əliyev: Aliyev)
        **{"ə": "a", "ɛ": "e", "ɔ": "o", "ɣ": "gh", "ŋ": "ng", "ɨ": "i", "ʃ": "sh", "ʒ": "zh", "ƒ": "f"},
    }
)


@lru_cache(maxsize=65536)
def fold_latin(token: str) -> str:
    """Plain a-z spelling of a Latin-script token: diacritics dropped, ligatures spelled out."""
    decomposed = unicodedata.normalize("NFKD", token.translate(_LATIN_SPECIAL))
    return "".join(char for char in decomposed if "a" <= char <= "z")
