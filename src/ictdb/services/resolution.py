"""Resolution: finding pairs of records on one entity, judging them, and the clusters and profiles that follow.

Who sees what. A proposal, a judgement, a cluster and a consolidated profile are shown to a viewer only
through the visibility filter: a pair appears only when the viewer may see both its records, a cluster is
computed from the judgements the viewer may see (so its members and size count visible records only, and a
record the viewer may not see never bridges two of theirs), and a proposal's explanation names only records
the viewer may see.

Two ways to run the resolver. An agency's run (the default) compares only records the agency may see: the
live name index filters candidates by the agency's visibility before scoring, and records are read
through the filter. The node operator's batch run (``node_wide``, node administrators only) compares every
live record on the node; what it files is still shown to each viewer through the filter above. Its scores
may then rest on memberships a viewer cannot see (the explanation shown to that viewer leaves them out).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Hashable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ictdb.matching import pairs as scoring
from ictdb.matching.pairs import PairScore, Profile
from ictdb.model.actors import Actor
from ictdb.model.dates import FuzzyDate
from ictdb.model.errors import NotFound, ValidationError
from ictdb.model.records import Organization, Person
from ictdb.model.resolution import (
    AUTO_JUDGE,
    Clustering,
    Judgement,
    Pair,
    Proposal,
    Refusal,
    Verdict,
    cluster,
    parse_verdict,
)
from ictdb.model.stored import Record, body_to_data
from ictdb.model.vocab import Role
from ictdb.policy.roles import require
from ictdb.policy.visibility import Reach, Viewer, may_reach, reach_of
from ictdb.services.audit import log
from ictdb.services.catch_up import CatchUp, Changes
from ictdb.services.cooperation import events
from ictdb.services.name_index import Tag, live_index
from ictdb.services.node import Node
from ictdb.services.paging import check_page
from ictdb.storage.resolution import NewJudgement, NewProposal, Resolution
from ictdb.storage.store import Tx

__all__ = [
    "PROPOSAL_THRESHOLD",
    "ClusterView",
    "ConsolidatedProfile",
    "JudgeOutcome",
    "ProposalPage",
    "ResolveSummary",
    "cluster_view",
    "clusters",
    "consolidated_profile",
    "judge",
    "list_proposals",
    "pair_history",
    "profile_of",
    "resolve",
    "undo",
]

PROPOSAL_THRESHOLD = 0.7
"""Pairs scoring at least this are filed as proposals for an analyst."""
SCHEMAS = ("Person", "Organization")


def _repo(tx: Tx) -> Resolution:
    return Resolution(tx.connection)


def profile_of(record: Record, organizations: dict[str, list[str]] | None = None) -> Profile | None:
    """What the scorer compares of a person or group; None for other record types."""
    body = record.body
    orgs = {org: tuple(via) for org, via in (organizations or {}).items()}
    if isinstance(body, Person):
        return Profile(
            id=record.id,
            schema="Person",
            names=tuple(n.value for n in body.names),
            birth_dates=tuple(body.birth_dates),
            nationalities=tuple(body.nationalities),
            gender=body.gender.value if body.gender else None,
            documents=tuple((d.type.value, d.country or "", d.number) for d in body.documents),
            birth_places=tuple(body.birth_places),
            addresses=tuple(" ".join(p for p in (a.text, a.city, a.region, a.country) if p) for a in body.addresses),
            organizations=orgs,
            titles=tuple(body.titles),
        )
    if isinstance(body, Organization):
        return Profile(id=record.id, schema="Organization", names=tuple(n.value for n in body.names))
    return None


@dataclass(frozen=True, slots=True)
class Held:
    """A person's or group's profile as the resolver keeps it between runs, with its reach and last write."""

    profile: Profile
    reach: Reach
    updated_at: datetime


class HeldProfiles:
    """Every live person's and group's profile, kept in step with the store between runs (see ``CatchUp``).

    Like the live name index: read in full on first use, then, before each run, only the records written
    since the last read (deleted ones dropped), so that an incremental run on a large node reads the new
    records, not the holding. Each profile keeps its record's reach, and a run sees only those its viewer may
    reach (the visibility rule the name index applies to candidates), or every one for the node operator.
    """

    def __init__(self) -> None:
        self.held: dict[str, Held] = {}
        self.position = CatchUp(SCHEMAS)
        self.lock = threading.Lock()

    def refresh(self, node: Node) -> dict[str, Held]:
        """A snapshot of the profiles as of now."""
        with self.lock, node.store.transaction() as tx:
            self.position.read(tx, self._apply)
            return dict(self.held)

    def _apply(self, changes: Changes, _first: bool) -> None:
        for stored, deleted in changes:
            record = stored.record
            self.held.pop(record.id, None)
            profile = None if deleted else profile_of(record)
            if profile is not None and profile.names:
                self.held[record.id] = Held(profile, reach_of(record.envelope, stored.audience), record.updated_at)


def held_profiles(node: Node) -> dict[str, Held]:
    """The node's profiles, brought up to date (see ``HeldProfiles``)."""
    cache = node.caches.get("resolution_profiles")
    if cache is None:
        cache = node.caches["resolution_profiles"] = HeldProfiles()
    profiles: dict[str, Held] = cache.refresh(node)
    return profiles


def _with_organizations(profile: Profile, organizations: dict[str, list[str]] | None) -> Profile:
    if not organizations:
        return profile
    return replace(profile, organizations={org: tuple(via) for org, via in organizations.items()})


@dataclass(frozen=True, slots=True)
class ResolveSummary:
    run_id: int
    scope: str
    records: int
    compared: int
    proposals: int
    new_proposals: int
    auto_judged: int
    refused: list[Refusal]
    seconds: float
    threshold: float
    auto_above: float | None


def check_thresholds(threshold: float, auto_above: float | None) -> None:
    if not 0.0 < threshold <= 1.0:
        raise ValidationError("the threshold must be above 0 and at most 1", "threshold")
    if auto_above is not None and not threshold <= auto_above <= 1.0:
        raise ValidationError("the automatic-judgement confidence must be between the threshold and 1", "auto_above")


def resolve(
    node: Node,
    actor: Actor,
    *,
    since: datetime | None = None,
    threshold: float = PROPOSAL_THRESHOLD,
    auto_above: float | None = None,
    node_wide: bool = False,
    progress: Callable[[int, int], Any] | None = None,
) -> ResolveSummary:
    """Find and score candidate pairs, file those at or above ``threshold``, judge those above ``auto_above``.

    ``since``: compare only records written at or after that moment (each with everything else), for an
    incremental run after new records arrive.
    """
    require(actor, Role.ANALYST, "resolution")
    check_thresholds(threshold, auto_above)
    if node_wide:
        require(actor, Role.NODE_ADMIN, "a node-wide resolution run")
    started = time.perf_counter()
    viewer = node.viewer(actor)
    index = live_index(node)
    held = held_profiles(node)
    with node.store.transaction() as tx:
        repo = _repo(tx)
        run_id = repo.start_run(actor.username, actor.agency, "node" if node_wide else "agency", since, node.now())
        groups = tx.directory.groups_of(actor.agency)
        memberships = repo.memberships(None if node_wide else viewer)
    seen = [(k, h) for k, h in sorted(held.items()) if node_wide or may_reach(viewer, h.reach, groups)]
    profiles = {k: _with_organizations(h.profile, memberships.get(k)) for k, h in seen}
    queries = [k for k, h in seen if since is None or h.updated_at >= since]

    def allowed(tag: Hashable) -> bool:
        return node_wide or (isinstance(tag, Tag) and may_reach(viewer, tag.reach, groups))

    found = scoring.candidate_pairs(index, profiles, queries, allowed, threshold=threshold, progress=progress)
    return file_pairs(node, actor, run_id, found, profiles, len(queries), started, threshold, auto_above, node_wide)


def file_pairs(
    node: Node,
    actor: Actor,
    run_id: int,
    found: dict[Pair, PairScore],
    profiles: dict[str, Profile],
    compared: int,
    started: float,
    threshold: float,
    auto_above: float | None,
    node_wide: bool,
    judgeable: Collection[Pair] | None = None,
) -> ResolveSummary:
    """File scored pairs as proposals, judge those above ``auto_above``, and close the run with its summary.

    ``judgeable``: when given, only these pairs may be judged automatically (a batch run's pairs inside one
    of its clusters)."""
    viewer = node.viewer(actor)
    ranked = sorted(found.items(), key=lambda item: (-item[1].score, item[0]))
    now = node.now()
    with node.store.transaction() as tx:
        repo = _repo(tx)
        known = repo.latest_unfiltered(found) if found else {}
        new = sum(1 for pair in found if pair not in known)
        repo.upsert_proposals(
            [NewProposal(pair, profiles[pair.left].schema, s.score, s.explanation) for pair, s in ranked], now
        )
        automatic = []
        if auto_above is not None:
            # a pair anyone has judged, even to withdraw the verdict, is left to people
            automatic = [
                NewJudgement(
                    pair, Verdict.SAME, AUTO_JUDGE, actor.agency, now, "score above the configured confidence", s.score
                )
                for pair, s in ranked
                if s.score >= auto_above and pair not in known and (judgeable is None or pair in judgeable)
            ]
            # watchers of the clusters these grow hear of it, as for a judgement by hand
            events.clusters_joined(tx, node, actor, repo.add_judgements(automatic), node_run=node_wide)
        judged = {record for j in automatic for record in (j.pair.left, j.pair.right)}
        refused = cluster(_component_judgements(repo, viewer, judged)).refused if automatic else []
        stats = {
            "records": len(profiles),
            "compared": compared,
            "proposals": len(found),
            "auto_judged": len(automatic),
            "refused": len(refused),
        }
        repo.finish_run(run_id, node.now(), stats)
        log(tx, node, actor, "resolution.run", query="node" if node_wide else None, detail=stats)
    return ResolveSummary(
        run_id=run_id,
        scope="node" if node_wide else "agency",
        records=len(profiles),
        compared=compared,
        proposals=len(found),
        new_proposals=new,
        auto_judged=len(automatic),
        refused=refused,
        seconds=round(time.perf_counter() - started, 3),
        threshold=threshold,
        auto_above=auto_above,
    )


def _not_found(record_id: str) -> NotFound:
    return NotFound(f"no record {record_id}")


def _visible_pair(tx: Tx, viewer: Viewer, first: str, second: str) -> Pair:
    pair = Pair.of(first, second)
    seen = _repo(tx).visible_ids(viewer, [pair.left, pair.right])
    for record_id in (first.strip(), second.strip()):
        if record_id not in seen:
            raise _not_found(record_id)
    return pair


@dataclass(frozen=True, slots=True)
class JudgeOutcome:
    judgement: Judgement | None
    """The judgement recorded, or None when the pair already had this verdict."""
    previous: Judgement | None
    refused: list[Refusal] = field(default_factory=list)
    """For a ``same``: the not-same judgements that keep its records in separate clusters."""

    @property
    def unchanged(self) -> bool:
        return self.judgement is None


def judge(
    node: Node, actor: Actor, first: str, second: str, verdict: str | Verdict, reason: str | None = None
) -> JudgeOutcome:
    """Record a verdict on a pair both of whose records the actor may see. A different verdict supersedes the
    pair's current one (the old one stays in the history); the same verdict again changes nothing."""
    require(actor, Role.ANALYST, "judging a pair")
    chosen = verdict if isinstance(verdict, Verdict) else parse_verdict(verdict)
    if chosen is Verdict.WITHDRAWN:
        raise ValidationError("withdraw a verdict with undo", "verdict")
    return _record(node, actor, first, second, chosen, reason)


def undo(node: Node, actor: Actor, first: str, second: str, reason: str | None = None) -> JudgeOutcome:
    """Withdraw the pair's current verdict: a new judgement that supersedes it; the pair splits off its cluster."""
    require(actor, Role.ANALYST, "judging a pair")
    return _record(node, actor, first, second, Verdict.WITHDRAWN, reason)


def _record(node: Node, actor: Actor, first: str, second: str, verdict: Verdict, reason: str | None) -> JudgeOutcome:
    viewer = node.viewer(actor)
    text = (reason or "").strip() or None
    with node.store.transaction() as tx:
        pair = _visible_pair(tx, viewer, first, second)
        repo = _repo(tx)
        history = repo.history(viewer, pair)
        previous = history[-1] if history else None
        in_force = previous if previous is not None and previous.verdict is not Verdict.WITHDRAWN else None
        if verdict is Verdict.WITHDRAWN and in_force is None:
            raise ValidationError(f"{pair.left} and {pair.right} have no verdict to undo", "pair")
        if in_force is not None and in_force.verdict is verdict:
            log(tx, node, actor, "resolution.judge", [pair.left, pair.right], query=verdict.value, outcome="unchanged")
            return JudgeOutcome(None, in_force)
        (new_id,) = repo.add_judgements(
            [
                NewJudgement(
                    pair,
                    verdict,
                    actor.username,
                    actor.agency,
                    node.now(),
                    text,
                    None,
                    previous.id if previous else None,
                )
            ]
        )
        recorded = repo.history(viewer, pair)[-1]
        assert recorded.id == new_id
        log(tx, node, actor, "resolution.judge", [pair.left, pair.right], query=verdict.value, detail={"id": new_id})
        refused: list[Refusal] = []
        if verdict is Verdict.SAME:
            related = _component_judgements(repo, viewer, {pair.left, pair.right})
            refused = [r for r in cluster(related).refused if r.same.id == new_id]
            events.clusters_joined(tx, node, actor, [new_id])
    return JudgeOutcome(recorded, previous, refused)


def pair_history(node: Node, actor: Actor, first: str, second: str) -> list[Judgement]:
    """Every judgement on the pair, oldest first (the last one is in force unless it withdrew the verdict)."""
    viewer = node.viewer(actor)
    with node.store.transaction() as tx:
        pair = _visible_pair(tx, viewer, first, second)
        history = _repo(tx).history(viewer, pair)
        log(tx, node, actor, "resolution.history", [pair.left, pair.right])
    return history


@dataclass(frozen=True, slots=True)
class ProposalPage:
    proposals: list[Proposal]
    total: int


def _redact(explanation: dict[str, Any], seen: set[str]) -> dict[str, Any]:
    """The explanation without the records the viewer may not see (shared organizations and memberships)."""
    organizations = explanation.get("organizations")
    if not isinstance(organizations, dict):
        return explanation
    shared = []
    for item in organizations.get("shared", []):
        via = [m for m in item.get("memberships", []) if m in seen]
        if item.get("organization") in seen and via:
            shared.append({"organization": item["organization"], "memberships": via})
    out = {k: v for k, v in explanation.items() if k != "organizations"}
    if shared:
        out["organizations"] = {**organizations, "shared": shared}
    return out


def mentioned_records(explanation: dict[str, Any]) -> set[str]:
    """Records named in a proposal's explanation besides its pair (shared organizations, memberships)."""
    organizations = explanation.get("organizations")
    if not isinstance(organizations, dict):
        return set()
    ids: set[str] = set()
    for item in organizations.get("shared", []):
        ids.add(str(item.get("organization")))
        ids.update(str(m) for m in item.get("memberships", []))
    return ids


def list_proposals(
    node: Node,
    actor: Actor,
    *,
    open_only: bool = True,
    min_score: float = 0.0,
    limit: int = 100,
    offset: int = 0,
) -> ProposalPage:
    """Proposals on pairs the actor may see both records of, most likely first; ``open_only``: not yet judged."""
    check_page(limit, offset)
    viewer = node.viewer(actor)
    with node.store.transaction() as tx:
        repo = _repo(tx)
        found = repo.proposals(viewer, open_only=open_only, min_score=min_score, limit=limit, offset=offset)
        total = repo.count_proposals(viewer, open_only=open_only, min_score=min_score)
        seen = repo.visible_ids(viewer, {i for p in found for i in mentioned_records(p.explanation)})
        shown = [
            Proposal(p.pair, p.schema, p.score, _redact(p.explanation, seen), p.found_at, p.verdict) for p in found
        ]
        log(
            tx,
            node,
            actor,
            "resolution.proposals",
            [i for p in shown for i in (p.pair.left, p.pair.right)],
            detail={"total": total},
        )
    return ProposalPage(shown, total)


def _component_judgements(repo: Resolution, viewer: Viewer, start: set[str]) -> list[Judgement]:
    """The visible judgements of the records connected to ``start`` by any visible judgement.

    Clustering decisions in one such component never depend on judgements outside it, so this gives the same
    clusters for these records as clustering everything the viewer sees, at the cost of the component only.
    """
    reached = set(start)
    frontier = set(start)
    found: dict[int, Judgement] = {}
    while frontier:
        batch = repo.judgements(viewer, frontier)
        frontier = set()
        for judgement in batch:
            found[judgement.id] = judgement
            for record_id in (judgement.pair.left, judgement.pair.right):
                if record_id not in reached:
                    reached.add(record_id)
                    frontier.add(record_id)
    return [found[k] for k in sorted(found)]


@dataclass(frozen=True, slots=True)
class ClusterView:
    """A record's cluster as the viewer sees it: its id (the first member), members and the judgements inside."""

    id: str
    members: tuple[str, ...]
    judgements: list[Judgement]
    refused: list[Refusal]

    @property
    def size(self) -> int:
        return len(self.members)


def cluster_view(node: Node, actor: Actor, record_id: str) -> ClusterView:
    viewer = node.viewer(actor)
    with node.store.transaction() as tx:
        repo = _repo(tx)
        if not repo.visible_ids(viewer, [record_id]):
            raise _not_found(record_id)
        related = _component_judgements(repo, viewer, {record_id})
        clustering = cluster(related)
        members = clustering.cluster_of(record_id)
        inside = set(members)
        view = ClusterView(
            id=members[0],
            members=members,
            judgements=[j for j in related if j.pair.left in inside and j.pair.right in inside],
            refused=[r for r in clustering.refused if r.same.pair.left in inside or r.same.pair.right in inside],
        )
        log(tx, node, actor, "resolution.cluster", list(members))
    return view


def clusters(node: Node, actor: Actor, *, min_size: int = 2, limit: int = 1000) -> Clustering:
    """Every cluster of at least ``min_size`` records the actor sees, from the judgements the actor may see."""
    viewer = node.viewer(actor)
    with node.store.transaction() as tx:
        clustering = cluster(_repo(tx).judgements(viewer))
        clustering.clusters = [c for c in clustering.clusters if len(c) >= min_size][:limit]
        log(tx, node, actor, "resolution.clusters", detail={"returned": len(clustering.clusters)})
    return clustering


@dataclass(frozen=True, slots=True)
class Value:
    """One value of a consolidated profile and whose record asserts it."""

    value: Any
    record_id: str
    owner: str
    grading: str


@dataclass(frozen=True, slots=True)
class ConsolidatedProfile:
    cluster: ClusterView
    records: list[Record]
    fields: dict[str, list[Value]]
    conflicts: dict[str, list[Value]]
    """Fields on which the records disagree where one value is expected (birth date, gender, ...)."""


_SINGULAR = ("birth_dates", "gender", "founded", "dissolved", "org_type")
_SKIP = frozenset({"schema", "notes"})


def _values(data: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    for key, value in data.items():
        if key in _SKIP:
            continue
        if isinstance(value, list):
            for item in value:
                yield key, item
        else:
            yield key, value


def _disagree(field_name: str, values: list[Value]) -> bool:
    distinct = {repr(v.value) for v in values}
    if len(distinct) < 2:
        return False
    if field_name != "birth_dates":
        return True
    dates = [FuzzyDate.parse(str(v.value)) for v in values]
    return any(not a.overlaps(b) for i, a in enumerate(dates) for b in dates[i + 1 :])


def consolidated_profile(node: Node, actor: Actor, record_id: str) -> ConsolidatedProfile:
    """The union of the cluster's records the actor may see, each value with its owner and grading."""
    view = cluster_view(node, actor, record_id)
    with node.store.transaction() as tx:
        found = tx.records.get_many(node.viewer(actor), view.members)
        records = [found[m] for m in view.members if m in found]
        log(tx, node, actor, "resolution.profile", [r.id for r in records])
    fields: dict[str, list[Value]] = {}
    for record in records:
        for key, value in _values(body_to_data(record.body)):
            fields.setdefault(key, []).append(Value(value, record.id, record.owner, record.envelope.grading))
    conflicts = {k: fields[k] for k in _SINGULAR if k in fields and _disagree(k, fields[k])}
    return ConsolidatedProfile(view, records, fields, conflicts)


# plain data for the command line and the API
def judgement_data(j: Judgement) -> dict[str, Any]:
    return {
        "id": j.id,
        "left": j.pair.left,
        "right": j.pair.right,
        "verdict": j.verdict.value,
        "judge": j.judge,
        "agency": j.agency,
        "at": j.at.isoformat(),
        "reason": j.reason,
        "score": j.score,
        "automatic": j.automatic,
        "supersedes": j.supersedes,
    }


def refusal_data(r: Refusal) -> dict[str, Any]:
    return {"same": judgement_data(r.same), "forbidden_by_not_same": [r.forbidding.left, r.forbidding.right]}


def outcome_data(o: JudgeOutcome) -> dict[str, Any]:
    return {
        "unchanged": o.unchanged,
        "judgement": judgement_data(o.judgement) if o.judgement else None,
        "previous": judgement_data(o.previous) if o.previous else None,
        "refused": [refusal_data(r) for r in o.refused],
    }


def proposal_data(p: Proposal) -> dict[str, Any]:
    return {
        "left": p.pair.left,
        "right": p.pair.right,
        "schema": p.schema,
        "score": p.score,
        "verdict": p.verdict.value if p.verdict else None,
        "found_at": p.found_at.isoformat(),
        "explanation": p.explanation,
    }


def summary_data(s: ResolveSummary) -> dict[str, Any]:
    return {
        "run": s.run_id,
        "scope": s.scope,
        "records": s.records,
        "compared": s.compared,
        "proposals": s.proposals,
        "new_proposals": s.new_proposals,
        "auto_judged": s.auto_judged,
        "refused": [refusal_data(r) for r in s.refused],
        "seconds": s.seconds,
        "threshold": s.threshold,
        "auto_above": s.auto_above,
    }


def cluster_data(v: ClusterView) -> dict[str, Any]:
    return {
        "id": v.id,
        "size": v.size,
        "members": list(v.members),
        "judgements": [judgement_data(j) for j in v.judgements],
        "refused": [refusal_data(r) for r in v.refused],
    }


def profile_data(p: ConsolidatedProfile) -> dict[str, Any]:
    def values(items: list[Value]) -> list[dict[str, Any]]:
        return [{"value": v.value, "record": v.record_id, "owner": v.owner, "grading": v.grading} for v in items]

    return {
        "cluster": cluster_data(p.cluster),
        "records": [{"id": r.id, "owner": r.owner, "caption": r.caption(), "schema": r.schema_name} for r in p.records],
        "fields": {k: values(v) for k, v in p.fields.items()},
        "conflicts": {k: values(v) for k, v in p.conflicts.items()},
    }
