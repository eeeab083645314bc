"""The cooperation read paths, checked for one viewer: nothing names a record the viewer may not see.

Called from the leak property test (tests/test_leaks.py) and from the cooperation property test here.
``known`` holds every record id of the node; ``expected`` those the viewer may see.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from api.client import Client
from ictdb.model.actors import Actor
from ictdb.model.errors import NotFound
from ictdb.model.vocab import Role
from ictdb.services.cooperation import inbox, movements, requests, watches
from ictdb.services.node import Node


def named(data: Any, known: set[str]) -> set[str]:
    """The known record ids that appear anywhere in ``data``."""
    text = data if isinstance(data, str) else json.dumps(data, default=str)
    return {rid for rid in known if rid in text}


def check_cooperation(node: Node, actor: Actor, known: set[str], expected: set[str]) -> None:
    box = inbox.inbox(node, actor, limit=1000)
    for alert in box.alerts:
        assert {alert.record_id, alert.about_id} - {None} <= expected
        assert named(alert.payload, known) <= expected
    if len(box.alerts) < 1000:
        assert box.unread == inbox.unread_count(node, actor) == sum(a.unread for a in box.alerts)
    if actor.has(Role.SUPERVISOR):
        for notice in inbox.hit_notices(node, actor, limit=1000):
            assert notice.record_id in expected and named(notice.payload, known) <= expected
    for w in watches.list_watches(node, actor):
        assert w.caption is None or w.target in expected
    for hit in requests.askable_hits(node, actor):
        assert named(list(hit), known) == set()
    for request in requests.list_requests(node, actor, limit=1000):
        assert set(request.record_ids) <= expected
        shown = requests.show_request(node, actor, request.id)
        assert named([shown.record_ids, [m.record_ids for m in shown.thread]], known) <= expected
    for rid in known:
        if rid in expected:
            assert {m.id for m in movements.timeline(node, actor, rid)} <= expected
        else:
            with pytest.raises(NotFound):
                movements.timeline(node, actor, rid)


def check_cooperation_api(client: Client, bearer: dict[str, str], known: set[str], expected: set[str]) -> None:
    for watch in client.get("/api/v1/watches", headers=bearer).json():
        # the agency's own watch keeps its target id; the caption goes with sight of the record
        assert watch["caption"] is None or watch["target"] in expected
    for path in ("/api/v1/inbox", "/api/v1/requests", "/api/v1/hits/sent", "/api/v1/hits"):
        answer = client.get(path, params={"limit": 1000}, headers=bearer)
        assert answer.status_code in (200, 403), (path, answer.text)
        assert named(answer.text, known) <= expected, path
    stream = client.get("/api/v1/inbox/stream", params={"after": 0, "max_seconds": 0.01}, headers=bearer)
    assert named(stream.text, known) <= expected
    for rid in known - expected:
        assert client.get(f"/api/v1/persons/{rid}/movements", headers=bearer).status_code == 404


def check_cooperation_pages(client: Client, username: str, known: set[str], expected: set[str]) -> None:
    """The inbox and request pages, as the user logged in with the seeded password."""
    login = client.post("/login", data={"username": username, "password": "correct horse battery"})
    assert login.status_code == 303
    for path in ("/inbox", "/requests", "/requests?box=received"):
        page = client.get(path)
        assert page.status_code == 200 and named(page.text, known) <= expected, path
    box = client.get("/inbox").text
    for request_id in set(re.findall(r'href="/requests/(req-[0-9a-f]+)"', client.get("/requests").text)):
        shown = client.get(f"/requests/{request_id}")
        assert shown.status_code == 200 and named(shown.text, known) <= expected
    badge = re.search(r'<span class="badge"[^>]*>(\d+)</span>', box)
    unread = len(re.findall(r'<tr class="unread">', box))
    assert (int(badge.group(1)) if badge else 0) == unread or unread == 200
