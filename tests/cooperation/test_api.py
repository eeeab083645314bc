"""The cooperation endpoints in-process: watches and inbox, the event stream, a request from hit to grant."""

from __future__ import annotations

from api.conftest import Api
from factories import person
from ictdb.model.stored import parse_body
from ictdb.services import records

NAME = "Abu Bakr al-Baghdadi"


def _person(api: Api, agency: str, name: str, **envelope: str) -> str:
    return person(api.node, api.actors[agency], name, **envelope).id


def test_watch_inbox_and_stream(api: Api) -> None:
    target = _person(api, "FR-DGSI", "Karim Benali")
    made = api.client.post("/api/v1/watches", json={"target": target}, headers=api.as_("FR-DGSI"))
    assert made.status_code == 201 and made.json()["caption"] == "Karim Benali"
    assert api.client.post("/api/v1/watches", json={"target": target}, headers=api.as_("FR-DGSI")).status_code == 409
    body = parse_body({"schema": "Movement", "person": target, "destination": {"country": "DE"}})
    movement = records.add_record(api.node, api.actors["DE-BKA"], body)

    box = api.client.get("/api/v1/inbox", headers=api.as_("FR-DGSI")).json()
    assert box["unread"] == 1 and box["alerts"][0]["payload"]["record"]["id"] == movement.id
    assert api.client.get("/api/v1/inbox/count", headers=api.as_("FR-DGSI")).json() == {"unread": 1}
    assert api.client.get("/api/v1/inbox", headers=api.as_("JO-GID")).json()["alerts"] == []

    streamed = api.client.get("/api/v1/inbox/stream", params={"after": 0, "max_events": 1}, headers=api.as_("FR-DGSI"))
    assert streamed.headers["content-type"].startswith("text/event-stream")
    event = next(block for block in streamed.text.split("\n\n") if block.startswith("id:"))
    assert "event: watch.movement" in event and movement.id in event
    quiet = api.client.get("/api/v1/inbox/stream", params={"max_seconds": 0.1}, headers=api.as_("JO-GID"))
    assert "data:" not in quiet.text
    # a position past any alert's (PostgreSQL failed on one past its integer range) has nothing after it
    for params, headers in (({"after": 2**40}, {}), ({}, {"Last-Event-ID": str(2**40)})):
        far = api.client.get(
            "/api/v1/inbox/stream", params={**params, "max_seconds": 0.1}, headers=api.as_("FR-DGSI") | headers
        )
        assert far.status_code == 200 and "data:" not in far.text, far.text
    # a Last-Event-ID that is no decimal number (a superscript digit, a sign) is ignored: the stream starts now
    for hostile in (b"\xb2", b"-5", b"1e9", b"12\xb9"):
        odd = api.client.get(
            "/api/v1/inbox/stream", params={"max_seconds": 0.1}, headers=api.as_("FR-DGSI") | {"Last-Event-ID": hostile}
        )
        assert odd.status_code == 200 and "data:" not in odd.text, (hostile, odd.text)

    assert api.client.post("/api/v1/inbox/read", json={}, headers=api.as_("FR-DGSI")).json() == {"changed": 1}
    timeline = api.client.get(f"/api/v1/persons/{target}/movements", headers=api.as_("JO-GID")).json()
    assert [m["id"] for m in timeline] == [movement.id]


def test_request_from_a_restricted_hit_to_a_grant(api: Api) -> None:
    hidden = _person(api, "DE-BKA", NAME, distribution="owner", hit_policy="hit-no-hit")
    found = api.client.get("/api/v1/search", params={"q": NAME}, headers=api.as_("FR-DGSI")).json()
    (sent,) = api.client.get("/api/v1/hits/sent", headers=api.as_("FR-DGSI")).json()
    # the search answer carries the reference to quote in the request, and no record id
    assert found["results"] == [] and found["restricted_hits"] == [{"owner": "DE-BKA", "hit": sent["hit"]}]
    assert sent["owner"] == "DE-BKA" and hidden not in str(sent) and hidden not in str(found)
    (notice,) = api.client.get("/api/v1/hits", headers=api.as_("DE-BKA")).json()
    assert notice["payload"]["searcher"]["agency"] == "FR-DGSI" and notice["payload"]["record"]["id"] == hidden

    opened = api.client.post(
        "/api/v1/requests", json={"hit": sent["hit"], "justification": "flight tonight", "urgency": "urgent"},
        headers=api.as_("FR-DGSI"),
    )  # fmt: skip
    assert opened.status_code == 201 and opened.json()["record_ids"] == []
    request_id = opened.json()["id"]
    to_self = api.client.post(
        "/api/v1/requests", json={"to": "FR-DGSI", "justification": "x"}, headers=api.as_("FR-DGSI")
    )
    assert to_self.status_code == 422
    unknown = api.client.post(
        "/api/v1/requests", json={"to": "XX-NONE", "justification": "x"}, headers=api.as_("FR-DGSI")
    )
    assert unknown.status_code == 404
    malformed = api.client.post("/api/v1/requests", json={"to": "0", "justification": "x"}, headers=api.as_("FR-DGSI"))
    assert malformed.status_code == 422 and "agency code" in malformed.json()["error"]["message"]

    assert (
        api.client.post(f"/api/v1/requests/{request_id}/grant", json={}, headers=api.as_("FR-DGSI")).status_code == 403
    )
    granted = api.client.post(f"/api/v1/requests/{request_id}/grant", json={}, headers=api.as_("DE-BKA"))
    assert granted.status_code == 200 and granted.json()["state"] == "granted"
    again = api.client.post(f"/api/v1/requests/{request_id}/grant", json={}, headers=api.as_("DE-BKA"))
    assert again.status_code == 409
    assert api.client.get(f"/api/v1/records/{hidden}", headers=api.as_("FR-DGSI")).status_code == 200
    shown = api.client.get(f"/api/v1/requests/{request_id}", headers=api.as_("FR-DGSI")).json()
    assert shown["record_ids"] == [hidden] and [m["kind"] for m in shown["thread"]] == ["open", "granted"]
    assert api.client.get(f"/api/v1/requests/{request_id}", headers=api.as_("JO-GID")).status_code == 404

    confirmed = api.client.post(
        "/api/v1/movements/confirm",
        json={"record_id": hidden, "origin_country": "TR", "destination_country": "FR", "flight": "TK1827"},
        headers=api.as_("FR-DGSI"),
    )
    assert confirmed.status_code == 201, confirmed.text
    assert confirmed.json()["envelope"]["owner"] == "FR-DGSI" and confirmed.json()["evidence"] == "observed"


def test_a_grant_as_a_copy_over_the_api(api: Api) -> None:
    hidden = _person(api, "DE-BKA", NAME, distribution="owner", hit_policy="hit-no-hit")
    found = api.client.get("/api/v1/search", params={"q": NAME}, headers=api.as_("FR-DGSI")).json()
    opened = api.client.post(
        "/api/v1/requests", json={"hit": found["restricted_hits"][0]["hit"], "justification": "flight tonight"},
        headers=api.as_("FR-DGSI"),
    ).json()  # fmt: skip
    granted = api.client.post(
        f"/api/v1/requests/{opened['id']}/grant", json={"as_copy": True}, headers=api.as_("DE-BKA")
    )
    assert granted.status_code == 200 and granted.json()["state"] == "granted"
    assert api.client.get(f"/api/v1/records/{hidden}", headers=api.as_("FR-DGSI")).status_code == 404
    (copy_id,) = api.client.get(f"/api/v1/requests/{opened['id']}", headers=api.as_("FR-DGSI")).json()["record_ids"]
    copy = api.client.get(f"/api/v1/records/{copy_id}", headers=api.as_("FR-DGSI")).json()
    assert copy["envelope"]["owner"] == "DE-BKA" and {"scheme": "copy-of", "value": hidden} in copy["identifiers"]
