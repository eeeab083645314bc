"""Search, batch match and screening jobs over HTTP: cross-script matches, restricted hits, limits."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from api.client import in_process
from api.conftest import Api
from factories import person
from ictdb.api.app import create_app
from ictdb.model.actors import User
from ictdb.model.envelope import EnvelopeInput
from ictdb.model.vocab import Role
from ictdb.services import auth, directory, records, screening_jobs


def test_search_in_arabic_finds_the_latin_record_and_names_restricted_owners(api: Api) -> None:
    shared = person(api.node, api.actors["JO-GID"], "Abu Bakr al-Baghdadi")
    person(api.node, api.actors["DE-BKA"], "أبو بكر البغدادي", distribution="owner", hit_policy="hit-no-hit")
    person(api.node, api.actors["IQ-CTS"], "Abu Bakr al-Baghdadi", distribution="owner", hit_policy="silent")
    answer = api.client.get("/api/v1/search", params={"q": "أبو بكر البغدادي"}, headers=api.as_("FR-DGSI"))
    assert answer.status_code == 200
    body = answer.json()
    assert [r["id"] for r in body["results"]] == [shared.id]
    assert 0 < body["results"][0]["score"] <= 1 and body["results"][0]["explanation"]
    ((hit,),) = [body["restricted_hits"]]
    assert hit["owner"] == "DE-BKA" and hit["hit"].startswith("hit-")


def test_match_answers_each_query_by_its_key(api: Api) -> None:
    shared = person(api.node, api.actors["JO-GID"], "Abu Bakr al-Baghdadi")
    payload = {
        "queries": {
            "a": {"schema": "Person", "properties": {"name": ["Абу Бакр аль-Багдади"]}},
            "b": {"schema": "Person", "properties": {"name": ["Marie Curie"]}},
        }
    }
    answer = api.client.post("/api/v1/match", json=payload, headers=api.as_("FR-DGSI"))
    assert answer.status_code == 200, answer.text
    responses = answer.json()["responses"]
    assert [r["id"] for r in responses["a"]["results"]] == [shared.id]
    assert responses["b"]["results"] == []


def test_a_match_shows_the_record_as_it_is_after_each_change(api: Api) -> None:
    made = person(api.node, api.actors["JO-GID"], "Abu Bakr al-Baghdadi")
    owner, searcher = api.as_("JO-GID"), api.as_("FR-DGSI")
    one = {"queries": {"q": {"schema": "Person", "properties": {"name": ["Abu Bakr al-Baghdadi"]}}}}

    def matched() -> list[dict[str, Any]]:
        answer = api.client.post("/api/v1/match", json=one, headers=searcher)
        assert answer.status_code == 200, answer.text
        by_search = api.client.get("/api/v1/search", params={"q": "Abu Bakr al-Baghdadi"}, headers=searcher)
        assert by_search.json()["results"] == answer.json()["responses"]["q"]["results"]
        return [r["record"] for r in answer.json()["responses"]["q"]["results"]]

    assert [(r["id"], r["version"], r.get("gender")) for r in matched()] == [(made.id, 1, None)]
    for version, gender in ((2, "male"), (3, "female")):
        changed = api.client.patch(f"/api/v1/records/{made.id}", json={"changes": {"gender": gender}}, headers=owner)
        assert changed.status_code == 200, changed.text
        assert [(r["id"], r["version"], r.get("gender")) for r in matched()] == [(made.id, version, gender)]
    assert matched() == [api.client.get(f"/api/v1/records/{made.id}", headers=searcher).json()]


def test_match_refuses_too_many_or_nameless_queries(api: Api) -> None:
    many = {"queries": {f"q{i}": {"properties": {"name": ["x y"]}} for i in range(101)}}
    assert api.client.post("/api/v1/match", json=many, headers=api.as_("FR-DGSI")).status_code == 422
    nameless = {"queries": {"q": {"properties": {"birthDate": ["1971"]}}}}
    answer = api.client.post("/api/v1/match", json=nameless, headers=api.as_("FR-DGSI"))
    assert answer.status_code == 422 and "name" in answer.json()["error"]["message"]


def test_a_screening_job_runs_in_the_background_and_reports_results(api: Api) -> None:
    shared = person(api.node, api.actors["JO-GID"], "Abu Bakr al-Baghdadi")
    manifest = "id,name\n1,أبو بكر البغدادي\n2,Marie Curie\n3,\n".encode()
    started = api.client.post(
        "/api/v1/screenings",
        files={"file": ("../../etc/passwd", manifest, "text/csv")},
        data={"format": "csv"},
        headers=api.as_("FR-DGSI"),
    )
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["source"] == "passwd"
    deadline = time.monotonic() + 30
    while job["state"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.05)
        job = api.client.get(f"/api/v1/screenings/{job['id']}", headers=api.as_("FR-DGSI")).json()
    assert job["state"] == "done" and job["done"] == job["total"] == 3
    lines = {line["id"]: line for line in job["results"]}
    assert [m["entity_id"] for m in lines["1"]["matches"]] == [shared.id]
    assert lines["2"]["matches"] == [] and lines["2"]["error"] is None and lines["3"]["error"]
    # another agency cannot see the job
    assert api.client.get(f"/api/v1/screenings/{job['id']}", headers=api.as_("JO-GID")).status_code == 404


def test_a_broken_manifest_is_422_naming_the_file(api: Api) -> None:
    answer = api.client.post(
        "/api/v1/screenings", files={"file": ("list.csv", b"foo,bar\n1,2\n", "text/csv")}, headers=api.as_("FR-DGSI")
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "import_failed" and "list.csv" in answer.json()["error"]["message"]


def _screen(api: Api, agency: str, manifest: bytes) -> dict[str, Any]:
    started = api.client.post(
        "/api/v1/screenings", files={"file": ("manifest.csv", manifest, "text/csv")}, headers=api.as_(agency)
    )
    assert started.status_code == 202, started.text
    job: dict[str, Any] = started.json()
    deadline = time.monotonic() + 30
    while job["state"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.05)
        job = api.client.get(f"/api/v1/screenings/{job['id']}", headers=api.as_(agency)).json()
    assert job["state"] == "done", job
    return job


def test_matches_are_confirmed_or_dismissed_with_a_reason_once_and_audited(api: Api) -> None:
    first = person(api.node, api.actors["JO-GID"], "Abu Bakr al-Baghdadi")
    second = person(api.node, api.actors["JO-GID"], "Ayman al-Zawahiri")
    job = _screen(api, "FR-DGSI", b"id,name\nA1,Abu Bakr al-Baghdadi\nA2,Ayman al-Zawahiri\n")
    url = f"/api/v1/screenings/{job['id']}/rows"
    headers = api.as_("FR-DGSI")
    no_reason = api.client.post(
        f"{url}/0/matches/{first.id}/decision", json={"decision": "confirm", "reason": ""}, headers=headers
    )
    assert no_reason.status_code == 422
    confirmed = api.client.post(
        f"{url}/0/matches/{first.id}/decision",
        json={"decision": "confirm", "reason": "passport agrees"},
        headers=headers,
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["decision"] == "confirm" and confirmed.json()["decided_by"] == "officer.fr-dgsi"
    again = api.client.post(
        f"{url}/0/matches/{first.id}/decision",
        json={"decision": "dismiss", "reason": "changed my mind"},
        headers=headers,
    )
    assert again.status_code == 409
    # a record that is not a match of that row is not a decision to make
    wrong_row = api.client.post(
        f"{url}/0/matches/{second.id}/decision", json={"decision": "dismiss", "reason": "x"}, headers=headers
    )
    assert wrong_row.status_code == 404
    # a row past any manifest is no row either (PostgreSQL failed on one past its integer range)
    far = api.client.post(
        f"{url}/{2**40}/matches/{second.id}/decision", json={"decision": "dismiss", "reason": "x"}, headers=headers
    )
    assert far.status_code == 404, far.text
    dismissed = api.client.post(
        f"{url}/1/matches/{second.id}/decision",
        json={"decision": "dismiss", "reason": "born 30 years later"},
        headers=headers,
    )
    assert dismissed.status_code == 200
    lines = api.client.get(f"/api/v1/screenings/{job['id']}", headers=headers).json()["results"]
    assert [(m["decision"], m["reason"]) for line in lines for m in line["matches"]] == [
        ("confirm", "passport agrees"),
        ("dismiss", "born 30 years later"),
    ]
    # another agency can neither read nor decide
    other = api.client.post(
        f"{url}/1/matches/{second.id}/decision", json={"decision": "confirm", "reason": "x"}, headers=api.as_("JO-GID")
    )
    assert other.status_code == 404
    log = api.client.get("/api/v1/audit/log", params={"limit": 1000}, headers=headers).json()
    decided = [
        (e["record_ids"], e["detail"]["decision"], e["detail"]["reason"])
        for e in log
        if e["action"] == "screening.decision"
    ]
    assert sorted(decided) == sorted(
        [([first.id], "confirm", "passport agrees"), ([second.id], "dismiss", "born 30 years later")]
    )


def test_jobs_outlive_the_server_and_are_shared_within_the_agency(api: Api) -> None:
    person(api.node, api.actors["JO-GID"], "Abu Bakr al-Baghdadi")
    job = _screen(api, "FR-DGSI", b"id,name\nA1,Abu Bakr al-Baghdadi\n")
    colleague, _ = directory.create_user(
        api.node,
        api.actors["FR-DGSI"],
        User(username="analyst.fr", agency="FR-DGSI", roles=frozenset({Role.ANALYST})),
        "another long password",
    )
    token = auth.issue_token(api.node, directory.actor_for(api.node, "FR-DGSI", colleague.username)).secret
    with in_process(create_app(api.node)) as restarted:
        answer = restarted.get(f"/api/v1/screenings/{job['id']}", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200 and answer.json()["state"] == "done"
        assert len(answer.json()["results"][0]["matches"]) == 1
        listed = restarted.get("/api/v1/screenings", headers={"Authorization": f"Bearer {token}"}).json()
        assert [j["id"] for j in listed] == [job["id"]] and listed[0]["results"] is None


def test_a_match_on_a_record_hidden_since_drops_out(api: Api) -> None:
    shared = person(api.node, api.actors["JO-GID"], "Abu Bakr al-Baghdadi")
    job = _screen(api, "FR-DGSI", b"id,name\nA1,Abu Bakr al-Baghdadi\n")
    records.edit_record(api.node, api.actors["JO-GID"], shared.id, envelope=EnvelopeInput(distribution="owner"))
    answer = api.client.get(f"/api/v1/screenings/{job['id']}", headers=api.as_("FR-DGSI")).json()
    assert answer["results"][0]["matches"] == []
    refused = api.client.post(
        f"/api/v1/screenings/{job['id']}/rows/0/matches/{shared.id}/decision",
        json={"decision": "confirm", "reason": "x"},
        headers=api.as_("FR-DGSI"),
    )
    assert refused.status_code == 404


def test_a_job_whose_worker_stopped_reads_as_failed(api: Api) -> None:
    job = screening_jobs.start_job(
        api.node, api.actors["FR-DGSI"], b"id,name\n1,Someone Else\n", "m.csv", "csv", run=lambda work: None
    )
    assert screening_jobs.get_job(api.node, api.actors["FR-DGSI"], job.id).state == "queued"
    api.node.clock.advance(minutes=11)  # type: ignore[attr-defined]
    answer = api.client.get(f"/api/v1/screenings/{job.id}", headers=api.as_("FR-DGSI")).json()
    assert answer["state"] == "failed" and answer["error"]["code"] == "interrupted"


def test_confirming_a_paxlst_match_records_the_observed_movement(api: Api) -> None:
    wanted = person(api.node, api.actors["JO-GID"], "Ahmed Yousef al-Hashimi")
    manifest = (Path(__file__).resolve().parents[1] / "formats" / "data" / "paxlst_lh600_d02b.edi").read_bytes()
    started = api.client.post(
        "/api/v1/screenings",
        files={"file": ("lh600.edi", manifest, "application/edifact")},
        data={"format": "paxlst"},
        headers=api.as_("DE-BKA"),
    )
    assert started.status_code == 202, started.text
    job = started.json()
    deadline = time.monotonic() + 30
    while job["state"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.05)
        job = api.client.get(f"/api/v1/screenings/{job['id']}", headers=api.as_("DE-BKA")).json()
    hit_rows = [line for line in job["results"] if line["matches"]]
    assert [m["entity_id"] for line in hit_rows for m in line["matches"]] == [wanted.id]
    assert hit_rows[0]["traveller"]["flight"] == "LH600"
    answer = api.client.post(
        f"/api/v1/screenings/{job['id']}/rows/{hit_rows[0]['row']}/matches/{wanted.id}/decision",
        json={"decision": "confirm", "reason": "passport N01234567 seen at FRA"},
        headers=api.as_("DE-BKA"),
    )
    assert answer.status_code == 200, answer.text
    links = api.client.get(f"/api/v1/records/{wanted.id}/links", headers=api.as_("DE-BKA")).json()
    movements = [link["record"] for link in links if link["record"]["schema"] == "Movement"]
    assert len(movements) == 1 and movements[0]["flight"] == "LH600"
    assert movements[0]["evidence"] == "observed" and movements[0]["envelope"]["owner"] == "DE-BKA"
