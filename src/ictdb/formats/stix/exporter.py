"""Render records as a STIX 2.1 bundle: one object per record, our extension carrying the rest.

STIX has no place for most of what a record holds (birth dates, documents, GTD categories), so each
record's object carries the whole body and envelope in the ictdb extension, and the standard properties
say as much as STIX can for tools that do not know the extension. Locations and links that only spell
out part of a record (an address, a perpetrator) are derived objects, marked ``derived_from``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import Any

from ictdb.formats.stix.common import (
    EXTENSION_ID,
    RECORD_TYPES,
    TLP_FOR_DISTRIBUTION,
    agency_stix_id,
    extension_definition,
    node_identity,
    record_stix_id,
    stix_id,
    timestamp,
    tlp_marking,
)
from ictdb.model.actors import Agency
from ictdb.model.countries import country_name
from ictdb.model.dates import FuzzyDate
from ictdb.model.records import (
    Association,
    Designation,
    GroupRelation,
    Incident,
    Membership,
    Movement,
    Organization,
    Person,
    Place,
    Plot,
    Report,
)
from ictdb.model.stored import Record, body_to_data

_ENVELOPE_FIELDS = (
    "owner",
    "distribution",
    "handling",
    "handling_note",
    "hit_policy",
    "grading",
    "purpose",
    "justification",
    "review_by",
)


def _start(value: FuzzyDate) -> str:
    return timestamp(datetime.combine(value.earliest, time.min))


def _end(value: FuzzyDate) -> str:
    return timestamp(datetime.combine(value.latest, time(23, 59, 59, 999000)))


def _day(value: date) -> str:
    return timestamp(datetime.combine(value, time.min))


class _Exporter:
    def __init__(self, records: list[Record], agencies: Mapping[str, Agency]) -> None:
        self.records = records
        self.agencies = agencies
        self.types = {r.id: RECORD_TYPES[r.schema_name] for r in records}
        self.objects: list[dict[str, Any]] = []
        self.markings: set[str] = set()

    def ref(self, record_id: str, expected: str = "identity") -> str:
        """The STIX id of a record; outside the export its type is the one its field implies."""
        return record_stix_id(self.types.get(record_id, expected), record_id)

    def base(self, record: Record) -> dict[str, Any]:
        kind = RECORD_TYPES[record.schema_name]
        marking = TLP_FOR_DISTRIBUTION[record.envelope.distribution.kind]
        self.markings.add(marking)
        envelope = record.envelope.model_dump(mode="json", exclude_none=True)
        extension: dict[str, Any] = {
            "extension_type": "property-extension",
            "record_id": record.id,
            "record_version": record.version,
            "created_by": record.created_by,
            "body": body_to_data(record.body),
        }
        extension.update({k: envelope[k] for k in _ENVELOPE_FIELDS if k in envelope})
        obj: dict[str, Any] = {
            "type": kind,
            "spec_version": "2.1",
            "id": record_stix_id(kind, record.id),
            "created_by_ref": agency_stix_id(record.owner),
            "created": timestamp(record.created_at),
            "modified": timestamp(max(record.updated_at, record.created_at)),
            "object_marking_refs": [marking],
            "extensions": {EXTENSION_ID: extension},
        }
        identifiers = [{"source_name": i.scheme, "external_id": i.value} for i in record.body.identifiers]
        if identifiers:
            obj["external_references"] = identifiers
        return obj

    def derived(self, parent: dict[str, Any], kind: str, key: str, **props: Any) -> dict[str, Any]:
        obj: dict[str, Any] = {
            "type": kind,
            "spec_version": "2.1",
            "id": stix_id(kind, f"{parent['id']}/{key}"),
            "created_by_ref": parent["created_by_ref"],
            "created": parent["created"],
            "modified": parent["modified"],
            "object_marking_refs": parent["object_marking_refs"],
            "extensions": {EXTENSION_ID: {"extension_type": "property-extension", "derived_from": parent["id"]}},
        }
        obj.update(props)
        self.objects.append(obj)
        return obj

    def location(self, parent: dict[str, Any], key: str, country: str, **props: Any) -> str:
        name = props.pop("name", None) or country_name(country)
        return str(self.derived(parent, "location", key, name=name, country=country, **props)["id"])

    def link(self, parent: dict[str, Any], key: str, kind: str, source: str, target: str) -> None:
        self.derived(parent, "relationship", key, relationship_type=kind, source_ref=source, target_ref=target)

    def run(self) -> dict[str, Any]:
        for record in self.records:
            obj = self.base(record)
            self.objects.append(obj)
            self.fill(record, obj)
        head: list[dict[str, Any]] = [tlp_marking(m) for m in sorted(self.markings)]
        head += [node_identity(), extension_definition()]
        for code in sorted({r.owner for r in self.records}):
            agency = self.agencies.get(code)
            identity: dict[str, Any] = {
                "type": "identity",
                "spec_version": "2.1",
                "id": agency_stix_id(code),
                "created": "2024-01-01T00:00:00.000Z",
                "modified": "2024-01-01T00:00:00.000Z",
                "name": agency.name if agency else code,
                "identity_class": "organization",
                "sectors": ["government-national"],
                "extensions": {
                    EXTENSION_ID: {"extension_type": "property-extension", "agency_code": code}
                    | ({"agency_country": agency.country} if agency else {})
                },
            }
            head.append(identity)
        key = "\n".join(f"{r.id}@{r.version}" for r in self.records)
        return {"type": "bundle", "id": stix_id("bundle", key), "objects": head + self.objects}

    def fill(self, record: Record, obj: dict[str, Any]) -> None:
        body = record.body
        if body.notes and not isinstance(body, Report):
            obj["description"] = body.notes
        if isinstance(body, Person):
            obj["name"] = body.caption()
            obj["identity_class"] = "individual"
            for n, address in enumerate(body.addresses):
                if address.country:
                    extra = {k: v for k, v in (("city", address.city), ("street_address", address.text)) if v}
                    where = self.location(obj, f"address/{n}", address.country, **extra)
                    self.link(obj, f"address/{n}/link", "located-at", obj["id"], where)
        elif isinstance(body, Organization):
            obj["name"] = body.caption()
            obj["threat_actor_types"] = ["terrorist"]
            aliases = [n.value for n in body.names if n.value != obj["name"]]
            if aliases:
                obj["aliases"] = list(dict.fromkeys(aliases))
            if body.founded:
                obj["first_seen"] = _start(body.founded)
            if body.dissolved:
                obj["last_seen"] = _end(body.dissolved)
            if body.ideology:
                obj["goals"] = [body.ideology]
            for country in body.areas:
                where = self.location(obj, f"area/{country}", country)
                self.link(obj, f"area/{country}/link", "located-at", obj["id"], where)
        elif isinstance(body, (Membership, Association)):
            if isinstance(body, Membership):
                source, target = self.ref(body.person), self.ref(body.organization, "threat-actor")
                obj["description"] = f"{body.role.value} of the group" + (f". {body.notes}" if body.notes else "")
            else:
                source, target = self.ref(body.person), self.ref(body.associate)
                obj["description"] = f"{body.kind.value}" + (f". {body.notes}" if body.notes else "")
            obj.update(relationship_type="related-to", source_ref=source, target_ref=target)
            if body.start:
                obj["start_time"] = _start(body.start)
            if body.end:
                obj["stop_time"] = _end(body.end)
        elif isinstance(body, GroupRelation):
            obj["relationship_type"] = body.kind.value
            obj["source_ref"] = self.ref(body.organization, "threat-actor")
            obj["target_ref"] = self.ref(body.target, "threat-actor")
            if body.date:
                obj["start_time"] = _start(body.date)
        elif isinstance(body, Movement):
            self.movement(body, obj)
        elif isinstance(body, Incident):
            obj["name"] = body.title
            if body.summary:
                obj["description"] = body.summary
            if body.country:
                where = self.location(obj, "place", body.country, **({"city": body.place} if body.place else {}))
                self.link(obj, "place/link", "related-to", obj["id"], where)
            for ref in body.perpetrators + body.perpetrator_groups:
                if ref in self.types:  # STIX 2.1 suggests no relationship types for incidents yet
                    self.link(obj, f"perpetrator/{ref}", "related-to", obj["id"], self.ref(ref))
        elif isinstance(body, Plot):
            obj["name"] = body.title
            if body.target:
                obj["objective"] = body.target
            if body.summary:
                obj["description"] = body.summary
            if body.timeframe:
                obj["first_seen"] = _start(body.timeframe)
            for ref in body.organizations + body.persons:
                if ref in self.types:
                    kind = "attributed-to" if self.types[ref] == "threat-actor" else "related-to"
                    self.link(obj, f"involved/{ref}", kind, obj["id"], self.ref(ref))
        elif isinstance(body, Designation):
            obj["abstract"] = " ".join(p for p in (body.authority, body.list_name, body.reference) if p)
            obj["content"] = body.reason or f"Listed by {body.authority} on {body.list_name}"
            obj["authors"] = [body.authority]
            obj["object_refs"] = [self.ref(body.subject)]
        elif isinstance(body, Report):
            obj["name"] = body.title
            obj["published"] = _day(body.date.earliest) if body.date else obj["created"]
            if body.text:
                obj["description"] = body.text
            if body.language:
                obj["lang"] = body.language
            refs = [self.ref(m) for m in body.mentions]
            obj["object_refs"] = refs or [obj["created_by_ref"]]

    def movement(self, body: Movement, obj: dict[str, Any]) -> None:
        obj["sighting_of_ref"] = self.ref(body.person)
        obj["count"] = 1
        where: list[str] = []
        for key, place in (("origin", body.origin), ("destination", body.destination)):
            if place.country:
                where.append(self.location(obj, key, place.country, **_place_props(place)))
        if where:
            obj["where_sighted_refs"] = where
        if body.departure:
            obj["first_seen"] = timestamp(body.departure)
        if body.arrival:
            obj["last_seen"] = timestamp(body.arrival)
        travel = " ".join(p for p in (body.mode.value if body.mode else None, body.carrier, body.flight) if p)
        route = f"{body.origin.place or body.origin.country or '?'} -> {body.destination.place or body.destination.country or '?'}"
        obj["description"] = " ".join(p for p in (travel, route, f"({body.evidence.value})") if p)


def _place_props(place: Place) -> dict[str, Any]:
    props: dict[str, Any] = {}
    if place.place:
        props["city"] = place.place
    if place.point_of_entry:
        props["name"] = place.point_of_entry
    return props


def export_stix(records: Iterable[Record], agencies: Mapping[str, Agency]) -> dict[str, Any]:
    """A STIX 2.1 bundle of ``records``, with the owners' identities and the TLP 2.0 markings used.

    The caller decides what may be exported; this only renders. Ids are uuid5 of our record ids, so the
    same records always give the same bundle.
    """
    return _Exporter(list(records), agencies).run()
