"""The audit trail: every read and write leaves an event; tampering with the table is detected and named."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, insert, select, update

from factories import person, seed_agencies
from ictdb.matching import MatchQuery
from ictdb.model.errors import Forbidden, NotFound
from ictdb.services import audit, records
from ictdb.services.directory import node_admin
from ictdb.services.node import Node
from ictdb.services.search import search
from ictdb.storage.tables import audit_events, audit_records


def _actions(node: Node) -> list[tuple[str, str, str]]:
    with node.store.transaction() as tx:
        return [(e.agency, e.action, e.outcome) for e in tx.audit.all()]


def test_reads_writes_and_refusals_are_logged(node: Node) -> None:
    actors = seed_agencies(node)
    jo, fr = actors["JO-GID"], actors["FR-DGSI"]
    rec = person(node, jo, "Logged Person", distribution="owner")
    records.get_record(node, jo, rec.id)
    with pytest.raises(NotFound):
        records.get_record(node, fr, rec.id)
    records.list_records(node, jo)
    log = _actions(node)
    assert ("JO-GID", "record.create", "ok") in log
    assert ("JO-GID", "record.read", "ok") in log
    assert ("FR-DGSI", "record.read", "not-found") in log
    assert ("JO-GID", "record.list", "ok") in log


def test_a_search_with_a_nul_character_is_answered_and_logged(node: Node) -> None:
    """PostgreSQL text cannot hold NUL: the query is kept with a replacement character, and the chain verifies."""
    actor = seed_agencies(node)["FR-DGSI"]
    search(node, actor, MatchQuery(names=("Abu\x00Bakr",)))
    with node.store.transaction() as tx:
        queries = [e.query for e in tx.audit.all() if e.action == "search"]
    assert queries == ["Abu\ufffdBakr"]
    assert audit.verify(node, node_admin(node)).breaks == []


def test_owner_sees_other_agencies_accesses_to_its_records_only(node: Node) -> None:
    actors = seed_agencies(node)
    jo, fr, de = actors["JO-GID"], actors["FR-DGSI"], actors["DE-BKA"]
    mine = person(node, jo, "Watched Person")
    theirs = person(node, de, "Other Person")
    records.list_records(node, fr)
    records.get_record(node, fr, mine.id)
    events = audit.accesses_to_mine(node, jo)
    assert {e.agency for e in events} == {"FR-DGSI"}
    assert {e.action for e in events} == {"record.read", "record.list"}
    assert all(theirs.id not in e.record_ids for e in events)
    assert all(mine.id in e.record_ids for e in events)


def test_supervisors_see_their_own_agency_only(node: Node) -> None:
    actors = seed_agencies(node)
    person(node, actors["JO-GID"], "Some One")
    person(node, actors["DE-BKA"], "Some Other")
    assert {e.agency for e in audit.agency_log(node, actors["DE-BKA"])} == {"DE-BKA"}
    with pytest.raises(Forbidden):
        audit.verify(node, actors["DE-BKA"])


def _tamper_and_verify(node: Node, *statements: object) -> list[str]:
    with node.store.engine.begin() as connection:
        for statement in statements:
            connection.execute(statement)  # type: ignore[call-overload]
    with node.store.transaction() as tx:
        _, breaks = tx.audit.verify()
    return [b.problem for b in breaks]


@pytest.mark.parametrize("tamper", ["edit", "delete", "insert", "truncate-tail"])
def test_verify_names_the_tampered_event(node: Node, tamper: str) -> None:
    actors = seed_agencies(node)
    for i in range(5):
        person(node, actors["JO-GID"], f"Person Number{'x' * i}")
    with node.store.transaction() as tx:
        checked, breaks = tx.audit.verify()
        last = tx.connection.execute(
            select(audit_events.c.seq).order_by(audit_events.c.seq.desc()).limit(1)
        ).scalar_one()
        third = tx.connection.execute(select(audit_events).where(audit_events.c.seq == 3)).one()._asdict()
    assert breaks == [] and checked == last
    if tamper == "edit":
        problems = _tamper_and_verify(
            node, update(audit_events).where(audit_events.c.seq == 3).values(agency="XX-FAKE")
        )
        assert problems == ["event 3 was changed after it was written"]
    elif tamper == "delete":
        problems = _tamper_and_verify(
            node,
            delete(audit_records).where(audit_records.c.seq == 3),
            delete(audit_events).where(audit_events.c.seq == 3),
        )
        assert "event 3 is missing (next found is 4)" in problems
        assert "event 4 does not follow the event before it" in problems
    elif tamper == "insert":
        forged = {**third, "seq": last + 1, "prev_hash": "f" * 64}
        problems = _tamper_and_verify(node, insert(audit_events).values(**forged))
        assert f"event {last + 1} does not follow the event before it" in problems
        assert f"event {last + 1} was changed after it was written" in problems
    else:
        problems = _tamper_and_verify(
            node,
            delete(audit_records).where(audit_records.c.seq >= last - 1),
            delete(audit_events).where(audit_events.c.seq >= last - 1),
        )
        assert problems == ["the last 2 event(s) were removed"]
