"""Arabic-script names: letter normalization, particles, attested Latin spellings and a consonant skeleton.

Arabic writes a name's consonants and long vowels; Latin spellings of it vary with the writer's
language (Osama, Oussama, Usama). Two sources give Latin forms for an Arabic word:

* the dictionary of attested spellings shipped by ``arabic-name-romanizer`` (Wikidata and civil
  registers, about 33,000 distinct Arabic words), read once into memory; and
* a rule-based romanization plus a consonant skeleton built straight from the Arabic letters, which
  needs no dictionary and therefore also covers names nobody has listed (العدناني and al-Adnani share
  the skeleton ``Adn``).

The package's neural fallback is not used: it costs milliseconds per unknown word and its output adds
nothing the skeleton does not already give to a fuzzy comparison.
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from functools import lru_cache
from importlib import resources

from rapidfuzz.distance import Levenshtein

from ictdb.matching import phonetic
from ictdb.matching.text import fold_latin

SPELLINGS_PER_WORD = 4

_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_LETTERS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ئ": "ي",
        "ی": "ي",
        "ې": "ي",
        "ۍ": "ي",
        "ے": "ي",
        "ۓ": "ي",
        "ة": "ه",
        "ۀ": "ه",
        "ہ": "ه",
        "ھ": "ه",
        "ک": "ك",
        "ڪ": "ك",
        "ؤ": "و",
    }
)

ARTICLE = "ال"
ALLAH = "الله"
_DROPPED = frozenset({"بن", "ابن", "بنت", "ولد"})
_ABU = frozenset({"ابو", "ابا", "ابي", "بو"})
_ABD = "عبد"
_HONORIFICS = frozenset({"شيخ", "الشيخ", "حاج", "الحاج", "ملا", "الملا", "مولوي", "مولانا", "دكتور", "الدكتور"})


def normalize(word: str) -> str:
    """One spelling for the variant letters of an Arabic or Persian-script word."""
    return _DIACRITICS.sub("", word).translate(_LETTERS)


def strip_article(word: str) -> str:
    """The word without its definite article; Allah keeps it (الله is one word)."""
    if word.startswith(ARTICLE) and len(word) > 3 and word != ALLAH:
        return word[2:]
    return word


def parts(words: list[str]) -> list[tuple[str, str]]:
    """Arabic words grouped into name parts, as (particle, base word) pairs.

    The particle is ``abu`` or ``abd`` for the compounds أبو بكر and عبد الرحمن (written apart or
    together), or empty. Nasab markers (بن، بنت) and honorifics carry no identity and are dropped;
    the definite article is removed; الدين and الله are joined to the word before them.
    """
    words = [normalize(word) for word in words]
    split: list[str] = []
    for word in words:
        if word.startswith(_ABD + ARTICLE) and len(word) > 5:
            split.extend((_ABD, word[3:]))
        else:
            split.append(word)
    out: list[tuple[str, str]] = []
    index = 0
    while index < len(split):
        word = split[index]
        index += 1
        if word in _HONORIFICS and index < len(split):
            continue
        if word in _DROPPED and out and index < len(split):
            continue
        if (word in _ABU or word == _ABD) and index < len(split):
            particle = "abu" if word in _ABU else "abd"
            out.append((particle, strip_article(split[index])))
            index += 1
            continue
        base = strip_article(word)
        if (out and base in {"دين", ALLAH} and word != base) or (out and word == ALLAH):
            particle, previous = out.pop()
            out.append((particle, previous + " " + base))
            continue
        out.append(("", base))
    return out


_SKELETON = {
    "ب": "b",
    "ت": "t",
    "ث": "t",
    "ج": "j",
    "ح": "h",
    "خ": "X",
    "د": "d",
    "ذ": "d",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ش": "S",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "z",
    "غ": "k",
    "ف": "f",
    "ق": "k",
    "ك": "k",
    "گ": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
    "پ": "p",
    "چ": "S",
    "ژ": "d",
    "ڤ": "v",
    "ښ": "S",
    "ږ": "d",
    "ټ": "t",
    "ډ": "d",
    "ړ": "r",
    "ڼ": "n",
    "ځ": "z",
    "څ": "s",
}


@lru_cache(maxsize=65536)
def skeleton(word: str) -> str:
    """Consonant classes of an Arabic word, comparable with ``phonetic.skeleton`` of a Latin spelling."""
    out: list[str] = []
    letters = word.replace(" ", "")
    for position, letter in enumerate(letters):
        if position == 0 and letter in "اع":
            out.append("A")
        elif position == 0 and letter == "و":
            out.append("v")
        elif position == 0 and letter == "ي":
            out.append("y")
        elif letter == "ه" and position == len(letters) - 1 and position > 0:
            continue  # ta marbuta and final ha are silent in most spellings (Hamza, Hamzah)
        else:
            out.append(_SKELETON.get(letter, ""))
    text = "".join(out)
    return re.sub(r"(.)\1+", r"\1", text)


_ROMAN = {
    **{letter: value for letter, value in _SKELETON.items() if value},
    "ث": "th",
    "خ": "kh",
    "ذ": "dh",
    "ش": "sh",
    "غ": "gh",
    "ق": "q",
    "چ": "ch",
    "ژ": "zh",
    "ښ": "sh",
    "ږ": "zh",
    "څ": "ts",
}


@lru_cache(maxsize=65536)
def romanize(word: str) -> str:
    """A plain rule-based Latin spelling of one Arabic word, for words no dictionary knows."""
    out: list[str] = []
    letters = word.replace(" ", "")
    consonants_in_row = 0
    for position, letter in enumerate(letters):
        last = position == len(letters) - 1
        if letter == "ا":
            out.append("a")
            consonants_in_row = 0
        elif letter == "ع":
            if position == 0:
                out.append("a")
            consonants_in_row = 0
        elif letter == "ء":
            continue
        elif letter == "و":
            out.append("w" if position == 0 or (not last and letters[position + 1] == "ا") else "u")
            consonants_in_row = 0 if out[-1] == "u" else 1
        elif letter == "ي":
            out.append("y" if position == 0 or (not last and letters[position + 1] == "ا") else "i")
            consonants_in_row = 0 if out[-1] == "i" else 1
        elif letter == "ه" and last and position > 0:
            out.append("a")
        else:
            if consonants_in_row == 1 and position == 1:
                out.append("a")  # the short vowel after a first consonant is almost always written in Latin
            out.append(_ROMAN.get(letter, ""))
            consonants_in_row += 1
    return "".join(out)


_ARTICLE_LATIN = re.compile(r"^(?:a|e|u)(?:l|sh|th|dh|[tdrszn])[\s-]|^(?:al|el)(?=[a-z]{3})")


def _latin_word(latin: str) -> str:
    return fold_latin(_ARTICLE_LATIN.sub("", latin.casefold(), count=1))


def _plausible(key: str, spelling: str) -> bool:
    """Whether a dictionary row's spelling fits its Arabic word; rows from misaligned pairs do not."""
    own = skeleton(key.split()[-1])
    theirs = phonetic.skeleton(spelling[3:] if " " in key else spelling)
    return Levenshtein.normalized_similarity(own.lstrip("A"), theirs.lstrip("A")) >= 0.5


@lru_cache(maxsize=1)
def dictionary() -> dict[str, tuple[str, ...]]:
    """Normalized Arabic word (article removed) -> its most attested a-z spellings, most frequent first."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    path = resources.files("arabic_name_romanizer") / "resources" / "names.sqlite3"
    with resources.as_file(path) as db_path:
        connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            rows = connection.execute("SELECT arabic_key, latin, count FROM units").fetchall()
        finally:
            connection.close()
    for arabic, latin, count in rows:
        words = normalize(arabic).split()
        if len(words) == 1:
            key = strip_article(words[0])
            spelling = _latin_word(latin) if key != words[0] else fold_latin(latin.casefold())
        elif len(words) == 2 and words[0] in (*_ABU, _ABD):
            key = ("abu " if words[0] in _ABU else "abd ") + strip_article(words[1])
            spelling = fold_latin(latin.casefold())
        else:
            continue
        if key and spelling and _plausible(key, spelling):
            counts[key][spelling] += int(count)
    return {
        key: tuple(sorted(spellings, key=lambda s: -spellings[s])[:SPELLINGS_PER_WORD])
        for key, spellings in counts.items()
    }


def spellings(particle: str, base: str) -> tuple[str, ...]:
    """Latin spellings of one name part: attested ones first, then the rule-based one."""
    table = dictionary()
    found: list[str] = []
    if particle:
        found.extend(table.get(f"{particle} {base}", ()))
    words = base.split()
    head = ("allah",) if words[0] == ALLAH else table.get(words[0], ()) or (romanize(words[0]),)
    tail = ""
    if len(words) > 1:
        tail = "allah" if words[1] == ALLAH else "din" if words[1] == "دين" else romanize(words[1])
    for spelling in (*head, "allah" if words[0] == ALLAH else romanize(words[0])):
        found.append(particle + spelling + tail)
    return tuple(dict.fromkeys(found))
