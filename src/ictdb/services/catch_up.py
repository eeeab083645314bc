"""Keeping an in-memory view of the node's persons and groups in step with the store.

The matcher's name index and the resolver's held profiles are both read in full on first use and then, before
each use, brought up to date from the records written since. This is where they stand in the store's history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from ictdb.storage.records import Stored
from ictdb.storage.store import Tx

Changes = Iterator[tuple[Stored, bool]]
"""Records written since the last read, each with whether it is now deleted."""


class CatchUp:
    """How far into the store's history a view has read.

    ``counted`` is the store's count of record writes when the view last read it, ``since`` the newest write
    time it had seen then. A read that finds the same count has nothing to do: one row read by its key, the
    common case before every search. Otherwise the view is given the records written at or after ``since``
    (deleted ones included; writes in the same instant are given again, which is harmless). The count is read
    before the records, so a write that commits in between is given now and again next time, never missed.
    """

    def __init__(self, schemas: tuple[str, ...] = ("Person", "Organization")) -> None:
        self.schemas = schemas
        self.counted: int | None = None
        self.since: datetime | None = None

    def read(self, tx: Tx, apply: Callable[[Changes, bool], None]) -> None:
        """Call ``apply(changes, first)`` when anything was written since the last read; ``first`` says that
        ``changes`` is every live record (the first read). The position moves only once ``apply`` returns."""
        counted = tx.records.change_count()
        if counted == self.counted:
            return
        newest = tx.records.newest_write()
        first = self.counted is None
        apply(tx.records.matchable(self.schemas, changed_since=None if first else self.since), first)
        self.counted, self.since = counted, newest or self.since
