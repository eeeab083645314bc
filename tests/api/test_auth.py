"""Who may call the API: bearer tokens (issued once, hashed, expiring, revocable) and browser sessions."""

from __future__ import annotations

from pathlib import Path

from api.client import in_process
from api.conftest import Api
from conftest import Clock
from ictdb.api.app import create_app
from ictdb.bootstrap import Settings
from ictdb.cli.main import exit_code
from ictdb.model.errors import Unauthenticated


def test_no_token_is_401_with_the_error_shape(api: Api) -> None:
    answer = api.client.get("/api/v1/records")
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthenticated"
    assert answer.headers["www-authenticate"] == "Bearer"


def test_a_wrong_scheme_or_garbage_token_is_401(api: Api) -> None:
    for header in ("Basic abc", "Bearer ictdb_nope", "Bearer ", "Bearer " + "x" * 5000):
        assert api.client.get("/api/v1/records", headers={"Authorization": header}).status_code == 401


def test_an_issued_token_works_until_revoked(api: Api) -> None:
    made = api.client.post("/api/v1/tokens", json={"label": "scanner", "ttl_days": 7}, headers=api.as_("JO-GID"))
    assert made.status_code == 201
    token = made.json()
    bearer = {"Authorization": f"Bearer {token['secret']}"}
    assert api.client.get("/api/v1/agencies", headers=bearer).status_code == 200
    assert api.client.delete(f"/api/v1/tokens/{token['id']}", headers=bearer).status_code == 204
    assert api.client.get("/api/v1/agencies", headers=bearer).status_code == 401
    # another agency cannot revoke someone else's token: it reads as missing
    other = api.client.post("/api/v1/tokens", json={}, headers=api.as_("JO-GID")).json()
    answer = api.client.delete(f"/api/v1/tokens/{other['id']}", headers=api.as_("FR-DGSI"))
    assert answer.status_code == 404


def test_an_expired_token_is_401(api: Api, clock: Clock) -> None:
    made = api.client.post("/api/v1/tokens", json={"ttl_days": 1}, headers=api.as_("IQ-CTS")).json()
    bearer = {"Authorization": f"Bearer {made['secret']}"}
    assert api.client.get("/api/v1/agencies", headers=bearer).status_code == 200
    clock.advance(days=1, seconds=1)
    answer = api.client.get("/api/v1/agencies", headers=bearer)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthenticated"


def test_the_secret_is_not_stored(api: Api) -> None:
    made = api.client.post("/api/v1/tokens", json={}, headers=api.as_("DE-BKA")).json()
    with api.node.store.engine.connect() as connection:
        dumped = "".join(str(row) for row in connection.exec_driver_sql("SELECT * FROM tokens"))
    assert made["id"] in dumped
    assert made["secret"] not in dumped and made["secret"].removeprefix("ictdb_") not in dumped


def test_a_session_cookie_needs_the_csrf_header_to_change_anything(api: Api) -> None:
    page = api.client.post("/api/v1/session", json={"username": "officer.jo-gid", "password": "correct horse battery"})
    assert page.status_code == 200
    assert "HttpOnly" in page.headers["set-cookie"] and "Secure" in page.headers["set-cookie"]
    assert "samesite=strict" in page.headers["set-cookie"].lower()
    cookie = api.client.cookies.get("ictdb_session")
    assert cookie
    assert api.client.get("/api/v1/agencies").status_code == 200
    refused = api.client.post("/api/v1/records", json={"schema": "Person", "names": ["Test Person"]})
    assert refused.status_code == 401
    csrf = api.client.get("/api/v1/session").json()["csrf"]
    made = api.client.post(
        "/api/v1/records", json={"schema": "Person", "names": ["Test Person"]}, headers={"X-CSRF-Token": csrf}
    )
    assert made.status_code == 201


def test_a_wrong_password_is_refused_like_an_unknown_user(api: Api) -> None:
    wrong = api.client.post("/api/v1/session", json={"username": "officer.jo-gid", "password": "nope nope nope"})
    unknown = api.client.post("/api/v1/session", json={"username": "nobody", "password": "nope nope nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert "ictdb_session" not in api.client.cookies


def test_a_session_outlives_a_restart_when_the_key_comes_from_settings(api: Api, tmp_path: Path) -> None:
    key = Settings.from_env({"ICTDB_SESSION_KEY_FILE": str(tmp_path / "session.key")}).session_key()
    with in_process(create_app(api.node, session_key=key)) as first:
        assert (
            first.post(
                "/api/v1/session", json={"username": "officer.jo-gid", "password": "correct horse battery"}
            ).status_code
            == 200
        )
        cookie = first.cookies.get("ictdb_session")
    again = Settings.from_env({"ICTDB_SESSION_KEY_FILE": str(tmp_path / "session.key")}).session_key()
    with in_process(create_app(api.node, session_key=again)) as restarted:
        restarted.cookies.set("ictdb_session", cookie or "")
        assert restarted.get("/api/v1/session").status_code == 200
    with in_process(create_app(api.node)) as other_key:
        other_key.cookies.set("ictdb_session", cookie or "")
        assert other_key.get("/api/v1/session").status_code == 401


def test_the_cli_has_an_exit_code_for_unauthenticated() -> None:
    assert exit_code(Unauthenticated("no")) == 8
