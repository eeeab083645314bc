"""Network queries over visible Membership, Association and GroupRelation records only."""

from __future__ import annotations

from typing import Any

import pytest

from factories import seed_agencies
from ictdb.model.actors import Actor
from ictdb.model.envelope import EnvelopeInput
from ictdb.model.errors import NotFound, ValidationError
from ictdb.model.stored import Record, parse_body
from ictdb.services import network, records
from ictdb.services.node import Node


def add(node: Node, actor: Actor, data: dict[str, Any], distribution: str = "members") -> Record:
    return records.add_record(node, actor, parse_body(data), EnvelopeInput(distribution=distribution))


@pytest.fixture
def web(node: Node) -> dict[str, Any]:
    """ISI <- merged into ISIL (2013), renamed IS (2014); a faction pledges allegiance in 2015; members and a courier.

    The courier association is JO-GID's own: other agencies may not see it.
    """
    actors = seed_agencies(node)
    fr, jo = actors["FR-DGSI"], actors["JO-GID"]
    org = {n: add(node, fr, {"schema": "Organization", "names": [n]}) for n in ("ISI", "ISIL", "IS", "Wilayat Sinai")}
    for source, kind, target, date in [
        ("ISI", "merged-into", "ISIL", "2013-04"),
        ("ISIL", "renamed-to", "IS", "2014-06-29"),
        ("Wilayat Sinai", "pledged-allegiance-to", "IS", "2014-11"),
    ]:
        add(
            node,
            fr,
            {
                "schema": "GroupRelation",
                "organization": org[source].id,
                "target": org[target].id,
                "kind": kind,
                "date": date,
            },
        )
    person = {
        n: add(node, fr, {"schema": "Person", "names": [n]}) for n in ("Leader", "Deputy", "Recruiter", "Courier")
    }
    for name, role in [("Leader", "leader"), ("Deputy", "commander"), ("Recruiter", "recruiter")]:
        add(node, fr, {"schema": "Membership", "person": person[name].id, "organization": org["IS"].id, "role": role})
    add(node, fr, {"schema": "Association", "person": person["Leader"].id, "associate": person["Deputy"].id})
    add(node, fr, {"schema": "Association", "person": person["Deputy"].id, "associate": person["Recruiter"].id})
    hidden = add(
        node,
        jo,
        {
            "schema": "Association",
            "person": person["Recruiter"].id,
            "associate": person["Courier"].id,
            "kind": "courier",
        },
        "owner",
    )
    return {"actors": actors, "org": org, "person": person, "hidden": hidden}


def test_neighbours_and_paths_use_only_visible_relationships(node: Node, web: dict[str, Any]) -> None:
    fr, jo = web["actors"]["FR-DGSI"], web["actors"]["JO-GID"]
    p = web["person"]
    near = network.neighbours(node, fr, p["Leader"].id, hops=1)
    assert set(near.records) == {p["Leader"].id, p["Deputy"].id, web["org"]["IS"].id}
    far = network.neighbours(node, fr, p["Leader"].id, hops=3)
    assert p["Courier"].id not in far.records and web["org"]["ISI"].id in far.records
    assert far.records[web["org"]["ISI"].id] == 3
    assert network.path(node, fr, p["Leader"].id, p["Courier"].id) is None
    chain = network.path(node, jo, p["Leader"].id, p["Courier"].id)
    assert chain is not None and chain.records[-1] == p["Courier"].id and chain.links[-1].relation == web["hidden"].id
    assert all(link.relation != web["hidden"].id for link in network.neighbours(node, fr, p["Recruiter"].id, 2).links)
    with pytest.raises(ValidationError):
        network.neighbours(node, fr, p["Leader"].id, hops=0)
    with pytest.raises(NotFound):
        network.neighbours(node, fr, web["hidden"].id)


def test_lineage_lists_mergers_renamings_and_allegiances_in_date_order(node: Node, web: dict[str, Any]) -> None:
    fr = web["actors"]["FR-DGSI"]
    org = web["org"]
    history = network.lineage(node, fr, org["ISI"].id)
    assert [(e.kind, e.date) for e in history.events] == [
        ("merged-into", "2013-04"),
        ("renamed-to", "2014-06-29"),
        ("pledged-allegiance-to", "2014-11"),
    ]
    assert history.captions[org["Wilayat Sinai"].id] == "Wilayat Sinai"
    with pytest.raises(ValidationError, match="not an organization"):
        network.lineage(node, fr, web["person"]["Leader"].id)


def test_central_members_rank_the_broker_first(node: Node, web: dict[str, Any]) -> None:
    fr = web["actors"]["FR-DGSI"]
    ranked = network.central(node, fr, web["org"]["IS"].id).members
    assert ranked[0]["record"] == web["person"]["Deputy"].id
    assert {m["record"] for m in ranked} == {web["person"][n].id for n in ("Leader", "Deputy", "Recruiter")}
