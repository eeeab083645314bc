"""The resolution and network commands and API routes, as an analyst uses them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from api.client import in_process
from factories import person, seed_agencies
from ictdb.api.app import create_app
from ictdb.services import auth
from ictdb.services.node import Node

ICTDB = [sys.executable, "-m", "ictdb.cli"]


def run(db: str, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ICTDB_DATABASE_URL": db, "COLUMNS": "200"}
    done = subprocess.run([*ICTDB, *args], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == code, done.stderr
    return done


def test_resolve_judge_and_cluster_show_from_the_command_line(database_url: str) -> None:
    run(database_url, "init", "--agency", "FR-DGSI", "--name", "DGSI", "--country", "FR")
    run(database_url, "agency", "create", "JO-GID", "--name", "GID", "--country", "JO")
    run(database_url, "user", "create", "analyst.jo", "--agency", "JO-GID", "--role", "analyst")
    ids = []
    for agency, name, born in [
        ("FR-DGSI", "Abu Bakr al-Baghdadi", "1971-07-28"),
        ("JO-GID", "أبو بكر البغدادي", "1972"),
    ]:
        done = run(
            database_url, "--as", agency, "record", "add", "person", "--name", name, "--birth-date", born, "--json"
        )
        ids.append(json.loads(done.stdout)["id"])
    summary = json.loads(run(database_url, "--as", "FR-DGSI", "resolve", "--json").stdout)
    assert summary["proposals"] == 1
    judged = json.loads(
        run(database_url, "--as", "JO-GID", "judge", *ids, "same", "--reason", "photo", "--json").stdout
    )
    assert judged["judgement"]["verdict"] == "same" and judged["judgement"]["reason"] == "photo"
    again = run(database_url, "--as", "JO-GID", "judge", *ids, "same")
    assert again.stdout.startswith("unchanged: already judged same")
    profile = json.loads(run(database_url, "--as", "FR-DGSI", "cluster", "show", ids[1], "--json").stdout)
    assert profile["cluster"]["size"] == 2 and set(profile["conflicts"]) == {"birth_dates"}
    bad = run(database_url, "--as", "FR-DGSI", "judge", *ids, "maybe", code=2)
    assert "same, not-same or unsure" in bad.stderr
    undone = json.loads(run(database_url, "--as", "FR-DGSI", "judge", *ids, "--undo", "--json").stdout)
    assert undone["judgement"]["verdict"] == "withdrawn" and undone["previous"]["verdict"] == "same"


def test_the_api_hides_pairs_with_a_record_the_caller_may_not_see(node: Node) -> None:
    actors = seed_agencies(node)
    fr, jo = actors["FR-DGSI"], actors["JO-GID"]
    shared = person(node, fr, "Abu Bakr al-Baghdadi")
    secret = person(node, jo, "Abu Bakr al-Baghdadi", distribution="owner")
    bearer = {code: {"Authorization": f"Bearer {auth.issue_token(node, a).secret}"} for code, a in actors.items()}
    with in_process(create_app(node)) as client:
        run_ = client.post("/api/v1/resolution/runs", json={"threshold": 0.7}, headers=bearer["JO-GID"])
        assert run_.status_code == 200 and run_.json()["proposals"] == 1
        assert client.get("/api/v1/resolution/proposals", headers=bearer["FR-DGSI"]).json()["total"] == 0
        assert client.get("/api/v1/resolution/proposals", headers=bearer["JO-GID"]).json()["total"] == 1
        body = {"left": shared.id, "right": secret.id, "verdict": "same"}
        assert client.post("/api/v1/resolution/judgements", json=body, headers=bearer["JO-GID"]).status_code == 200
        assert client.post("/api/v1/resolution/judgements", json=body, headers=bearer["FR-DGSI"]).status_code == 404
        assert (
            client.get(f"/api/v1/resolution/clusters/{shared.id}", headers=bearer["FR-DGSI"]).json()["cluster"]["size"]
            == 1
        )
        assert (
            client.get(f"/api/v1/resolution/clusters/{shared.id}", headers=bearer["JO-GID"]).json()["cluster"]["size"]
            == 2
        )
        undone = client.delete(f"/api/v1/resolution/judgements/{secret.id}/{shared.id}", headers=bearer["JO-GID"])
        assert undone.json()["judgement"]["verdict"] == "withdrawn"
        history = client.get(f"/api/v1/resolution/judgements/{shared.id}/{secret.id}", headers=bearer["JO-GID"]).json()
        assert [j["verdict"] for j in history] == ["same", "withdrawn"]
        assert client.get(f"/api/v1/network/{shared.id}/neighbours", headers=bearer["FR-DGSI"]).status_code == 200
        assert client.get(f"/api/v1/network/{secret.id}/neighbours", headers=bearer["FR-DGSI"]).status_code == 404


def test_a_batch_pass_from_the_command_line_is_for_the_node_operator(database_url: str, tmp_path: Path) -> None:
    run(database_url, "init", "--agency", "FR-DGSI", "--name", "DGSI", "--country", "FR")
    run(database_url, "agency", "create", "JO-GID", "--name", "GID", "--country", "JO")
    run(database_url, "user", "create", "analyst.jo", "--agency", "JO-GID", "--role", "analyst")
    first = ["Omar", "Khalid", "Yusuf", "Ibrahim", "Hassan", "Tariq", "Said", "Anwar"]
    last = ["Haddad", "Qasimi", "Tamimi", "Shami", "Masri", "Halabi", "Rawi", "Juburi"]
    for agency, spelling in (("FR-DGSI", "{} al-{}"), ("JO-GID", "{} {}")):
        lines = [
            json.dumps({"id": f"X{i}", "schema": "Person", "names": [spelling.format(a, b)], "birth_dates": [born]})
            for i, (a, b, born) in enumerate(
                (a, b, f"{1960 + i % 30}-0{1 + i % 9}-1{i % 9}")
                for i, (a, b) in enumerate((a, b) for a in first for b in last)
            )
        ]
        source = tmp_path / f"{agency}.jsonl"
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        run(database_url, "--as", agency, "import", "entities", str(source))
    refused = run(database_url, "--as", "JO-GID:analyst.jo", "resolve", "--batch", code=4)
    assert "node" in refused.stderr.lower()
    summary = json.loads(run(database_url, "resolve", "--batch", "--auto-above", "0.95", "--json").stdout)
    assert summary["scope"] == "node" and summary["threshold"] == 0.9
    assert summary["proposals"] >= 0.9 * 64 and summary["auto_judged"] >= 0.8 * 64
    listed = json.loads(run(database_url, "--as", "JO-GID:analyst.jo", "proposals", "--all", "--json").stdout)
    assert listed["total"] == summary["proposals"]
