"""Property test: alerts, hit notices, requests and webhook payloads never name what their recipient may not see.

Hypothesis builds small nodes in which every agency first watches everything it may see, then agencies
write relationship records and movements of every distribution about those persons, delete some, search
for restricted names and open requests on restricted hits, and time passes beyond some review dates.
Every cooperation read path and every webhook push is then checked against the pure visibility rule.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.client import in_process
from conftest import Clock
from cooperation.leaks import check_cooperation, check_cooperation_api, named
from factories import seed_agencies
from ictdb.api.app import create_app
from ictdb.matching import MatchQuery
from ictdb.model.actors import Actor
from ictdb.model.cooperation import WatchTarget
from ictdb.model.envelope import EnvelopeInput
from ictdb.model.stored import Record, parse_body
from ictdb.policy.visibility import Viewer, audience_of, may_see
from ictdb.services import auth, directory, records, resolution
from ictdb.services.cooperation import delivery, requests, watches, webhooks
from ictdb.services.node import Node
from ictdb.services.search import search

CODES = {"FR-DGSI": "FR", "JO-GID": "JO", "IQ-CTS": "IQ", "DE-BKA": "DE"}
KINDS = ["owner", "members", "agencies:FR-DGSI", "agencies:JO-GID,IQ-CTS", "group:g"]


GRANTED: dict[str, set[str]] = {}
"""Records a granted request added to an agency's audience (the pure rule knows only distributions)."""


def _visible(
    node: Node, made: dict[str, Record], deleted: set[str], groups: dict[str, set[str]], agency: str
) -> set[str]:
    viewer = Viewer(agency, node.today())
    mine = {g for g, members in groups.items() if agency in members}
    seen = set()
    for rid, r in made.items():
        granted = rid in GRANTED.get(agency, set()) and rid not in deleted and r.envelope.review_by >= node.today()
        if granted or may_see(viewer, r.envelope, audience_of(r.envelope), mine, deleted=rid in deleted):
            seen.add(rid)
    return seen


def _distribution(draw: st.DrawFn, owner: str) -> str:
    kind = draw(st.sampled_from(KINDS))
    if kind.startswith("agencies:") and owner in kind:
        return "owner"
    if kind == "group:g" and owner not in {"FR-DGSI", "DE-BKA"}:
        return "members"
    return kind


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.data())
def test_cooperation_never_shows_what_the_filter_hides(
    node_factory: Callable[[Clock], Node], data: st.DataObject
) -> None:
    GRANTED.clear()
    draw = data.draw
    clock = Clock()
    node = node_factory(clock)
    actors = seed_agencies(node, CODES)
    directory.create_group(node, actors["FR-DGSI"], "g", ["DE-BKA"])
    groups = {"g": {"FR-DGSI", "DE-BKA"}}
    webhooks.set_private_targets(node, directory.node_admin(node), True)
    for actor in actors.values():
        webhooks.add_webhook(node, actor, f"http://127.0.0.1/{actor.agency}")
    made: dict[str, Record] = {}
    deleted: set[str] = set()

    def add(actor: Actor, body: dict[str, object], **envelope: object) -> Record:
        record = records.add_record(node, actor, parse_body(body), EnvelopeInput.model_validate(envelope))
        made[record.id] = record
        return record

    persons = []
    for i in range(draw(st.integers(2, 4))):
        owner = actors[draw(st.sampled_from(sorted(CODES)))]
        persons.append(
            add(
                owner,
                {"schema": "Person", "names": [f"Ammar Khalil {i}"]},
                distribution=_distribution(draw, owner.agency),
                hit_policy=draw(st.sampled_from(["silent", "notify-owner", "hit-no-hit"])),
                review_by=node.today() + timedelta(days=draw(st.integers(1, 60))),
            )
        )
    for code, actor in actors.items():
        for rid in _visible(node, made, deleted, groups, code):
            watches.add_watch(node, actor, rid)
        for watched in persons:  # clusters of every person, seen or not
            watches.add_watch(node, actor, watched.id, kind=WatchTarget.CLUSTER)
    for _ in range(draw(st.integers(1, 6))):
        writer = actors[draw(st.sampled_from(sorted(CODES)))]
        seen = sorted(r.id for r in persons if r.id in _visible(node, made, deleted, groups, writer.agency))
        if not seen:
            continue
        target = draw(st.sampled_from(seen))
        envelope = {
            "distribution": _distribution(draw, writer.agency),
            "review_by": node.today() + timedelta(days=draw(st.integers(1, 60))),
        }
        if draw(st.booleans()):
            link = add(writer, {"schema": "Movement", "person": target, "destination": {"country": "DE"}}, **envelope)
        else:
            link = add(writer, {"schema": "Report", "title": "note", "mentions": [target]}, **envelope)
        if draw(st.integers(0, 3)) == 0:
            records.delete_record(node, writer, link.id, "test")
            deleted.add(link.id)
    # same judgements grow the watched clusters: an agency's run, the node operator's run, and by hand
    resolution.resolve(node, actors[draw(st.sampled_from(sorted(CODES)))], threshold=0.5, auto_above=0.6)
    resolution.resolve(node, directory.node_admin(node), node_wide=True, threshold=0.5, auto_above=0.6)
    judge = actors[draw(st.sampled_from(sorted(CODES)))]
    judgeable = sorted(r.id for r in persons if r.id in _visible(node, made, deleted, groups, judge.agency))
    if len(judgeable) >= 2:
        resolution.judge(node, judge, judgeable[0], judgeable[-1], "same")
    for code, actor in actors.items():
        outcome = search(node, actor, MatchQuery(names=("Ammar Khalil",)), limit=100, threshold=0.0)
        for owner, hit in outcome.hit_refs.items():
            request = requests.open_request(node, actor, hit_id=hit, justification="test")
            if draw(st.booleans()):
                answered = requests.grant_request(node, actors[owner], request.id)
                GRANTED.setdefault(code, set()).update(
                    requests.show_request(node, actors[owner], answered.id).record_ids
                )
    clock.advance(days=draw(st.integers(0, 90)))

    pushes: list[tuple[str, bytes]] = []

    def capture(request: httpx.Request) -> httpx.Response:
        pushes.append((request.url.path.strip("/"), request.content))
        return httpx.Response(204)

    delivery.deliver_once(node, transport=httpx.MockTransport(capture))
    known = set(made)
    for code, actor in actors.items():
        expected = _visible(node, made, deleted, groups, code)
        check_cooperation(node, actor, known, expected)
        for agency, body in pushes:
            if agency == code:
                assert named(body.decode(), known) <= expected
        bearer = {"Authorization": f"Bearer {auth.issue_token(node, actor).secret}"}
        with in_process(create_app(node)) as client:
            check_cooperation_api(client, bearer, known, expected)
