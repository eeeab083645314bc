"""What a file parser hands to the import service: bodies keyed by their id in the source.

A parser does not know our record ids. Inside one import, a relationship body names the records it
links by their source keys (a JSON Lines ``id``, a UN reference number, an OFAC entry number); the import
service resolves each key to the record it created or already holds for that source, and otherwise reads it
as a record id of the node.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ictdb.model.envelope import EnvelopeInput
from ictdb.model.records import Body

SOURCE_ID = "source-id"


@dataclass(frozen=True, slots=True)
class ImportItem:
    key: str
    body: Body
    envelope: EnvelopeInput | None = None
    line: int | None = None


@dataclass(slots=True)
class ParseReport:
    """What a parser could not map, so the importer can say so instead of dropping it silently."""

    warnings: list[str] = field(default_factory=list)
    unparsed: dict[str, int] = field(default_factory=dict)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def count(self, what: str) -> None:
        self.unparsed[what] = self.unparsed.get(what, 0) + 1
