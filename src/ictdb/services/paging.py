"""The bounds of a page asked for by offset, checked alike wherever records are listed that way."""

from __future__ import annotations

from ictdb.model.errors import ValidationError

MAX_LIMIT = 10_000
MAX_OFFSET = 1_000_000_000
"""Far past any node's size; beyond it, PostgreSQL's arithmetic on the offset would overflow."""


def check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"limit must be between 1 and {MAX_LIMIT}", "limit")
    if not 0 <= offset <= MAX_OFFSET:
        raise ValidationError(f"offset must be between 0 and {MAX_OFFSET}", "offset")
