"""Networks of people and groups: neighbourhoods, chains, a group's lineage and its most central members.

The graph is built per request from the relationship records the viewer may see (Membership, Association,
GroupRelation), and an edge is kept only when the viewer may also see both records it joins. So a path never
runs through, and a neighbourhood never counts, a record the viewer may not see.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from ictdb.model.actors import Actor
from ictdb.model.errors import NotFound, ValidationError
from ictdb.model.records import GroupRelation, Membership
from ictdb.model.stored import Record
from ictdb.policy.visibility import Viewer
from ictdb.services.audit import log
from ictdb.services.node import Node
from ictdb.storage.resolution import Resolution
from ictdb.storage.store import Tx

__all__ = ["Central", "Lineage", "LineageEvent", "Neighbourhood", "Path", "central", "lineage", "neighbours", "path"]

MAX_HOPS = 6


@dataclass(frozen=True, slots=True)
class Link:
    relation: str
    """The id of the relationship record."""
    schema: str
    source: str
    target: str
    kind: str
    """Membership role, association kind or group-relation kind."""
    date: str | None = None


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    center: str
    hops: int
    records: dict[str, int]
    """Record id -> its distance from the center."""
    links: list[Link]
    captions: dict[str, str]
    schemas: dict[str, str] = field(default_factory=dict)
    """Record id -> Person or Organization, to draw each as what it is."""
    owners: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Path:
    records: list[str]
    links: list[Link]
    captions: dict[str, str]


@dataclass(frozen=True, slots=True)
class LineageEvent:
    date: str | None
    kind: str
    organization: str
    target: str
    relation: str


@dataclass(frozen=True, slots=True)
class Lineage:
    organization: str
    events: list[LineageEvent]
    captions: dict[str, str]


@dataclass(frozen=True, slots=True)
class Central:
    organization: str
    members: list[dict[str, Any]]
    """Each: record, caption, degree, betweenness, over the group's visible network."""


def _kind(record: Record) -> str:
    body = record.body
    for attribute in ("role", "kind"):
        value = getattr(body, attribute, None)
        if value is not None:
            return str(getattr(value, "value", value))
    return record.schema_name.lower()


def _date(record: Record) -> str | None:
    body = record.body
    for attribute in ("date", "start"):
        value = getattr(body, attribute, None)
        if value is not None:
            return str(value)
    return None


def _graph(tx: Tx, viewer: Viewer) -> tuple[nx.MultiGraph[str], dict[str, Record]]:
    """The viewer's graph: visible records as nodes, visible relationship records joining visible ends as edges."""
    repo = Resolution(tx.connection)
    edges = repo.edges(viewer)
    ends = repo.visible_ids(viewer, {e.source for e in edges} | {e.target for e in edges})
    relations = tx.records.get_many(viewer, [e.relation_id for e in edges])
    graph: nx.MultiGraph[str] = nx.MultiGraph()
    for edge in edges:
        record = relations.get(edge.relation_id)
        if record is None or edge.source not in ends or edge.target not in ends:
            continue
        link = Link(edge.relation_id, edge.schema, edge.source, edge.target, _kind(record), _date(record))
        graph.add_edge(edge.source, edge.target, key=edge.relation_id, link=link)
    return graph, relations


def _captions(tx: Tx, viewer: Viewer, ids: set[str]) -> dict[str, str]:
    return {rid: r.caption() for rid, r in tx.records.get_many(viewer, ids).items()}


def _visible(tx: Tx, viewer: Viewer, record_id: str) -> Record:
    record = tx.records.get(viewer, record_id)
    if record is None:
        raise NotFound(f"no record {record_id}")
    return record


def _links_between(graph: nx.MultiGraph[str], nodes: set[str]) -> list[Link]:
    out = [data["link"] for a, b, data in graph.edges(data=True) if a in nodes and b in nodes]
    return sorted(out, key=lambda link: link.relation)


def neighbours(node: Node, actor: Actor, record_id: str, hops: int = 1) -> Neighbourhood:
    """Records within ``hops`` relationships of a person or group, and the relationships among them."""
    if not 1 <= hops <= MAX_HOPS:
        raise ValidationError(f"hops must be between 1 and {MAX_HOPS}", "hops")
    viewer = node.viewer(actor)
    with node.store.transaction() as tx:
        _visible(tx, viewer, record_id)
        graph, _ = _graph(tx, viewer)
        reached: dict[str, int] = {record_id: 0}
        if record_id in graph:
            reached = dict(nx.single_source_shortest_path_length(graph, record_id, cutoff=hops))
        links = _links_between(graph, set(reached))
        found = tx.records.get_many(viewer, set(reached))
        log(tx, node, actor, "network.neighbours", sorted(reached), query=record_id, detail={"hops": hops})
    return Neighbourhood(
        record_id,
        hops,
        reached,
        links,
        {rid: r.caption() for rid, r in found.items()},
        {rid: r.schema_name for rid, r in found.items()},
        {rid: r.owner for rid, r in found.items()},
    )


def path(node: Node, actor: Actor, first: str, second: str) -> Path | None:
    """The shortest chain of visible relationships between two records; None when there is none."""
    viewer = node.viewer(actor)
    with node.store.transaction() as tx:
        _visible(tx, viewer, first)
        _visible(tx, viewer, second)
        graph, _ = _graph(tx, viewer)
        try:
            chain: list[str] = nx.shortest_path(graph, first, second) if first in graph and second in graph else []
        except nx.NetworkXNoPath:
            chain = []
        if first == second:
            chain = [first]
        links = []
        for a, b in itertools.pairwise(chain):
            options = sorted(graph.get_edge_data(a, b).values(), key=lambda d: d["link"].relation)
            links.append(options[0]["link"])
        captions = _captions(tx, viewer, set(chain))
        log(tx, node, actor, "network.path", chain, query=f"{first} {second}", detail={"length": len(links)})
    return Path(chain, links, captions) if chain else None


def lineage(node: Node, actor: Actor, organization: str) -> Lineage:
    """A group's history: mergers, splits, renamings, allegiances and factions, dated, over every group it is
    related to through group relations (transitively), oldest first (undated events last)."""
    viewer = node.viewer(actor)
    with node.store.transaction() as tx:
        start = _visible(tx, viewer, organization)
        if start.schema_name != "Organization":
            raise ValidationError(f"{organization} is a {start.schema_name}, not an organization", "organization")
        graph, relations = _graph(tx, viewer)
        groups: nx.MultiGraph[str] = nx.MultiGraph()
        for a, b, data in graph.edges(data=True):
            if data["link"].schema == "GroupRelation":
                groups.add_edge(a, b, **data)
        family = nx.node_connected_component(groups, organization) if organization in groups else {organization}
        events = []
        for _, _, data in groups.edges(data=True):
            link: Link = data["link"]
            body = relations[link.relation].body
            if link.source in family and isinstance(body, GroupRelation):
                events.append(LineageEvent(link.date, link.kind, link.source, link.target, link.relation))
        events.sort(key=lambda e: (e.date is None, e.date or "", e.relation))
        captions = _captions(tx, viewer, set(family))
        log(tx, node, actor, "network.lineage", sorted(family), query=organization)
    return Lineage(organization, events, captions)


def central(node: Node, actor: Actor, organization: str, limit: int = 10) -> Central:
    """The most central members of a group's network: its visible members and the visible links among them and
    their associates, ranked by betweenness, then degree."""
    if not 1 <= limit <= 1000:
        raise ValidationError("limit must be between 1 and 1000", "limit")
    viewer = node.viewer(actor)
    with node.store.transaction() as tx:
        start = _visible(tx, viewer, organization)
        if start.schema_name != "Organization":
            raise ValidationError(f"{organization} is a {start.schema_name}, not an organization", "organization")
        graph, relations = _graph(tx, viewer)
        members = (
            {
                b if a == organization else a
                for a, b, data in graph.edges(organization, data=True)
                if isinstance(relations[data["link"].relation].body, Membership)
            }
            if organization in graph
            else set()
        )
        around = set(members)
        for member in members:
            around.update(graph.neighbors(member))
        around.discard(organization)
        sub: nx.Graph[str] = nx.Graph(graph.subgraph(around))
        betweenness = nx.betweenness_centrality(sub) if len(sub) > 2 else dict.fromkeys(sub, 0.0)
        captions = _captions(tx, viewer, members)
        ranked = sorted(members, key=lambda m: (-betweenness.get(m, 0.0), -sub.degree(m) if m in sub else 0, m))
        out = [
            {
                "record": m,
                "caption": captions.get(m, m),
                "degree": int(sub.degree(m)) if m in sub else 0,
                "betweenness": round(betweenness.get(m, 0.0), 4),
            }
            for m in ranked[:limit]
        ]
        log(tx, node, actor, "network.central", [organization, *ranked[:limit]], query=organization)
    return Central(organization, out)


def link_data(link: Link) -> dict[str, Any]:
    return {
        "relation": link.relation,
        "schema": link.schema,
        "source": link.source,
        "target": link.target,
        "kind": link.kind,
        "date": link.date,
    }


def neighbourhood_data(n: Neighbourhood) -> dict[str, Any]:
    return {
        "center": n.center,
        "hops": n.hops,
        "records": [
            {"id": r, "distance": d, "caption": n.captions.get(r)}
            for r, d in sorted(n.records.items(), key=lambda i: (i[1], i[0]))
        ],
        "links": [link_data(link) for link in n.links],
    }


def path_data(p: Path | None) -> dict[str, Any]:
    if p is None:
        return {"found": False, "records": [], "links": []}
    return {
        "found": True,
        "records": [{"id": r, "caption": p.captions.get(r)} for r in p.records],
        "links": [link_data(link) for link in p.links],
    }


def lineage_data(lin: Lineage) -> dict[str, Any]:
    return {
        "organization": lin.organization,
        "events": [
            {
                "date": e.date,
                "kind": e.kind,
                "organization": e.organization,
                "organization_caption": lin.captions.get(e.organization),
                "target": e.target,
                "target_caption": lin.captions.get(e.target),
                "relation": e.relation,
            }
            for e in lin.events
        ],
    }


def central_data(c: Central) -> dict[str, Any]:
    return {"organization": c.organization, "members": c.members}
