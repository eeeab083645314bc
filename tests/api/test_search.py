"""Search, batch match and screening jobs over HTTP: cross-script matches, restricted hits, limits."""

from __future__ import annotations

import time

from api.conftest import Api
from factories import person


def test_search_in_arabic_finds_the_latin_record_and_names_restricted_owners(api: Api) -> None:
    shared = person(api.node, api.actors["JO-GID"], "Abu Bakr al-Baghdadi")
    person(api.node, api.actors["DE-BKA"], "أبو بكر البغدادي", distribution="owner", hit_policy="hit-no-hit")
    person(api.node, api.actors["IQ-CTS"], "Abu Bakr al-Baghdadi", distribution="owner", hit_policy="silent")
    answer = api.client.get("/api/v1/search", params={"q": "أبو بكر البغدادي"}, headers=api.as_("FR-DGSI"))
    assert answer.status_code == 200
    body = answer.json()
    assert [r["id"] for r in body["results"]] == [shared.id]
    assert 0 < body["results"][0]["score"] <= 1 and body["results"][0]["explanation"]
    assert body["restricted_hits"] == [{"owner": "DE-BKA"}]


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
    assert lines["2"]["matches"] == [] and "error" in lines["3"]
    # another user cannot see the job
    assert api.client.get(f"/api/v1/screenings/{job['id']}", headers=api.as_("JO-GID")).status_code == 404


def test_a_broken_manifest_is_422_naming_the_file(api: Api) -> None:
    answer = api.client.post(
        "/api/v1/screenings", files={"file": ("list.csv", b"foo,bar\n1,2\n", "text/csv")}, headers=api.as_("FR-DGSI")
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "import_failed" and "list.csv" in answer.json()["error"]["message"]
