"""Resolution through the services, on SQLite and PostgreSQL: proposals, judgements, clusters and profiles."""

from __future__ import annotations

from typing import Any

import pytest

from factories import seed_agencies
from ictdb.model.actors import Actor
from ictdb.model.envelope import EnvelopeInput
from ictdb.model.errors import Forbidden, NotFound, ValidationError
from ictdb.model.resolution import AUTO_JUDGE, Pair, Verdict
from ictdb.model.stored import Record, parse_body
from ictdb.services import records, resolution
from ictdb.services.node import Node


def add(node: Node, actor: Actor, distribution: str = "members", **body: Any) -> Record:
    data = {"schema": "Person", **body}
    return records.add_record(node, actor, parse_body(data), EnvelopeInput(distribution=distribution))


@pytest.fixture
def case(node: Node) -> dict[str, Any]:
    actors = seed_agencies(node)
    fr, jo, iq, de = (actors[c] for c in ("FR-DGSI", "JO-GID", "IQ-CTS", "DE-BKA"))
    made = {
        "fr": add(node, fr, names=["Abu Bakr al-Baghdadi"], birth_dates=["1971-07-28"], nationalities=["IQ"]),
        "jo": add(node, jo, names=["أبو بكر البغدادي"], birth_dates=["1971"], nationalities=["IQ"]),
        "de": add(node, de, names=["Abubakr Al Baghdadi"], birth_dates=["1972-03-01"]),
        "iq_hidden": add(node, iq, "owner", names=["Abu Bakr al-Baghdadi"], birth_dates=["1971-07-28"]),
        "other": add(node, fr, names=["Khalid Sheikh Mohammed"], birth_dates=["1964"]),
    }
    return {"actors": actors, **made}


def test_an_agency_run_proposes_cross_agency_pairs_among_what_it_sees(node: Node, case: dict[str, Any]) -> None:
    fr = case["actors"]["FR-DGSI"]
    summary = resolution.resolve(node, fr)
    assert summary.proposals >= 2 and summary.scope == "agency" and summary.auto_judged == 0
    page = resolution.list_proposals(node, fr)
    pairs = {p.pair for p in page.proposals}
    assert Pair.of(case["fr"].id, case["jo"].id) in pairs
    assert all(case["iq_hidden"].id not in (p.pair.left, p.pair.right) for p in page.proposals)
    assert all(case["other"].id not in (p.pair.left, p.pair.right) for p in page.proposals)
    scores = [p.score for p in page.proposals]
    assert scores == sorted(scores, reverse=True) and page.total == len(page.proposals)
    # the owner of the hidden record sees the pair of its own record with a visible one only after its own run
    iq = case["actors"]["IQ-CTS"]
    assert all(
        case["iq_hidden"].id not in (p.pair.left, p.pair.right) for p in resolution.list_proposals(node, fr).proposals
    )
    resolution.resolve(node, iq)
    iq_pairs = {p.pair for p in resolution.list_proposals(node, iq).proposals}
    assert Pair.of(case["fr"].id, case["iq_hidden"].id) in iq_pairs
    assert Pair.of(case["fr"].id, case["iq_hidden"].id) not in {
        p.pair for p in resolution.list_proposals(node, fr).proposals
    }


def test_judging_clusters_and_profiles(node: Node, case: dict[str, Any]) -> None:
    fr, de = case["actors"]["FR-DGSI"], case["actors"]["DE-BKA"]
    a, b, c = case["fr"].id, case["jo"].id, case["de"].id
    first = resolution.judge(node, fr, a, b, "same", reason="same photo")
    assert first.judgement is not None and first.judgement.judge == fr.username and first.previous is None
    again = resolution.judge(node, de, b, a, "same")
    assert again.unchanged and again.previous == first.judgement
    resolution.judge(node, de, b, c, Verdict.SAME)
    view = resolution.cluster_view(node, fr, c)
    assert view.members == tuple(sorted((a, b, c))) and view.id == min(a, b, c)
    profile = resolution.consolidated_profile(node, fr, a)
    assert {r.id for r in profile.records} == {a, b, c}
    births = {(v.value, v.record_id, v.owner) for v in profile.conflicts["birth_dates"]}
    assert ("1971-07-28", a, "FR-DGSI") in births and ("1972-03-01", c, "DE-BKA") in births
    assert {v.grading for v in profile.fields["names"]} == {"F6"}
    # a not-same between two members splits nothing already joined by people? it forbids the later union
    contradict = resolution.judge(node, fr, b, c, "not-same", reason="different father")
    assert contradict.previous is not None and contradict.previous.verdict is Verdict.SAME
    assert resolution.cluster_view(node, fr, c).members == (c,)
    history = resolution.pair_history(node, fr, c, b)
    assert [j.verdict for j in history] == [Verdict.SAME, Verdict.NOT_SAME]
    assert history[1].supersedes == history[0].id
    undone = resolution.undo(node, fr, a, b)
    assert undone.judgement is not None and undone.judgement.verdict is Verdict.WITHDRAWN
    assert resolution.cluster_view(node, fr, a).members == (a,)
    with pytest.raises(ValidationError, match="no verdict to undo"):
        resolution.undo(node, fr, a, b)


def test_a_same_against_a_not_same_is_refused_and_reported(node: Node, case: dict[str, Any]) -> None:
    fr = case["actors"]["FR-DGSI"]
    a, b, c = case["fr"].id, case["jo"].id, case["de"].id
    resolution.judge(node, fr, a, c, "not-same")
    resolution.judge(node, fr, a, b, "same")
    outcome = resolution.judge(node, fr, b, c, "same")
    assert [r.forbidding for r in outcome.refused] == [Pair.of(a, c)]
    assert resolution.cluster_view(node, fr, c).members == (c,)
    assert resolution.cluster_view(node, fr, c).refused


def test_hidden_records_read_like_missing_ones(node: Node, case: dict[str, Any]) -> None:
    fr = case["actors"]["FR-DGSI"]
    hidden, missing = case["iq_hidden"].id, "per-ffffffffffff"
    for target in (hidden, missing):
        with pytest.raises(NotFound) as caught:
            resolution.judge(node, fr, case["fr"].id, target, "same")
        assert str(caught.value) == f"no record {target}"
        with pytest.raises(NotFound):
            resolution.cluster_view(node, fr, target)
    with pytest.raises(ValidationError, match="itself"):
        resolution.judge(node, fr, case["fr"].id, case["fr"].id, "same")


def test_automatic_judgements_above_the_confidence_are_recorded_as_such(node: Node, case: dict[str, Any]) -> None:
    fr = case["actors"]["FR-DGSI"]
    a, b = case["fr"].id, case["jo"].id
    resolution.judge(node, fr, a, case["de"].id, "not-same")
    summary = resolution.resolve(node, fr, threshold=0.5, auto_above=0.6)
    assert summary.auto_judged >= 1
    history = resolution.pair_history(node, fr, a, b)
    assert history[-1].judge == AUTO_JUDGE and history[-1].verdict is Verdict.SAME and history[-1].score
    # the pair judged by a person is left alone, and a second run judges nothing twice
    assert [j.judge for j in resolution.pair_history(node, fr, a, case["de"].id)] == [fr.username]
    assert resolution.resolve(node, fr, threshold=0.5, auto_above=0.6).auto_judged == 0
    with pytest.raises(ValidationError, match="between the threshold and 1"):
        resolution.resolve(node, fr, threshold=0.8, auto_above=0.5)


def test_shared_organizations_count_as_evidence(node: Node, case: dict[str, Any]) -> None:
    fr, de = case["actors"]["FR-DGSI"], case["actors"]["DE-BKA"]
    base = resolution.resolve(node, fr, threshold=0.3)
    before = {p.pair: p.score for p in resolution.list_proposals(node, fr, min_score=0.3).proposals}
    group = records.add_record(
        node,
        fr,
        parse_body({"schema": "Organization", "names": ["Islamic State"]}),
        EnvelopeInput(distribution="members"),
    )
    for actor, person in ((fr, case["fr"]), (de, case["de"])):
        records.add_record(
            node,
            actor,
            parse_body({"schema": "Membership", "person": person.id, "organization": group.id}),
            EnvelopeInput(distribution="members"),
        )
    assert base.proposals
    resolution.resolve(node, fr, threshold=0.3)
    after = {p.pair: p for p in resolution.list_proposals(node, fr, min_score=0.3).proposals}
    pair = Pair.of(case["fr"].id, case["de"].id)  # birth dates a year apart: a score below 1 to raise
    assert after[pair].score > before[pair]
    assert after[pair].explanation["organizations"]["shared"][0]["organization"] == group.id


def test_resolving_while_records_are_edited(node: Node, case: dict[str, Any]) -> None:
    fr = case["actors"]["FR-DGSI"]
    edits: list[int] = []

    def progress(done: int, total: int) -> None:
        if not edits:
            records.edit_record(node, fr, case["other"].id, changes={"names": ["Abu Bakr Baghdadi"]})
            records.delete_record(node, fr, case["fr"].id, "duplicate")
        edits.append(done)

    summary = resolution.resolve(node, fr, progress=progress)
    assert edits and summary.proposals >= 1
    shown = resolution.list_proposals(node, fr).proposals
    assert all(case["fr"].id not in (p.pair.left, p.pair.right) for p in shown)
    # the next run sees the edit
    resolution.resolve(node, fr)
    assert any(case["other"].id in (p.pair.left, p.pair.right) for p in resolution.list_proposals(node, fr).proposals)


def test_node_wide_run_is_for_node_administrators(node: Node, case: dict[str, Any]) -> None:
    from ictdb.model.errors import Forbidden
    from ictdb.services.directory import node_admin

    with pytest.raises(Forbidden):
        resolution.resolve(node, case["actors"]["JO-GID"], node_wide=True)
    summary = resolution.resolve(node, node_admin(node), node_wide=True)
    assert summary.scope == "node" and summary.records == 5
    # filed node-wide, shown through each viewer's filter
    fr_view = resolution.list_proposals(node, case["actors"]["FR-DGSI"]).proposals
    assert all(case["iq_hidden"].id not in (p.pair.left, p.pair.right) for p in fr_view)
    iq_view = resolution.list_proposals(node, case["actors"]["IQ-CTS"]).proposals
    assert any(case["iq_hidden"].id in (p.pair.left, p.pair.right) for p in iq_view)


def test_splink_batch_files_proposals_from_our_keys(node: Node) -> None:
    from ictdb.services import splink_batch
    from ictdb.services.directory import node_admin

    actors = seed_agencies(node)
    fr, jo = actors["FR-DGSI"], actors["JO-GID"]
    pairs = _pairs_across_two_agencies(node, fr, jo)
    summary = splink_batch.batch_resolve(node, node_admin(node), threshold=0.9)
    found = {p.pair for p in resolution.list_proposals(node, fr, limit=1000).proposals}
    assert summary.scope == "node" and summary.proposals == len(found)
    assert len(found & set(pairs)) >= 0.9 * len(pairs)
    assert len(found - set(pairs)) <= 0.1 * len(pairs)


def _pairs_across_two_agencies(node: Node, fr: Actor, jo: Actor) -> list[Pair]:
    first = ["Omar", "Khalid", "Yusuf", "Ibrahim", "Hassan", "Tariq", "Said", "Anwar"]
    last = ["Haddad", "Qasimi", "Tamimi", "Shami", "Masri", "Halabi", "Rawi", "Juburi"]
    pairs = []
    for i, (a, b) in enumerate((a, b) for a in first for b in last):
        born = f"{1960 + i % 30}-0{1 + i % 9}-1{i % 9}"
        one = add(node, fr, names=[f"{a} al-{b}"], birth_dates=[born])
        two = add(node, jo, names=[f"{a} {b}"], birth_dates=[born])
        pairs.append(Pair.of(one.id, two.id))
    return pairs


def test_a_batch_pass_judges_same_inside_its_clusters_and_keeps_a_not_same_apart(node: Node) -> None:
    from ictdb.services import splink_batch
    from ictdb.services.directory import node_admin

    actors = seed_agencies(node)
    fr, jo = actors["FR-DGSI"], actors["JO-GID"]
    pairs = _pairs_across_two_agencies(node, fr, jo)
    vetoed = pairs[0]
    resolution.judge(node, jo, vetoed.left, vetoed.right, "not-same", reason="different fathers")
    with pytest.raises(Forbidden):
        splink_batch.batch_resolve(node, fr)

    summary = splink_batch.batch_resolve(node, node_admin(node), threshold=0.9, auto_above=0.95)
    clusters = {tuple(c) for c in resolution.clusters(node, fr).clusters}
    assert summary.auto_judged >= 0.8 * len(pairs) and summary.scope == "node"
    assert len(clusters & {(p.left, p.right) for p in pairs}) == summary.auto_judged
    assert all(len(c) == 2 for c in clusters)
    assert resolution.cluster_view(node, fr, vetoed.left).members == (vetoed.left,)
    judged = resolution.pair_history(node, fr, pairs[1].left, pairs[1].right)
    assert [(j.verdict, j.judge) for j in judged] == [(Verdict.SAME, AUTO_JUDGE)] and judged[0].score >= 0.95
    # a second pass finds the same pairs and judges nothing again
    again = splink_batch.batch_resolve(node, node_admin(node), threshold=0.9, auto_above=0.95)
    assert again.auto_judged == 0 and again.new_proposals == 0 and again.proposals == summary.proposals
