"""An agency's inbox: the alerts addressed to it, unread counts, marking read, and following new ones.

Hit notices (another agency matched one of our restricted records) are for supervisors: an analyst's
inbox leaves them out. Every read goes through the visibility predicate: an alert whose records its
agency may no longer see (deleted, past review) disappears from the inbox and from its counts, and a
further record that an alert lists (an answer lists every record it shared) leaves that list.

Read state belongs to the agency, not to each user: an alert one officer marks read is read for every
user of that agency (the inbox is the agency's desk, worked by whoever is on duty), and the unread count
in the page header is the agency's. Per-user read marks would need a table of (alert, user) rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from ictdb.model.actors import Actor
from ictdb.model.cooperation import Alert, AlertKind
from ictdb.model.errors import ValidationError
from ictdb.model.vocab import Role
from ictdb.policy.roles import require
from ictdb.services.audit import log
from ictdb.services.cooperation.alerts import repo
from ictdb.services.node import Node

__all__ = ["Inbox", "hit_notices", "inbox", "mark_read", "poll", "unread_count"]

SUPERVISOR_KINDS = (AlertKind.HIT.value,)


def _hidden(actor: Actor) -> tuple[str, ...]:
    return () if actor.has(Role.SUPERVISOR) else SUPERVISOR_KINDS


@dataclass(frozen=True, slots=True)
class Inbox:
    alerts: list[Alert]
    unread: int
    unread_by_kind: dict[str, int]


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= 1000:
        raise ValidationError("limit must be between 1 and 1000", "limit")


def inbox(node: Node, actor: Actor, *, unread: bool = False, kind: str | None = None, limit: int = 100) -> Inbox:
    _check_limit(limit)
    if kind is not None and kind not in {k.value for k in AlertKind}:
        raise ValidationError(f"unknown kind {kind!r}; one of {', '.join(k.value for k in AlertKind)}", "kind")
    hidden = _hidden(actor)
    with node.store.transaction() as tx:
        coop = repo(tx)
        viewer = node.viewer(actor)
        alerts = coop.inbox(viewer, kinds=[kind] if kind else None, skip_kinds=hidden, unread=unread, limit=limit)
        counts = coop.unread_counts(viewer, skip_kinds=hidden)
        ids = sorted({i for a in alerts for i in (a.record_id, a.about_id) if i})
        log(tx, node, actor, "inbox.read", ids, detail={"returned": len(alerts)})
    return Inbox(alerts, sum(counts.values()), counts)


def unread_count(node: Node, actor: Actor) -> int:
    with node.store.transaction() as tx:
        return sum(repo(tx).unread_counts(node.viewer(actor), skip_kinds=_hidden(actor)).values())


def mark_read(node: Node, actor: Actor, ids: list[str] | None = None) -> int:
    """Mark these alerts (all, when None) read for the whole agency; returns how many changed."""
    with node.store.transaction() as tx:
        changed = repo(tx).mark_read(node.viewer(actor), node.now(), ids=ids, skip_kinds=_hidden(actor))
        log(tx, node, actor, "inbox.mark-read", detail={"changed": changed})
    return changed


def poll(node: Node, actor: Actor, after: int, limit: int = 100) -> list[Alert]:
    """Alerts newer than sequence number ``after``, oldest first (the event stream's source)."""
    _check_limit(limit)
    with node.store.transaction() as tx:
        return repo(tx).inbox(
            node.viewer(actor), skip_kinds=_hidden(actor), after=after, limit=limit, newest_first=False
        )


def latest_seq(node: Node) -> int:
    with node.store.transaction() as tx:
        return repo(tx).last_alert_seq()


def hit_notices(node: Node, actor: Actor, *, limit: int = 100) -> list[Alert]:
    """Other agencies' searches and screenings that matched the agency's restricted records: supervisors only."""
    require(actor, Role.SUPERVISOR, "reading hit notices")
    _check_limit(limit)
    with node.store.transaction() as tx:
        found = repo(tx).inbox(node.viewer(actor), kinds=SUPERVISOR_KINDS, limit=limit)
        log(tx, node, actor, "hits.read", sorted({a.record_id for a in found if a.record_id}))
    return found
