"""The ``ictdb`` command end to end, as an operator types it, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ICTDB = [sys.executable, "-m", "ictdb.cli"]


def run(db: str, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ICTDB_DATABASE_URL": db, "COLUMNS": "200"}
    done = subprocess.run([*ICTDB, *args], capture_output=True, text=True, env=env, timeout=120)
    if ok:
        assert done.returncode == 0, done.stderr
    return done


@pytest.fixture
def cli_node(database_url: str) -> str:
    run(database_url, "init", "--agency", "FR-DGSI", "--name", "DGSI", "--country", "FR")
    run(database_url, "agency", "create", "JO-GID", "--name", "General Intelligence Directorate", "--country", "JO")
    run(database_url, "user", "create", "analyst.jo", "--agency", "JO-GID", "--role", "analyst", "--role", "supervisor")
    return database_url


def test_record_add_prints_the_new_record_as_json(cli_node: str) -> None:
    done = run(
        cli_node,
        "--as", "JO-GID",
        "record", "add", "person",
        "--name", "Abu Bakr al-Baghdadi", "--name", "أبو بكر البغدادي",
        "--birth-date", "1971-07-28", "--nationality", "IQ", "--distribution", "owner", "--json",
    )  # fmt: skip
    record = json.loads(done.stdout)
    assert record["id"].startswith("per-")
    assert [n["value"] for n in record["names"]] == ["Abu Bakr al-Baghdadi", "أبو بكر البغدادي"]
    assert record["envelope"]["owner"] == "JO-GID" and record["envelope"]["distribution"] == "owner"
    hidden = run(cli_node, "record", "show", record["id"], ok=False)
    missing = run(cli_node, "record", "show", "per-000000000000", ok=False)
    assert hidden.returncode == missing.returncode == 3
    assert hidden.stderr.replace(record["id"], "ID") == missing.stderr.replace("per-000000000000", "ID")


def test_import_is_idempotent_and_export_round_trips(cli_node: str, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"id": "X1", "schema": "Person", "names": ["Abu Bakr al-Baghdadi", "أبو بكر البغدادي"]}\n'
        '{"id": "O1", "schema": "Organization", "names": ["Islamic State of Iraq"]}\n'
        '{"id": "M1", "schema": "Membership", "person": "X1", "organization": "O1", "role": "leader"}\n',
        encoding="utf-8",
    )
    first = json.loads(run(cli_node, "--as", "JO-GID", "--json", "import", "entities", str(source)).stdout)
    again = json.loads(run(cli_node, "--as", "JO-GID", "--json", "import", "entities", str(source)).stdout)
    assert (first["created"], again["created"], again["unchanged"]) == (3, 0, 3)
    listed = json.loads(run(cli_node, "--as", "JO-GID", "--json", "record", "list").stdout)
    person = next(r for r in listed["records"] if r["schema"] == "Person")
    assert {"scheme": "source-id", "value": "X1"} in person["identifiers"]
    out = tmp_path / "out.jsonl"
    run(cli_node, "--as", "JO-GID", "export", "entities", str(out))
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(line["schema"] for line in lines) == ["Membership", "Organization", "Person"]


def test_bad_line_aborts_import_and_writes_nothing(cli_node: str, tmp_path: Path) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text(
        '{"id": "X1", "schema": "Person", "names": ["Good Person"]}\n'
        '{"id": "X2", "schema": "Person", "names": ["Bad Person"], "nationalities": ["ZZ"]}\n',
        encoding="utf-8",
    )
    done = run(cli_node, "--as", "JO-GID", "import", "entities", str(source), ok=False)
    assert done.returncode == 6
    assert "bad.jsonl:2" in done.stderr and "nationalities" in done.stderr
    listed = json.loads(run(cli_node, "--as", "JO-GID", "--json", "record", "list").stdout)
    assert listed["total"] == 0


def test_acting_as_a_user_of_another_agency_is_refused(cli_node: str) -> None:
    done = run(cli_node, "--as", "FR-DGSI:analyst.jo", "record", "list", ok=False)
    assert done.returncode == 4 and "analyst.jo is not a user of FR-DGSI" in done.stderr


def test_audit_verify_passes_on_an_untouched_chain(cli_node: str) -> None:
    done = json.loads(run(cli_node, "--json", "audit", "verify").stdout)
    assert done["ok"] is True and done["checked"] >= 3


def test_every_command_help_has_an_example() -> None:
    from typer.main import get_command

    from ictdb.cli.main import cli

    group = get_command(cli)
    missing = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", {name: command})
        for sub_name, sub in subcommands.items():
            if "Example:" not in (sub.help or ""):
                missing.append(f"{name} {sub_name}")
    assert missing == []


def test_default_thresholds_in_help_are_the_services_own() -> None:
    """The matching commands load their services when they run, so their help states the defaults in words:
    these must be the numbers the services use."""
    from typer.main import get_command

    from ictdb.cli.main import cli
    from ictdb.services import resolution, splink_batch
    from ictdb.services.search import SCREENING_THRESHOLD, SEARCH_THRESHOLD

    group = get_command(cli)

    def threshold_help(command: str) -> str:
        options = group.commands[command].params  # type: ignore[attr-defined]
        return next(o.help for o in options if o.name == "threshold")

    assert f"(default {SEARCH_THRESHOLD})" in threshold_help("search")
    assert f"(default {SCREENING_THRESHOLD})" in threshold_help("screen")
    assert f"(default {resolution.PROPOSAL_THRESHOLD}; --batch: {splink_batch.PROPOSAL_THRESHOLD})" in threshold_help(
        "resolve"
    )


def test_starting_the_command_line_leaves_the_matcher_unloaded() -> None:
    """``ictdb import`` and the other commands that do not match names start without the matcher and HTTP client."""
    code = (
        "import sys, ictdb.cli.main; "
        "print(sorted(m for m in ('ictdb.matching', 'httpx', 'lxml', 'sqlalchemy.dialects.postgresql') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
