"""Sanctions lists and exchange formats through the services and the CLI, on SQLite and PostgreSQL.

The UN and OFAC lists are the real files in the shared data directory; edited copies of the UN list
stand for the list's later versions. Exports are checked with the formats' own tools (followthemoney,
stix2-validator) and against what the acting agency may pass on. Bad files must fail with the file,
line and element named, and leave the node exactly as it was.
"""

from __future__ import annotations

import json
import resource
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from followthemoney import model
from sqlalchemy import func, select
from stix2validator import ValidationOptions, validate_instance

from conftest import DATA, Clock
from factories import seed_agencies
from ictdb.formats.ftm.common import CONTEXT
from ictdb.formats.stix.common import EXTENSION_ID
from ictdb.model.actors import Actor
from ictdb.model.bundle import SOURCE_ID
from ictdb.model.envelope import EnvelopeInput
from ictdb.model.errors import ImportFailed
from ictdb.model.records import Designation, Organization, Person
from ictdb.model.stored import Record, parse_body
from ictdb.model.vocab import DocumentType, HandlingCode, NameKind, Script
from ictdb.services import audit, directory, records, sanctions, transfer
from ictdb.services.directory import node_admin
from ictdb.services.node import Node
from ictdb.storage import tables
from test_cli import run

UN_LIST = DATA / "sanctions" / "un" / "consolidated.xml"
OFAC_DIR = DATA / "sanctions" / "ofac-2019"
SAMPLE = Path(__file__).parent / "formats" / "data" / "records.json"
needs_data = pytest.mark.skipif(not UN_LIST.exists(), reason=f"the shared reference data is not at {DATA}")

# The sample records' agencies, played by the test node's agencies.
AS_AGENCY = {"SY-CTD": "JO-GID", "RU-FSB": "DE-BKA", "UN-SC": "IQ-CTS"}


def written(node: Node) -> tuple[int, int, int]:
    """Records, versions and agencies in the database, whoever may see them."""
    with node.store.transaction() as tx:
        return tuple(  # type: ignore[return-value]
            tx.connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (tables.records, tables.record_versions, tables.agencies)
        )


def entry(text: str, reference: str) -> tuple[int, int]:
    """Where the INDIVIDUAL or ENTITY with this reference number starts and ends in the list's text."""
    at = text.index(f"<REFERENCE_NUMBER>{reference}</REFERENCE_NUMBER>")
    starts = [text.rfind(f"<{t}>", 0, at) for t in ("INDIVIDUAL", "ENTITY")]
    tag = "INDIVIDUAL" if starts[0] > starts[1] else "ENTITY"
    start = max(starts)
    return start, text.index(f"</{tag}>", at) + len(f"</{tag}>")


# -- the UN list ---------------------------------------------------------------------------------------------


@needs_data
def test_un_list_maps_each_field_for_a_member_agency(node: Node) -> None:
    actors = seed_agencies(node)
    result = sanctions.import_un_sc(node, node_admin(node), UN_LIST)
    ids = result.summary.ids_by_key
    assert len(result.summary.created) == 2 * (730 + 273)
    jo = actors["JO-GID"]

    zawahiri = records.get_record(node, jo, ids["QDi.006"])
    assert zawahiri.owner == "UN-SC" and str(zawahiri.envelope.distribution) == "members"
    person = zawahiri.body
    assert isinstance(person, Person)
    names = {(n.value, n.kind) for n in person.names}
    assert ("AIMAN MUHAMMED RABI AL-ZAWAHIRI", NameKind.PRIMARY) in names
    original = next(n for n in person.names if n.kind is NameKind.ORIGINAL_SCRIPT)
    assert (original.value, original.script) == ("أيمن محمد ربيع الظواهري", Script.ARABIC)
    assert ("Ayman Al-Zawahari", NameKind.ALIAS) in names
    assert ("Abu Fatma", NameKind.WEAK_ALIAS) in names
    assert [str(d) for d in person.birth_dates] == ["1951-06-19"]
    assert person.birth_places == ["Giza, Egypt"]
    assert person.nationalities == ["EG"]
    assert [(d.type, d.number, d.country) for d in person.documents] == [
        (DocumentType.PASSPORT, "1084010", "EG"),
        (DocumentType.PASSPORT, "19820215", None),
    ]
    assert "Doctor" in person.titles

    designation = records.get_record(node, jo, ids["QDi.006#designation"]).body
    assert isinstance(designation, Designation)
    assert designation.subject == zawahiri.id
    assert (designation.reference, designation.list_name, str(designation.listed_on)) == (
        "QDi.006",
        "Al-Qaida",
        "2001-01-25",
    )
    assert designation.reason is not None and designation.reason.startswith("Leader of Al-Qaida (QDe.004)")
    assert designation.ended_on is None

    # Several names in one alias, and a birth year range.
    several = {n.value for n in records.get_record(node, jo, ids["IRi.003"]).body.names}  # type: ignore[union-attr]
    assert {"Azim Adhajani", "Azim Agha-Jani"} <= several
    ranged = records.get_record(node, jo, ids["CDi.030"]).body
    assert isinstance(ranged, Person) and [str(d) for d in ranged.birth_dates] == ["1973/1974"]
    group = records.get_record(node, jo, ids["QDe.004"]).body
    assert isinstance(group, Organization) and "AL-QAIDA" in {n.value.upper() for n in group.names}


@needs_data
def test_un_list_updates_are_deltas(node: Node, clock: Clock, tmp_path: Path) -> None:
    actors = seed_agencies(node)
    admin, jo = node_admin(node), actors["JO-GID"]
    first = sanctions.import_un_sc(node, admin, UN_LIST)
    ids = first.summary.ids_by_key
    text = UN_LIST.read_text(encoding="utf-8")
    version = tmp_path / "consolidated.xml"

    # An entry removed: its Designation ends with the date of the import; nothing is deleted.
    clock.advance(days=30)
    start, end = entry(text, "QDi.006")
    text = text[:start] + text[end:]
    version.write_text(text, encoding="utf-8")
    removed = sanctions.import_un_sc(node, admin, version)
    assert removed.delisted == [ids["QDi.006#designation"]]
    assert (removed.summary.created, removed.summary.updated) == ([], [])
    ended = records.get_record(node, jo, ids["QDi.006#designation"])
    assert isinstance(ended.body, Designation) and str(ended.body.ended_on) == str(node.today())
    assert ended.version == 2 and records.get_record(node, jo, ids["QDi.006"]).version == 1

    # A field changed: reported field by field, and a new version of that record only.
    clock.advance(days=30)
    text = text.replace("<FIRST_NAME>ERIC</FIRST_NAME>", "<FIRST_NAME>ERICK</FIRST_NAME>", 1)
    text = text.replace("<LISTED_ON>2012-12-31</LISTED_ON>", "<LISTED_ON>2013-01-02</LISTED_ON>", 1)
    version.write_text(text, encoding="utf-8")
    changed = sanctions.import_un_sc(node, admin, version)
    person_id, designation_id = ids["CDi.001"], ids["CDi.001#designation"]
    assert sorted(changed.summary.updated) == sorted([person_id, designation_id])
    assert changed.summary.changed_fields == {person_id: ["names"], designation_id: ["listed_on"]}
    assert changed.delisted == [] and changed.summary.created == []
    assert [v.version for v in records.record_history(node, jo, person_id)] == [1, 2]
    renamed = records.get_record(node, jo, person_id).body
    assert isinstance(renamed, Person) and renamed.names[0].value == "ERICK BADEGE"

    # An entry added.
    clock.advance(days=30)
    start, end = entry(text, "QDe.004")
    added_entry = text[start:end].replace("QDe.004", "QDe.999")
    text = text[:end] + added_entry + text[end:]
    version.write_text(text, encoding="utf-8")
    added = sanctions.import_un_sc(node, admin, version)
    assert len(added.summary.created) == 2 and added.summary.updated == [] and added.delisted == []
    assert added.summary.ids_by_key["QDe.999"] in added.summary.created

    # The same file again: nothing changes, no new version anywhere.
    clock.advance(days=30)
    before = written(node)
    again = sanctions.import_un_sc(node, admin, version)
    assert (again.summary.created, again.summary.updated, again.delisted) == ([], [], [])
    assert len(again.summary.unchanged) == len(added.summary.unchanged) + 2
    assert written(node) == before
    still = records.get_record(node, jo, ids["QDi.006#designation"])
    assert still.version == 2 and still.updated_at < clock.now


@needs_data
def test_ofac_import_counts_and_remarks(node: Node) -> None:
    actors = seed_agencies(node)
    result = sanctions.import_ofac_sdn(node, node_admin(node), OFAC_DIR)
    ids = result.summary.ids_by_key
    # The node holds nothing else: what a member agency counts is the list.
    counts = records.counts_by_schema(node, actors["FR-DGSI"])
    assert counts["Person"] == 3845
    assert counts["Organization"] == 7379 - 3845 - 323 - 217
    assert sum(counts.values()) == len(result.summary.created)
    assert result.report.unparsed["vessel skipped"] == 323
    assert records.list_records(node, actors["FR-DGSI"], owner="US-OFAC", limit=1).total == sum(counts.values())

    badri = records.get_record(node, actors["JO-GID"], ids["12926"]).body
    assert isinstance(badri, Person)
    assert [str(d) for d in badri.birth_dates] == ["1971"]
    assert badri.birth_places == ["Samarra'i, Iraq"]
    assert "ABU BAKR AL-BAGHDADI" in {n.value for n in badri.names if n.kind is NameKind.WEAK_ALIAS}
    canko = records.get_record(node, actors["JO-GID"], ids["16529"]).body
    assert isinstance(canko, Person) and canko.nationalities == ["TR"]
    assert ("U 04765836", "TR") in {(d.number, d.country) for d in canko.documents}
    designation = records.get_record(node, actors["JO-GID"], ids["16529#designation:IFSR"]).body
    assert isinstance(designation, Designation) and designation.subject == ids["16529"]

    again = sanctions.import_ofac_sdn(node, node_admin(node), OFAC_DIR)
    assert (again.summary.created, again.summary.updated, again.delisted) == ([], [], [])


# -- a small shared world for the exports --------------------------------------------------------------------


def agencies_with_group(node: Node) -> dict[str, Actor]:
    actors = seed_agencies(node)
    directory.create_group(node, actors["JO-GID"], "levant-cell", ["DE-BKA", "IQ-CTS"])
    return actors


def sample_world(node: Node) -> tuple[dict[str, Actor], dict[str, Record]]:
    """The format tests' sample records, added through the services by the agencies that play their owners."""
    actors = agencies_with_group(node)
    text = SAMPLE.read_text(encoding="utf-8")
    for theirs, ours in AS_AGENCY.items():
        text = text.replace(theirs, ours)
    made: dict[str, Record] = {}
    for raw in json.loads(text)["records"]:
        body = raw["body"]
        for field in ("person", "organization", "associate", "target", "subject"):
            if field in body:
                body[field] = made[body[field]].id if body[field] in made else None
        for field in ("mentions", "perpetrators", "perpetrator_groups", "persons", "organizations"):
            if field in body:
                body[field] = [made[r].id for r in body[field] if r in made]
        if None in body.values():
            continue  # a link to a record outside the sample
        envelope = {k: v for k, v in raw["envelope"].items() if k != "owner"}
        owner = raw["envelope"]["owner"]
        distribution = envelope["distribution"]
        if distribution.startswith("agencies:"):
            others = [a for a in distribution.removeprefix("agencies:").split(",") if a != owner]
            envelope["distribution"] = "agencies:" + ",".join(others)
        made[raw["id"]] = records.add_record(
            node, actors[owner], parse_body(body), EnvelopeInput.model_validate(envelope)
        )
    assert len(made) >= 14
    return actors, made


def passable(node: Node, actor: Actor) -> set[str]:
    """What the actor may export: every record it may see, less other agencies' H2 records."""
    seen = records.list_records(node, actor, limit=10_000).records
    return {r.id for r in seen if r.owner == actor.agency or r.envelope.handling is not HandlingCode.H2}


def ftm_record_ids(path: Path) -> list[str]:
    entities = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [e[CONTEXT]["record_id"] for e in entities if "record_id" in e.get(CONTEXT, {})]


def stix_record_ids(path: Path) -> list[str]:
    bundle = json.loads(path.read_text(encoding="utf-8"))
    return [
        o["extensions"][EXTENSION_ID]["record_id"]
        for o in bundle["objects"]
        if "record_id" in o.get("extensions", {}).get(EXTENSION_ID, {})
    ]


def ftm_problems(entity: dict[str, Any]) -> list[str]:
    """What followthemoney's own model rejects: an unknown schema or property, or a value it cleans away."""
    schema = model.get(entity["schema"])
    if schema is None:
        return [f"unknown schema {entity['schema']}"]
    proxy = model.get_proxy(entity, cleaned=False)
    found = []
    for prop, values in entity["properties"].items():
        if prop not in schema.properties:
            found.append(f"{entity['schema']} has no property {prop}")
        elif sorted(proxy.get(prop)) != sorted(values):
            found.append(f"{entity['schema']}.{prop}: {values} cleaned to {proxy.get(prop)}")
    return found


def export_events(node: Node, actor: Actor, action: str) -> list[audit.AuditEvent]:
    return [e for e in audit.agency_log(node, actor, action=action, limit=100) if e.action == action]


def test_ftm_export_is_valid_ftm_and_imports_back(node: Node, tmp_path: Path) -> None:
    actors, _ = sample_world(node)
    jo = actors["JO-GID"]
    out = tmp_path / "jo.ftm.json"
    count = transfer.export_ftm_file(node, jo, out)
    entities = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(entities) == count
    assert [p for e in entities for p in ftm_problems(e)] == []
    assert {e["schema"] for e in entities} >= {"Person", "Organization", "Membership", "Sanction", "Succession"}
    assert sorted(ftm_record_ids(out)) == sorted(passable(node, jo))

    # Every export is audited with exactly the records it held.
    (event,) = export_events(node, jo, "export.ftm")
    assert sorted(event.record_ids) == sorted(ftm_record_ids(out))

    # Importable back: each exported record becomes a record of the importing agency, with the same body.
    before = records.count_records(node, jo)
    summary = transfer.import_ftm_file(node, jo, out)
    assert len(summary.created) == len(ftm_record_ids(out))
    assert records.count_records(node, jo) == before + len(summary.created)
    copy_of = {summary.ids_by_key[f"ictdb-{rid}"]: rid for rid in ftm_record_ids(out)}
    for new_id, old_id in copy_of.items():
        new, old = records.get_record(node, jo, new_id), records.get_record(node, jo, old_id)
        assert new.owner == "JO-GID"
        assert comparable(new, copy_of) == comparable(old, {})
    again = transfer.import_ftm_file(node, jo, out)
    assert again.created == [] and again.updated == []


def stix_valid(path: Path) -> dict[str, Any]:
    bundle: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    result = validate_instance(bundle, ValidationOptions(version="2.1"))
    assert result.is_valid, [str(e) for e in result.errors]
    return bundle


def comparable(record: Record, keys: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A record's body and envelope as a round trip must keep them: references named by their source
    key, without the source-id identifier an import adds, without the owner."""
    body = record.body
    for field, refs in body.references().items():
        mapped = [keys.get(r, r) for r in refs]
        body = body.model_copy(update={field: mapped if isinstance(getattr(body, field), list) else mapped[0]})
    data = body.model_dump(mode="json", by_alias=True)
    data["identifiers"] = [i for i in data.get("identifiers", []) if i["scheme"] != SOURCE_ID]
    return data, record.envelope.model_dump(mode="json", exclude={"owner"})


def test_stix_export_is_valid_and_round_trips(
    node_factory: Callable[[Clock], Node], clock: Clock, tmp_path: Path
) -> None:
    node = node_factory(clock)
    actors, _ = sample_world(node)
    jo = actors["JO-GID"]
    first = tmp_path / "first.json"
    transfer.export_stix_file(node, jo, first)
    bundle = stix_valid(first)
    assert sorted(stix_record_ids(first)) == sorted(passable(node, jo))
    (event,) = export_events(node, jo, "export.stix")
    assert sorted(event.record_ids) == sorted(stix_record_ids(first))
    originals = {r.id: r for r in records.list_records(node, jo, limit=1000).records}
    key_of = {
        o["extensions"][EXTENSION_ID]["record_id"]: o["id"]
        for o in bundle["objects"]
        if "record_id" in o.get("extensions", {}).get(EXTENSION_ID, {})
    }
    want = {key_of[rid]: comparable(originals[rid], key_of) for rid in key_of}

    # Import into a fresh node, as the agency that exported, then export again.
    node = node_factory(clock)
    jo = agencies_with_group(node)["JO-GID"]
    summary = transfer.import_stix_file(node, jo, first)
    assert len(summary.created) == len(want)
    second = tmp_path / "second.json"
    transfer.export_stix_file(node, jo, second)
    stix_valid(second)
    keys = {new_id: key for key, new_id in summary.ids_by_key.items()}
    got = {keys[r.id]: comparable(r, keys) for r in records.list_records(node, jo, limit=1000).records}
    assert got == want
    assert sorted(stix_record_ids(second)) == sorted(summary.created)


@needs_data
def test_exports_of_the_un_list_validate(node: Node, tmp_path: Path) -> None:
    actors = seed_agencies(node)
    sanctions.import_un_sc(node, node_admin(node), UN_LIST)
    de = actors["DE-BKA"]
    ftm, stix = tmp_path / "un.ftm.json", tmp_path / "un.stix.json"
    transfer.export_ftm_file(node, de, ftm)
    entities = [json.loads(line) for line in ftm.read_text(encoding="utf-8").splitlines()]
    assert [p for e in entities for p in ftm_problems(e)] == []
    assert len(ftm_record_ids(ftm)) == 2 * (730 + 273)
    transfer.export_stix_file(node, de, stix)
    stix_valid(stix)
    assert len(stix_record_ids(stix)) == 2 * (730 + 273)


def test_exports_hold_only_what_the_agency_may_pass_on(node: Node, tmp_path: Path) -> None:
    actors, made = sample_world(node)
    h2_shared = [r for r in made.values() if r.envelope.handling is HandlingCode.H2 and r.owner == "JO-GID"]
    assert h2_shared, "the sample must hold an H2 record shared with another agency"
    for code, actor in actors.items():
        ftm, stix = tmp_path / f"{code}.ftm.json", tmp_path / f"{code}.stix.json"
        transfer.export_ftm_file(node, actor, ftm)
        transfer.export_stix_file(node, actor, stix)
        allowed = passable(node, actor)
        assert sorted(ftm_record_ids(ftm)) == sorted(allowed)
        assert sorted(stix_record_ids(stix)) == sorted(allowed)
        for record in h2_shared:
            seen = {r.id for r in records.list_records(node, actor, limit=1000).records}
            if code != "JO-GID" and record.id in seen:
                assert record.id not in allowed
        for action, path in (("export.ftm", ftm), ("export.stix", stix)):
            (event,) = export_events(node, actor, action)
            ids = ftm_record_ids(path) if action == "export.ftm" else stix_record_ids(path)
            assert sorted(event.record_ids) == sorted(ids)


# -- bad input -----------------------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&lol4;</FIRST_NAME>
<REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&secret;</FIRST_NAME>
<REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""
OTHER_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<sdnList xmlns="http://tempuri.org/sdnList.xsd"><publshInformation><Record_Count>1</Record_Count>
</publshInformation></sdnList>
"""
GIB = 2**30


def _un_cases(tmp_path: Path) -> dict[str, tuple[Path, list[str]]]:
    """Bad UN list files, each with what its error message must say."""
    real = UN_LIST.read_bytes()
    cut = real.index(b"<REFERENCE_NUMBER>QDi.006")
    cases = {
        "truncated": (real[:cut], ["truncated.xml:", "line"]),
        "billion-laughs": (BILLION_LAUGHS, ["billion-laughs.xml:2", "DOCTYPE"]),
        "external-entity": (EXTERNAL_ENTITY, ["external-entity.xml:2", "DOCTYPE"]),
        "wrong-encoding": (
            real.decode("utf-8").encode("cp1256", errors="replace"),
            ["wrong-encoding.xml:", "encoding"],
        ),
        "other-kind": (OTHER_XML, ["other-kind.xml:2", "<sdnList>", "CONSOLIDATED_LIST"]),
    }
    out = {}
    for name, (data, words) in cases.items():
        path = tmp_path / f"{name}.xml"
        path.write_bytes(data)
        out[name] = (path, words)
    huge = tmp_path / "huge.xml"
    subprocess.run(["truncate", "-s", str(2 * GIB), str(huge)], check=True)
    out["huge"] = (huge, ["huge.xml", "2,147,483,648 bytes", "limit"])
    return out


def _ofac_missing_columns(tmp_path: Path) -> Path:
    directory = tmp_path / "ofac"
    directory.mkdir()
    lines = (OFAC_DIR / "sdn.csv").read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
    (directory / "sdn.csv").write_text(lines[0] + '306,"BANCO NACIONAL DE CUBA","-0- "\n', encoding="utf-8")
    (directory / "alt.csv").write_text("", encoding="utf-8")
    (directory / "add.csv").write_text("", encoding="utf-8")
    return directory


def _stix(tmp_path: Path, name: str, objects: list[dict[str, Any]]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"type": "bundle", "id": "bundle--" + "1" * 8 + "-1111-4111-8111-" + "1" * 12,
                                "objects": objects}), encoding="utf-8")  # fmt: skip
    return path


IDENTITY = {
    "type": "identity",
    "spec_version": "2.1",
    "id": "identity--2b0a3b1c-3a3b-4c4d-8e8f-0a1b2c3d4e5f",
    "created": "2024-01-01T00:00:00.000Z",
    "modified": "2024-01-01T00:00:00.000Z",
    "name": "Ahmed Yousef al-Hashimi",
    "identity_class": "individual",
}
RELATIONSHIP = {
    "type": "relationship",
    "spec_version": "2.1",
    "id": "relationship--6d1f1b2a-1c1d-4e4f-9a9b-0c0d0e0f1a1b",
    "created": "2024-01-01T00:00:00.000Z",
    "modified": "2024-01-01T00:00:00.000Z",
    "relationship_type": "attributed-to",
    "source_ref": IDENTITY["id"],
    "target_ref": "threat-actor--00000000-0000-4000-8000-000000000000",
}


def _other_cases(tmp_path: Path) -> dict[str, tuple[Callable[[Node, Actor], object], list[str]]]:
    """Bad files for the other importers: (the import to attempt, what its error must say)."""
    ofac = _ofac_missing_columns(tmp_path)
    dangling = _stix(tmp_path, "dangling.json", [IDENTITY, RELATIONSHIP])
    unknown = _stix(
        tmp_path, "unknown.json", [IDENTITY, {**IDENTITY, "type": "x-weapon", "id": "x-weapon--" + IDENTITY["id"][10:]}]
    )
    latin = tmp_path / "latin.ftm.json"
    latin.write_bytes('{"id": "a", "schema": "Person", "properties": {"name": ["Müller"]}}\n'.encode("cp1252"))
    cases: dict[str, tuple[Callable[[Node, Actor], object], list[str]]] = {
        "ofac-missing-columns": (
            lambda n, a: sanctions.import_ofac_sdn(n, node_admin(n), ofac),
            ["sdn.csv:2", "column"],
        ),
        "stix-dangling": (
            lambda n, a: transfer.import_stix_file(n, a, dangling),
            ["dangling.json", "object 2", "target_ref"],
        ),
        "stix-unknown-type": (
            lambda n, a: transfer.import_stix_file(n, a, unknown),
            ["unknown.json", "object 2", "x-weapon"],
        ),
        "ftm-wrong-encoding": (lambda n, a: transfer.import_ftm_file(n, a, latin), ["latin.ftm.json:1", "UTF-8"]),
    }
    for name in ("ftm", "stix", "jsonl"):
        huge = tmp_path / f"huge.{name}"
        subprocess.run(["truncate", "-s", str(2 * GIB), str(huge)], check=True)
        do: Callable[[Node, Actor, Path], object] = {
            "ftm": transfer.import_ftm_file,
            "stix": transfer.import_stix_file,
            "jsonl": transfer.import_entities,
        }[name]
        cases[f"{name}-huge"] = ((lambda n, a, do=do, huge=huge: do(n, a, huge)), [f"huge.{name}", "limit"])
    huge_sdn = tmp_path / "ofac-huge"
    huge_sdn.mkdir()
    subprocess.run(["truncate", "-s", str(2 * GIB), str(huge_sdn / "sdn.csv")], check=True)
    cases["ofac-huge"] = (lambda n, a: sanctions.import_ofac_sdn(n, node_admin(n), huge_sdn), ["sdn.csv", "limit"])
    return cases


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@needs_data
def test_bad_files_fail_clearly_and_write_nothing(node: Node, tmp_path: Path) -> None:
    actors = seed_agencies(node)
    jo, admin = actors["JO-GID"], node_admin(node)
    attempts: dict[str, tuple[Callable[[Node, Actor], object], list[str]]] = {
        name: ((lambda n, a, path=path: sanctions.import_un_sc(n, admin, path)), words)
        for name, (path, words) in _un_cases(tmp_path).items()
    }
    attempts |= _other_cases(tmp_path)
    before, peak = written(node), _peak_rss_mib()
    for name, (attempt, words) in attempts.items():
        with pytest.raises(ImportFailed) as failed:
            attempt(node, jo)
        message = str(failed.value)
        assert all(w in message for w in words), (name, message)
        assert written(node) == before, name
    assert _peak_rss_mib() - peak < 300  # not one of the 2 GiB files was read into memory
    assert "UN-SC" not in {a.code for a in directory.list_agencies(node, admin)}


@needs_data
def test_bad_files_through_the_cli(database_url: str, tmp_path: Path) -> None:
    run(database_url, "init", "--agency", "FR-DGSI", "--name", "DGSI", "--country", "FR")
    un = _un_cases(tmp_path)
    dangling = _stix(tmp_path, "dangling.json", [IDENTITY, RELATIONSHIP])
    ofac = _ofac_missing_columns(tmp_path)
    commands = [
        (["import", "un-sc", str(un["truncated"][0])], "truncated.xml:"),
        (["import", "un-sc", str(un["billion-laughs"][0])], "billion-laughs.xml:2"),
        (["import", "un-sc", str(un["other-kind"][0])], "<sdnList>"),
        (["import", "un-sc", str(un["huge"][0])], "limit"),
        (["import", "ofac-sdn", str(ofac)], "sdn.csv:2"),
        (["import", "stix", str(dangling)], "target_ref"),
    ]
    for args, words in commands:
        done = run(database_url, *args, ok=False)
        assert done.returncode == 6, (args, done.stderr)
        assert words in done.stderr, (args, done.stderr)
    listed = json.loads(run(database_url, "--json", "record", "list").stdout)
    assert listed["total"] == 0
