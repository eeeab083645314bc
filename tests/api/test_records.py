"""Records over HTTP: create, read, list, edit with version checks, history, links, delete; errors and limits."""

from __future__ import annotations

from api.conftest import Api

PERSON = {
    "schema": "Person",
    "names": ["Abu Bakr al-Baghdadi", "أبو بكر البغدادي"],
    "envelope": {"distribution": "owner"},
}


def _create(api: Api, agency: str, payload: dict[str, object] | None = None) -> dict[str, object]:
    answer = api.client.post("/api/v1/records", json=payload or PERSON, headers=api.as_(agency))
    assert answer.status_code == 201, answer.text
    made: dict[str, object] = answer.json()
    return made


def test_create_read_list_and_history(api: Api) -> None:
    made = _create(api, "JO-GID")
    assert made["schema"] == "Person" and made["version"] == 1
    assert made["envelope"]["owner"] == "JO-GID"  # type: ignore[index]
    read = api.client.get(f"/api/v1/records/{made['id']}", headers=api.as_("JO-GID"))
    assert read.status_code == 200 and read.headers["etag"] == '"1"'
    assert [n["value"] for n in read.json()["names"]] == ["Abu Bakr al-Baghdadi", "أبو بكر البغدادي"]
    listed = api.client.get("/api/v1/records", params={"schema": "Person"}, headers=api.as_("JO-GID")).json()
    assert listed["total"] == 1 and listed["records"][0]["id"] == made["id"]
    history = api.client.get(f"/api/v1/records/{made['id']}/history", headers=api.as_("JO-GID")).json()
    assert [v["version"] for v in history] == [1]


def test_pages_follow_one_another_after_the_last_id(api: Api) -> None:
    made = sorted(str(_create(api, "JO-GID")["id"]) for _ in range(5))
    seen: list[str] = []
    after: str | None = None
    for _ in range(4):  # three pages of two, then an empty one
        params: dict[str, str | int] = {"limit": 2} | ({"after": after} if after else {})
        page = api.client.get("/api/v1/records", params=params, headers=api.as_("JO-GID")).json()
        assert page["total"] == 5
        if not page["records"]:
            break
        seen += [r["id"] for r in page["records"]]
        after = seen[-1]
    assert seen == made


def test_an_offset_past_any_node_is_refused_and_a_deep_one_is_an_empty_page(api: Api) -> None:
    _create(api, "JO-GID")
    for path in ("/api/v1/records", "/api/v1/resolution/proposals"):
        # PostgreSQL failed with "bigint out of range" on an offset near 2**63
        refused = api.client.get(path, params={"offset": 2**62}, headers=api.as_("JO-GID"))
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["code"] == "invalid"
        deep = api.client.get(path, params={"offset": 1_000_000_000}, headers=api.as_("JO-GID"))
        assert deep.status_code == 200, deep.text
    page = api.client.get("/api/v1/records", params={"offset": 1_000_000_000}, headers=api.as_("JO-GID")).json()
    assert page["records"] == [] and page["total"] == 1


def test_a_hidden_record_answers_exactly_like_a_missing_one(api: Api) -> None:
    made = _create(api, "JO-GID")
    for suffix in ("", "/history", "/links"):
        hidden = api.client.get(f"/api/v1/records/{made['id']}{suffix}", headers=api.as_("FR-DGSI"))
        missing = api.client.get(f"/api/v1/records/per-ffffffffffff{suffix}", headers=api.as_("FR-DGSI"))
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json()["error"]["code"] == missing.json()["error"]["code"] == "not_found"
        assert hidden.json()["error"]["message"].replace(str(made["id"]), "ID") == missing.json()["error"][
            "message"
        ].replace("per-ffffffffffff", "ID")
    assert api.client.get("/api/v1/records", headers=api.as_("FR-DGSI")).json()["total"] == 0
    patched = api.client.patch(f"/api/v1/records/{made['id']}", json={"changes": {}}, headers=api.as_("FR-DGSI"))
    assert patched.status_code == 404
    assert api.client.delete(f"/api/v1/records/{made['id']}", headers=api.as_("FR-DGSI")).status_code == 404


def test_a_stale_edit_is_409_and_changes_nothing(api: Api) -> None:
    made = _create(api, "JO-GID")
    url = f"/api/v1/records/{made['id']}"
    first = api.client.patch(url, json={"changes": {"gender": "male"}, "version": 1}, headers=api.as_("JO-GID"))
    assert first.status_code == 200 and first.json()["version"] == 2 and first.headers["etag"] == '"2"'
    stale = api.client.patch(
        url, json={"changes": {"gender": "female"}}, headers={**api.as_("JO-GID"), "If-Match": '"1"'}
    )
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    assert api.client.get(url, headers=api.as_("JO-GID")).json()["gender"] == "male"
    # a version that is no whole number (a superscript two passes str.isdigit) is a clear 422, not a crash
    for odd in (b'"\xb2"', b'"-1"', b'"two"'):
        refused = api.client.patch(
            url, json={"changes": {"gender": "female"}}, headers={**api.as_("JO-GID"), "If-Match": odd}
        )
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "invalid", refused.text
    history = api.client.get(f"{url}/history", headers=api.as_("JO-GID")).json()
    assert [v["version"] for v in history] == [1, 2]


def test_only_the_owner_may_change_a_shared_record(api: Api) -> None:
    made = _create(api, "JO-GID", {**PERSON, "envelope": {"distribution": "members"}})
    url = f"/api/v1/records/{made['id']}"
    assert api.client.get(url, headers=api.as_("FR-DGSI")).status_code == 200
    answer = api.client.patch(url, json={"changes": {"gender": "male"}}, headers=api.as_("FR-DGSI"))
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden"


def test_delete_then_read_is_404(api: Api) -> None:
    made = _create(api, "IQ-CTS")
    url = f"/api/v1/records/{made['id']}"
    assert api.client.delete(url, params={"reason": "duplicate"}, headers=api.as_("IQ-CTS")).status_code == 204
    assert api.client.get(url, headers=api.as_("IQ-CTS")).status_code == 404


def test_links_show_relationships_the_viewer_may_see(api: Api) -> None:
    person = _create(api, "JO-GID", {**PERSON, "envelope": {"distribution": "members"}})
    group = _create(api, "JO-GID", {"schema": "Organization", "names": ["Test Front"]})
    _create(api, "JO-GID", {"schema": "Membership", "person": person["id"], "organization": group["id"]})
    links = api.client.get(f"/api/v1/records/{person['id']}/links", headers=api.as_("JO-GID")).json()
    assert [(link["direction"], link["record"]["schema"]) for link in links] == [("in", "Membership")]


def test_invalid_bodies_name_the_field(api: Api) -> None:
    answer = api.client.post("/api/v1/records", json={"schema": "Spaceship"}, headers=api.as_("JO-GID"))
    assert answer.status_code == 422 and "schema" in answer.json()["error"]["message"]
    answer = api.client.post(
        "/api/v1/records", json={"schema": "Person", "names": [], "gender": 7}, headers=api.as_("JO-GID")
    )
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "invalid"
    reference = api.client.post(
        "/api/v1/records",
        json={"schema": "Membership", "person": "per-ffffffffffff", "organization": "org-ffffffffffff"},
        headers=api.as_("JO-GID"),
    )
    assert reference.status_code == 422 and "person" in reference.json()["error"]["message"]


def test_bodies_too_large_wrongly_typed_or_too_deep_are_refused(api: Api) -> None:
    headers = api.as_("JO-GID")
    big = api.client.post("/api/v1/records", content=b"[" + b" " * (11 * 1024 * 1024) + b"]", headers=headers)
    assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"
    form = api.client.post("/api/v1/records", data={"schema": "Person"}, headers=headers)
    assert form.status_code == 415 and form.json()["error"]["code"] == "unsupported_media_type"
    deep = api.client.post(
        "/api/v1/records",
        content=b"[" * 100_000 + b"]" * 100_000,
        headers={**headers, "Content-Type": "application/json"},
    )
    assert deep.status_code == 422 and deep.json()["error"]["code"] == "invalid"
    broken = api.client.post("/api/v1/records", content=b"{", headers={**headers, "Content-Type": "application/json"})
    assert broken.status_code == 422


def test_nul_characters_are_refused_in_paths_queries_and_json_on_both_backends(api: Api) -> None:
    # PostgreSQL cannot hold NUL: a record id, a search or a JSON string with one must not reach the database
    headers = api.as_("JO-GID")
    for refused in (
        api.client.get("/api/v1/records/per-%00", headers=headers),
        api.client.get("/api/v1/search", params={"q": "Abu\x00Bakr"}, headers=headers),
        api.client.post("/api/v1/groups", json={"name": "g\x00", "members": ["JO-GID"]}, headers=headers),
        api.client.post("/api/v1/inbox/read", json={"ids": ["alr-\x00"]}, headers=headers),
    ):
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"] == {"code": "invalid", "message": "text may not contain NUL characters"}
    with api.node.store.engine.connect() as connection:
        paths = (
            connection.exec_driver_sql("SELECT detail FROM audit_events WHERE action = 'request.refused' ORDER BY seq")
            .scalars()
            .all()
        )
    assert len(paths) == 4 and "per-\ufffd" in paths[0]


def test_review_queue_and_extension(api: Api) -> None:
    made = _create(api, "JO-GID", {**PERSON, "envelope": {"review_by": "2026-12-01"}})
    assert api.client.get("/api/v1/review/due", headers=api.as_("JO-GID")).json() == []
    api.node.clock.advance(days=10)  # type: ignore[attr-defined]
    due = api.client.get("/api/v1/review/due", headers=api.as_("JO-GID")).json()
    assert [r["id"] for r in due] == [made["id"]]
    kept = api.client.post(
        f"/api/v1/records/{made['id']}/review",
        json={"review_by": "2028-01-01", "reason": "active case"},
        headers=api.as_("JO-GID"),
    )
    assert kept.status_code == 200 and kept.json()["envelope"]["review_by"] == "2028-01-01"
    assert api.client.get("/api/v1/review/due", headers=api.as_("JO-GID")).json() == []


def test_directory_and_roles(api: Api) -> None:
    agencies = api.client.get("/api/v1/agencies", headers=api.as_("IQ-CTS")).json()
    assert {a["code"] for a in agencies} == {"FR-DGSI", "JO-GID", "IQ-CTS", "DE-BKA"}
    refused = api.client.post(
        "/api/v1/agencies", json={"code": "SY-CTD", "name": "x", "country": "SY"}, headers=api.as_("IQ-CTS")
    )
    assert refused.status_code == 403
    user = api.client.post(
        "/api/v1/users", json={"username": "analyst.iq", "roles": ["analyst"]}, headers=api.as_("IQ-CTS")
    )
    assert user.status_code == 201 and user.json()["password"]
    assert user.json()["user"]["agency"] == "IQ-CTS"
    users = api.client.get("/api/v1/users", headers=api.as_("IQ-CTS")).json()
    assert {u["username"] for u in users} == {"officer.iq-cts", "analyst.iq"}
    group = api.client.post("/api/v1/groups", json={"name": "levant", "members": ["JO-GID"]}, headers=api.as_("IQ-CTS"))
    assert group.status_code == 201
    assert [g["name"] for g in api.client.get("/api/v1/groups", headers=api.as_("JO-GID")).json()] == ["levant"]
    assert api.client.get("/api/v1/groups", headers=api.as_("DE-BKA")).json() == []


def test_audit_views_are_for_supervisors_and_show_accesses(api: Api) -> None:
    made = _create(api, "JO-GID", {**PERSON, "envelope": {"distribution": "members"}})
    api.client.get(f"/api/v1/records/{made['id']}", headers=api.as_("FR-DGSI"))
    accesses = api.client.get("/api/v1/audit/accesses", headers=api.as_("JO-GID")).json()
    assert any(e["agency"] == "FR-DGSI" and made["id"] in e["record_ids"] for e in accesses)
    log = api.client.get("/api/v1/audit/log", headers=api.as_("FR-DGSI")).json()
    assert log and {e["agency"] for e in log} == {"FR-DGSI"}


def test_health_and_openapi_answer_without_a_token(api: Api) -> None:
    assert api.client.get("/api/v1/health").json() == {"status": "ok", "initialised": True}
    schema = api.client.get("/api/v1/openapi.json").json()
    assert "/api/v1/records/{record_id}" in schema["paths"]
    assert "hidden" in schema["paths"]["/api/v1/records/{record_id}"]["get"]["description"]


def test_refused_requests_are_audited_under_the_callers_name(api: Api) -> None:
    headers = {**api.as_("JO-GID"), "Content-Type": "text/plain"}
    assert api.client.post("/api/v1/records", content=b"name=x", headers=headers).status_code == 415
    anonymous = api.client.post(
        "/api/v1/records", content=b"[" * 100 + b"]" * 100, headers={"Content-Type": "application/json"}
    )
    assert anonymous.status_code == 422
    with api.node.store.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT username, agency, outcome, detail FROM audit_events WHERE action = 'request.refused' ORDER BY seq"
        ).all()
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("officer.jo-gid", "JO-GID", "refused"),
        ("anonymous", "-", "refused"),
    ]
    assert '"status":415' in rows[0][3].replace(" ", "") and '"path":"/api/v1/records"' in rows[0][3].replace(" ", "")
