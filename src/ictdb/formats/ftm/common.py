"""What FtM export and import share: entity ids and the context key that carries our record."""

from __future__ import annotations

import hashlib
import re

CONTEXT = "ictdb"
_PLAIN = re.compile(r"^[0-9a-zA-Z][0-9a-zA-Z.-]{0,150}$")


def entity_id(record_id: str) -> str:
    """A stable FtM id for a record: readable when the record id is plain, a hash of it otherwise."""
    if _PLAIN.match(record_id):
        return f"ictdb-{record_id}"
    return "ictdb-" + hashlib.sha1(record_id.encode(), usedforsecurity=False).hexdigest()
