"""A sanctions-list import that fails part-way leaves the node exactly as it was."""

from __future__ import annotations

import pytest

from conftest import DATA
from factories import seed_agencies
from ictdb.services import directory, records, sanctions
from ictdb.services.node import Node

UN_LIST = DATA / "sanctions" / "un" / "consolidated.xml"


@pytest.mark.skipif(not UN_LIST.exists(), reason="the shared UN list is not beside this checkout")
def test_failure_after_the_records_are_written_leaves_no_authority_and_no_record(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    actors = seed_agencies(node)
    admin = directory.node_admin(node)
    before = records.count_records(node, actors["JO-GID"])

    def fail(*_: object, **__: object) -> None:
        raise RuntimeError("the disk filled up")

    # The last step of the import, after the agency, its user and every record were written.
    monkeypatch.setattr(sanctions.events, "records_changed", fail)
    with pytest.raises(RuntimeError):
        sanctions.import_un_sc(node, admin, UN_LIST)
    assert "UN-SC" not in {a.code for a in directory.list_agencies(node, admin)}
    assert records.count_records(node, actors["JO-GID"]) == before
