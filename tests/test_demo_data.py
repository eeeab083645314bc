"""The demo node's data: reproducible, valid, varied, and every reference points at a record that exists."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from defusedxml import ElementTree

from ictdb.model.envelope import AGENCY_CODE, DistributionKind
from ictdb.model.records import Organization, Person
from ictdb.model.stored import body_to_data, parse_body
from ictdb.model.vocab import HandlingCode, HitPolicy, NameKind, Role, Schema, Script
from ictdb.services.demo_data import DemoNode, build_demo, may_see, split_reference

UN_LIST = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "sanctions" / "un" / "consolidated.xml"

# What a reference field must point to.
TARGET_SCHEMA = {
    "person": {"Person"},
    "associate": {"Person"},
    "organization": {"Organization"},
    "target": {"Organization"},
    "perpetrators": {"Person"},
    "perpetrator_groups": {"Organization"},
    "persons": {"Person"},
    "organizations": {"Organization"},
    "subject": {"Person", "Organization"},
    "mentions": {"Person", "Organization"},
}


@cache
def node() -> DemoNode:
    return build_demo()


def all_items() -> list[tuple[str, object]]:
    return [(code, item) for code, items in node().items.items() for item in items]


def test_the_same_seed_builds_the_same_node_and_another_seed_another() -> None:
    assert build_demo(7) == build_demo(7)
    other = build_demo(8)
    assert other.items != node().items
    assert other.counts().keys() == node().counts().keys()


def test_every_body_survives_validation_from_plain_data() -> None:
    for items in node().items.values():
        for item in items:
            assert parse_body(body_to_data(item.body)) == item.body, item.key


def test_keys_are_unique_within_each_agency() -> None:
    for code, items in node().items.items():
        keys = [item.key for item in items]
        assert len(keys) == len(set(keys)), code


def test_agencies_users_and_groups_make_a_node() -> None:
    demo = node()
    codes = [a.code for a in demo.agencies]
    assert len(codes) >= 6
    assert len({a.country for a in demo.agencies}) == len(codes)
    assert all(AGENCY_CODE.match(c) and c[:2] == a.country for c, a in zip(codes, demo.agencies, strict=True))
    assert demo.home_agency in codes
    assert set(demo.items) == set(codes)
    for code in codes:
        roles = {role for u in demo.users if u.agency == code for role in u.roles}
        assert {Role.ANALYST, Role.SUPERVISOR, Role.ADMIN} <= roles, code
    node_admins = [u for u in demo.users if Role.NODE_ADMIN in u.roles]
    assert [u.agency for u in node_admins] == [demo.home_agency]
    assert set(demo.passwords) == {u.username for u in demo.users}
    assert len(set(demo.passwords.values())) == len(demo.passwords)
    assert all(len(p) >= 12 for p in demo.passwords.values())
    assert 2 <= len(demo.groups) <= 3
    for group in demo.groups:
        assert group.owner in group.members
        assert group.members <= set(codes)


def test_envelopes_cover_every_distribution_handling_code_and_hit_policy() -> None:
    demo = node()
    codes = {a.code for a in demo.agencies}
    groups = {g.name: g for g in demo.groups}
    kinds: set[DistributionKind] = set()
    handling: set[HandlingCode] = set()
    policies: set[HitPolicy] = set()
    for owner, items in demo.items.items():
        for item in items:
            env = item.envelope
            assert env is not None and env.distribution is not None and env.handling and env.hit_policy
            kinds.add(env.distribution.kind)
            handling.add(env.handling)
            policies.add(env.hit_policy)
            if env.handling is HandlingCode.H3:
                assert env.handling_note, item.key
            if env.distribution.kind is DistributionKind.AGENCIES:
                assert set(env.distribution.agencies) <= codes - {owner}
            if env.distribution.kind is DistributionKind.GROUP:
                assert owner in groups[env.distribution.group or ""].members
            assert env.grading and env.purpose and env.justification
    assert kinds == set(DistributionKind)
    assert handling == set(HandlingCode)
    assert policies == set(HitPolicy)


def test_a_few_records_are_past_their_review_date() -> None:
    today = date.today()
    due = [
        i
        for _, items in node().items.items()
        for i in items
        if i.envelope and i.envelope.review_by and i.envelope.review_by < today
    ]
    assert 5 <= len(due) <= 100


def test_names_come_in_arabic_cyrillic_and_latin_scripts() -> None:
    scripts: Counter[Script] = Counter()
    kinds: set[NameKind] = set()
    for _, items in node().items.items():
        for item in items:
            if isinstance(item.body, Person | Organization):
                for name in item.body.names:
                    assert name.script is not None
                    scripts[name.script] += 1
                    kinds.add(name.kind)
    for script in (Script.ARABIC, Script.CYRILLIC, Script.LATIN):
        assert scripts[script] >= 50, script
    assert kinds == set(NameKind)


def test_birth_dates_come_at_every_precision() -> None:
    texts = [
        d.text
        for _, items in node().items.items()
        for i in items
        if isinstance(i.body, Person)
        for d in i.body.birth_dates
    ]
    assert any(re.fullmatch(r"\d{4}-\d{2}-\d{2}", t) for t in texts)
    assert any(re.fullmatch(r"\d{4}", t) for t in texts)
    assert any(t.endswith("~") for t in texts)
    assert any("/" in t for t in texts)


def test_counts_are_in_the_range_of_a_demo() -> None:
    counts = node().counts()
    assert set(counts) == {s.value for s in Schema}
    assert 200 <= counts["Person"] + counts["Organization"] <= 900
    assert counts["Organization"] >= 20
    for schema in (
        "Membership",
        "Association",
        "GroupRelation",
        "Movement",
        "Incident",
        "Plot",
        "Designation",
        "Report",
    ):
        assert counts[schema] >= 5, schema
    assert sum(counts.values()) <= 3000


def test_the_same_person_is_recorded_by_several_agencies_in_different_scripts() -> None:
    # The passport number is the thread that ties one fictional person's records together.
    by_passport: dict[str, set[tuple[str, Script]]] = {}
    for code, items in node().items.items():
        for item in items:
            if isinstance(item.body, Person):
                for doc in item.body.documents:
                    primary = item.body.names[0].script
                    assert primary is not None
                    by_passport.setdefault(doc.number, set()).add((code, primary))
    multi_script = [v for v in by_passport.values() if len({s for _, s in v}) >= 2 and len({c for c, _ in v}) >= 2]
    assert len(multi_script) >= 20


def test_every_reference_resolves_to_a_record_of_the_right_type_the_referrer_may_see() -> None:
    demo = node()
    index = {(code, item.key): item for code, items in demo.items.items() for item in items}
    foreign = 0
    for code, items in demo.items.items():
        for item in items:
            for field, refs in item.body.references().items():
                for ref in refs:
                    owner, key = split_reference(ref)
                    target = index.get((owner or code, key))
                    assert target is not None, f"{code}/{item.key}.{field} -> {ref}"
                    assert target.body.schema_name in TARGET_SCHEMA[field], f"{code}/{item.key}.{field} -> {ref}"
                    if owner is not None:
                        foreign += 1
                        assert owner != code
                        assert target.body.schema_name in ("Person", "Organization")
                        assert may_see(target.envelope, owner, code, demo.groups), f"{code} cannot see {ref}"
                        review = target.envelope.review_by if target.envelope else None
                        assert review is None or review > date.today()
                    assert demo.resolve(code, ref) is target
    assert foreign >= 10


def test_each_list_puts_entities_before_what_references_them() -> None:
    for code, items in node().items.items():
        schemas = [item.body.schema_name for item in items]
        first_relation = next(i for i, s in enumerate(schemas) if s not in ("Person", "Organization"))
        assert all(s not in ("Person", "Organization") for s in schemas[first_relation:]), code
        assert node().entity_items(code) + node().relation_items(code) == items


def test_the_story_fighter_is_hidden_and_travels_on_the_manifest_under_another_spelling() -> None:
    demo = node()
    story = demo.story
    fighter = demo.resolve(story.owner, story.person_key)
    assert isinstance(fighter.body, Person)
    env = fighter.envelope
    assert env is not None and env.distribution is not None
    assert env.distribution.kind is DistributionKind.OWNER
    assert env.hit_policy is HitPolicy.HIT_NO_HIT
    assert story.owner != story.screener
    assert not may_see(env, story.owner, story.screener, demo.groups)

    rows = list(csv.DictReader(io.StringIO(demo.manifest_csv)))
    assert list(rows[0]) == ["id", "name", "birth_date", "nationality", "document_number"]
    assert len(rows) >= 8
    assert len({r["id"] for r in rows}) == len(rows)
    row = next(r for r in rows if r["id"] == story.manifest_row)
    assert row["birth_date"] == fighter.body.birth_dates[0].text
    assert row["document_number"] == fighter.body.documents[0].number
    recorded = {n.value.lower().replace("-", " ") for n in fighter.body.names}
    assert row["name"].lower() not in recorded
    assert any(n.script is Script.ARABIC for n in fighter.body.names)

    owner, _ = split_reference(story.visible_passenger)
    passenger = demo.resolve(story.screener, story.visible_passenger)
    assert owner and may_see(passenger.envelope, owner, story.screener, demo.groups)
    assert any(
        r["birth_date"] == passenger.body.birth_dates[0].text for r in rows if isinstance(passenger.body, Person)
    )


def _normal(name: str) -> frozenset[str]:
    return frozenset(re.sub(r"[^\w]+", " ", name.lower().replace("-", " ")).split())


@cache
def _un_names() -> frozenset[frozenset[str]]:
    root = ElementTree.parse(UN_LIST).getroot()
    out: set[frozenset[str]] = set()
    for person in root.iter("INDIVIDUAL"):
        parts = [person.findtext(tag) or "" for tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
        out.add(_normal(" ".join(parts)))
        out.add(_normal(person.findtext("NAME_ORIGINAL_SCRIPT") or ""))
        out.update(_normal(alias.findtext("ALIAS_NAME") or "") for alias in person.iter("INDIVIDUAL_ALIAS"))
    for entity in root.iter("ENTITY"):
        out.add(_normal(entity.findtext("FIRST_NAME") or ""))
        out.update(_normal(alias.findtext("ALIAS_NAME") or "") for alias in entity.iter("ENTITY_ALIAS"))
    return frozenset(n for n in out if len(n) >= 2)


def test_no_name_is_that_of_someone_on_the_un_sanctions_list() -> None:
    if not UN_LIST.exists():
        pytest.skip(f"reference data not found at {UN_LIST}")
    listed = _un_names()
    assert len(listed) > 1000
    clashes = sorted(
        {
            name.value
            for _, items in node().items.items()
            for item in items
            if isinstance(item.body, Person | Organization)
            for name in item.body.names
            if name.kind is not NameKind.WEAK_ALIAS and _normal(name.value) in listed
        }
    )
    assert clashes == []
