"""Recording, reading, editing and deleting records through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from factories import person, seed_agencies
from ictdb.model.envelope import EnvelopeInput
from ictdb.model.errors import Conflict, Forbidden, NotFound, ValidationError
from ictdb.model.stored import body_to_data, parse_body
from ictdb.services import records
from ictdb.services.directory import create_group
from ictdb.services.node import Node
from ictdb.storage import tables
from ictdb.storage._json import loads


def test_record_carries_agency_defaults_and_full_envelope(node: Node) -> None:
    actors = seed_agencies(node)
    rec = person(node, actors["JO-GID"], "Abu Bakr al-Baghdadi", "أبو بكر البغدادي")
    env = rec.envelope
    assert (env.owner, str(env.distribution), env.handling.value, env.hit_policy.value, env.grading) == (
        "JO-GID",
        "members",
        "H0",
        "notify-owner",
        "F6",
    )
    assert env.purpose.value == "threat-analysis"
    assert env.review_by == date(2031, 11, 28)
    assert rec.created_by == "officer.jo-gid"
    stored = records.get_record(node, actors["FR-DGSI"], rec.id)
    assert [n.value for n in stored.body.names] == ["Abu Bakr al-Baghdadi", "أبو بكر البغدادي"]  # type: ignore[union-attr]
    assert stored.body.names[1].script.value == "Arab"  # type: ignore[union-attr]


def test_owner_only_record_reads_like_a_missing_one(node: Node) -> None:
    actors = seed_agencies(node)
    secret = person(node, actors["JO-GID"], "Hidden Person", distribution="owner")
    with pytest.raises(NotFound) as hidden:
        records.get_record(node, actors["FR-DGSI"], secret.id)
    with pytest.raises(NotFound) as missing:
        records.get_record(node, actors["FR-DGSI"], "per-000000000000")
    assert str(hidden.value).replace(secret.id, "ID") == str(missing.value).replace("per-000000000000", "ID")
    assert records.get_record(node, actors["JO-GID"], secret.id).id == secret.id


def test_distribution_to_named_agencies_and_groups(node: Node) -> None:
    actors = seed_agencies(node)
    create_group(node, actors["FR-DGSI"], "levant-taskforce", ["IQ-CTS"])
    named = person(node, actors["JO-GID"], "Named Only", distribution="agencies:DE-BKA")
    grouped = person(node, actors["FR-DGSI"], "Group Only", distribution="group:levant-taskforce")
    assert records.get_record(node, actors["DE-BKA"], named.id)
    with pytest.raises(NotFound):
        records.get_record(node, actors["IQ-CTS"], named.id)
    assert records.get_record(node, actors["IQ-CTS"], grouped.id)
    with pytest.raises(NotFound):
        records.get_record(node, actors["JO-GID"], grouped.id)
    visible_to_de = {r.id for r in records.list_records(node, actors["DE-BKA"]).records}
    assert named.id in visible_to_de and grouped.id not in visible_to_de


def test_unknown_agency_or_foreign_group_in_distribution_is_refused(node: Node) -> None:
    actors = seed_agencies(node)
    with pytest.raises(ValidationError, match="unknown agency XX-NOPE"):
        person(node, actors["JO-GID"], "X Y", distribution="agencies:XX-NOPE")
    create_group(node, actors["FR-DGSI"], "west", ["DE-BKA"])
    with pytest.raises(ValidationError, match="no sharing group west"):
        person(node, actors["JO-GID"], "X Y", distribution="group:west")


def test_edit_keeps_history_and_checks_version(node: Node) -> None:
    actors = seed_agencies(node)
    jo = actors["JO-GID"]
    rec = person(node, jo, "Abu Omar al-Shishani")
    edited = records.edit_record(
        node, jo, rec.id, changes={"nationalities": ["GE"]}, envelope=EnvelopeInput(grading="B2"), reason="new report"
    )
    assert edited.version == 2 and edited.envelope.grading == "B2"
    history = records.record_history(node, jo, rec.id)
    assert [v.version for v in history] == [1, 2]
    assert "nationalities" not in history[0].body and history[1].body["nationalities"] == ["GE"]
    assert history[0].envelope["grading"] == "F6" and history[1].reason == "new report"
    with pytest.raises(Conflict):
        records.edit_record(node, jo, rec.id, changes={"gender": "male"}, expected_version=1)
    with pytest.raises(Forbidden):
        records.edit_record(node, actors["FR-DGSI"], rec.id, changes={"gender": "male"})


def test_a_record_read_again_shows_every_change_since(node: Node) -> None:
    """Records read by id are kept parsed between reads: the next read must still show what changed."""
    actors = seed_agencies(node)
    jo, fr = actors["JO-GID"], actors["FR-DGSI"]
    rec = person(node, jo, "Abu Omar al-Shishani")
    for _ in range(2):
        assert records.get_record(node, fr, rec.id).version == 1
    records.edit_record(node, jo, rec.id, changes={"names": ["Abu Omar"]})
    assert [n.value for n in records.get_record(node, fr, rec.id).body.names] == ["Abu Omar"]  # type: ignore[union-attr]
    records.extend_review(node, jo, rec.id, date(2035, 1, 1), "still wanted")
    assert records.get_record(node, fr, rec.id).envelope.review_by == date(2035, 1, 1)
    records.edit_record(node, jo, rec.id, envelope=EnvelopeInput(distribution="owner"))
    with pytest.raises(NotFound):
        records.get_record(node, fr, rec.id)
    assert str(records.get_record(node, jo, rec.id).envelope.distribution) == "owner"


def test_history_holds_every_version_exactly_through_edits_and_deletion(node: Node) -> None:
    actors = seed_agencies(node)
    jo = actors["JO-GID"]
    rec = person(node, jo, "Abu Omar al-Shishani")
    [first] = records.record_history(node, jo, rec.id)
    assert first.body == body_to_data(rec.body)
    assert first.envelope == rec.envelope.model_dump(mode="json")
    records.edit_record(node, jo, rec.id, changes={"gender": "male"}, reason="r1")
    records.edit_record(node, jo, rec.id, changes={"gender": "female"}, envelope=EnvelopeInput(grading="B2"))
    history = records.record_history(node, jo, rec.id)
    assert history[0] == first
    assert [v.body.get("gender") for v in history] == [None, "male", "female"]
    assert [v.envelope["grading"] for v in history] == ["F6", "F6", "B2"]
    records.delete_record(node, jo, rec.id, "duplicate")
    with node.store.transaction() as tx:
        kept = tx.connection.execute(
            select(tables.record_versions.c.body).where(tables.record_versions.c.record_id == rec.id)
        ).all()
    assert len(kept) == 4 and all(body is not None for (body,) in kept)
    assert loads(kept[0][0]) == first.body


def test_a_current_first_version_is_the_records_own_row_until_the_record_changes(node: Node) -> None:
    jo = seed_agencies(node)["JO-GID"]
    rec = person(node, jo, "Abu Omar al-Shishani")

    def stored() -> list[tuple[int, str, str]]:
        with node.store.transaction() as tx:
            rows = tx.connection.execute(
                select(tables.record_versions.c.version, tables.record_versions.c.change, tables.record_versions.c.body)
                .where(tables.record_versions.c.record_id == rec.id)
                .order_by(tables.record_versions.c.version)
            )
            return [(version, change, loads(body)["names"][0]["value"]) for version, change, body in rows]

    assert stored() == []
    [first] = records.record_history(node, jo, rec.id)
    assert (first.version, first.change, first.changed_by) == (1, "create", rec.created_by)
    assert first.changed_at == rec.created_at and first.reason is None
    records.edit_record(node, jo, rec.id, changes={"names": ["Abu Omar"]}, reason="r1")
    assert stored() == [(1, "create", "Abu Omar al-Shishani"), (2, "edit", "Abu Omar")]
    assert records.record_history(node, jo, rec.id)[0] == first


def test_delete_hides_everywhere_but_keeps_history_for_audit(node: Node) -> None:
    actors = seed_agencies(node)
    jo = actors["JO-GID"]
    rec = person(node, jo, "Short Lived")
    records.delete_record(node, jo, rec.id, "duplicate")
    for actor in (jo, actors["FR-DGSI"]):
        with pytest.raises(NotFound):
            records.get_record(node, actor, rec.id)
    assert records.list_records(node, jo).total == 0


def test_past_review_date_hidden_from_all_but_owner_until_reviewed(node: Node, clock) -> None:  # type: ignore[no-untyped-def]
    actors = seed_agencies(node)
    jo, fr = actors["JO-GID"], actors["FR-DGSI"]
    rec = person(node, jo, "Old Case", review_by="2027-01-01")
    assert records.get_record(node, fr, rec.id)
    clock.advance(days=60)
    with pytest.raises(NotFound):
        records.get_record(node, fr, rec.id)
    assert [r.id for r in records.due_for_review(node, jo)] == [rec.id]
    records.extend_review(node, jo, rec.id, date(2028, 1, 1), "still an open case")
    assert records.get_record(node, fr, rec.id).envelope.review_by == date(2028, 1, 1)
    assert records.due_for_review(node, jo) == []


def test_relationships_must_point_to_visible_records(node: Node) -> None:
    actors = seed_agencies(node)
    jo, fr = actors["JO-GID"], actors["FR-DGSI"]
    hidden = person(node, jo, "Hidden Leader", distribution="owner")
    mine = person(node, fr, "Known Member")
    group = records.add_record(node, fr, parse_body({"schema": "Organization", "names": ["Jabhat Example"]}))
    membership = parse_body({"schema": "Membership", "person": mine.id, "organization": group.id, "role": "member"})
    linked = records.add_record(node, fr, membership)
    with pytest.raises(ValidationError, match=f"person: no record {hidden.id}"):
        records.add_record(
            node, fr, parse_body({"schema": "Membership", "person": hidden.id, "organization": group.id})
        )
    links = records.linked_records(node, fr, group.id)
    assert [(d, f, r.id) for d, f, r in links] == [("in", "organization", linked.id)]


def test_listing_pages_after_an_id_and_counts_what_each_agency_sees(node: Node, clock) -> None:  # type: ignore[no-untyped-def]
    actors = seed_agencies(node)
    jo, fr, de = actors["JO-GID"], actors["FR-DGSI"], actors["DE-BKA"]
    create_group(node, jo, "levant", ["FR-DGSI"])
    made = [person(node, jo, f"Member {i}") for i in range(5)]
    made += [
        person(node, jo, "Own Only", distribution="owner"),
        person(node, jo, "Named For France", distribution="agencies:FR-DGSI"),
        person(node, jo, "Levant Group", distribution="group:levant"),
        person(node, jo, "Soon Past Review", review_by="2027-01-01"),
        person(node, fr, "French Own", distribution="owner"),
    ]
    records.delete_record(node, jo, made[0].id, "duplicate")
    clock.advance(days=60)
    by_name = {r.body.names[0].value: r.id for r in made[1:]}  # type: ignore[union-attr]
    own_only, named, group, lapsed, french = (
        by_name[n] for n in ("Own Only", "Named For France", "Levant Group", "Soon Past Review", "French Own")
    )
    members = {by_name[f"Member {i}"] for i in range(1, 5)}
    expected = {
        "JO-GID": members | {own_only, named, group, lapsed},
        "FR-DGSI": members | {named, group, french},
        "DE-BKA": members,
    }
    for code, actor in (("JO-GID", jo), ("FR-DGSI", fr), ("DE-BKA", de)):
        paged: list[str] = []
        after = None
        while page := records.list_records(node, actor, limit=3, after=after).records:
            paged.extend(r.id for r in page)
            after = page[-1].id
        assert paged == sorted(expected[code]), code
        assert records.list_records(node, actor, limit=2).total == len(expected[code])
        assert records.count_records(node, actor) == len(expected[code])
