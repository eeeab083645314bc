"""A large node's name index is set aside from the garbage collector's full passes, which paused the server."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from factories import person, seed_agencies
from ictdb.services import name_index
from ictdb.services.node import Node


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_large_index_is_frozen_once_built_and_a_small_one_is_not(
    node: Node, monkeypatch: pytest.MonkeyPatch, unfrozen: None
) -> None:
    actor = seed_agencies(node)["JO-GID"]
    for name in ("Abu Bakr al-Baghdadi", "Shamil Basayev", "Abu Mohammad al-Adnani"):
        person(node, actor, name)
    monkeypatch.setattr(name_index, "FREEZE_FROM", 4)
    name_index.live_index(node)
    assert gc.get_freeze_count() == 0

    monkeypatch.setattr(name_index, "FREEZE_FROM", 3)
    node.caches.pop("name_index")
    index = name_index.live_index(node)
    assert gc.get_freeze_count() > 0
    # frozen, the index still follows the store
    person(node, actor, "Ayman al-Zawahiri")
    assert name_index.live_index(node) is index and len(index) == 4
