"""Search, screening and sanctions lists through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from conftest import DATA, Clock
from factories import person, seed_agencies
from ictdb.formats.screening_csv import read_screening_csv
from ictdb.matching import MatchQuery
from ictdb.model.envelope import Distribution, EnvelopeInput
from ictdb.services import audit, records, sanctions
from ictdb.services.directory import node_admin
from ictdb.services.node import IdFactory, Node
from ictdb.services.screening import screen_rows
from ictdb.services.search import search
from ictdb.storage.store import Store

UN_LIST = DATA / "sanctions" / "un" / "consolidated.xml"


def test_search_finds_across_scripts_and_hides_restricted(node: Node) -> None:
    actors = seed_agencies(node)
    jo, fr, de = actors["JO-GID"], actors["FR-DGSI"], actors["DE-BKA"]
    shared = person(node, jo, "Abu Bakr al-Baghdadi")
    person(node, de, "أبو بكر البغدادي", distribution="owner", hit_policy="hit-no-hit")
    silent = person(node, de, "Abu Bakr al-Baghdadi", distribution="owner", hit_policy="silent")
    outcome = search(node, fr, MatchQuery(names=("أبو بكر البغدادي",)))
    assert [m.record.id for m in outcome.matches] == [shared.id]
    assert outcome.restricted_owners == ["DE-BKA"]
    accesses = audit.accesses_to_mine(node, de)
    assert all(silent.id not in e.record_ids for e in accesses)
    assert any(e.action == "search" and e.agency == "FR-DGSI" for e in accesses)


def test_search_sees_new_and_deleted_records(node: Node) -> None:
    actors = seed_agencies(node)
    jo = actors["JO-GID"]
    assert search(node, jo, MatchQuery(names=("Шамиль Басаев",))).matches == []
    rec = person(node, jo, "Shamil Basayev")
    assert [m.record.id for m in search(node, jo, MatchQuery(names=("Шамиль Басаев",))).matches] == [rec.id]
    records.delete_record(node, jo, rec.id, "test")
    assert search(node, jo, MatchQuery(names=("Шамиль Басаев",))).matches == []


def test_search_sees_what_another_process_wrote(node: Node, clock: Clock) -> None:
    """A server's warm index catches up with writes made beside it, e.g. an import by the operator's CLI."""
    actors = seed_agencies(node)
    jo, fr = actors["JO-GID"], actors["FR-DGSI"]
    query = MatchQuery(names=("Шамиль Басаев",))
    assert search(node, fr, query).matches == []
    beside = Store.open(node.store.engine.url.render_as_string(hide_password=False))
    try:
        other = Node(store=beside, clock=clock, new_id=IdFactory(99))
        hidden = person(other, jo, "Shamil Basayev", distribution="owner")
        assert search(node, fr, query).matches == []
        shared = EnvelopeInput(distribution=Distribution.parse("agencies:FR-DGSI"))
        records.edit_record(other, jo, hidden.id, envelope=shared, reason="shared with FR")
        assert [m.record.id for m in search(node, fr, query).matches] == [hidden.id]
        records.delete_record(other, jo, hidden.id, "withdrawn")
        assert search(node, fr, query).matches == []
    finally:
        beside.close()


def test_screening_keeps_every_row_in_order(node: Node) -> None:
    actors = seed_agencies(node)
    wanted = person(node, actors["JO-GID"], "Yusuf al-Qaradawi")
    manifest = b"id,name,birth_date\nA1,Youssef Qaradawi,\nA2,,\nA3,Maria Schmidt,1990\n"
    rows = list(read_screening_csv(io.BytesIO(manifest), "manifest.csv"))
    lines = list(screen_rows(node, actors["FR-DGSI"], rows, source="manifest.csv", threshold=0.7))
    assert [line["id"] for line in lines] == ["A1", "A2", "A3"]
    assert lines[0]["matches"][0]["entity_id"] == wanted.id
    assert "error" in lines[1] and lines[1]["matches"] == []
    assert lines[2]["matches"] == []


@pytest.mark.skipif(not UN_LIST.exists(), reason="the shared UN list is not beside this checkout")
def test_un_list_imports_as_deltas(node: Node, tmp_path: Path) -> None:
    actors = seed_agencies(node)
    admin = node_admin(node)
    first = sanctions.import_un_sc(node, admin, UN_LIST)
    assert len(first.summary.created) == 730 + 273 + 1003
    again = sanctions.import_un_sc(node, admin, UN_LIST)
    assert (len(again.summary.created), len(again.summary.updated), again.delisted) == (0, 0, [])
    edited = tmp_path / "edited.xml"
    text = UN_LIST.read_text(encoding="utf-8")
    start = text.index("<INDIVIDUAL>")
    end = text.index("</INDIVIDUAL>", start) + len("</INDIVIDUAL>")
    edited.write_text(text[:start] + text[end:], encoding="utf-8")
    delta = sanctions.import_un_sc(node, admin, edited)
    assert len(delta.delisted) == 1 and len(delta.summary.created) == 0
    designation = records.get_record(node, actors["JO-GID"], delta.delisted[0])
    assert designation.body.ended_on is not None  # type: ignore[union-attr]
