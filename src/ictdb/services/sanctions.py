"""Sanctions lists: the UN Security Council Consolidated List and OFAC's SDN list, imported as deltas.

Each list is owned by its list-authority agency (UN-SC, US-OFAC), created on first import and shared
with all members. A newer file reports what was added, changed (field by field) and delisted; a
delisted entry's Designation is ended with the date of the import, never deleted; entries that did not
change are not touched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ictdb.formats.ofac_sdn import read_ofac_sdn
from ictdb.formats.un_sc import read_un_sc
from ictdb.model.actors import Actor
from ictdb.model.bundle import ImportItem, ParseReport
from ictdb.model.dates import FuzzyDate
from ictdb.model.records import Designation
from ictdb.model.vocab import Role
from ictdb.policy.roles import require
from ictdb.services.audit import log
from ictdb.services.cooperation import events
from ictdb.services.directory import list_authority_in
from ictdb.services.imports import ImportSummary, Progress, gc_paused, import_in
from ictdb.services.node import Node


@dataclass(frozen=True, slots=True)
class ListAuthority:
    code: str
    name: str
    country: str


UN_SC = ListAuthority("UN-SC", "United Nations Security Council", "XX")
US_OFAC = ListAuthority("US-OFAC", "US Treasury Office of Foreign Assets Control", "US")


@dataclass(slots=True)
class ListImport:
    summary: ImportSummary
    report: ParseReport
    delisted: list[str] = field(default_factory=list)


def _import_list(
    node: Node,
    actor: Actor,
    authority: ListAuthority,
    read: Callable[[], tuple[list[ImportItem], ParseReport]],
    source: str,
    progress: Progress | None,
) -> ListImport:
    require(actor, Role.NODE_ADMIN, "importing a sanctions list")
    items, report = read()
    # The authority, the list's records and the ending of delisted designations commit together or not at all.
    with gc_paused(), node.store.transaction() as tx:
        lists = list_authority_in(tx, node, authority.code, authority.name, authority.country, origin=actor.origin)
        summary = import_in(tx, node, lists, items, source=source, progress=progress, audit_action="import.list")
        present = {i.key for i in items}
        result = ListImport(summary, report)
        today = FuzzyDate.parse(node.today())
        # Only the list's designations whose entry is gone from the file are read and checked.
        gone = [rid for key, rid in tx.records.source_ids(authority.code, "Designation").items() if key not in present]
        for record in tx.records.get_many(node.viewer(lists), gone).values():
            if isinstance(record.body, Designation) and record.body.ended_on is None:
                result.delisted.append(record.id)
        result.delisted.sort()
        for record_id in result.delisted:
            current = tx.records.get(node.viewer(lists), record_id)
            assert current is not None and isinstance(current.body, Designation)
            ended = current.model_copy(
                update={
                    "body": current.body.model_copy(update={"ended_on": today}),
                    "version": current.version + 1,
                    "updated_at": node.now(),
                }
            )
            tx.records.replace(
                ended, expected_version=current.version, change="delist", reason=source, by=lists.username
            )
        events.records_changed(tx, node, lists, [], result.delisted)
        log(
            tx,
            node,
            actor,
            "import.list.delta",
            result.delisted,
            query=source,
            detail={
                "list": authority.code,
                "added": len(summary.created),
                "changed": len(summary.updated),
                "unchanged": len(summary.unchanged),
                "delisted": len(result.delisted),
            },
        )
    return result


def import_un_sc(node: Node, actor: Actor, path: Path, *, progress: Progress | None = None) -> ListImport:
    return _import_list(node, actor, UN_SC, lambda: read_un_sc(path), path.name, progress)


def import_ofac_sdn(node: Node, actor: Actor, directory: Path, *, progress: Progress | None = None) -> ListImport:
    return _import_list(node, actor, US_OFAC, lambda: read_ofac_sdn(directory), directory.name, progress)
