"""Loading the demo node: its agencies, users, groups and records, and the real UN list beside them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ictdb.model.errors import Conflict
from ictdb.model.vocab import Role
from ictdb.services import directory
from ictdb.services.demo_data import DemoNode, build_demo
from ictdb.services.imports import import_items
from ictdb.services.node import Node
from ictdb.services.sanctions import import_un_sc


@dataclass(slots=True)
class DemoSummary:
    home_agency: str
    agencies: list[str]
    passwords: dict[str, str]
    records: dict[str, int] = field(default_factory=dict)
    un_entries: int = 0
    manifest: Path | None = None


def load_demo(
    node: Node, *, seed: int = 7, un_list: Path | None = None, manifest_out: Path | None = None
) -> DemoSummary:
    """Build the demo on an empty (or just initialised, by the same home agency) node."""
    demo: DemoNode = build_demo(seed)
    home = next(a for a in demo.agencies if a.code == demo.home_agency)
    if not directory.is_initialised(node):
        directory.init_node(node, home.code, home.name, home.country)
    admin = directory.node_admin(node)
    if admin.agency != home.code:
        raise Conflict(f"this node belongs to {admin.agency}; the demo needs an empty node or one of {home.code}")
    with node.store.transaction() as tx:
        if tx.records.count(node.viewer(admin)) or len(tx.directory.agencies()) > 1:
            raise Conflict("the demo loads only into an empty node (run `ictdb init` on a new database)")
    for agency in demo.agencies:
        if agency.code != home.code:
            directory.create_agency(node, admin, agency)
        directory.set_defaults(node, admin, agency.code, agency.defaults)
    for user in demo.users:
        directory.create_user(node, admin, user, demo.passwords[user.username])
    for group in demo.groups:
        supervisor = next(u for u in demo.users if u.agency == group.owner and Role.SUPERVISOR in u.roles)
        owner = directory.actor_for(node, group.owner, supervisor.username)
        directory.create_group(node, owner, group.name, sorted(group.members - {group.owner}), group.description)
    known: dict[str, str] = {}
    counts: dict[str, int] = {}
    for phase in ("entities", "relations"):
        for agency in demo.agencies:
            items = demo.entity_items(agency.code) if phase == "entities" else demo.relation_items(agency.code)
            if not items:
                continue
            analyst = next(u for u in demo.users if u.agency == agency.code and Role.ANALYST in u.roles)
            actor = directory.actor_for(node, agency.code, analyst.username)
            summary = import_items(node, actor, items, source=f"demo-{phase}", known_ids=known)
            for key, record_id in summary.ids_by_key.items():
                if "/" not in key:
                    known[f"{agency.code}/{key}"] = record_id
            counts[agency.code] = counts.get(agency.code, 0) + len(summary.created)
    result = DemoSummary(home.code, [a.code for a in demo.agencies], dict(demo.passwords), counts)
    if un_list is not None and un_list.exists():
        result.un_entries = len(import_un_sc(node, admin, un_list).summary.created)
    if manifest_out is not None:
        manifest_out.write_text(demo.manifest_csv, encoding="utf-8")
        result.manifest = manifest_out
    return result
