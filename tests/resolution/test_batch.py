"""Batch resolution: the compared columns, familiar given names, and clusters that do not chain."""

from __future__ import annotations

import itertools

from ictdb.matching.columns import COLUMNS, row_of
from ictdb.matching.given_names import formal
from ictdb.matching.linkage import Edge, link
from ictdb.matching.pairs import Profile
from ictdb.matching.phonetic import loose
from ictdb.model.dates import FuzzyDate
from ictdb.model.resolution import Pair


def _person(record_id: str, *names: str, born: str | None = None, address: str | None = None) -> Profile:
    return Profile(
        id=record_id,
        schema="Person",
        names=names,
        birth_dates=(FuzzyDate.parse(born),) if born else (),
        addresses=(address,) if address else (),
    )


def test_spellings_in_three_scripts_and_either_order_meet_in_one_key() -> None:
    rows = [row_of(_person(str(i), n)) for i, n in enumerate(["Omar al-Haddad", "حداد عمر", "Омар Хаддад"])]
    assert {r["sorted_keys"] for r in rows} == {rows[0]["sorted_keys"]}
    assert set(rows[0]) == set(COLUMNS)


def test_familiar_given_names_read_as_the_full_name() -> None:
    assert formal(loose("bill")) == formal(loose("william")) == loose("william")
    assert formal(loose("jack")) == loose("john")
    assert formal(loose("omar")) == loose("omar")
    bill, william = row_of(_person("a", "Bill Stephens")), row_of(_person("b", "William Stephens"))
    assert bill["first_key"] != william["first_key"]
    assert bill["first_formal"] == william["first_formal"] and bill["sorted_keys"] == william["sorted_keys"]


def test_every_name_of_a_record_gives_name_keys_and_a_year_is_kept_as_a_year() -> None:
    row = row_of(_person("a", "Tom Clifford", "Thomas Clifford of Chudleigh", born="1850", address="TQ13 8DF"))
    assert {loose("tom"), loose("thomas"), loose("chudleigh")} <= set(row["name_keys"])
    assert row["birth_date"] is None and row["birth_year"] == 1850
    assert row["address"] == "tq138df" and row["address_area"] == "tq13"


def _clique(prefix: str, size: int, probability: float) -> list[Edge]:
    members = [f"{prefix}{i}" for i in range(size)]
    return [Edge(a, b, probability) for a, b in itertools.combinations(members, 2)]


def test_two_groups_joined_by_one_strong_link_stay_apart() -> None:
    edges = [*_clique("a", 5, 0.9), *_clique("b", 5, 0.9), Edge("a0", "b0", 0.85)]
    clusters = link(edges, {}, min_support=0.2)
    assert clusters == [tuple(f"a{i}" for i in range(5)), tuple(f"b{i}" for i in range(5))]
    # with enough links across, they are one person after all
    across = [Edge(f"a{i}", f"b{j}", 0.8) for i in range(5) for j in range(5)]
    assert link([*edges, *across], {}, min_support=0.2) == [
        tuple(sorted([f"a{i}" for i in range(5)] + [f"b{i}" for i in range(5)]))
    ]


def test_a_chain_of_links_is_not_one_cluster() -> None:
    chain = [Edge(f"r{i}", f"r{i + 1}", 0.95) for i in range(10)]
    clusters = link(chain, {}, min_support=0.3)
    assert all(len(c) <= 4 for c in clusters)
    assert len(link(chain, {}, min_support=0.0)) == 1


def test_not_same_and_birth_years_far_apart_refuse_a_merge() -> None:
    edges = _clique("a", 3, 0.95)
    vetoed = link(edges, {}, [Pair.of("a0", "a2")], min_support=0.0)
    assert not any({"a0", "a2"} <= set(c) for c in vetoed)
    years = {"a0": 1850, "a1": 1851, "a2": 1950}
    split = link(edges, years, min_support=0.0, max_year_spread=10)
    assert split == [("a0", "a1")]


def test_clusters_do_not_depend_on_the_order_of_the_pairs() -> None:
    edges = [*_clique("a", 4, 0.9), *_clique("b", 3, 0.7), Edge("a1", "b2", 0.95), Edge("a2", "b1", 0.6)]
    assert link(edges, {}) == link(list(reversed(edges)), {})


def test_the_splink_run_clusters_spellings_of_one_person_and_keeps_a_not_same_apart() -> None:
    from ictdb.services import splink_batch

    first = ["Omar", "Khalid", "Yusuf", "Ibrahim", "Hassan", "Tariq", "Said", "Anwar"]
    last = ["Haddad", "Qasimi", "Tamimi", "Shami", "Masri", "Halabi", "Rawi", "Juburi"]
    profiles, people = [], []
    for i, (a, b) in enumerate((a, b) for a in first for b in last):
        born = f"{1960 + i % 30}-0{1 + i % 9}-1{i % 9}"
        profiles.append(_person(f"p{i}a", f"{a} al-{b}", born=born))
        # half of them written surname first
        profiles.append(_person(f"p{i}b", f"{b}, {a}" if i % 2 else f"{a} {b}", born=born))
        people.append((f"p{i}a", f"p{i}b"))
    result = splink_batch.run(profiles)
    assert len(set(result.clusters) & set(people)) >= 0.9 * len(people)
    assert all(len(c) == 2 for c in result.clusters)
    vetoed = splink_batch.run(profiles, not_same=[Pair.of(*people[0])])
    assert people[0] not in vetoed.clusters and people[1] in vetoed.clusters


def test_a_holding_where_no_training_rule_finds_a_pair_still_runs() -> None:
    from ictdb.services import splink_batch

    first = ["Omar", "Khalid", "Yusuf", "Ibrahim", "Hassan", "Tariq", "Said", "Anwar"]
    last = ["Haddad", "Qasimi", "Tamimi", "Shami", "Masri", "Halabi", "Rawi", "Juburi"]
    profiles = [_person(f"p{i}", f"{b}, {a}") for i, (a, b) in enumerate((a, b) for a in first for b in last)]
    result = splink_batch.run(profiles)
    assert all(0.0 <= p <= 1.0 for p in result.pairs.values())
