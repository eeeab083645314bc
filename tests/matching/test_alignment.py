"""The compiled batch alignment gives what the reference functions of ``score`` give, name by name.

The index scores a query against a few dozen candidate names at once in compiled code; an analyst's ranking
must not depend on that. Names are real ones: OFAC's individuals with their aliases (Arabic names in Latin
spellings, Russian, Spanish ones), and Cyrillic words from the Wikidata pairs, mixed into names.
"""

from __future__ import annotations

import csv
import math
import random
from array import array
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from rapidfuzz.distance import Levenshtein

from ictdb.matching import _align, analyze
from ictdb.matching.alignment import (
    JOINED_FLOOR,
    JOINED_LONGEST,
    JOINED_SHARE,
    Candidates,
    PartCodes,
    Tally,
    align,
    joined,
    joined_scores,
    part_matrix,
)
from ictdb.matching.names import Part
from ictdb.matching.score import name_score, similarity_matrix

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
OFAC = DATA / "sanctions" / "ofac-2019"
RUSSIAN = DATA / "names" / "wikidata-coling2018" / "wd_russian_80"

needs_data = pytest.mark.skipif(not OFAC.exists(), reason=f"the shared reference data is not at {DATA}")


def _real_names() -> list[str]:
    names: list[str] = []
    with (OFAC / "sdn.csv").open(encoding="latin-1", newline="") as handle:
        names += [row[1] for row in csv.reader(handle) if len(row) > 2 and row[2].strip() == "individual"]
    with (OFAC / "alt.csv").open(encoding="latin-1", newline="") as handle:
        names += [row[3] for row in csv.reader(handle) if len(row) > 3]
    words: list[str] = []
    with RUSSIAN.open(encoding="utf-8") as handle:
        for line, row in enumerate(handle):
            if line % 50 == 0:
                words.append(row.split("\t")[1].replace(" ", ""))
    rng = random.Random(5)
    names += [" ".join(rng.sample(words, rng.randint(1, 3))) for _ in range(300)]
    return names


@pytest.fixture(scope="module")
def analyzed() -> list[tuple[Part, ...]]:
    return [parts for name in _real_names() if (parts := analyze(name))]


def _batch(rng: random.Random, analyzed: list[tuple[Part, ...]], size: int) -> list[tuple[Part, ...]]:
    return [analyzed[rng.randrange(len(analyzed))] for _ in range(size)]


def _candidates(codes: PartCodes, numbers: list[int]) -> Candidates:
    """The given part numbers as one batch's columns, gathered the way the index gathers a query's candidates."""
    flat = array("i", numbers)
    _, _, candidates = codes.gather(np.array([0], dtype=np.int64), array("i", [0, len(flat)]), flat)
    return candidates


def _numbered(names: list[tuple[Part, ...]]) -> tuple[list[Part], PartCodes, dict[Part, int]]:
    parts: list[Part] = []
    number: dict[Part, int] = {}
    codes = PartCodes()
    for name in names:
        for part in name:
            if part not in number:
                number[part] = len(parts)
                parts.append(part)
                codes.add(part)
    return parts, codes, number


@needs_data
def test_part_similarities_are_those_of_the_reference(analyzed: list[tuple[Part, ...]]) -> None:
    rng = random.Random(11)
    for _ in range(60):
        names = _batch(rng, analyzed, 30)
        parts, codes, _ = _numbered(names)
        chosen = sorted(rng.sample(range(len(parts)), min(40, len(parts))))
        candidates = _candidates(codes, chosen)
        query = analyzed[rng.randrange(len(analyzed))]
        expected = similarity_matrix(query, candidates.parts)
        np.testing.assert_allclose(part_matrix(query, candidates, codes), expected, rtol=0, atol=1e-12)


@needs_data
def test_name_scores_and_pairs_are_those_of_the_reference(analyzed: list[tuple[Part, ...]]) -> None:
    rng = random.Random(12)
    compared = 0
    for _ in range(60):
        names = _batch(rng, analyzed, 30)
        parts, codes, number = _numbered(names)
        candidates = _candidates(codes, list(range(len(parts))))
        weight_of = {part: rng.uniform(0.2, 1.0) for part in parts}
        weights = np.array([weight_of[part] for part in parts])
        starts = np.cumsum([0] + [len(name) for name in names]).astype(np.int64)
        columns = np.array([number[part] for name in names for part in name], dtype=np.int64)
        query = analyzed[rng.randrange(len(analyzed))]
        query_weights = [rng.uniform(0.2, 1.0) for _ in query]
        alignment = align(part_matrix(query, candidates, codes), starts, columns, weights, np.array(query_weights))
        for row, name in enumerate(names):
            expected = name_score(query, query_weights, name, [weight_of[part] for part in name])
            assert alignment.scores[row] == pytest.approx(expected.score, abs=1e-12)
            pairs = alignment.pairs_of(row)
            assert [(i, j) for i, j, _ in pairs] == [(i, j) for i, j, _ in expected.pairs]
            assert [value for _, _, value in pairs] == pytest.approx([value for _, _, value in expected.pairs])
            compared += 1
    assert compared == 1800


def _against_itself(text: str) -> tuple[tuple[Part, ...], np.ndarray]:
    name = analyze(text)
    codes = PartCodes()
    for part in name:
        codes.add(part)
    return name, part_matrix(name, _candidates(codes, list(range(len(name)))), codes)


def test_a_name_aligned_with_itself_scores_one_and_pairs_every_part() -> None:
    name, similarity = _against_itself("Abu Bakr al-Baghdadi")
    count = len(name)
    alignment = align(
        similarity,
        np.array([0, count], dtype=np.int64),
        np.arange(count, dtype=np.int64),
        np.ones(count),
        np.ones(count),
    )
    assert alignment.scores.tolist() == [1.0]
    assert sorted(i for i, _, _ in alignment.pairs_of(0)) == list(range(count))


def test_inconsistent_arrays_are_refused_not_read_past_their_end() -> None:
    _, similarity = _against_itself("Shamil Basayev")
    with pytest.raises(ValueError, match="column"):
        align(similarity, np.array([0, 2], dtype=np.int64), np.array([0, 7]), np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match="name_starts"):
        align(similarity, np.array([0, 3], dtype=np.int64), np.array([0, 1]), np.ones(2), np.ones(2))
    with pytest.raises(TypeError, match="weights"):
        align(similarity, np.array([0, 2], dtype=np.int64), np.array([0, 1]), np.ones(2, dtype=np.float32), np.ones(2))


def test_names_are_ranked_by_the_rarity_of_the_keys_they_share_ties_to_the_lower_id() -> None:
    rng = random.Random(13)
    tally = Tally()
    for names, lists, size in [(50, 3, 5), (2000, 12, 90), (2000, 40, 400), (30, 1, 10)]:
        postings = {
            f"k{k}": array("i", sorted(rng.sample(range(names), rng.randint(1, names // 2)))) for k in range(lists)
        }
        keys = [*postings, "absent"]
        totals: dict[int, float] = {}
        for posting in postings.values():
            for name in posting:
                totals[name] = totals.get(name, 0.0) + math.log1p(names / len(posting))
        expected = sorted(totals, key=lambda name: (-totals[name], name))[:size]
        ranked = tally.rank(keys, postings, names, size, keep=0, cap=names, budget=names * lists)
        assert ranked is not None and ranked.tolist() == expected
        ranked = tally.rank(keys, postings, names, size, keep=len(totals), cap=names, budget=names * lists)
        assert ranked is not None and ranked.tolist() == sorted(totals)
    assert not tally._scratch.any()


def test_ranking_reads_the_rarer_postings_within_the_budget_and_none_over_the_cap() -> None:
    tally = Tally()
    postings = {"rare": array("i", [1, 2]), "common": array("i", range(10)), "commoner": array("i", range(20))}
    # budget: the two-name posting is read whole, the ten-name one passes the budget and is left out
    ranked = tally.rank(postings, postings, 100, 50, keep=0, cap=15, budget=5)
    assert ranked is not None and ranked.tolist() == [1, 2]
    # cap: the twenty-name posting is never read, however large the budget
    ranked = tally.rank(postings, postings, 100, 50, keep=0, cap=15, budget=1000)
    assert ranked is not None and ranked.tolist()[:2] == [1, 2] and len(ranked) == 10
    assert tally.rank(["commoner"], postings, 100, 50, keep=0, cap=15, budget=1000) is None
    ranked = tally.rank(["absent"], postings, 100, 50, keep=0, cap=15, budget=1000)
    assert ranked is not None and len(ranked) == 0
    # names past the scratch were added by another thread after the search sized it: not seen
    ranked = tally.rank(["late"], {"late": array("i", [3, 500])}, 100, 50, keep=0, cap=15, budget=1000)
    assert ranked is not None and ranked.tolist() == [3]
    with pytest.raises(ValueError, match="out of range"):
        tally.rank(["rare"], {"rare": array("i", [-1])}, 100, 50, keep=0, cap=15, budget=1000)
    wrong = array("d", [1.0])
    with pytest.raises(TypeError, match="posting"):
        tally.rank(["rare"], {"rare": wrong}, 100, 50, keep=0, cap=15, budget=1000)
    wrong.append(2.0)  # its buffer was released: an array still exported could not grow
    assert not tally._scratch.any()


def test_a_batch_of_names_becomes_columns_of_its_distinct_parts(analyzed: list[tuple[Part, ...]]) -> None:
    names = analyzed[:200]
    _, codes, number = _numbered(names)
    starts = array("i", [0])
    flat = array("i")
    for name in names:
        flat.extend(number[part] for part in name)
        starts.append(len(flat))
    chosen = np.array([7, 3, 3, 150, 0], dtype=np.int64)
    name_starts, columns, candidates = codes.gather(chosen, starts, flat)
    for row, name_id in enumerate(chosen.tolist()):
        row_columns = columns[name_starts[row] : name_starts[row + 1]].tolist()
        assert [candidates.parts[column] for column in row_columns] == list(names[name_id])
    assert len(set(candidates.numbers.tolist())) == len(candidates.parts)
    assert candidates.keys == [key for part in candidates.parts for key in part.keys]
    assert (codes._scratch == -1).all()
    with pytest.raises(ValueError, match="name id"):
        codes.gather(np.array([len(names)], dtype=np.int64), starts, flat)


@needs_data
def test_run_together_spellings_are_compared_by_edit_distance(analyzed: list[tuple[Part, ...]]) -> None:
    rng = random.Random(14)
    spellings = [joined(parts) for parts in analyzed[:500]] + ["", "x" * (JOINED_LONGEST + 1)]
    queries = [joined(analyzed[rng.randrange(len(analyzed))]) for _ in range(20)] + ["", "абу бакр", "أبو"]
    ids = list(range(len(spellings)))
    scores = joined_scores(queries, spellings, ids)
    for q, query in enumerate(queries):
        for n, spelling in enumerate(spellings):
            if max(len(query), len(spelling)) > JOINED_LONGEST:
                assert scores[q, n] == 0.0
                continue
            similarity = Levenshtein.normalized_similarity(query, spelling)
            expected = min(1.0, max(0.0, (similarity - JOINED_FLOOR) / (1.0 - JOINED_FLOOR))) * JOINED_SHARE
            assert scores[q, n] == pytest.approx(expected, abs=1e-12)
    assert scores[queries.index(""), spellings.index("")] == JOINED_SHARE


def _edited(text: str, edits: int, rng: random.Random, letters: str) -> str:
    chars = list(text)
    for _ in range(edits):
        at = rng.randrange(len(chars) + 1)
        kind = rng.randrange(3)
        if kind == 0 or not chars:
            chars.insert(at, rng.choice(letters))
        elif at < len(chars):
            if kind == 1:
                del chars[at]
            else:
                chars[at] = rng.choice(letters)
    return "".join(chars)


def test_run_together_spellings_a_few_edits_apart_score_by_their_exact_distance() -> None:
    # Only near spellings score: the distance is worked out for them alone, so it must be exact there, at
    # the floor (ten letters, two edits: similarity 0.8, worth nothing) and just past it. Query spellings of
    # up to 64 letters are compared as bit vectors, longer ones in a band of the edit table: both are here.
    rng = random.Random(21)
    queries: list[str] = []
    spellings: list[str] = []
    for letters in ("abdehilmnorsu", "абвгдежз", "ابتثجح"):
        for _ in range(60):
            word = "".join(rng.choice(letters) for _ in range(rng.randrange(1, 100)))
            queries.append(word)
            spellings.extend(_edited(word, rng.randrange(7), rng, letters) for _ in range(4))
    queries += ["malakotipour", "abcdefghij"]
    spellings += ["malekoutipour", "abcdefghXY", "abcdefghiX"]
    scores = joined_scores(queries, spellings, list(range(len(spellings))))
    partial = 0
    for q, query in enumerate(queries):
        for n, spelling in enumerate(spellings):
            similarity = Levenshtein.normalized_similarity(query, spelling)
            expected = min(1.0, max(0.0, (similarity - JOINED_FLOOR) / (1.0 - JOINED_FLOOR))) * JOINED_SHARE
            assert scores[q, n] == pytest.approx(expected, abs=1e-12), (query, spelling)
            partial += 0.0 < expected < JOINED_SHARE
    assert partial > 100
    at = queries.index("abcdefghij")
    assert scores[at, spellings.index("abcdefghXY")] == 0.0
    assert scores[at, spellings.index("abcdefghiX")] == pytest.approx(0.5 * JOINED_SHARE)
    assert 0.0 < scores[queries.index("malakotipour"), spellings.index("malekoutipour")] < JOINED_SHARE


def test_a_shortlist_keeps_the_first_names_by_keys_then_the_most_alike_in_spelling_ties_in_rank_order() -> None:
    rng = np.random.default_rng(8)
    for rows, count, keep, size in [(1, 400, 12, 60), (3, 90, 12, 20), (2, 30, 12, 50), (1, 13, 12, 13), (4, 50, 0, 5)]:
        ranked = rng.permutation(10_000)[:count].astype(np.int64)
        rest = max(0, count - keep)
        alike = rng.integers(0, 101, size=(rows, rest), dtype=np.uint8)
        alike[:, ::3] = 77  # many ties
        got = np.frombuffer(_align.most_alike(alike, rows, ranked, keep, size), dtype=np.int64)
        best = alike.max(axis=0) if rest else np.empty(0, dtype=np.uint8)
        order = np.argsort(-best.astype(np.int16), kind="stable")[: size - keep]
        assert got.tolist() == ranked[:keep].tolist() + ranked[keep:][order].tolist()
    with pytest.raises(ValueError, match="alike"):
        _align.most_alike(np.zeros((2, 5), dtype=np.uint8), 2, np.arange(20, dtype=np.int64), 12, 15)
    with pytest.raises(TypeError, match="alike"):
        _align.most_alike(np.zeros((1, 8)), 1, np.arange(20, dtype=np.int64), 12, 15)


def test_the_search_helpers_refuse_ids_out_of_range_and_arrays_of_the_wrong_kind() -> None:
    entries: list[Any] = [SimpleNamespace(tag="a", schema="Person"), None, SimpleNamespace(tag="b", schema="Org")]
    name_entry = array("i", [0, 1, 2, 0])
    ids = np.array([0, 2, 3], dtype=np.int64)
    # the live names of a schema, in the order given: name 1's entry is removed, name 2's is an organization
    live = _align.live_names(np.array([3, 1, 2, 0], dtype=np.int64), name_entry, entries, "Person")
    assert np.frombuffer(live, dtype=np.int64).tolist() == [3, 0]
    with pytest.raises(ValueError, match="out of range"):
        _align.live_names(np.array([4], dtype=np.int64), name_entry, entries, None)
    with pytest.raises(ValueError, match="out of range"):
        _align.best_entries(np.array([9], dtype=np.int64), np.ones(1), name_entry, entries, bool, 0.0, 0.0, 0.0, 10)
    with pytest.raises(ValueError, match="one score per name id"):
        _align.best_entries(ids, np.ones(2), name_entry, entries, bool, 0.0, 0.0, 0.0, 10)
    with pytest.raises(ValueError, match="positive limit"):
        _align.best_entries(ids, np.ones(3), name_entry, entries, bool, 0.0, 0.0, 0.0, 0)
    with pytest.raises(TypeError, match="scores"):
        _align.best_entries(ids, np.ones(3, dtype=np.float32), name_entry, entries, bool, 0.0, 0.0, 0.0, 10)
    with pytest.raises(ValueError, match="out of range"):
        _align.pick(["a", "b"], np.array([2], dtype=np.int64))
    part = analyze("Basayev")[0]
    with pytest.raises(ValueError, match="pair out of range"):
        _align.explain_pairs(((0, 3, 1.0),), (part,), [part], array("i", [0]), 0)
    with pytest.raises(ValueError, match="pair out of range"):
        _align.explain_pairs(((1, 0, 1.0),), (part,), [part], array("i", [0]), 0)


def test_entries_keep_their_best_name_and_only_those_that_can_still_rank_go_on() -> None:
    entries: list[Any] = [SimpleNamespace(tag="open"), SimpleNamespace(tag="hidden"), SimpleNamespace(tag="open")]
    name_entry = array("i", [0, 0, 1, 2])
    ids = np.array([0, 1, 2, 3], dtype=np.int64)
    scores = np.array([0.5, 0.9, 0.95, 0.2])
    asked: list[str] = []

    def allowed(tag: str) -> bool:
        asked.append(tag)
        return tag == "open"

    # limit 1: the best open entry's score (0.9) sets the cut; the hidden one goes on for its restricted hit
    going_on = _align.best_entries(ids, scores, name_entry, entries, allowed, 0.0, 0.0, 0.5, 1)
    assert going_on == [(0.9, 0, 1, True), (0.95, 1, 2, False)]
    assert asked == ["open", "hidden"]
    # details that could lift a score by 0.75 keep the weak open entry in play
    going_on = _align.best_entries(ids, scores, name_entry, entries, allowed, 0.75, 0.0, 0.5, 1)
    assert [slot for _, slot, _, _ in going_on] == [0, 1, 2]
