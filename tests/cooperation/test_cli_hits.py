"""From the command line: a restricted hit carries the reference that opens a request in one step."""

from __future__ import annotations

import json
from pathlib import Path

from test_cli import run

NAME = "Abu Bakr al-Baghdadi"


def _node(db: str) -> None:
    run(db, "init", "--agency", "FR-DGSI", "--name", "DGSI", "--country", "FR")
    run(db, "agency", "create", "JO-GID", "--name", "General Intelligence Directorate", "--country", "JO")
    run(db, "user", "create", "officer.fr", "--agency", "FR-DGSI", "--role", "analyst")
    run(db, "user", "create", "analyst.jo", "--agency", "JO-GID", "--role", "analyst", "--role", "supervisor")
    run(
        db, "--as", "JO-GID", "record", "add", "person", "--name", NAME,
        "--distribution", "owner", "--hit-policy", "hit-no-hit",
    )  # fmt: skip


def test_search_and_screening_give_the_hit_reference_a_request_quotes(database_url: str, tmp_path: Path) -> None:
    _node(database_url)
    found = json.loads(run(database_url, "--as", "FR-DGSI", "--json", "search", NAME).stdout)
    assert found["matches"] == []
    ((hit,),) = [found["restricted_hits"]]
    assert hit["owner"] == "JO-GID" and hit["hit"].startswith("hit-")
    human = run(database_url, "--as", "FR-DGSI", "search", NAME).stdout
    assert "ask JO-GID" in human and "request open --hit hit-" in human

    manifest = tmp_path / "manifest.csv"
    manifest.write_text(f"id,name\nP1,{NAME}\nP2,Jean Dupont\n", encoding="utf-8")
    results = tmp_path / "results.jsonl"
    run(database_url, "--as", "FR-DGSI", "screen", str(manifest), "--out", str(results))
    first, second = (json.loads(line) for line in results.read_text(encoding="utf-8").splitlines())
    assert first["id"] == "P1" and [h["owner"] for h in first["restricted_hits"]] == ["JO-GID"]
    assert second["restricted_hits"] == []
    screened = first["restricted_hits"][0]["hit"]
    assert screened.startswith("hit-") and screened != hit["hit"]

    done = run(
        database_url, "--as", "FR-DGSI", "--json", "request", "open", "--hit", screened,
        "-j", "on the manifest of flight TK1827",
    )  # fmt: skip
    opened = json.loads(done.stdout)
    assert opened["to_agency"] == "JO-GID" and opened["state"] == "open"
    received = json.loads(run(database_url, "--as", "JO-GID", "--json", "request", "list", "--box", "received").stdout)
    assert [r["id"] for r in received] == [opened["id"]]
    # a reference is good only for the agency it was given to
    stolen = run(database_url, "--as", "JO-GID", "request", "open", "--hit", screened, "-j", "x", ok=False)
    assert stolen.returncode == 3
