"""Nothing outside the visibility filter leaks, through any read path.

EVERY READ PATH OF ictdb BELONGS IN THIS TEST. When you add one (a command, an endpoint, an export, an
alert, a count, a search, a notification), add it to ``_check_viewer`` below.

Hypothesis builds random nodes: agencies, sharing groups, records of every distribution kind, review
dates on both sides of today, deleted records and relationships between records of different owners.
For every agency as viewer it computes what the pure rule (policy.visibility.may_see) allows and checks
that every read path returns exactly that, and that "not found" reads the same for a hidden record as
for a missing one.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.client import in_process
from conftest import Clock
from cooperation.leaks import check_cooperation, check_cooperation_api, check_cooperation_pages, named
from factories import seed_agencies
from ictdb.api.app import create_app
from ictdb.matching import MatchQuery
from ictdb.model.actors import Actor
from ictdb.model.envelope import Envelope, EnvelopeInput
from ictdb.model.errors import NotFound
from ictdb.model.stored import Record, parse_body
from ictdb.model.vocab import HandlingCode
from ictdb.policy.visibility import Viewer, audience_of, may_see
from ictdb.services import audit, auth, directory, exports, network, records, resolution, screening_jobs, transfer
from ictdb.services.node import Node
from ictdb.services.search import screen, search
from test_lists_and_exchange import ftm_record_ids, stix_record_ids

CODES = {"FR-DGSI": "FR", "JO-GID": "JO", "IQ-CTS": "IQ", "DE-BKA": "DE"}
MISSING = "per-ffffffffffff"


@dataclass
class World:
    node: Node
    actors: dict[str, Actor]
    groups: dict[str, set[str]] = field(default_factory=dict)
    records: dict[str, Record] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    screenings: dict[str, str] = field(default_factory=dict)
    """Each agency's screening job of every record's name, run before the clock moves (and review dates lapse)."""

    def may_see(self, agency: str, record_id: str) -> bool:
        record = self.records[record_id]
        viewer = Viewer(agency, self.node.today())
        member_of = {g for g, members in self.groups.items() if agency in members}
        return may_see(
            viewer, record.envelope, audience_of(record.envelope), member_of, deleted=record_id in self.deleted
        )


def _distribution(draw: st.DrawFn, owner: str, groups: dict[str, set[str]]) -> str:
    kinds = ["owner", "members", "agencies"] + (["group"] if any(owner in m for m in groups.values()) else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "agencies":
        others = sorted(set(CODES) - {owner})
        return "agencies:" + ",".join(draw(st.lists(st.sampled_from(others), min_size=1, max_size=2, unique=True)))
    if kind == "group":
        return "group:" + draw(st.sampled_from(sorted(g for g, m in groups.items() if owner in m)))
    return kind


@st.composite
def worlds(draw: st.DrawFn, make_node: Callable[[Clock], Node]) -> World:
    clock = Clock()
    node = make_node(clock)
    world = World(node, seed_agencies(node, CODES))
    for index in range(draw(st.integers(0, 2))):
        owner = draw(st.sampled_from(sorted(CODES)))
        members = set(draw(st.lists(st.sampled_from(sorted(CODES)), max_size=3, unique=True)))
        name = f"group-{index}"
        directory.create_group(node, world.actors[owner], name, sorted(members))
        world.groups[name] = members | {owner}
    for index in range(draw(st.integers(1, 8))):
        owner = draw(st.sampled_from(sorted(CODES)))
        actor = world.actors[owner]
        envelope = EnvelopeInput(
            distribution=_distribution(draw, owner, world.groups),  # type: ignore[arg-type]
            handling=draw(st.sampled_from([HandlingCode.H0, HandlingCode.H1, HandlingCode.H2])),
            hit_policy=draw(st.sampled_from(["silent", "notify-owner", "hit-no-hit"])),  # type: ignore[arg-type]
            review_by=node.today() + timedelta(days=draw(st.integers(1, 400))),
        )
        visible_ids = [rid for rid in world.records if world.may_see(owner, rid) and rid not in world.deleted]
        persons = [rid for rid in visible_ids if world.records[rid].schema_name == "Person"]
        if persons and draw(st.booleans()):
            organization = records.add_record(
                node, actor, parse_body({"schema": "Organization", "names": [f"Group {index}"]}), envelope
            )
            world.records[organization.id] = organization
            body = parse_body(
                {"schema": "Membership", "person": draw(st.sampled_from(persons)), "organization": organization.id}
            )
        else:
            body = parse_body({"schema": "Person", "names": [f"Person {index}"]})
        record = records.add_record(node, actor, body, envelope)
        world.records[record.id] = record
        if draw(st.integers(0, 5)) == 0:
            records.delete_record(node, actor, record.id, "test")
            world.deleted.add(record.id)
    manifest = "id,name\n" + "".join(f"{i},{name}\n" for i, name in enumerate(_names(world)))
    for code, actor in world.actors.items():
        job = screening_jobs.start_job(node, actor, manifest.encode(), "m.csv", "csv", run=lambda work: work())
        world.screenings[code] = job.id
    clock.advance(days=draw(st.integers(0, 500)))
    return world


def _names(world: World) -> list[str]:
    return [n.value for r in world.records.values() for n in getattr(r.body, "names", [])]


def _check_viewer(world: World, agency: str) -> None:
    node, actor = world.node, world.actors[agency]
    expected = {rid for rid in world.records if world.may_see(agency, rid)}

    # list and count
    page = records.list_records(node, actor, limit=1000)
    assert {r.id for r in page.records} == expected
    assert page.total == len(expected)
    assert records.count_records(node, actor) == len(expected)
    assert sum(records.counts_by_schema(node, actor).values()) == len(expected)
    assert {r.id for r in records.list_records(node, actor, text="person").records} <= expected
    paged: list[str] = []
    while chunk := records.list_records(node, actor, limit=3, after=paged[-1] if paged else None).records:
        paged.extend(r.id for r in chunk)
    assert paged == sorted(expected)

    # get and history: hidden reads exactly like missing
    with pytest.raises(NotFound) as missing:
        records.get_record(node, actor, MISSING)
    for rid in world.records:
        if rid in expected:
            assert records.get_record(node, actor, rid).id == rid
            assert records.record_history(node, actor, rid)
            for _, _, linked in records.linked_records(node, actor, rid):
                assert linked.id in expected
        else:
            with pytest.raises(NotFound) as hidden:
                records.get_record(node, actor, rid)
            assert str(hidden.value).replace(rid, "ID") == str(missing.value).replace(MISSING, "ID")
            with pytest.raises(NotFound):
                records.record_history(node, actor, rid)
            with pytest.raises(NotFound):
                records.linked_records(node, actor, rid)

    # exports: visible, and never another agency's H2
    exported = {r.id for r in exports.exportable(node, actor)()}
    assert exported == {
        rid
        for rid in expected
        if world.records[rid].owner == agency or world.records[rid].envelope.handling is not HandlingCode.H2
    }

    # FtM and STIX export files hold exactly those records, and each export's audit event names them
    with tempfile.TemporaryDirectory() as folder:
        ftm, stix = Path(folder) / "out.ftm.json", Path(folder) / "out.stix.json"
        transfer.export_ftm_file(node, actor, ftm)
        transfer.export_stix_file(node, actor, stix)
        for action, ids in (("export.ftm", ftm_record_ids(ftm)), ("export.stix", stix_record_ids(stix))):
            assert sorted(ids) == sorted(exported)
            event = next(e for e in audit.agency_log(node, actor, action=action, limit=1) if e.action == action)
            assert sorted(event.record_ids) == sorted(ids)

    # search and screening: matches only among what the viewer may see, restricted owners never visible ones
    for outcome in [
        search(node, actor, MatchQuery(names=("Person 1",)), limit=100, threshold=0.0),
        *screen(
            node, actor, [MatchQuery(names=("Group 2",)), MatchQuery(names=("Person 3",))], source="t", threshold=0.0
        ),
    ]:
        assert {m.record.id for m in outcome.matches} <= expected

    # the review queue holds the agency's own records only
    assert {r.owner for r in records.due_for_review(node, actor)} <= {agency}

    # audit views: accesses name only the agency's own records; the agency log only its own users
    for event in audit.accesses_to_mine(node, actor, limit=1000):
        assert all(world.records[rid].owner == agency for rid in event.record_ids if rid in world.records)
    own_log = audit.agency_log(node, actor, limit=1000)
    assert {e.agency for e in own_log} <= {agency}
    assert {rid for e in own_log for rid in e.record_ids if rid in world.records} <= expected

    # screening jobs: the agency's own only; their matches only among what it may see now
    own_job = world.screenings[agency]
    assert [j.id for j in screening_jobs.list_jobs(node, actor)] == [own_job]
    rows = screening_jobs.job_rows(node, actor, own_job)
    assert {h.record.id for row in rows for h in row.hits} <= expected
    for other, job_id in world.screenings.items():
        if other != agency:
            with pytest.raises(NotFound):
                screening_jobs.get_job(node, actor, job_id)
            with pytest.raises(NotFound):
                screening_jobs.job_rows(node, actor, job_id)

    # cooperation: inbox, hit notices, watches, requests and movement timelines
    check_cooperation(node, actor, set(world.records), expected)

    # the HTTP API's read endpoints, called as the viewer's user with a bearer token
    _check_api(world, agency, expected)

    # resolution and network: proposals, judgements, clusters, profiles and neighbourhoods
    _check_resolution(world, agency, expected)

    # the cooperation pages (inbox, requests), as the viewer's user logged in
    with in_process(create_app(world.node)) as client:
        check_cooperation_pages(client, world.actors[agency].username, set(world.records), expected)
        # the network page (neighbourhood, lineage, central members, a chain to each other record)
        known = set(world.records)
        for rid in sorted(r for r in known if r.startswith(("per-", "org-"))):
            page = client.get(f"/records/{rid}/network", params={"hops": 3, "to": MISSING})
            if rid in expected:
                assert page.status_code == 200 and named(page.text, known) <= expected
            else:
                assert page.status_code == 404


def _check_api(world: World, agency: str, expected: set[str]) -> None:
    node, actor = world.node, world.actors[agency]
    bearer = {"Authorization": f"Bearer {auth.issue_token(node, actor).secret}"}
    with in_process(create_app(node)) as client:
        listed = client.get("/api/v1/records", params={"limit": 1000}, headers=bearer).json()
        assert {r["id"] for r in listed["records"]} == expected and listed["total"] == len(expected)
        for after in sorted(world.records)[::3]:  # paging after any id, seen or not, yields only what it may see
            rest = client.get("/api/v1/records", params={"limit": 1000, "after": after}, headers=bearer).json()
            assert {r["id"] for r in rest["records"]} == {r for r in expected if r > after}
        missing = client.get(f"/api/v1/records/{MISSING}", headers=bearer)
        for rid in world.records:
            for suffix in ("", "/history", "/links"):
                answer = client.get(f"/api/v1/records/{rid}{suffix}", headers=bearer)
                if rid in expected:
                    assert answer.status_code == 200
                    if suffix == "/links":
                        assert {link["record"]["id"] for link in answer.json()} <= expected
                else:
                    assert answer.status_code == missing.status_code == 404
                    assert answer.json()["error"]["message"].replace(rid, "ID") == missing.json()["error"][
                        "message"
                    ].replace(MISSING, "ID")
        due = client.get("/api/v1/review/due", headers=bearer).json()
        assert {r["envelope"]["owner"] for r in due} <= {agency}
        for event in client.get("/api/v1/audit/accesses", params={"limit": 1000}, headers=bearer).json():
            assert all(world.records[rid].owner == agency for rid in event["record_ids"] if rid in world.records)
        log = client.get("/api/v1/audit/log", params={"limit": 1000}, headers=bearer).json()
        assert {e["agency"] for e in log} <= {agency}
        check_cooperation_api(client, bearer, set(world.records), expected)
        # search and match over HTTP (their answers reuse each record's JSON between requests and agencies):
        # only what the viewer may see, each record as the viewer's own read of it shows it
        searched = client.get("/api/v1/search", params={"q": "Person 1", "limit": 100, "threshold": 0}, headers=bearer)
        one = {"queries": {"q": {"schema": "Person", "properties": {"name": ["Person 3"]}}}}
        matched = client.post("/api/v1/match", params={"limit": 100, "threshold": 0}, json=one, headers=bearer)
        for results in (searched.json()["results"], matched.json()["responses"]["q"]["results"]):
            assert {r["id"] for r in results} <= expected
            for result in results:
                assert result["record"] == client.get(f"/api/v1/records/{result['id']}", headers=bearer).json()
        jobs = client.get("/api/v1/screenings", headers=bearer).json()
        assert [j["id"] for j in jobs] == [world.screenings[agency]]
        for other, job_id in world.screenings.items():
            answer = client.get(f"/api/v1/screenings/{job_id}", headers=bearer)
            if other == agency:
                matched = {m["entity_id"] for line in answer.json()["results"] for m in line["matches"]}
                assert matched <= expected
            else:
                assert answer.status_code == 404


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.data())
def test_no_read_path_shows_what_the_filter_hides(node_factory: Callable[[Clock], Node], data: st.DataObject) -> None:
    world = data.draw(worlds(node_factory))
    for agency in CODES:
        _check_viewer(world, agency)


def test_reference_rule_matches_sql_on_a_known_case(node_factory: Callable[[Clock], Node]) -> None:
    """A fixed node where every branch of the rule is taken once, so a failure here is easy to read."""
    clock = Clock()
    node = node_factory(clock)
    actors = seed_agencies(node, CODES)
    directory.create_group(node, actors["FR-DGSI"], "g", ["IQ-CTS"])
    jo = actors["JO-GID"]
    made = {
        dist: records.add_record(
            node,
            jo if dist != "group:g" else actors["FR-DGSI"],
            parse_body({"schema": "Person", "names": [dist]}),
            EnvelopeInput(distribution=dist),
        )  # type: ignore[arg-type]
        for dist in ("owner", "members", "agencies:DE-BKA", "group:g")
    }
    seen = {
        code: {r.envelope.distribution.__str__() for r in records.list_records(node, a).records}
        for code, a in actors.items()
    }
    assert seen == {
        "FR-DGSI": {"members", "group:g"},
        "JO-GID": {"owner", "members", "agencies:DE-BKA"},
        "IQ-CTS": {"members", "group:g"},
        "DE-BKA": {"members", "agencies:DE-BKA"},
    }
    assert isinstance(made["owner"].envelope, Envelope) and node.today() == date(2026, 11, 28)


def _seed_resolution(world: World) -> None:
    """Once per world: the node operator's batch run files and auto-judges pairs across every distribution, and
    each agency judges a pair of records it sees not-same, so that judgements of every kind exist."""
    node = world.node
    if node.caches.get("leak-resolution"):
        return
    node.caches["leak-resolution"] = True
    resolution.resolve(node, directory.node_admin(node), node_wide=True, threshold=0.3, auto_above=0.9)
    for agency, actor in world.actors.items():
        mine = sorted(rid for rid in world.records if world.may_see(agency, rid) and rid.startswith("per-"))
        if len(mine) >= 2:
            resolution.judge(node, actor, mine[0], mine[-1], "not-same", reason="leak test")


def _check_resolution(world: World, agency: str, expected: set[str]) -> None:
    _seed_resolution(world)
    node, actor = world.node, world.actors[agency]
    page = resolution.list_proposals(node, actor, open_only=False, limit=10_000)
    assert page.total == len(page.proposals)
    for proposal in page.proposals:
        assert {proposal.pair.left, proposal.pair.right} <= expected
        assert resolution.mentioned_records(proposal.explanation) <= expected
    for members in resolution.clusters(node, actor).clusters:
        assert set(members) <= expected
    with pytest.raises(NotFound) as missing:
        resolution.cluster_view(node, actor, MISSING)
    persons = sorted(rid for rid in world.records if rid.startswith(("per-", "org-")))
    for rid in persons:
        if rid in expected:
            view = resolution.cluster_view(node, actor, rid)
            assert set(view.members) <= expected and view.size == len(view.members)
            assert all({j.pair.left, j.pair.right} <= expected for j in view.judgements)
            assert all({r.forbidding.left, r.forbidding.right} <= expected for r in view.refused)
            profile = resolution.consolidated_profile(node, actor, rid)
            assert {r.id for r in profile.records} <= expected
            assert {v.record_id for values in profile.fields.values() for v in values} <= expected
            for link in network.neighbours(node, actor, rid, hops=3).links:
                assert {link.relation, link.source, link.target} <= expected
        else:
            with pytest.raises(NotFound) as hidden:
                resolution.cluster_view(node, actor, rid)
            assert str(hidden.value).replace(rid, "ID") == str(missing.value).replace(MISSING, "ID")
            with pytest.raises(NotFound):
                resolution.consolidated_profile(node, actor, rid)
            with pytest.raises(NotFound):
                network.neighbours(node, actor, rid)
    for first in persons:
        for second in persons:
            if first >= second:
                continue
            if {first, second} <= expected:
                history = resolution.pair_history(node, actor, first, second)
                assert all({j.pair.left, j.pair.right} <= expected for j in history)
            else:
                with pytest.raises(NotFound):
                    resolution.pair_history(node, actor, first, second)
    bearer = {"Authorization": f"Bearer {auth.issue_token(node, actor).secret}"}
    with in_process(create_app(node)) as client:
        listed = client.get("/api/v1/resolution/proposals", params={"all": True, "limit": 1000}, headers=bearer).json()
        assert all({p["left"], p["right"]} <= expected for p in listed["proposals"])
        for cluster in client.get("/api/v1/resolution/clusters", headers=bearer).json():
            assert set(cluster["members"]) <= expected and cluster["size"] == len(cluster["members"])
