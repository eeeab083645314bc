"""STIX 2.1: exported bundles are valid STIX, round-trip without loss, and bad bundles are refused clearly."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from stix2validator import ValidationOptions, validate_instance

from ictdb.formats.stix import export_stix, import_stix
from ictdb.formats.stix.common import EXTENSION_ID, TLP_AMBER, TLP_AMBER_STRICT, TLP_RED
from ictdb.model.actors import Agency
from ictdb.model.bundle import ImportItem
from ictdb.model.envelope import Envelope
from ictdb.model.errors import ImportFailed
from ictdb.model.records import Body
from ictdb.model.stored import Record

SAMPLE = json.loads((Path(__file__).parent / "data" / "records.json").read_text())
RECORDS = [Record.model_validate(r) for r in SAMPLE["records"]]
AGENCIES = {a["code"]: Agency.model_validate(a) for a in SAMPLE["agencies"]}
BY_ID = {r.id: r for r in RECORDS}


def valid(bundle: dict[str, Any]) -> None:
    result = validate_instance(bundle, ValidationOptions(version="2.1"))
    errors = [str(e) for e in result.errors]
    assert result.is_valid, errors


def by_id(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["id"]: o for o in bundle["objects"]}


def record_object(bundle: dict[str, Any], record_id: str) -> dict[str, Any]:
    return next(
        o for o in bundle["objects"] if o.get("extensions", {}).get(EXTENSION_ID, {}).get("record_id") == record_id
    )


def back_to_records(items: list[ImportItem], bundle: dict[str, Any]) -> list[Record]:
    """Rebuild stored records from import items, as the import service would with the original ids."""
    key_to_record = {
        o["id"]: o["extensions"][EXTENSION_ID]["record_id"]
        for o in bundle["objects"]
        if "record_id" in o.get("extensions", {}).get(EXTENSION_ID, {})
    }
    out = []
    for item in items:
        original = BY_ID[key_to_record[item.key]]
        refs = {field: [key_to_record.get(r, r) for r in ids] for field, ids in item.body.references().items()}
        body: Body = item.body.model_copy(
            update={f: v if isinstance(getattr(item.body, f), list) else v[0] for f, v in refs.items()}
        )
        assert item.envelope is not None
        envelope = Envelope(owner=original.owner, **item.envelope.model_dump(exclude_none=True))
        out.append(original.model_copy(update={"body": body, "envelope": envelope}))
    return out


def test_export_is_valid_stix_with_markings_owner_identities_and_extension() -> None:
    bundle = export_stix(RECORDS, AGENCIES)
    valid(bundle)
    objects = by_id(bundle)
    for marking in (TLP_RED, TLP_AMBER_STRICT, TLP_AMBER):
        assert objects[marking]["type"] == "marking-definition"
    assert objects[EXTENSION_ID]["type"] == "extension-definition"
    person = record_object(bundle, "rec-p1")
    assert person["type"] == "identity" and person["identity_class"] == "individual"
    assert person["name"] == "Ahmed Yousef al-Hashimi"
    assert person["object_marking_refs"] == [TLP_AMBER]
    owner = objects[person["created_by_ref"]]
    assert (owner["identity_class"], owner["name"]) == ("organization", "Counter-Terrorism Directorate")
    ext = person["extensions"][EXTENSION_ID]
    assert (ext["handling"], ext["grading"], ext["purpose"], ext["review_by"]) == (
        "H1",
        "B2",
        "investigation",
        "2029-02-01",
    )


def test_distribution_maps_to_tlp_2() -> None:
    bundle = export_stix(RECORDS, AGENCIES)
    assert record_object(bundle, "rec-o2")["object_marking_refs"] == [TLP_RED]  # owner only
    assert record_object(bundle, "rec-o1")["object_marking_refs"] == [TLP_AMBER_STRICT]  # a sharing group
    assert record_object(bundle, "rec-m1")["object_marking_refs"] == [TLP_AMBER_STRICT]  # named agencies
    assert record_object(bundle, "rec-a1")["object_marking_refs"] == [TLP_AMBER]  # all members


def test_standard_properties_say_what_stix_can() -> None:
    bundle = export_stix(RECORDS, AGENCIES)
    objects = by_id(bundle)
    group = record_object(bundle, "rec-o1")
    assert group["type"] == "threat-actor" and group["threat_actor_types"] == ["terrorist"]
    assert "ISIL" in group["aliases"] and group["first_seen"].startswith("2004-01-01")
    membership = record_object(bundle, "rec-m1")
    assert (membership["source_ref"], membership["target_ref"]) == (record_object(bundle, "rec-p1")["id"], group["id"])
    assert membership["start_time"].startswith("2013-01-01") and membership["stop_time"].startswith("2019-10-31")
    merger = record_object(bundle, "rec-g1")
    assert merger["relationship_type"] == "merged-into"
    sighting = record_object(bundle, "rec-mv1")
    assert sighting["sighting_of_ref"] == record_object(bundle, "rec-p1")["id"]
    assert [objects[w]["country"] for w in sighting["where_sighted_refs"]] == ["AE", "DE"]
    assert sighting["first_seen"] == "2024-03-15T10:30:00.000Z"
    assert record_object(bundle, "rec-i1")["type"] == "incident"
    assert record_object(bundle, "rec-pl1")["type"] == "campaign"
    note = record_object(bundle, "rec-d1")
    assert note["type"] == "note" and note["object_refs"] == [group["id"]]
    report = record_object(bundle, "rec-r1")
    assert report["lang"] == "ar" and group["id"] in report["object_refs"]


def test_ids_are_deterministic() -> None:
    assert export_stix(RECORDS, AGENCIES) == export_stix(list(RECORDS), AGENCIES)
    alone = export_stix([BY_ID["rec-p1"]], AGENCIES)
    assert record_object(alone, "rec-p1")["id"] == record_object(export_stix(RECORDS, AGENCIES), "rec-p1")["id"]


def test_round_trip_export_import_export_loses_nothing() -> None:
    bundle = export_stix(RECORDS, AGENCIES)
    items, report = import_stix(json.dumps(bundle).encode(), "bundle.json")
    assert not report.unparsed and not report.warnings
    assert len(items) == len(RECORDS)
    rebuilt = back_to_records(items, bundle)
    assert [r.body for r in rebuilt] == [r.body for r in RECORDS]
    assert [r.envelope for r in rebuilt] == [r.envelope for r in RECORDS]
    assert export_stix(rebuilt, AGENCIES) == bundle


def test_references_outside_the_bundle_come_back_as_node_record_ids() -> None:
    bundle = export_stix(RECORDS, AGENCIES)
    items, _ = import_stix(json.dumps(bundle).encode(), "bundle.json")
    membership = next(i for i in items if i.key == record_object(bundle, "rec-m2")["id"])
    assert membership.body.references()["organization"] == ["rec-not-exported"]
    assert membership.body.references()["person"] == [record_object(bundle, "rec-p2")["id"]]


def strip(bundle: dict[str, Any]) -> dict[str, Any]:
    """The bundle as a tool that ignores our extension would pass it on."""
    out = copy.deepcopy(bundle)
    for obj in out["objects"]:
        obj.get("extensions", {}).pop(EXTENSION_ID, None)
        if obj.get("extensions") == {}:
            del obj["extensions"]
    out["objects"] = [o for o in out["objects"] if o["type"] != "extension-definition"]
    return out


def test_bundles_without_our_extension_map_from_standard_properties() -> None:
    # Records naming records outside the export would leave dangling references once the extension is gone.
    closed = [r for r in RECORDS if r.id not in {"rec-m2", "rec-d2", "rec-r1"}]
    bundle = strip(export_stix(closed, AGENCIES))
    valid(bundle)
    items, report = import_stix(json.dumps(bundle).encode(), "opencti.json")
    schemas = sorted(i.body.schema_name for i in items)
    assert schemas.count("Person") == 2 and schemas.count("Organization") == 2
    assert {"Membership", "Association", "GroupRelation", "Movement", "Incident", "Plot", "Report"} <= set(schemas)
    assert report.unparsed.get("note") == 1  # designations have no STIX form outside our extension
    group = next(i for i in items if i.body.schema_name == "Organization" and "ISIL" in [n.value for n in i.body.names])  # type: ignore[attr-defined]
    assert group.body.org_type == "terrorist-group"  # type: ignore[attr-defined]
    member = next(i for i in items if i.body.schema_name == "Membership")
    assert (str(member.body.start), str(member.body.end)) == ("2013-01-01", "2019-10-31")  # type: ignore[attr-defined]
    move = next(i for i in items if i.body.schema_name == "Movement")
    assert (move.body.origin.country, move.body.destination.country) == ("AE", "DE")  # type: ignore[attr-defined]
    assert group.envelope is not None and str(group.envelope.distribution) == "owner"  # AMBER+STRICT
    assert report.unparsed.get("sighting without a country") == 1  # rec-mv2: a place but no country


def failure(bundle: Any) -> ImportFailed:
    with pytest.raises(ImportFailed) as caught:
        import_stix(json.dumps(bundle).encode(), "bad.json")
    assert caught.value.file == "bad.json"
    return caught.value


def base_bundle() -> dict[str, Any]:
    return export_stix([BY_ID["rec-p1"], BY_ID["rec-o1"], BY_ID["rec-m1"]], AGENCIES)


def test_dangling_reference_names_object_and_property() -> None:
    bundle = strip(base_bundle())
    person = next(o for o in bundle["objects"] if o.get("identity_class") == "individual")
    bundle["objects"].remove(person)
    error = failure(bundle)
    assert "not in the bundle" in str(error) and error.field in {"source_ref", "target_ref"}
    assert "object " in str(error) and "relationship--" in str(error)


def test_our_references_outside_the_bundle_must_match_the_body() -> None:
    bundle = base_bundle()
    membership = record_object(bundle, "rec-m1")
    membership["target_ref"] = "threat-actor--11111111-2222-4333-8444-555555555555"
    assert failure(bundle).field == "target_ref"


def test_unknown_type_is_refused() -> None:
    bundle = base_bundle()
    bundle["objects"].append({"type": "x-weapon-cache", "id": "x-weapon-cache--11111111-2222-4333-8444-555555555555"})
    error = failure(bundle)
    assert "unknown STIX 2.1 type" in str(error) and f"object {len(bundle['objects'])}" in str(error)


def test_missing_required_property_is_refused() -> None:
    bundle = strip(base_bundle())
    person = next(o for o in bundle["objects"] if o.get("identity_class") == "individual")
    del person["name"]
    assert failure(bundle).field == "name"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"type": "bundle", "objects": [', "not JSON"),
        (b"\xff\xfe", "not"),
        (b'{"type": "report"}', "not a STIX bundle"),
        (b'{"type": "bundle", "objects": {}}', "objects must be a list"),
        (b'{"type": "bundle", "objects": [{"type": "identity", "id": "identity--1"}]}', "id must be"),
        (b'{"type": "bundle", "objects": [3]}', "not a JSON object"),
    ],
)
def test_malformed_files(data: bytes, expected: str) -> None:
    with pytest.raises(ImportFailed) as caught:
        import_stix(data, "bad.json")
    assert expected in str(caught.value)


def test_tampered_extension_body_names_the_field() -> None:
    bundle = base_bundle()
    record_object(bundle, "rec-p1")["extensions"][EXTENSION_ID]["body"]["nationalities"] = ["Narnia"]
    error = failure(bundle)
    assert error.field is not None and error.field.startswith("body.nationalities")
