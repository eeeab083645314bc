"""Screening benchmark tasks built from the reference data: watchlists, positive and negative queries.

Task definitions (see benchmarks/RESULTS.md for the numbers):

* ``arabic``: the watchlist holds the UN list's individuals under their Latin names and aliases (not their
  original-script names) and the OFAC individuals. Positive queries are the UN individuals' Arabic-script
  original names; a query is right when it finds that UN record, or the OFAC record of the same person
  (see "Same person on both lists" below). Negatives are Arabic-script
  names of people who are not listed: the parts of real listed names recombined across people (first name
  of one, father's name of another, family name of a third), so they look like listed names without being
  anyone's, and names built from Wikidata's Arabic-script name words. Negatives have at least three words:
  two common words (علي إبراهيم) are often a listed name in another order, so not a negative at all.
* ``latin``: OFAC 'a.k.a.' names that are spelling variants of the same entry's primary name (same number of
  words, character-bigram overlap >= 0.5, not identical after folding). The watchlist holds the OFAC
  individuals under their primary names only, plus the UN individuals with all their Latin names.
  Negatives: names of people not listed (the historical-figures dataset), and OFAC name parts recombined.
* ``cyrillic``: Wikidata single-word pairs, the held-out 20% split. The watchlist holds the distinct Latin
  forms; queries are the Cyrillic forms; a query is right when it finds its own Latin form. Negatives are
  Cyrillic forms whose Latin forms were left out of the watchlist and that the split pairs with no listed
  Latin form (before 2026-11-29 04:00 UTC about 18% of negatives were such, e.g. Микаэль, paired with the
  held-out Michael and with the listed Mickael: a right answer counted as a false alert). Every pair whose
  Latin form is listed is a positive query (30,917 on the 20% split; runs before 2026-11-30 09:00 UTC drew
  1,500 of them, too few to tell recall@10 apart where two systems differ on a handful of queries).

Same person on both lists (the answer key of ``arabic`` and ``latin``, one key for every system): a UN record
and an OFAC record are the same person when they share a document number (5 characters or more), or when
they share a birth year (a year inside any birth date or range of each) and some Latin name of one agrees
with some Latin name of the other. Names agree when, after ICU ``Any-Latin; Latin-ASCII``, lower case and
dropping the particles al/el/ad/ar/as/ash/at/az/bin/ibn/ben/bint, they have the same number of words (at
least two that are not abu/abd/abdul/abdel/umm) and the words pair off one to one with rapidfuzz ``ratio``
>= 82 for every pair and >= 90 on average (Qadhafi/Qaddafi, Faisal/Faysal, Mohammad/Mohammed, but not
Bashir/Yasir or Nasiruddin/Sirajuddin). Names equal after Unicode folding (as before) link on a shared birth
year too, or when neither list gives a birth date.
The key deliberately does not use ictdb's matcher, so no system is graded by its own scorer. Birth years must
be shared, not close: the same person listed as born 1974/1976 on one list and 1975 on the other stays
unlinked, as does one whose UN entry gives no birth date (Ghasem Soleymani).
Before 2026-11-29 02:00 UTC the key linked only names equal after folding, which counted finding the same
person's other record under a differently transliterated name as a miss.
"""

from __future__ import annotations

import itertools
import random
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import icu
from rapidfuzz import fuzz

from ictdb.formats.ofac_sdn import read_ofac_sdn
from ictdb.formats.un_sc import read_un_sc
from ictdb.matching import MatchEntry, MatchQuery
from ictdb.model.records import Name, Person
from ictdb.model.vocab import NameKind, Script

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


@dataclass
class Task:
    name: str
    watchlist: list[MatchEntry]
    positives: list[tuple[MatchQuery, frozenset[str]]]
    negatives: list[MatchQuery]
    notes: dict[str, object] = field(default_factory=dict)


@dataclass
class Sanctions:
    un: dict[str, Person]
    ofac: dict[str, Person]
    same_person: dict[str, set[str]]  # "un:KEY" -> {"ofac:KEY", ...} and back
    # pairs only the spelling-tolerant name test links: (un key, ofac key, UN name words, OFAC name words)
    spelling_links: list[tuple[str, str, str, str]] = field(default_factory=list)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_PLAIN_DROP = {"al", "el", "bin", "ibn", "ben", "bint"}


def _plain_tokens(name: str) -> tuple[str, ...]:
    """Words of a name, folded, particles dropped, sorted: the 'equal name' test for linking lists."""
    words = re.findall(r"[a-z]+", _fold(name).replace("'", ""))
    return tuple(sorted(word for word in words if word not in _PLAIN_DROP))


def _document_keys(person: Person) -> set[str]:
    return {re.sub(r"[^0-9A-Z]", "", doc.number.upper()) for doc in person.documents if len(doc.number) >= 5}


def _birth_years(person: Person) -> set[int]:
    return {year for date in person.birth_dates for year in range(date.earliest.year, date.latest.year + 1)}


_LINK_PARTICLES = {"al", "el", "ad", "ar", "as", "ash", "at", "az", "bin", "ibn", "ben", "bint"}
_LINK_WEAK = {"abu", "abou", "abo", "abd", "abdul", "abdel", "abdal", "umm"}
_ASCII = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")


def _link_words(name: str) -> tuple[str, ...]:
    text = str(_ASCII.transliterate(name)).lower().replace("'", "")
    return tuple(word for word in re.findall(r"[a-z0-9]+", text) if word not in _LINK_PARTICLES)


def names_agree(left: tuple[str, ...], right: tuple[str, ...]) -> bool:
    """The answer key's name test: same word count, words paired one to one, each pair close in spelling."""
    if len(left) != len(right) or len(left) < 2 or len(left) > 7:
        return False
    if sum(word not in _LINK_WEAK for word in left) < 2 or sum(word not in _LINK_WEAK for word in right) < 2:
        return False
    best = _best_pairing(left, right)
    return min(best) >= 82 and sum(best) / len(best) >= 90


def _best_pairing(left: tuple[str, ...], right: tuple[str, ...]) -> list[float]:
    scores = [[fuzz.ratio(a, b) for b in right] for a in left]
    return max(
        ([scores[i][j] for i, j in enumerate(order)] for order in itertools.permutations(range(len(right)))),
        key=sum,
    )


def load_sanctions() -> Sanctions:
    un_items, _ = read_un_sc(DATA / "sanctions" / "un" / "consolidated.xml")
    ofac_items, _ = read_ofac_sdn(DATA / "sanctions" / "ofac-2019")
    un = {item.key: item.body for item in un_items if isinstance(item.body, Person)}
    ofac = {item.key: item.body for item in ofac_items if isinstance(item.body, Person)}
    same, spelling = link_same_people(un, ofac)
    return Sanctions(un, ofac, same, spelling)


def _latin_words(person: Person) -> set[tuple[str, ...]]:
    return {_link_words(name.value) for name in person.names if name.script is Script.LATIN}


def link_same_people(
    un: dict[str, Person], ofac: dict[str, Person]
) -> tuple[dict[str, set[str]], list[tuple[str, str, str, str]]]:
    """UN/OFAC pairs that are one person: a shared document, or agreeing names plus a shared birth year."""
    by_name: dict[tuple[str, ...], set[str]] = defaultdict(set)
    by_document: dict[str, set[str]] = defaultdict(set)
    by_year: dict[int, set[str]] = defaultdict(set)
    ofac_words = {key: _latin_words(person) for key, person in ofac.items()}
    for key, person in ofac.items():
        for name in person.names:
            if name.script is Script.LATIN:
                by_name[_plain_tokens(name.value)].add(key)
        for document in _document_keys(person):
            by_document[document].add(key)
        for year in _birth_years(person):
            by_year[year].add(key)
    same: dict[str, set[str]] = defaultdict(set)
    spelling: list[tuple[str, str, str, str]] = []
    for key, person in un.items():
        years = _birth_years(person)
        found: set[str] = set()
        for name in person.names:
            if name.script is not Script.LATIN:
                continue
            for other in by_name.get(_plain_tokens(name.value), ()):
                # equal folded names link on a shared birth year, or when neither list gives one
                other_years = _birth_years(ofac[other])
                if years & other_years or not (years or other_years):
                    found.add(other)
        for document in _document_keys(person):
            found |= by_document.get(document, set())
        words = _latin_words(person)
        for other in sorted(set().union(*(by_year[year] for year in years)) if years else set()):
            agreeing = [(m, t) for m in words for t in ofac_words[other] if names_agree(m, t)]
            if agreeing and other not in found:
                found.add(other)
                spelling.append((key, other, " ".join(agreeing[0][0]), " ".join(agreeing[0][1])))
            elif agreeing:
                found.add(other)
        for other in found:
            same[f"un:{key}"].add(f"ofac:{other}")
            same[f"ofac:{other}"].add(f"un:{key}")
    return same, spelling


def _entry(entity_id: str, person: Person, names: list[Name]) -> MatchEntry:
    return MatchEntry(
        entity_id=entity_id,
        schema="Person",
        names=tuple(names),
        birth_dates=tuple(person.birth_dates),
        nationalities=tuple(person.nationalities),
        gender=person.gender.value if person.gender else None,
        documents=tuple(doc.number for doc in person.documents),
        caption=person.caption(),
        tag="list",
    )


def _latin_names(person: Person) -> list[Name]:
    return [name for name in person.names if name.kind is not NameKind.ORIGINAL_SCRIPT and name.script is Script.LATIN]


def _truth(entity_id: str, sanctions: Sanctions) -> frozenset[str]:
    return frozenset({entity_id, *sanctions.same_person.get(entity_id, ())})


def _arabic_words(path: Path, column: int, limit: int, rng: random.Random) -> list[str]:
    words: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if len(cells) > column:
            word = cells[column].replace(" ", "")
            if word and all("\u0600" <= ch <= "\u06ff" for ch in word):
                words.append(word)
    rng.shuffle(words)
    return words[:limit]


def arabic_task(sanctions: Sanctions, negatives: int, seed: int = 7) -> Task:
    rng = random.Random(seed)
    watchlist = [_entry(f"un:{key}", person, _latin_names(person)) for key, person in sanctions.un.items()]
    watchlist = [entry for entry in watchlist if entry.names]
    watchlist += [_entry(f"ofac:{key}", person, list(person.names)) for key, person in sanctions.ofac.items()]
    positives: list[tuple[MatchQuery, frozenset[str]]] = []
    arabic_names: list[list[str]] = []
    for key, person in sanctions.un.items():
        for name in person.names:
            if name.kind is NameKind.ORIGINAL_SCRIPT and name.script is Script.ARABIC:
                positives.append((MatchQuery(names=(name.value,)), _truth(f"un:{key}", sanctions)))
                arabic_names.append(name.value.split())
    listed = {tuple(sorted(words)) for words in arabic_names}
    made: list[MatchQuery] = []
    seen: set[tuple[str, ...]] = set()
    while len(made) < negatives // 2:
        length = max(3, rng.choice([len(words) for words in arabic_names]))
        words = []
        for position in range(length):
            donors = [w for w in arabic_names if len(w) > position]
            words.append(rng.choice(donors)[position])
        if tuple(sorted(words)) in listed or tuple(words) in seen:
            continue
        seen.add(tuple(words))
        made.append(MatchQuery(names=(" ".join(words),)))
    vocabulary = _arabic_words(DATA / "names" / "wikidata-coling2018" / "wd_arabic_20", 1, 4000, rng)
    vocabulary += _arabic_words(DATA / "names" / "google-ar2en" / "ar2en-test.txt", 0, 2000, rng)
    while len(made) < negatives:
        made.append(MatchQuery(names=(" ".join(rng.sample(vocabulary, rng.choice([3, 3, 4]))),)))
    linked = sum(1 for key in sanctions.same_person if key.startswith("un:"))
    pairs = sum(len(others) for key, others in sanctions.same_person.items() if key.startswith("un:"))
    notes = {
        "un_records_linked_to_ofac": linked,
        "un_ofac_links": pairs,
        "links_by_spelling": len(sanctions.spelling_links),
    }
    return Task("arabic", watchlist, positives, made, notes)


def _bigrams(text: str) -> set[str]:
    folded = re.sub(r"[^a-z ]", "", _fold(text))
    return {folded[i : i + 2] for i in range(len(folded) - 1)}


def is_spelling_variant(primary: str, alias: str) -> bool:
    if _plain_tokens(primary) == _plain_tokens(alias):
        return False
    if len(_plain_tokens(primary)) != len(_plain_tokens(alias)):
        return False
    left, right = _bigrams(primary), _bigrams(alias)
    return bool(left and right) and len(left & right) / len(left | right) >= 0.5


def _historical_names(limit: int, rng: random.Random) -> list[str]:
    try:
        import duckdb
    except ImportError:
        return []
    path = DATA / "er" / "historical_figures_with_errors_50k.parquet"
    rows = duckdb.sql(
        f"SELECT DISTINCT first_and_surname FROM read_parquet('{path}') WHERE first_and_surname IS NOT NULL"
    ).fetchall()
    names = sorted(row[0] for row in rows)  # DISTINCT comes back in no fixed order: sort before sampling
    rng.shuffle(names)
    return names[:limit]


def latin_task(sanctions: Sanctions, negatives: int, seed: int = 11) -> Task:
    rng = random.Random(seed)
    watchlist = [_entry(f"un:{key}", person, _latin_names(person)) for key, person in sanctions.un.items()]
    watchlist = [entry for entry in watchlist if entry.names]
    positives: list[tuple[MatchQuery, frozenset[str]]] = []
    tokens_by_position: list[list[str]] = []
    for key, person in sanctions.ofac.items():
        primary = next((name for name in person.names if name.kind is NameKind.PRIMARY), person.names[0])
        watchlist.append(_entry(f"ofac:{key}", person, [primary]))
        tokens_by_position.append(primary.value.split())
        for name in person.names:
            if name.kind is NameKind.ALIAS and is_spelling_variant(primary.value, name.value):
                positives.append((MatchQuery(names=(name.value,)), _truth(f"ofac:{key}", sanctions)))
    listed = {_plain_tokens(name.value) for entry in watchlist for name in entry.names}
    made = [MatchQuery(names=(name,)) for name in _historical_names(negatives // 2, rng)]
    while len(made) < negatives:
        length = rng.choice([2, 3, 3, 4])
        words = [rng.choice([w for w in tokens_by_position if len(w) > p])[p] for p in range(length)]
        if _plain_tokens(" ".join(words)) in listed:
            continue
        made.append(MatchQuery(names=(" ".join(words),)))
    return Task("latin", watchlist, positives, made)


def _pairs(path: Path) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if len(cells) >= 2:
            pairs.append((cells[0], cells[1].replace(" ", "")))
    return pairs


def cyrillic_task(split: str, positives: int | None, negatives: int, seed: int = 5) -> Task:
    """``split`` is ``80`` while developing and ``20`` for reported numbers; ``positives`` None for all."""
    rng = random.Random(seed)
    pairs = _pairs(DATA / "names" / "wikidata-coling2018" / f"wd_russian_{split}")
    latin = sorted({_fold(english) for english, _ in pairs})
    rng.shuffle(latin)
    held_out = set(latin[: max(negatives * 2, 1)])
    kept = latin[len(held_out) :]
    watchlist = [
        MatchEntry(entity_id=f"wd:{form}", schema="Person", names=(Name(value=form),), caption=form, tag="list")
        for form in kept
        if any(ch.isalpha() for ch in form)
    ]
    in_list = {entry.entity_id for entry in watchlist}
    positive_pairs = [(english, russian) for english, russian in pairs if f"wd:{_fold(english)}" in in_list]
    # a Cyrillic form the split also pairs with a listed Latin form is that name, not a negative (18% of them)
    listed_russian = {russian for english, russian in pairs if f"wd:{_fold(english)}" in in_list}
    negative_pairs = [
        (english, russian) for english, russian in pairs if _fold(english) in held_out and russian not in listed_russian
    ]
    rng.shuffle(positive_pairs)
    rng.shuffle(negative_pairs)
    return Task(
        f"cyrillic-{split}",
        watchlist,
        [
            (MatchQuery(names=(russian,)), frozenset({f"wd:{_fold(english)}"}))
            for english, russian in positive_pairs[:positives]
        ],
        [MatchQuery(names=(russian,)) for _, russian in negative_pairs[:negatives]],
        {"pairs_in_split": len(pairs)},
    )
