"""Clusters from judgements: connected components of `same` that never join a `not-same` pair."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from ictdb.model.errors import ValidationError
from ictdb.model.resolution import AUTO_JUDGE, Judgement, Pair, Verdict, cluster, current, parse_verdict

AT = datetime(2026, 1, 1, tzinfo=UTC)


class Log:
    """Judgements numbered in the order they are made."""

    def __init__(self) -> None:
        self.items: list[Judgement] = []

    def add(self, a: str, b: str, verdict: Verdict, judge: str = "analyst", score: float | None = None) -> Judgement:
        judgement = Judgement(len(self.items) + 1, Pair.of(a, b), verdict, judge, "FR-DGSI", AT, score=score)
        self.items.append(judgement)
        return judgement


def test_same_judgements_chain_into_one_cluster() -> None:
    log = Log()
    log.add("a", "b", Verdict.SAME)
    log.add("c", "b", Verdict.SAME)
    log.add("x", "y", Verdict.SAME)
    log.add("y", "z", Verdict.UNSURE)
    result = cluster(log.items)
    assert result.clusters == [("a", "b", "c"), ("x", "y")]
    assert result.cluster_of("c") == ("a", "b", "c")
    assert result.cluster_of("z") == ("z",)
    assert not result.refused


def test_not_same_forbids_a_cluster_by_transitivity_and_the_refusal_is_reported() -> None:
    log = Log()
    log.add("a", "c", Verdict.NOT_SAME)
    log.add("a", "b", Verdict.SAME)
    refused = log.add("b", "c", Verdict.SAME)
    result = cluster(log.items)
    assert result.clusters == [("a", "b")]
    assert result.cluster_of("c") == ("c",)
    assert [(r.same, r.forbidding) for r in result.refused] == [(refused, Pair.of("a", "c"))]


def test_a_cycle_of_merges_with_a_not_same_inside_keeps_the_not_same_pair_apart() -> None:
    log = Log()
    for a, b in [("a", "b"), ("b", "c"), ("c", "d"), ("d", "a")]:
        log.add(a, b, Verdict.SAME)
    log.add("a", "c", Verdict.NOT_SAME)
    result = cluster(log.items)
    for members in result.clusters:
        assert not {"a", "c"} <= set(members)
    assert result.refused


def test_people_come_before_the_automatic_judge() -> None:
    log = Log()
    log.add("a", "b", Verdict.SAME, judge=AUTO_JUDGE, score=0.99)
    log.add("b", "c", Verdict.SAME)
    log.add("a", "c", Verdict.NOT_SAME)
    result = cluster(log.items)
    assert result.clusters == [("b", "c")]
    assert result.refused[0].same.judge == AUTO_JUDGE


def test_undo_and_contradiction_split_the_cluster_and_keep_the_history() -> None:
    log = Log()
    log.add("a", "b", Verdict.SAME)
    log.add("b", "c", Verdict.SAME)
    assert cluster(log.items).clusters == [("a", "b", "c")]
    log.add("b", "c", Verdict.WITHDRAWN)
    assert cluster(log.items).clusters == [("a", "b")]
    log.add("a", "b", Verdict.NOT_SAME)
    assert cluster(log.items).clusters == []
    assert len(log.items) == 4
    assert {p: j.verdict for p, j in current(log.items).items()} == {Pair.of("a", "b"): Verdict.NOT_SAME}


def test_ten_thousand_records_in_one_cluster() -> None:
    log = Log()
    ids = [f"per-{i:05d}" for i in range(10_000)]
    for a, b in itertools.pairwise(ids):
        log.add(a, b, Verdict.SAME)
    log.add(ids[0], ids[-1], Verdict.NOT_SAME)
    result = cluster(log.items)
    # the chain is applied oldest first: its last link is the one that would join the not-same pair
    assert [len(c) for c in result.clusters] == [9_999]
    assert result.cluster_of(ids[-1]) == (ids[-1],)
    assert [r.forbidding for r in result.refused] == [Pair.of(ids[0], ids[-1])]


def test_pairs_are_unordered_and_never_of_one_record() -> None:
    assert Pair.of("b", "a") == Pair.of("a", "b")
    with pytest.raises(ValidationError, match="itself"):
        Pair.of("a", "a")
    assert parse_verdict("NOT_SAME") is Verdict.NOT_SAME
    with pytest.raises(ValidationError, match="same, not-same or unsure"):
        parse_verdict("maybe")
    with pytest.raises(ValidationError):
        parse_verdict("withdrawn")
