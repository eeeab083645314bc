"""The demo's cooperation story, played on a demo node through the services and through ``ictdb demo-story``."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from ictdb.model.cooperation import AlertKind, RequestState
from ictdb.model.vocab import Role
from ictdb.services import records
from ictdb.services.cooperation import inbox, movements, requests
from ictdb.services.cooperation.story import play_story
from ictdb.services.demo import load_demo
from ictdb.services.demo_data import build_demo
from ictdb.services.directory import actor_for
from ictdb.services.node import Node

ICTDB = [sys.executable, "-m", "ictdb.cli"]


def test_the_story_runs_from_restricted_hit_to_the_owners_watch_firing(node: Node) -> None:
    load_demo(node)
    steps = play_story(node)
    story = build_demo().story
    assert [s.agency for s in steps] == [
        story.owner,
        story.screener,
        story.screener,
        story.owner,
        story.owner,
        story.screener,
        story.owner,
    ]
    screener = actor_for(node, story.screener)
    owner = actor_for(node, story.owner)
    (request,) = requests.list_requests(node, screener, box="sent")
    assert request.state is RequestState.GRANTED and request.to_agency == story.owner
    fighter = records.get_record(node, screener, request.record_ids[0])
    (movement,) = movements.timeline(node, screener, fighter.id)
    assert movement.owner == story.screener and movement.body.evidence.value == "observed"  # type: ignore[union-attr]
    assert movement.envelope.distribution == records.get_record(node, screener, movement.id).envelope.distribution
    fired = inbox.inbox(node, owner, kind=AlertKind.MOVEMENT.value).alerts
    assert [a.record_id for a in fired] == [movement.id]
    # nobody else was told anything about the fighter
    for code in ("FR-DGSI", "JO-GID"):
        other = actor_for(node, code)
        assert all(fighter.id not in json.dumps(a.payload) for a in inbox.inbox(node, other, limit=1000).alerts)


def test_demo_story_command(database_url: str) -> None:
    env = {**os.environ, "ICTDB_DATABASE_URL": database_url, "COLUMNS": "200"}
    for args in (["demo"], ["--json", "demo-story"]):
        done = subprocess.run([*ICTDB, *args], capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
    steps = json.loads(done.stdout)
    assert "watch fires" in steps[-1]["text"]
    demo = build_demo()
    owner = demo.story.owner
    chief = next(u.username for u in demo.users if u.agency == owner and Role.SUPERVISOR in u.roles)
    box = subprocess.run(
        [*ICTDB, "--as", f"{owner}:{chief}", "--json", "inbox"], capture_output=True, text=True, env=env, timeout=60
    )
    assert box.returncode == 0, box.stderr
    kinds = {a["kind"] for a in json.loads(box.stdout)["alerts"]}
    assert {"hit", "request.opened", "watch.movement"} <= kinds
