"""Watches: an agency asks to be alerted about a person, a group or a cluster of records."""

from __future__ import annotations

from ictdb.model.actors import Actor
from ictdb.model.cooperation import Watch, WatchTarget
from ictdb.model.errors import Conflict, NotFound, ValidationError
from ictdb.model.vocab import Role
from ictdb.policy.roles import require
from ictdb.services.audit import log
from ictdb.services.cooperation.alerts import new_id, repo
from ictdb.services.node import Node
from ictdb.services.records import not_found

__all__ = ["add_watch", "list_watches", "remove_watch"]

WATCHABLE = frozenset({"Person", "Organization"})


def add_watch(
    node: Node, actor: Actor, target: str, *, kind: WatchTarget = WatchTarget.RECORD, note: str | None = None
) -> Watch:
    """Watch a person or group the actor may see (or a cluster id, kept as given for resolution)."""
    require(actor, Role.ANALYST, "watching")
    target = target.strip()
    if not target or len(target) > 100:
        raise ValidationError("name a record id or a cluster id (at most 100 characters)", "target")
    with node.store.transaction() as tx:
        caption = None
        if kind is WatchTarget.RECORD:
            record = tx.records.get(node.viewer(actor), target)
            if record is None:
                raise not_found(target)
            if record.schema_name not in WATCHABLE:
                raise ValidationError(f"only a person or a group can be watched, not a {record.schema_name}", "target")
            caption = record.caption()
        coop = repo(tx)
        if coop.find_watch(actor.agency, kind, target):
            raise Conflict(f"{actor.agency} already watches {target}")
        watch = Watch(
            id=new_id("wat"),
            agency=actor.agency,
            target_kind=kind,
            target=target,
            note=note,
            created_by=actor.username,
            created_at=node.now(),
            caption=caption,
        )
        coop.add_watch(watch)
        log(tx, node, actor, "watch.add", [target] if kind is WatchTarget.RECORD else [], query=target)
    return watch


def list_watches(node: Node, actor: Actor) -> list[Watch]:
    """The actor's agency's watches; captions only of records it still may see."""
    with node.store.transaction() as tx:
        found = repo(tx).watches(node.viewer(actor))
        log(tx, node, actor, "watch.list", detail={"returned": len(found)})
    return found


def remove_watch(node: Node, actor: Actor, watch_id: str) -> None:
    require(actor, Role.ANALYST, "watching")
    with node.store.transaction() as tx:
        if not repo(tx).remove_watch(actor.agency, watch_id):
            raise NotFound(f"no watch {watch_id}")
        log(tx, node, actor, "watch.remove", query=watch_id)
