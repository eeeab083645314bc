"""Screening benchmark tasks built from the reference data: watchlists, positive and negative queries.

Task definitions (see benchmarks/RESULTS.md for the numbers):

* ``arabic``: the watchlist holds the UN list's individuals under their Latin names and aliases (not their
  original-script names) and the OFAC individuals. Positive queries are the UN individuals' Arabic-script
  original names; a query is right when it finds that UN record, or the OFAC record of the same person
  (linked by equal name tokens plus a shared birth year, or equal names where neither list gives a birth date,
  or by a shared document number). Negatives are Arabic-script
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
  Cyrillic forms whose Latin forms were left out of the watchlist.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

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


def load_sanctions() -> Sanctions:
    un_items, _ = read_un_sc(DATA / "sanctions" / "un" / "consolidated.xml")
    ofac_items, _ = read_ofac_sdn(DATA / "sanctions" / "ofac-2019")
    un = {item.key: item.body for item in un_items if isinstance(item.body, Person)}
    ofac = {item.key: item.body for item in ofac_items if isinstance(item.body, Person)}
    by_name: dict[tuple[str, ...], set[str]] = defaultdict(set)
    by_document: dict[str, set[str]] = defaultdict(set)
    for key, person in ofac.items():
        for name in person.names:
            if name.script is Script.LATIN:
                by_name[_plain_tokens(name.value)].add(key)
        for document in _document_keys(person):
            by_document[document].add(key)
    same: dict[str, set[str]] = defaultdict(set)
    for key, person in un.items():
        years = _birth_years(person)
        found: set[str] = set()
        for name in person.names:
            if name.script is not Script.LATIN:
                continue
            for other in by_name.get(_plain_tokens(name.value), ()):
                other_years = _birth_years(ofac[other])
                # equal names link when a birth year is shared, or when neither list gives one
                if years & other_years or not (years or other_years):
                    found.add(other)
        for document in _document_keys(person):
            found |= by_document.get(document, set())
        for other in found:
            same[f"un:{key}"].add(f"ofac:{other}")
            same[f"ofac:{other}"].add(f"un:{key}")
    return Sanctions(un, ofac, same)


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
    return Task("arabic", watchlist, positives, made, {"un_records_linked_to_ofac": linked})


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
    names = [row[0] for row in rows]
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


def cyrillic_task(split: str, positives: int, negatives: int, seed: int = 5) -> Task:
    """``split`` is ``80`` while developing and ``20`` for reported numbers."""
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
    negative_pairs = [(english, russian) for english, russian in pairs if _fold(english) in held_out]
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
