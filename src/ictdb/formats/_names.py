"""Collecting a record's names from a list entry: cleaned, de-duplicated, each valid for the model."""

from __future__ import annotations

import pydantic

from ictdb.model.records import Name
from ictdb.model.vocab import NameKind


class NameList:
    """Names in the order first seen; a spelling already held keeps its first kind (primary beats alias)."""

    def __init__(self) -> None:
        self.names: list[Name] = []
        self._seen: set[str] = set()

    def add(self, value: str | None, kind: NameKind) -> bool:
        """Add a name; False when it cannot be a name at all (no letters, too long)."""
        text = " ".join((value or "").split())
        if not text:
            return False
        key = text.casefold()
        if key in self._seen:
            return True
        try:
            name = Name(value=text, kind=kind)
        except pydantic.ValidationError:
            return False
        self._seen.add(key)
        self.names.append(name)
        return True

    def __contains__(self, value: str) -> bool:
        return " ".join(value.split()).casefold() in self._seen
