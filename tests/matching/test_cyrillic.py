"""Cyrillic names written for foreign Latin names (by sound), as Wikidata pairs show them."""

from __future__ import annotations

import math

import pytest

from ictdb.matching import SEARCH_THRESHOLD, Match, MatchEntry, MatchQuery, NameIndex, analyze
from ictdb.matching.cyrillic import (
    _UNSEEN,
    MAX_SEGMENT,
    _distributions,
    _top_logp,
    channel_cost,
    channel_costs,
    learned_spellings,
    spelling_cost,
)
from ictdb.matching.score import part_similarity, similarity_matrix
from ictdb.model.records import Name

# real pairs from the Wikidata training split (wd_russian_80), with confusable Latin names beside them
FOREIGN = [
    ("Шмидт", "Schmidt", ["Smit", "Schmitz", "Shmidtova"]),
    ("Кэндзиро", "Kenjiro", ["Kendziora", "Kenzie", "Kenji"]),
    ("Вунибальд", "Wunibald", ["Wiebald", "Vunibel", "Wunsch"]),
    ("Иветт", "Yvette", ["Ivetic", "Iwata", "Yvon"]),
    ("Уодделл", "Waddell", ["Udell", "Woodall", "Odell"]),
    ("Холифилд", "Holyfield", ["Hohlfeld", "Holiday", "Olifant"]),
    ("Лоренцен", "Lorentzen", ["Lorenzo", "Laurencin", "Lorentz"]),
]


def test_a_word_gets_the_latin_name_it_was_written_for_first() -> None:
    assert learned_spellings("шмидт")[0] == ("schmidt", 0.0)
    assert learned_spellings("кэндзиро")[0][0] == "kenjiro"
    costs = dict(learned_spellings("алойс"))
    assert costs["alois"] < costs["aloys"]


def test_spellings_beyond_the_likeliest_still_cost_less_than_unrelated_ones() -> None:
    assert spelling_cost("холифилд", "holyfield") < spelling_cost("холифилд", "hollywood")
    assert spelling_cost("лоренцен", "lorentzen") < spelling_cost("лоренцен", "lawrence")


@pytest.mark.parametrize(("cyrillic", "latin", "others"), FOREIGN)
def test_search_in_cyrillic_finds_the_foreign_latin_name_first(cyrillic: str, latin: str, others: list[str]) -> None:
    index = NameIndex()
    for name in [latin, *others]:
        index.add(MatchEntry(entity_id=name, schema="Person", names=(Name(value=name),)))
    result = index.search(MatchQuery(names=(f"{cyrillic}",)), lambda tag: True)
    assert result.matches[0].entity_id == latin
    assert result.matches[0].score >= SEARCH_THRESHOLD


def _matches(query: str, names: tuple[str, ...]) -> tuple[Match, ...]:
    """What a search for ``query`` returns from an index of ``names`` (one record each), best first."""
    index = NameIndex()
    for name in names:
        index.add(MatchEntry(entity_id=name, schema="Person", names=(Name(value=name),)))
    return index.search(MatchQuery(names=(query,)), lambda tag: True).matches


def _found(query: str, names: tuple[str, ...]) -> list[str]:
    """The names a search for ``query`` returns from an index of ``names`` (one record each)."""
    return [match.entity_id for match in _matches(query, names)]


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Реувени", "Reubeni"),
        ("Куне", "Khune"),
        ("Жая", "Zaja"),
        ("Дада", "Dahdah"),
        ("Бирюк", "Birjuk"),
        ("Демьен", "Demjen"),
        ("Мехтизаде", "Mehdizadə"),
        ("Бичкеи", "Bicskei"),
    ],
)
def test_a_consonant_changed_within_its_class_still_finds_the_name(cyrillic: str, latin: str) -> None:
    # pairs of the training split: Hebrew b written в, kh written к, a j read as й, an h heard as х,
    # Hungarian cs written ч. No spelling key of the Cyrillic word nor its skeleton is shared with the Latin
    # name; only the broad consonant classes, of the name read with j as y, or of a less likely spelling of
    # the Cyrillic word.
    others = ("Revon", "Kunie", "Zhanna", "Dada", "Kartawidjaja", "Baric", "Demilo", "Sheherazade", "Rickey")
    assert latin in _found(cyrillic, (latin, *others))


@pytest.mark.parametrize(
    ("cyrillic", "latin"), [("Авихай", "Avichai"), ("Коннотон", "Connaughton"), ("Во", "Waugh"), ("Дайтон", "Dighton")]
)
def test_a_ch_or_gh_russian_heard_as_h_or_not_at_all_still_finds_the_name(cyrillic: str, latin: str) -> None:
    # pairs of the training split: the Hebrew and German ch is х, which the learned spellings write h; the
    # English gh is silent. Read as a sibilant and a velar, they shared no key with the Cyrillic word.
    assert latin in _found(cyrillic, (latin, "Avihu", "Beaton", "Bacha", "Abaya", "Bitton", "Bai", "Chai", "Beit"))


@pytest.mark.parametrize(("cyrillic", "latin"), [("Унсет", "Undset"), ("Вультрогота", "Ultrogothe")])
def test_a_name_one_consonant_apart_is_still_a_candidate(cyrillic: str, latin: str) -> None:
    # pairs of the training split: Russian drops the silent d of Undset and writes a w before Ultrogothe;
    # no spelling key, skeleton nor consonant classes are shared, but the classes with one left out are
    assert latin in _found(cyrillic, (latin, "Sunset", "Unser", "Ostrogota", "Vultaggio", "Hota", "Onset", "Tonseth"))


def test_a_name_one_consonant_apart_is_found_among_many_that_share_the_broad_key() -> None:
    # Бадюк and Badjuk (training split) share only the labial-velar key; hundreds of names listed before it
    # share that key too, and the one spelled alike must still be among those scored
    fillers = [f"{b}{v}{m}{k}{w}" for b in "bpfv" for v in "aeiou" for m in "lmnr" for k in "kg" for w in "aeiou"]
    assert "Badjuk" in _found("Бадюк", (*fillers[:600], "Badjuk"))


def test_cyrillic_against_cyrillic_is_an_exact_match() -> None:
    index = NameIndex()
    index.add(MatchEntry(entity_id="k", schema="Person", names=(Name(value="Кэндзиро Ямада"),)))
    index.add(MatchEntry(entity_id="l", schema="Person", names=(Name(value="Kenjiro Yamada"),)))
    found = {
        match.entity_id: match.score
        for match in index.search(MatchQuery(names=("Кэндзиро Ямада",)), lambda t: True).matches
    }
    assert found["k"] == 1.0
    assert found["l"] >= 0.9


def test_a_latin_name_the_learned_table_cannot_align_is_ranked_by_its_spelling() -> None:
    # neither aligns within the cost cap; the cap must not make them equal (both were worth 0.76)
    (written,) = analyze("Лафонтен")
    (close,) = analyze("Lafontaine")
    (far,) = analyze("Amonte")
    assert spelling_cost(written.written, close.text) == spelling_cost(written.written, far.text)
    assert part_similarity(written, close) > part_similarity(written, far)
    assert similarity_matrix([written], [close])[0, 0] > similarity_matrix([written], [far])[0, 0]


def test_a_name_russian_writes_with_single_letters_ranks_above_names_merely_alike() -> None:
    # Zuckermann, Цукерман (training split): doubled n and ck for k, which letter-by-letter costing punished
    # below names that only share letters with it
    assert _found("Цукерман", ("Zuckermann", "Cukierman", "Sherman", "Wouwerman", "Zauberman"))[0] == "Zuckermann"


def test_among_names_that_all_score_nothing_the_one_the_word_was_likelier_written_for_comes_first() -> None:
    # Lovelace, Лавлейс (training split): beyond the cost cap like the others, and farther than Lavelle from
    # the BGN/PCGN spelling lavleys, yet the likeliest reading of its letters
    assert spelling_cost("лавлейс", "lovelace") == spelling_cost("лавлейс", "lavelle")
    assert channel_cost("лавлейс", "lovelace") < min(channel_cost("лавлейс", other) for other in ("lavelle", "hales"))
    found = {match.entity_id: match.score for match in _matches("Лавлейс", ("Hales", "Lavelle", "Lachey", "Lovelace"))}
    assert set(found.values()) == {0.0}
    assert next(iter(found)) == "Lovelace"


def test_a_word_too_short_for_a_latin_spelling_costs_it_without_end() -> None:
    assert channel_cost("ли", "lindqvist") == math.inf
    assert channel_cost("ли", "lee") < math.inf
    # a spelling with letters beyond a-z is no reading the table could give, whatever its length
    assert channel_costs("шубор", ["søborg", "soborg", "ø" * 30])[::2] == [math.inf, math.inf]


def _reference_channel_cost(word: str, latin: str) -> float:
    """``channel_cost`` as its docstring states it, letter by letter in Python."""
    size = len(latin)
    best = [0.0] + [-math.inf] * size
    for distribution in _distributions(word):
        after = [-math.inf] * (size + 1)
        for start, here in enumerate(best):
            for end in range(start, min(size, start + MAX_SEGMENT) + 1):
                known = distribution.get(latin[start:end], -math.inf)
                after[end] = max(after[end], here + max(known, _UNSEEN * max(1, end - start)))
        best = after
    return max(0.0, _top_logp(word) - best[size])


def test_the_compiled_channel_cost_is_the_letter_by_letter_one() -> None:
    words = ["лавлейс", "холифилд", "цзо", "щ", "ёсино", "зальцбургская"]
    latins = ["lovelace", "holyfield", "zuo", "", "shch", "yoshino", "salzburg", "hales", "x", "a" * 40]
    for word in words:
        compiled = channel_costs(word, latins)
        for latin, cost in zip(latins, compiled, strict=True):
            assert cost == pytest.approx(_reference_channel_cost(word, latin), abs=1e-9), (word, latin)
    assert channel_costs("лавлейс", []) == []
