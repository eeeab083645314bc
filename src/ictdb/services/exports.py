"""Exporting what the actor may see, never what it may not pass on.

A record whose handling code is H2 (no onward dissemination without consent) leaves the node only in
its owner's exports. Every export is audited with the ids it contained.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from ictdb.model.actors import Actor
from ictdb.model.stored import Record
from ictdb.model.vocab import HandlingCode
from ictdb.services.audit import log
from ictdb.services.node import Node


def may_export(actor: Actor, record: Record) -> bool:
    return record.owner == actor.agency or record.envelope.handling is not HandlingCode.H2


@dataclass(slots=True)
class ExportLog:
    exported: list[str] = field(default_factory=list)
    withheld: int = 0


def exportable(
    node: Node, actor: Actor, *, schemas: Sequence[str] | None = None, fmt: str = "jsonl"
) -> Callable[[], Iterator[Record]]:
    """A generator factory over the records the actor may export; the audit event is written when it ends."""

    def generate() -> Iterator[Record]:
        result = ExportLog()
        with node.store.transaction() as tx:
            for record in tx.records.stream(node.viewer(actor), schemas=schemas):
                if may_export(actor, record):
                    result.exported.append(record.id)
                    yield record
                else:
                    result.withheld += 1
        with node.store.transaction() as tx:
            log(
                tx,
                node,
                actor,
                f"export.{fmt}",
                result.exported,
                detail={"exported": len(result.exported), "withheld_h2": result.withheld},
            )

    return generate
