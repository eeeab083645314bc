"""A bulk import leaves the database ready for the next one: PostgreSQL's planner learns the new sizes at once."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from sqlalchemy import text

from factories import seed_agencies
from ictdb.services import imports
from ictdb.services.node import Node
from ictdb.services.transfer import import_entities


def _planner_rows(node: Node) -> float | None:
    """What PostgreSQL's planner believes ``records`` holds (None: it has never looked); SQLite keeps no such figure."""
    if node.store.backend != "postgresql":
        return None
    with node.store.engine.connect() as connection:
        value = connection.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'records'")).scalar()
    return None if value is None or value < 0 else float(value)


def test_after_a_bulk_import_the_planner_knows_the_new_size(
    node: Node, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = seed_agencies(node)["JO-GID"]
    monkeypatch.setattr(imports, "BULK_LOAD", 20)
    lines = [{"id": f"P{n}", "schema": "Person", "names": [f"Person Number {n}"]} for n in range(25)]
    path = tmp_path / "bulk.jsonl"
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    before = _planner_rows(node)
    summary = import_entities(node, actor, path)
    assert len(summary.created) == 25
    if node.store.backend == "postgresql":
        assert before is None or before < 25
        assert _planner_rows(node) == 25
    # the same file again changes nothing, on either backend
    assert len(import_entities(node, actor, path).unchanged) == 25


def test_a_bulk_import_stores_each_identifier_and_link_of_a_record_once(node: Node, tmp_path: Path) -> None:
    actor = seed_agencies(node)["JO-GID"]
    passport = {"scheme": "passport", "value": "X1"}
    lines = [
        {"id": "P1", "schema": "Person", "names": ["Person One"], "identifiers": [passport, passport]},
        {"id": "O1", "schema": "Organization", "names": ["Group One"]},
        {"id": "M1", "schema": "Membership", "person": "P1", "organization": "O1", "role": "member"},
    ]
    path = tmp_path / "linked.jsonl"
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    ids = import_entities(node, actor, path).ids_by_key
    with node.store.engine.connect() as connection:
        identifiers = connection.execute(
            text("SELECT scheme, value FROM record_identifiers WHERE record_id = :id ORDER BY scheme"),
            {"id": ids["P1"]},
        ).all()
        links = connection.execute(
            text("SELECT field, target_id FROM record_links WHERE record_id = :id ORDER BY field"), {"id": ids["M1"]}
        ).all()
    assert [tuple(row) for row in identifiers] == [("passport", "X1"), ("source-id", "P1")]
    assert [tuple(row) for row in links] == [("organization", ids["O1"]), ("person", ids["P1"])]
