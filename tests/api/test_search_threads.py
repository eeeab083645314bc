"""Where the API runs a search: on the event loop while that is quick and fair, else on a worker thread."""

from __future__ import annotations

import asyncio
import threading

import pytest

from ictdb.api import deps
from ictdb.services.name_index import live_index
from ictdb.services.node import Node


def _runs_on_loop(node: Node, *, queries: int = 1) -> bool:
    async def main() -> bool:
        loop_thread = threading.current_thread()
        ran_on = await deps.run_search(node, threading.current_thread, queries=queries)
        return ran_on is loop_thread

    return asyncio.run(main())


def test_a_search_runs_on_the_loop_only_where_it_is_quick_and_fair(node: Node, monkeypatch: pytest.MonkeyPatch) -> None:
    # before the process's first search, which builds the name index, the loop would stall for seconds
    assert not _runs_on_loop(node)
    live_index(node)
    # PostgreSQL's statements wait on the network, which a thread spends letting other requests work
    assert _runs_on_loop(node) is (node.store.backend == "sqlite")
    # a batch would hold up every other request of the process
    assert not _runs_on_loop(node, queries=deps.INLINE_QUERIES + 1)
    # uvloop answers no request until every ready one has run: with many in flight, the threads' queue is fairer
    monkeypatch.setattr(deps, "requests_in_flight", lambda: deps.INLINE_IN_FLIGHT + 1)
    assert not _runs_on_loop(node)
