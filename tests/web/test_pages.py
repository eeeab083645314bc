"""The pages in-process: login, search across scripts, a profile, escaping, languages and CSRF."""

from __future__ import annotations

import re
import time

from api.conftest import Api
from factories import person
from ictdb.model.envelope import EnvelopeInput
from ictdb.model.stored import parse_body
from ictdb.services import records


def _log_in(api: Api, username: str = "officer.jo-gid") -> None:
    answer = api.client.post("/login", data={"username": username, "password": "correct horse battery"})
    assert answer.status_code == 303 and answer.headers["location"] == "/"


def test_pages_need_a_login_and_a_wrong_password_says_so(api: Api) -> None:
    assert api.client.get("/").status_code == 303
    failed = api.client.post("/login", data={"username": "officer.jo-gid", "password": "wrong password"})
    assert failed.status_code == 401 and 'role="alert"' in failed.text


def test_search_shows_scores_and_restricted_notices_and_profile_groups_names(api: Api) -> None:
    shared = person(api.node, api.actors["FR-DGSI"], "Abu Bakr al-Baghdadi", "أبو بكر البغدادي", "Абу Бакр аль-Багдади")
    person(api.node, api.actors["DE-BKA"], "Abu Bakr al-Baghdadi", distribution="owner", hit_policy="hit-no-hit")
    _log_in(api)
    page = api.client.get("/", params={"q": "أبو بكر البغدادي", "lang": "ar"})
    assert page.status_code == 200
    assert re.search(r'<html lang="ar" dir="rtl">', page.text)
    assert f'href="/records/{shared.id}"' in page.text and "DE-BKA" in page.text
    assert re.search(r'class="score">0\.\d\d<', page.text) or 'class="score">1.00<' in page.text
    profile = api.client.get(f"/records/{shared.id}")
    assert '<html lang="ar" dir="rtl">' in profile.text  # the language choice is remembered
    for script in ("Arab", "Cyrl", "Latn"):
        assert f"<strong>{script}</strong>" in profile.text
    assert '<bdi dir="auto"' in profile.text and "FR-DGSI" in profile.text


def test_script_injection_in_a_name_renders_as_text(api: Api) -> None:
    evil = person(api.node, api.actors["JO-GID"], "<script>alert(1)</script> Omar")
    _log_in(api)
    profile = api.client.get(f"/records/{evil.id}", params={"lang": "ru"})
    assert "<script>alert(1)</script>" not in profile.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Omar" in profile.text
    assert '<html lang="ru" dir="ltr">' in profile.text


def test_a_hidden_record_page_is_the_same_as_a_missing_one(api: Api) -> None:
    hidden = person(api.node, api.actors["DE-BKA"], "Hidden Person", distribution="owner")
    _log_in(api)
    one = api.client.get(f"/records/{hidden.id}")
    other = api.client.get("/records/per-ffffffffffff")
    assert one.status_code == other.status_code == 404 and one.text == other.text


def test_forms_without_the_csrf_token_are_refused(api: Api) -> None:
    due = person(api.node, api.actors["JO-GID"], "Due Person", review_by="2026-12-01")
    api.node.clock.advance(days=10)  # type: ignore[attr-defined]
    _log_in(api)
    page = api.client.get("/review")
    assert f'href="/records/{due.id}"' in page.text
    form = {"review_by": "2029-01-01", "reason": "still needed"}
    assert api.client.post(f"/review/{due.id}", data=form).status_code == 401
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    kept = api.client.post(f"/review/{due.id}", data={**form, "csrf": csrf.group(1)})
    assert kept.status_code == 303
    assert f'href="/records/{due.id}"' not in api.client.get("/review").text


def test_assets_ship_in_the_package(api: Api) -> None:
    assert "lang-switch" in api.client.get("/static/app.js").text
    assert api.client.get("/static/app.css").status_code == 200
    assert api.client.get("/static/../../api/app.py").status_code == 404


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_screening_upload_progress_and_decisions_in_the_browser_pages(api: Api) -> None:
    wanted = person(api.node, api.actors["JO-GID"], "Abu Bakr al-Baghdadi")
    _log_in(api, "officer.fr-dgsi")
    page = api.client.get("/screenings")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    manifest = "id,name,birth_date\nP1,أبو بكر البغدادي,1971\nP2,Marie Curie,1867\n".encode()
    refused = api.client.post("/screenings", files={"file": ("m.csv", manifest, "text/csv")}, data={"format": "csv"})
    assert refused.status_code == 401  # no CSRF token
    started = api.client.post(
        "/screenings", files={"file": ("m.csv", manifest, "text/csv")}, data={"format": "csv", "csrf": _csrf(page.text)}
    )
    assert started.status_code == 303
    job_url = started.headers["location"]
    job_id = job_url.rsplit("/", 1)[-1]
    deadline = time.monotonic() + 30
    while api.client.get(f"/api/v1/screenings/{job_id}").json()["state"] != "done" and time.monotonic() < deadline:
        time.sleep(0.05)
    shown = api.client.get(job_url)
    assert shown.status_code == 200 and f'href="/records/{wanted.id}"' in shown.text
    assert "أبو بكر البغدادي" in shown.text and 'id="row-0" class="hit"' in shown.text
    action = f"{job_url}/rows/0/matches/{wanted.id}"
    assert f'action="{action}"' in shown.text
    empty = api.client.post(action, data={"decision": "confirm", "reason": " ", "csrf": _csrf(shown.text)})
    assert empty.status_code == 303 and "error=" in empty.headers["location"]
    done = api.client.post(
        action, data={"decision": "confirm", "reason": "<b>same passport</b>", "csrf": _csrf(shown.text)}
    )
    assert done.status_code == 303
    after = api.client.get(job_url)
    assert 'class="decided decided-confirm"' in after.text and "&lt;b&gt;same passport&lt;/b&gt;" in after.text
    assert f'action="{action}"' not in after.text
    # the list shows the job to the agency's users only
    assert f'href="{job_url}"' in api.client.get("/screenings").text
    _log_in(api, "officer.jo-gid")
    assert f'href="{job_url}"' not in api.client.get("/screenings").text
    assert api.client.get(job_url).status_code == 404


def _movement(
    api: Api, agency: str, person_id: str, origin: str, destination: str, when: str, **envelope: object
) -> str:
    body = parse_body(
        {
            "schema": "Movement",
            "person": person_id,
            "origin": {"country": origin},
            "destination": {"country": destination},
            "departure": when,
        }
    )
    made = records.add_record(api.node, api.actors[agency], body, EnvelopeInput.model_validate(envelope or {}))
    return made.id


def test_the_movements_map_draws_only_the_movements_the_viewer_may_see(api: Api) -> None:
    traveller = person(api.node, api.actors["JO-GID"], "Abu Bakr al-Baghdadi", distribution="members")
    _movement(api, "JO-GID", traveller.id, "JO", "SY", "2014-03-01T10:00:00Z", distribution="members")
    hidden = _movement(api, "DE-BKA", traveller.id, "SY", "TR", "2015-05-01T10:00:00Z", distribution="owner")
    _movement(api, "IQ-CTS", traveller.id, "TR", "DE", "2016-07-01T10:00:00Z", distribution="members")
    _log_in(api, "officer.fr-dgsi")
    page = api.client.get(f"/records/{traveller.id}/movements")
    assert page.status_code == 200
    drawn = re.findall(r'class="trip" marker-end="url\(#arrowhead\)" data-from="(\w+)" data-to="(\w+)"', page.text)
    assert drawn == [("JO", "SY"), ("TR", "DE")]
    assert hidden not in page.text
    visited = set(re.findall(r'class="land visited" data-country="(\w+)"', page.text))
    assert visited == {"JO", "SY", "TR", "DE"}
    assert len(re.findall(r'class="land', page.text)) > 150  # the whole world is drawn, from the shipped shapes
    timeline = page.text[page.text.index('<ol class="timeline">') :]
    assert timeline.index("2014-03-01") < timeline.index("2016-07-01") and "2015-05-01" not in timeline
    # the owner of the hidden trip sees all three
    _log_in(api, "officer.de-bka")
    own = api.client.get(f"/records/{traveller.id}/movements").text
    assert len(re.findall(r'class="trip"', own)) == 3


def _add(api: Api, agency: str, data: dict[str, object], **envelope: object) -> str:
    made = records.add_record(
        api.node, api.actors[agency], parse_body(data), EnvelopeInput.model_validate(envelope or {})
    )
    return made.id


def test_the_network_view_draws_visible_members_associates_and_lineage(api: Api) -> None:
    members = {"distribution": "members"}
    leader = _add(api, "JO-GID", {"schema": "Person", "names": ["Abu Musab al-Zarqawi"]}, **members)
    courier = _add(api, "JO-GID", {"schema": "Person", "names": ["Abu Ayyub al-Masri"]}, **members)
    secret = _add(api, "DE-BKA", {"schema": "Person", "names": ["Hidden Member"]}, **members)
    group = _add(api, "JO-GID", {"schema": "Organization", "names": ["Tawhid wal-Jihad"]}, **members)
    successor = _add(api, "IQ-CTS", {"schema": "Organization", "names": ["Islamic State of Iraq"]}, **members)
    _add(api, "JO-GID", {"schema": "Membership", "person": leader, "organization": group, "role": "leader"}, **members)
    _add(api, "JO-GID", {"schema": "Association", "person": leader, "associate": courier, "kind": "courier"}, **members)
    _add(api, "DE-BKA", {"schema": "Membership", "person": secret, "organization": group}, distribution="owner")
    lineage = _add(
        api,
        "IQ-CTS",
        {"schema": "GroupRelation", "organization": group, "target": successor, "kind": "merged-into"},
        **members,
    )
    _log_in(api, "officer.fr-dgsi")
    one = api.client.get(f"/records/{leader}/network")
    assert one.status_code == 200
    drawn = dict(re.findall(r'data-record="([\w-]+)" data-distance="(\d)"', one.text))
    assert drawn == {leader: "0", group: "1", courier: "1"}
    two = api.client.get(f"/records/{leader}/network", params={"hops": 2}).text
    drawn = dict(re.findall(r'data-record="([\w-]+)" data-distance="(\d)"', two))
    assert drawn == {leader: "0", group: "1", courier: "1", successor: "2"}
    assert secret not in two  # its membership is hidden from FR-DGSI, so it is not a neighbour
    assert f'data-relation="{lineage}" data-source="{group}" data-target="{successor}"' in two
    assert 'marker-end="url(#lineage)"' in two and ">merged-into<" in two and ">courier<" in two
    # every node is placed inside the picture, apart from the others
    places = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"|<rect x="([\d.]+)" y="([\d.]+)"', two)
    points = {(float(a or c), float(b or d)) for a, b, c, d in places}
    assert len(points) == 4 and all(0 <= x <= 900 and 0 <= y <= 600 for x, y in points)
    # a group's page adds its lineage and its most central members
    group_page = api.client.get(f"/records/{group}/network").text
    assert re.search(rf'<tr data-relation="{lineage}"><td>[^<]*</td><td><a href="/records/{group}/network"', group_page)
    assert f'<tr data-record="{leader}">' in group_page and f'<tr data-record="{secret}">' not in group_page
    # the shortest chain to another record, through what the viewer may see
    chain = api.client.get(f"/records/{courier}/network", params={"to": successor}).text
    assert re.findall(r'<li data-record="([\w-]+)"', chain) == [courier, leader, group, successor]
    hidden = api.client.get(f"/records/{courier}/network", params={"to": secret})
    missing = api.client.get(f"/records/{courier}/network", params={"to": "per-ffffffffffff"})
    assert hidden.status_code == missing.status_code == 200
    assert 'class="no-chain"' in hidden.text and secret not in hidden.text.replace(f'value="{secret}"', "")
    # the owner of the hidden membership sees its member
    _log_in(api, "officer.de-bka")
    assert f'data-record="{secret}"' in api.client.get(f"/records/{leader}/network", params={"hops": 2}).text
    assert f'<tr data-record="{secret}">' in api.client.get(f"/records/{group}/network").text


def test_errors_on_pages_are_html_pages_with_the_same_status(api: Api) -> None:
    _log_in(api)
    missing_job = api.client.get("/screenings/scr-000000000000", params={"lang": "ar"})
    assert missing_job.status_code == 404 and missing_job.headers["content-type"].startswith("text/html")
    assert '<html lang="ar" dir="rtl">' in missing_job.text and 'data-code="not_found"' in missing_job.text
    bad_hops = api.client.get("/records/per-ffffffffffff/network", params={"hops": "many"})
    assert bad_hops.status_code == 422 and bad_hops.headers["content-type"].startswith("text/html")
    no_csrf = api.client.post("/review/per-ffffffffffff", data={"review_by": "2030-01-01", "reason": "x"})
    assert no_csrf.status_code == 401 and 'href="/login"' in no_csrf.text
    # the API keeps answering JSON
    api_error = api.client.get("/api/v1/screenings/scr-000000000000")
    assert api_error.status_code == 404 and api_error.json()["error"]["code"] == "not_found"
