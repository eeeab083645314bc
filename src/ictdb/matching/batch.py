"""Batch screening: many queries against one built index, on every core.

Workers are forked after the index is built, so they share its memory copy-on-write instead of each
pickling a copy; the ``allowed`` function travels the same way and need not be picklable. Small batches,
a single worker, or a platform without ``fork`` run in the calling process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from ictdb.matching.index import MatchQuery, NameIndex, SearchResult

MIN_PARALLEL_BATCH = 200
"""Below this many queries, starting workers costs more than it saves."""
CHUNK = 64

_shared: tuple[NameIndex, Callable[[Hashable], bool], int, float] | None = None


def _screen_chunk(chunk: tuple[int, Sequence[MatchQuery]]) -> tuple[int, list[SearchResult]]:
    assert _shared is not None
    index, allowed, limit, threshold = _shared
    start, queries = chunk
    return start, [index.search(query, allowed, limit, threshold) for query in queries]


def screen_many(
    index: NameIndex,
    queries: Sequence[MatchQuery],
    allowed: Callable[[Hashable], bool],
    limit: int = 10,
    threshold: float = 0.0,
    workers: int | None = None,
    progress: Callable[[int, int], Any] | None = None,
) -> list[SearchResult]:
    """Search every query; results in input order. ``progress(done, total)`` is called as chunks finish."""
    global _shared
    total = len(queries)
    workers = max(1, workers if workers is not None else (os.cpu_count() or 1))
    results: list[SearchResult | None] = [None] * total
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if workers == 1 or total < MIN_PARALLEL_BATCH or not can_fork:
        for position, query in enumerate(queries):
            results[position] = index.search(query, allowed, limit, threshold)
            if progress is not None and (position + 1) % CHUNK == 0:
                progress(position + 1, total)
    else:
        chunks = [(start, queries[start : start + CHUNK]) for start in range(0, total, CHUNK)]
        _shared = (index, allowed, limit, threshold)
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                done = 0
                for start, chunk_results in pool.imap_unordered(_screen_chunk, chunks):
                    results[start : start + len(chunk_results)] = chunk_results
                    done += len(chunk_results)
                    if progress is not None:
                        progress(done, total)
        finally:
            _shared = None
    if progress is not None:
        progress(total, total)
    return [result if result is not None else SearchResult() for result in results]
