"""FollowTheMoney: exported entities are valid for the followthemoney library and round-trip."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from followthemoney import model

from ictdb.formats.ftm import export_ftm, import_ftm
from ictdb.formats.ftm.common import CONTEXT
from ictdb.model.bundle import ImportItem
from ictdb.model.envelope import Envelope
from ictdb.model.errors import ImportFailed
from ictdb.model.records import Body
from ictdb.model.stored import Record

SAMPLE = json.loads((Path(__file__).parent / "data" / "records.json").read_text())
RECORDS = [Record.model_validate(r) for r in SAMPLE["records"]]
BY_ID = {r.id: r for r in RECORDS}


def problems(entity: dict[str, Any]) -> list[str]:
    """What followthemoney's own model rejects in an entity: unknown schema or property, values it cleans away."""
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


def lines(entities: list[dict[str, Any]]) -> io.BytesIO:
    return io.BytesIO(b"".join(json.dumps(e, ensure_ascii=False).encode() + b"\n" for e in entities))


def test_the_validity_check_itself_catches_bad_values() -> None:
    bad = {"id": "x", "schema": "Person", "properties": {"name": ["A"], "nationality": ["narnia"], "colour": ["red"]}}
    assert len(problems(bad)) == 2


def test_every_exported_entity_is_valid_ftm() -> None:
    entities = list(export_ftm(RECORDS))
    assert [p for e in entities for p in problems(e)] == []
    assert len({e["id"] for e in entities}) == len(entities)


def test_mapping_to_ftm_schemata() -> None:
    entities = {e["id"]: e for e in export_ftm(RECORDS)}
    person = entities["ictdb-rec-p1"]
    assert person["schema"] == "Person"
    props = person["properties"]
    assert props["name"] == ["Ahmed Yousef al-Hashimi"]
    assert "أحمد يوسف الهاشمي" in props["alias"] and props["weakAlias"] == ["Ahmad Hashemi"]
    assert props["birthDate"] == ["1971-07-28"]  # the range 1970/1972 has no FtM form; it travels in context
    assert props["nationality"] == ["sy", "iq"] and props["passportNumber"] == ["N01234567"]
    passport = entities["ictdb-rec-p1-document-0"]
    assert passport["schema"] == "Passport" and passport["properties"]["holder"] == ["ictdb-rec-p1"]
    assert entities["ictdb-rec-p1-address-0"]["schema"] == "Address"
    assert entities["ictdb-rec-o1"]["properties"]["topics"] == ["crime.terror"]
    assert entities["ictdb-rec-m1"]["schema"] == "Membership"
    assert entities["ictdb-rec-a1"]["schema"] == "Associate"
    assert entities["ictdb-rec-g1"]["schema"] == "Succession"
    assert entities["ictdb-rec-g1"]["properties"]["predecessor"] == ["ictdb-rec-o2"]
    assert entities["ictdb-rec-g2"]["schema"] == "UnknownLink"
    assert entities["ictdb-rec-d1"]["schema"] == "Sanction"
    assert entities["ictdb-rec-d1"]["properties"]["authorityId"] == ["QDe.115"]
    assert entities["ictdb-rec-i1"]["schema"] == "Event"
    assert entities["ictdb-rec-mv1"]["schema"] == "Trip"
    assert entities["ictdb-rec-r1"]["schema"] == "Article"
    mentions = [e for e in entities.values() if e["schema"] == "Documentation"]
    assert {m["properties"]["entity"][0] for m in mentions} == {
        "ictdb-rec-p1",
        "ictdb-rec-o1",
        "ictdb-rec-outside-person",
    }
    assert person[CONTEXT]["envelope"]["handling"] == "H1" and props["publisher"] == ["SY-CTD"]


def test_ids_are_stable_and_derived_from_record_ids() -> None:
    assert [e["id"] for e in export_ftm(RECORDS)] == [e["id"] for e in export_ftm(RECORDS)]
    odd = RECORDS[0].model_copy(update={"id": "récord/1 with spaces"})
    (entity, *_) = export_ftm([odd])
    assert problems(entity) == [] and entity["id"].startswith("ictdb-") and " " not in entity["id"]


def back_to_records(items: list[ImportItem], entities: list[dict[str, Any]]) -> list[Record]:
    key_to_record = {e["id"]: e[CONTEXT]["record_id"] for e in entities if "record_id" in e.get(CONTEXT, {})}
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


def test_round_trip_export_import_gives_the_same_bodies_and_envelopes() -> None:
    entities = list(export_ftm(RECORDS))
    items, report = import_ftm(lines(entities), "export.ftm.json")
    assert not report.unparsed and not report.warnings
    rebuilt = back_to_records(items, entities)
    assert [r.body for r in rebuilt] == [r.body for r in RECORDS]
    assert [r.envelope for r in rebuilt] == [r.envelope for r in RECORDS]
    assert list(export_ftm(rebuilt)) == entities
    membership = next(i for i in items if i.key == "ictdb-rec-m2")
    assert membership.body.references()["organization"] == ["rec-not-exported"]  # outside the file: a node id


def test_foreign_entities_map_from_properties() -> None:
    # What another FtM source (an OpenSanctions export) would send: no ictdb context.
    closed = [r for r in RECORDS if r.id not in {"rec-m2", "rec-d2"}]
    entities = [{k: v for k, v in e.items() if k != CONTEXT} for e in export_ftm(closed)]
    items, report = import_ftm(lines(entities), "opensanctions.json")
    bodies = {i.key: i.body for i in items}
    person = bodies["ictdb-rec-p1"]
    original = BY_ID["rec-p1"].body
    assert [n.value for n in person.names] == [n.value for n in original.names]  # type: ignore[attr-defined]
    assert person.nationalities == ["SY", "IQ"] and person.gender == original.gender  # type: ignore[attr-defined]
    assert person.documents == original.documents  # type: ignore[attr-defined]
    assert [a.city for a in person.addresses] == ["Aleppo", "Mosul"]  # type: ignore[attr-defined]
    assert [str(d) for d in person.birth_dates] == ["1971-07-28"]  # type: ignore[attr-defined]
    group = bodies["ictdb-rec-o1"]
    assert group.org_type.value == "terrorist-group"  # type: ignore[attr-defined]
    assert "ISIL" in [n.value for n in group.names]  # type: ignore[attr-defined]
    assert bodies["ictdb-rec-m1"].references() == {"person": ["ictdb-rec-p1"], "organization": ["ictdb-rec-o1"]}
    assert bodies["ictdb-rec-g1"].kind.value == "merged-into"  # type: ignore[attr-defined]
    assert bodies["ictdb-rec-g2"].kind.value == "pledged-allegiance-to"  # type: ignore[attr-defined]
    assert bodies["ictdb-rec-d1"].reference == "QDe.115"  # type: ignore[attr-defined]
    assert bodies["ictdb-rec-i1"].perpetrator_groups == ["ictdb-rec-o1"]  # type: ignore[attr-defined]
    assert sorted(bodies["ictdb-rec-r1"].mentions) == ["ictdb-rec-o1", "ictdb-rec-p1"]  # type: ignore[attr-defined]
    assert all(i.envelope is None for i in items)
    assert report.unparsed.get("Trip") == 2  # movements have no importer mapping from plain FtM


@pytest.mark.parametrize(
    ("data", "line", "field"),
    [
        (b'{"id": "a", "schema": "Person", "properties": {"name": ["A"]}}\n{"id": \n', 2, None),
        (b'{"schema": "Person"}\n', 1, "id"),
        (b'{"id": "a"}\n', 1, "schema"),
        (b'{"id": "a", "schema": "Person", "properties": {"name": "A"}}\n', 1, "properties"),
        (b'{"id": "a", "schema": "Person"}\n{"id": "a", "schema": "Person"}\n', 2, "id"),
        (b"\n\n[1, 2]\n", 3, None),
        (b'{"id": "a", "schema": "Person", "properties": {"name": ["M\xfcller"]}}\n', 1, None),
    ],
)
def test_bad_lines_name_file_line_and_field(data: bytes, line: int, field: str | None) -> None:
    with pytest.raises(ImportFailed) as caught:
        import_ftm(io.BytesIO(data), "in.json")
    assert (caught.value.file, caught.value.line, caught.value.field) == ("in.json", line, field)


def test_tampered_context_names_the_body_field() -> None:
    entities = list(export_ftm([BY_ID["rec-p1"]]))
    entities[0][CONTEXT]["body"]["gender"] = "dragon"
    with pytest.raises(ImportFailed) as caught:
        import_ftm(lines(entities), "in.json")
    assert caught.value.field == "body.gender" and caught.value.line == 1
