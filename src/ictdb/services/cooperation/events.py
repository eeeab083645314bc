"""The hook other services call inside their own transactions, so that an alert commits with its cause.

Each function here turns one kind of event into inbox alerts (and their queued webhook deliveries):
  * a record was written (``record_written``, ``records_changed`` for imports and list deltas): watchers of
    a record it links to hear of it; a Movement is a movement alert, a Designation added or ended a
    designation alert, anything else a link alert;
  * a search or screening matched (``matched``): owners of restricted records are told by hit policy, with
    a hit reference the searcher may quote in a request when the policy is hit-no-hit; watchers of a record
    a screening matched hear of the screening;
  * ``same`` judgements grew a cluster (``clusters_joined``, called by resolution in the transaction that
    records them, whether an analyst, the automatic judge or a batch run judged): watchers of that cluster
    hear which records joined it, as they see the cluster.
An alert goes only to an agency that, at that moment, may see every record it names (checked in SQL with
the visibility predicate); the agency that caused the event is not alerted about its own act.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

from ictdb.model.actors import Actor
from ictdb.model.cooperation import AlertKind, Hit, HitRecord, WatchTarget
from ictdb.model.records import Designation, Movement
from ictdb.model.resolution import Judgement, cluster
from ictdb.model.stored import Record, parse_body
from ictdb.model.vocab import HitPolicy
from ictdb.policy.hits import outcome_of
from ictdb.policy.visibility import Viewer
from ictdb.services.cooperation.alerts import new_id, notify, repo
from ictdb.services.node import Node
from ictdb.storage.resolution import Resolution
from ictdb.storage.store import Tx

if TYPE_CHECKING:
    from ictdb.services.search import SearchOutcome

__all__ = ["clusters_joined", "matched", "record_written", "records_changed"]


def _brief(record: Record) -> dict[str, Any]:
    return {"id": record.id, "schema": record.schema_name, "caption": record.caption(), "owner": record.owner}


def _kind(record: Record) -> AlertKind:
    if isinstance(record.body, Movement):
        return AlertKind.MOVEMENT
    if isinstance(record.body, Designation):
        return AlertKind.DESIGNATION
    return AlertKind.LINK


def _designation_change(record: Record, before: Record | None) -> str | None:
    body = record.body
    if not isinstance(body, Designation):
        return None
    if before is None:
        return "ended" if body.ended_on is not None else "added"
    old = before.body
    if isinstance(old, Designation) and old.ended_on != body.ended_on:
        return "ended" if body.ended_on is not None else "restored"
    return None


def _targets(record: Record) -> set[str]:
    return {target for targets in record.body.references().values() for target in targets}


def record_written(tx: Tx, node: Node, actor: Actor, record: Record, change: str, before: Record | None = None) -> None:
    """A record was created, edited or deleted in ``tx``. Deletions alert nobody."""
    if change == "delete":
        return
    _fan_out(tx, node, actor, [(record, before)], change)


def records_changed(tx: Tx, node: Node, actor: Actor, created: Sequence[str], updated: Sequence[str]) -> None:
    """Records an import (or a sanctions-list delta) wrote in ``tx``, by id; read back only if watched."""
    coop = repo(tx)
    if not (created or updated) or not coop.any_watches():
        return
    linked = {rid for rid, _, _ in coop.links_to_watched([*created, *updated])}
    if not linked:
        return
    viewer = node.viewer(actor)
    found = tx.records.get_many(viewer, linked)
    items: list[tuple[Record, Record | None]] = []
    fresh = set(created)
    for rid in sorted(linked):
        record = found.get(rid)
        if record is None:
            continue
        before = None
        if rid not in fresh:
            versions = tx.records.history(viewer, rid)
            if len(versions) >= 2:
                old = versions[-2]
                before = record.model_copy(update={"body": parse_body(old.body), "version": old.version})
        items.append((record, before))
    _fan_out(tx, node, actor, items, "import")


def _fan_out(tx: Tx, node: Node, actor: Actor, items: list[tuple[Record, Record | None]], change: str) -> None:
    coop = repo(tx)
    wanted: dict[str, set[str]] = {}
    for record, before in items:
        targets = _targets(record)
        if before is not None and _designation_change(record, before) is None:
            targets -= _targets(before)  # an edit alerts only about links it adds
        if targets:
            wanted[record.id] = targets
    if not wanted:
        return
    watchers = coop.watchers(WatchTarget.RECORD, {t for ts in wanted.values() for t in ts})
    if not watchers:
        return
    # (agency, watch id, record, watched id) candidates, then one visibility query per agency
    candidates: dict[str, list[tuple[str, Record, str]]] = defaultdict(list)
    for record, _before in items:
        for target in sorted(wanted.get(record.id, ())):
            for agency, watch_id in watchers.get(target, []):
                if agency != actor.agency:
                    candidates[agency].append((watch_id, record, target))
    befores = {record.id: before for record, before in items}
    today = node.today()
    for agency, found in candidates.items():
        viewer = Viewer(agency, today)
        seen = coop.visible_ids(viewer, {i for _, r, target in found for i in (r.id, target)})
        captions = {r.id: r.caption() for r in tx.records.get_many(viewer, {t for _, _, t in found} & seen).values()}
        for watch_id, record, target in found:
            if record.id not in seen or target not in seen:
                continue
            payload: dict[str, Any] = {
                "watch": watch_id,
                "watched": {"id": target, "caption": captions.get(target)},
                "record": _brief(record),
                "by_agency": actor.agency,
                "change": change,
            }
            designation = _designation_change(record, befores.get(record.id))
            if designation:
                payload["designation"] = designation
            if isinstance(record.body, Movement):
                body = record.body
                payload["movement"] = {
                    "from": body.origin.country,
                    "to": body.destination.country,
                    "departure": body.departure.isoformat() if body.departure else None,
                    "arrival": body.arrival.isoformat() if body.arrival else None,
                    "flight": body.flight,
                    "evidence": body.evidence.value,
                }
            notify(tx, node, agency, _kind(record), payload, record_id=record.id, about_id=target)


def matched(
    tx: Tx,
    node: Node,
    actor: Actor,
    action: str,
    queries: Sequence[str],
    outcomes: Sequence[SearchOutcome],
    *,
    source: str | None = None,
) -> None:
    """A search (one outcome) or screening (one per row) ran in ``tx``: hit notices and screening alerts.

    Fills each outcome's ``hit_refs`` (owner -> hit id) for the owners the searcher is told about.
    """
    for query, outcome in zip(queries, outcomes, strict=True):
        if outcome.notified:
            _hit_notices(tx, node, actor, action, query, source, outcome)
    if action == "screen":
        scores: dict[str, float] = {}
        for outcome in outcomes:
            for m in outcome.matches:
                scores[m.record.id] = max(scores.get(m.record.id, 0.0), m.score)
            for rid in outcome.notified:
                scores[rid] = max(scores.get(rid, 0.0), outcome.hit_scores.get(rid, 0.0))
        if scores:
            _screening_alerts(tx, node, actor, scores, source)


def _hit_notices(
    tx: Tx, node: Node, actor: Actor, action: str, query: str, source: str | None, outcome: SearchOutcome
) -> None:
    owners = tx.records.owners_of(outcome.notified)
    by_owner: dict[str, list[str]] = defaultdict(list)
    for rid in outcome.notified:
        if rid in owners and owners[rid] != actor.agency:
            by_owner[owners[rid]].append(rid)
    for owner, ids in sorted(by_owner.items()):
        # The owner always sees its own live records; reading through its viewer also drops deleted ones.
        records = tx.records.get_many(Viewer(owner, node.today()), ids)
        told = [
            HitRecord(rid, round(outcome.hit_scores.get(rid, 0.0), 4), records[rid].envelope.hit_policy.value)
            for rid in ids
            if rid in records and outcome_of(records[rid].envelope.hit_policy).tell_owner
        ]
        if not told:
            continue
        askable = any(h.hit_policy == HitPolicy.HIT_NO_HIT.value for h in told)
        hit = Hit(
            id=new_id("hit"),
            owner=owner,
            searcher_agency=actor.agency,
            searcher_user=actor.username,
            action=action,
            query=query,
            source=source,
            at=node.now(),
            records=tuple(told),
            askable=askable,
        )
        repo(tx).add_hit(hit)
        for h in told:
            notify(
                tx,
                node,
                owner,
                AlertKind.HIT,
                {
                    "hit": hit.id,
                    "record": _brief(records[h.record_id]),
                    "searcher": {"agency": actor.agency, "user": actor.username},
                    "action": action,
                    "query": query,
                    "source": source,
                    "score": h.score,
                    "searcher_told": outcome_of(records[h.record_id].envelope.hit_policy).tell_searcher,
                },
                record_id=h.record_id,
            )
        if askable:
            outcome.hit_refs[owner] = hit.id


def _screening_alerts(tx: Tx, node: Node, actor: Actor, scores: dict[str, float], source: str | None) -> None:
    coop = repo(tx)
    watchers = coop.watchers(WatchTarget.RECORD, scores)
    by_agency: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for target, found in watchers.items():
        for agency, watch_id in found:
            if agency != actor.agency:
                by_agency[agency].append((watch_id, target))
    for agency, found in sorted(by_agency.items()):
        records = tx.records.get_many(Viewer(agency, node.today()), {target for _, target in found})
        for watch_id, target in found:
            if target not in records:
                continue
            notify(
                tx,
                node,
                agency,
                AlertKind.SCREENING,
                {
                    "watch": watch_id,
                    "watched": {"id": target, "caption": records[target].caption()},
                    "by_agency": actor.agency,
                    "score": round(scores[target], 4),
                    "source": source,
                },
                about_id=target,
            )


def clusters_joined(
    tx: Tx, node: Node, actor: Actor, judgement_ids: Collection[int], *, node_run: bool = False
) -> None:
    """``same`` judgements were recorded in ``tx`` (by an analyst, the automatic judge or a batch run):
    watchers of each cluster they grew hear which records joined it, once per record, however many of the
    judgements brought it in.

    Clusters are computed as each watcher sees them (from the judgements on records it may see), so a
    watcher learns only of records it may see joining through judgements it may see. A cluster watch names
    the cluster by one of its records (its id when watched); it follows the cluster as it grows. One pass
    per watching agency, from its watched records outwards, whatever the number of judgements: a node
    without cluster watches pays one query.

    ``node_run``: the judgements come from the node operator's run over every record, which no analyst of
    the operator's agency made either, so that agency's watchers hear of them too.
    """
    if not judgement_ids:
        return
    coop = repo(tx)
    by_agency: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for agency, watch_id, target in coop.cluster_watches():
        if node_run or agency != actor.agency:
            by_agency[agency].append((watch_id, target))
    if not by_agency:
        return
    new = set(judgement_ids)
    resolution = Resolution(tx.connection)
    today = node.today()
    for agency, watched in sorted(by_agency.items()):
        viewer = Viewer(agency, today)
        related = _component(resolution, viewer, {target for _, target in watched})
        if new.isdisjoint(j.id for j in related):
            continue  # none of the new judgements touches a watched cluster, as this agency sees it
        after = cluster(related)
        before = cluster(j for j in related if j.id not in new)
        for watch_id, target in watched:
            members = after.cluster_of(target)
            joined = sorted(set(members) - set(before.cluster_of(target)))
            if not joined:
                continue
            found = tx.records.get_many(viewer, joined)
            for record_id in joined:
                if record_id not in found:
                    continue
                notify(
                    tx,
                    node,
                    agency,
                    AlertKind.CLUSTER,
                    {
                        "watch": watch_id,
                        "cluster": target,
                        "members": len(members),
                        "record": _brief(found[record_id]),
                        "by_agency": actor.agency,
                    },
                    record_id=record_id,
                    about_id=target,  # the alert names the watched record: it goes when the watcher loses sight of it
                )


def _component(resolution: Resolution, viewer: Viewer, start: set[str]) -> list[Judgement]:
    """The judgements the viewer sees among records connected to ``start`` by judgements it sees."""
    reached, frontier = set(start), set(start)
    found: dict[int, Judgement] = {}
    while frontier:
        batch = resolution.judgements(viewer, frontier)
        frontier = set()
        for judgement in batch:
            found[judgement.id] = judgement
            for record_id in (judgement.pair.left, judgement.pair.right):
                if record_id not in reached:
                    reached.add(record_id)
                    frontier.add(record_id)
    return [found[k] for k in sorted(found)]
