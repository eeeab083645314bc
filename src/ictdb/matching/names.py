"""A name in any script, analyzed into comparable parts: Latin spellings, loose keys and skeletons.

This is the one entry point from raw text to comparison form. It drops what carries no identity
(honorifics, nasab markers bin/ibn/bint, the article al-/el-/ad-), joins what is one name written
apart or together (Abu Bakr / Abubakar, Abd al-Rahman / Abdulrahman / Abdurrahman, Saif al-Din /
Saifuddin, Abd Allah / Abdullah) and gives every part its Latin spellings whatever its script.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import icu

from ictdb.matching import arabic, cyrillic
from ictdb.matching.phonetic import loose, shape, skeleton
from ictdb.matching.text import fold_latin, token_script, tokens
from ictdb.model.vocab import Script


@dataclass(frozen=True, slots=True)
class Part:
    """One name part: its display spelling, loose keys (one per distinct spelling) and skeletons.

    ``weighted`` holds, for a part written in Cyrillic, the Latin names it is likely to have been written
    for, each with a cost (0 for the likeliest); comparison prefers the likelier one where keys tie.
    ``written`` is then the Cyrillic word itself, for costing other Latin spellings. ``shapes`` are the
    keys' ``phonetic.shape`` (vowel runs folded), derived from ``keys``.
    """

    text: str
    keys: tuple[str, ...]
    skeletons: tuple[str, ...]
    weighted: tuple[tuple[str, float], ...] = ()
    written: str = ""
    shapes: tuple[str, ...] = field(init=False, compare=False)
    _hash: int = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "shapes", tuple(dict.fromkeys(shape(key) for key in self.keys if len(key) >= 4)))
        object.__setattr__(self, "_hash", hash((self.text, self.keys, self.skeletons, self.weighted, self.written)))

    def __hash__(self) -> int:
        # Parts key the index's dictionaries and caches: hashing their tuples anew at each lookup cost a
        # tenth of indexing a name.
        return self._hash

    def __reduce__(
        self,
    ) -> tuple[type[Part], tuple[str, tuple[str, ...], tuple[str, ...], tuple[tuple[str, float], ...], str]]:
        # rebuilt from its fields, so that another process hashes it with its own string hashes
        return Part, (self.text, self.keys, self.skeletons, self.weighted, self.written)

    @property
    def key(self) -> str:
        """The primary loose key, used for frequency counts and blocking."""
        return self.keys[0]


HONORIFICS = frozenset(
    [
        "sheikh",
        "shaikh",
        "shaykh",
        "sheik",
        "shaik",
        "sheykh",
        "shejkh",
        "cheikh",
        "cheick",
        "mullah",
        "mulla",
        "mullo",
        "mollah",
        "maulavi",
        "mawlawi",
        "maulvi",
        "moulavi",
        "maulawi",
        "mawlavi",
        "molvi",
        "moulvi",
        "maulana",
        "mawlana",
        "haji",
        "hajji",
        "hadji",
        "alhaji",
        "alhajj",
        "hajj",
        "khadzhi",
        "hadzhi",
        "dr",
        "doctor",
        "doktor",
        "prof",
        "mr",
        "mrs",
        "ms",
        "mme",
        "sir",
        "emir",
        "amir",
        "imam",
        "mufti",
        "qari",
    ]
)
"""Titles that are not part of a name. Amir and Emir are also given names: only dropped before another part."""
ARTICLES = frozenset(
    ["al", "el", "ul", "ad", "ar", "as", "ash", "at", "az", "ad", "adh", "ed", "er", "es", "ez", "ud", "ur", "us", "uz"]
)
NASAB = frozenset(["bin", "ibn", "ben", "bint", "ibnu", "binti", "ould"])
ABU = frozenset(["abu", "abou", "abo", "aboo", "abi"])
ABD = frozenset(
    ["abd", "abdul", "abdel", "abdal", "abdol", "abdu", "abdur", "abdus", "abdoul", "abdel", "abdil", "abdi"]
)
ABBREVIATIONS = {"mohd": "mohammad", "muhd": "muhammad", "mohd.": "mohammad", "mhd": "muhammad", "md": "muhammad"}
"""Abbreviations of Muhammad that passports and lists in South and South-East Asia print."""
_SUFFIX_DIN = frozenset(["din", "deen", "dine"])
_SUFFIX_ALLAH = frozenset(["allah", "ullah", "ollah", "llah", "lah", "alla", "ulla"])

_ALLAH_END = re.compile(r"^([a-z]{3,}?)(?:ullah|ulla|ollah|allah|alla|illah|ullo)$")
_DIN_END = re.compile(r"^([a-z]{3,}?)(?:ud|ed|ad|al|el|ul|oud|id)d(?:in|ine|een)$")
_ABU_START = re.compile(r"^(?:abou|abu|abo)(?=[a-z]{3})")
_VOWELS = frozenset("aeiou")


def _drop_article(rest: str) -> str:
    """``rest`` of an attached compound (after abd/abu) without the article that joined it."""
    if rest.startswith(("ou", "ul", "el", "al", "il", "ol")) or rest[:1] in _VOWELS:
        rest = rest[2:] if rest[:2] in {"ou"} else rest[1:]
    if rest.startswith("llah") or rest.startswith("lah"):
        return "allah"
    if rest.startswith("l") and len(rest) > 3:
        return rest[1:]
    if len(rest) > 3 and rest[0] == rest[1]:
        return rest[1:]  # the sun letters: Abdurrahman, Abdussalam
    return rest


@lru_cache(maxsize=262144)
def canonical(spelling: str) -> str:
    """One spelling for the ways a compound is written in one word (Abdulrahman, Saifuddin, Abdullah)."""
    spelling = ABBREVIATIONS.get(spelling, spelling)
    if match := _ALLAH_END.match(spelling):
        spelling = match.group(1) + "allah"
    elif match := _DIN_END.match(spelling):
        spelling = match.group(1) + "din"
    if spelling.startswith("abd") and len(spelling) >= 7 and spelling[3:] != "allah":
        return "abd" + _drop_article(spelling[3:])
    if match := _ABU_START.match(spelling):
        return "abu" + spelling[match.end() :]
    return spelling


def _compound_skeleton(prefix: str, base: str) -> str:
    return re.sub(r"(.)\1+", r"\1", prefix + base.lstrip("Avy"))


@lru_cache(maxsize=262144)
def _latin_part(spellings: tuple[str, ...]) -> Part:
    forms = tuple(dict.fromkeys(canonical(spelling) for spelling in spellings if spelling))
    return Part(forms[0], tuple(dict.fromkeys(loose(form) for form in forms)), tuple({skeleton(f) for f in forms}))


KEY_COST = 1.0
"""Learned spellings of a Cyrillic word up to this cost become keys (blocking and plain comparison) too."""


@lru_cache(maxsize=65536)
def _cyrillic_part(word: str) -> Part:
    schemes = tuple(canonical(spelling) for spelling in cyrillic.scheme_spellings(word))
    learned = tuple((canonical(text), cost) for text, cost in cyrillic.learned_spellings(word))
    likely = tuple(text for text, cost in learned if cost <= KEY_COST)
    forms = tuple(dict.fromkeys((*schemes, *likely)))
    if not forms:
        return Part("", (), ())
    skeletons = tuple(dict.fromkeys(skeleton(form) for form in (*schemes, *likely[:1])))
    return Part(forms[0], tuple(dict.fromkeys(loose(form) for form in forms)), skeletons, learned, word)


@lru_cache(maxsize=65536)
def _joined_part(prefix: str, spellings: tuple[str, ...], suffix: str) -> Part:
    """A compound written apart (Abu Bakr, Abd al-Aziz, Saif al-Din): the parts joined into one word."""
    forms = tuple(dict.fromkeys(canonical(prefix + spelling + suffix) for spelling in spellings if spelling))
    skeletons = {skeleton(form) for form in forms}
    if prefix:
        skeletons |= {_compound_skeleton(skeleton(prefix), skeleton(s + suffix)) for s in spellings}
    return Part(forms[0], tuple(dict.fromkeys(loose(form) for form in forms)), tuple(skeletons))


@lru_cache(maxsize=65536)
def _arabic_part(particle: str, base: str) -> Part:
    forms = tuple(dict.fromkeys(canonical(spelling) for spelling in arabic.spellings(particle, base)))
    base_skeleton = arabic.skeleton(base)
    prefix = {"abu": "Ab", "abd": "Abd"}.get(particle, "")
    own = _compound_skeleton(prefix, base_skeleton) if prefix else base_skeleton
    skeletons = tuple(dict.fromkeys((own, *(skeleton(form) for form in forms[:1]))))
    return Part(forms[0], tuple(dict.fromkeys(loose(form) for form in forms)), skeletons)


@lru_cache(maxsize=1)
def _any_latin() -> icu.Transliterator:
    return icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")


@lru_cache(maxsize=65536)
def _spellings(token: str, script: Script) -> tuple[str, ...]:
    if script is Script.LATIN:
        folded = fold_latin(token)
        return (folded,) if folded else ()
    if script is Script.CYRILLIC:
        return cyrillic.scheme_spellings(token)
    folded = fold_latin(str(_any_latin().transliterate(token)).casefold())
    return (folded,) if folded else ()


def _latin_parts(words: list[tuple[str, ...]], cyrillic_words: list[str]) -> list[Part]:
    """Parts of a run of non-Arabic words, each given as its Latin spellings (main spelling first).

    ``cyrillic_words`` holds, at the same positions, the Cyrillic word a spelling came from, or "".
    """
    out: list[Part] = []
    index = 0
    count = len(words)
    while index < count:
        spellings = words[index]
        main = spellings[0]
        index += 1
        more = index < count
        if more and (main in HONORIFICS or main in ARTICLES or (main in NASAB and out)):
            continue
        if more and (main in ABU or main in ABD):
            while index < count - 1 and words[index][0] in ARTICLES:
                index += 1
            out.append(_joined_part("abu" if main in ABU else "abd", words[index], ""))
            index += 1
            continue
        if out and (main in _SUFFIX_DIN or main in _SUFFIX_ALLAH):
            previous = out.pop()
            suffix = "din" if main in _SUFFIX_DIN else "allah"
            out.append(_joined_part("", (previous.text,), suffix))
            continue
        written = cyrillic_words[index - 1]
        out.append(_cyrillic_part(written) if written else _latin_part(spellings))
    return out


@lru_cache(maxsize=65536)
def analyze(name: str) -> tuple[Part, ...]:
    """The comparable parts of a name written in any script, in written order; empty if it has no letters."""
    if name.isascii():
        # the common case, and the same result: every token of an ASCII name is a-z, Latin, its own spelling
        words: list[tuple[str, ...]] = [(token,) for token in tokens(name)]
        return _with_keys(_latin_parts(words, [""] * len(words)))
    parts: list[Part] = []
    run: list[tuple[str, ...]] = []
    run_cyrillic: list[str] = []
    arabic_run: list[str] = []

    def flush() -> None:
        if run:
            parts.extend(_latin_parts(run, run_cyrillic))
            run.clear()
            run_cyrillic.clear()
        if arabic_run:
            parts.extend(_arabic_part(particle, base) for particle, base in arabic.parts(arabic_run) if base)
            arabic_run.clear()

    for token in tokens(name):
        script = token_script(token)
        if script is Script.ARABIC:
            if run:
                flush()
            arabic_run.append(token)
            continue
        if arabic_run:
            flush()
        spellings = _spellings(token, script)
        if spellings:
            run.append(spellings)
            run_cyrillic.append(token if script is Script.CYRILLIC else "")
    flush()
    return _with_keys(parts)


def _with_keys(parts: list[Part]) -> tuple[Part, ...]:
    """The parts that have a spelling to compare (a word of marks or symbols alone has none)."""
    return tuple(part for part in parts if part.keys and part.keys[0])
