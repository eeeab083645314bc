"""Render records as FollowTheMoney entities (plain dicts, one per JSON line).

Each record becomes the FtM entity that means the same thing, with every value FtM can hold in its
properties, so that OpenSanctions' tools can match against it. What FtM cannot hold (date ranges, GTD
categories, the handling envelope) travels in a top-level ``ictdb`` key that FtM keeps as entity
context: the record id and version and the full body and envelope. Documents, addresses and a report's
mentions are separate FtM entities derived from their record, marked ``derived_from``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from ictdb.formats.ftm.common import CONTEXT, entity_id
from ictdb.model.dates import FuzzyDate, Precision
from ictdb.model.records import (
    Association,
    Designation,
    GroupRelation,
    Incident,
    Membership,
    Movement,
    Name,
    Organization,
    Person,
    Plot,
    Report,
)
from ictdb.model.stored import Record, body_to_data
from ictdb.model.vocab import AssociationKind, DocumentType, GroupRelationKind, NameKind, OrganizationType

_NAME_PROPS = {
    NameKind.PRIMARY: "name",
    NameKind.ALIAS: "alias",
    NameKind.ORIGINAL_SCRIPT: "alias",
    NameKind.WEAK_ALIAS: "weakAlias",
    NameKind.FORMER: "previousName",
}
_SUCCESSION = {GroupRelationKind.MERGED_INTO, GroupRelationKind.RENAMED_TO}
_NO_COUNTRY = {"XX"}


def _moment(value: datetime) -> str:
    """FtM dates carry no offset: a moment is written in UTC, to the second."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat()


def _date(value: FuzzyDate | None) -> list[str]:
    """FtM dates are ISO prefixes; ranges and approximate dates have no FtM form."""
    if value is None or value.precision in (Precision.RANGE, Precision.APPROXIMATE):
        return []
    return [value.text]


def _countries(codes: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(c.lower() for c in codes if c and c not in _NO_COUNTRY))


def _names(names: list[Name]) -> dict[str, list[str]]:
    props: dict[str, list[str]] = {}
    for name in names:
        values = props.setdefault(_NAME_PROPS[name.kind], [])
        if name.value not in values:
            values.append(name.value)
    if "name" not in props:  # FtM needs a name to caption the entity
        first = next(iter(props.values()))
        props["name"] = [first[0]]
    return props


# Name properties: FtM drops a pair of quotes around a whole name ("The Base" -> The Base), as lists write
# nicknames; we write them that way so that what FtM reads is exactly what we wrote.
_NAME_TYPED = {"name", "alias", "weakAlias", "previousName", "firstName", "middleName", "lastName", "fatherName"}


def _unquoted(value: str) -> str:
    if len(value) > 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip() or value
    return value


def _clean(props: dict[str, list[str]]) -> dict[str, list[str]]:
    """Properties with values, each value once (FtM holds a set of values per property)."""
    cleaned: dict[str, list[str]] = {}
    for key, values in props.items():
        if key in _NAME_TYPED:
            values = [_unquoted(v) for v in values]
        if values:
            cleaned[key] = list(dict.fromkeys(values))
    return cleaned


class _Exporter:
    def __init__(self, records: list[Record]) -> None:
        self.records = records

    def run(self) -> Iterator[dict[str, Any]]:
        for record in self.records:
            yield from self.entities(record)

    def entity(self, record: Record, schema: str, props: dict[str, list[str]]) -> dict[str, Any]:
        envelope = record.envelope.model_dump(mode="json", exclude_none=True)
        context = {
            "record_id": record.id,
            "record_version": record.version,
            "created_by": record.created_by,
            "body": body_to_data(record.body),
            "envelope": envelope,
        }
        props.setdefault("publisher", [record.owner])
        props.setdefault("modifiedAt", [_moment(record.updated_at)])
        return {"id": entity_id(record.id), "schema": schema, "properties": _clean(props), CONTEXT: context}

    def derived(self, parent: str, key: str, schema: str, props: dict[str, list[str]]) -> dict[str, Any]:
        return {
            "id": f"{parent}-{key}",
            "schema": schema,
            "properties": _clean(props),
            CONTEXT: {"derived_from": parent},
        }

    def entities(self, record: Record) -> Iterator[dict[str, Any]]:
        body = record.body
        me = entity_id(record.id)
        notes = [body.notes] if body.notes else []
        if isinstance(body, Person):
            props = _names(body.names) | {
                "birthDate": [d for b in body.birth_dates for d in _date(b)],
                "birthPlace": list(body.birth_places),
                "nationality": _countries(body.nationalities),
                "gender": [body.gender.value] if body.gender and body.gender.value != "unknown" else [],
                "title": list(body.titles),
                "notes": notes,
                "passportNumber": [d.number for d in body.documents if d.type is DocumentType.PASSPORT],
                "idNumber": [d.number for d in body.documents if d.type is not DocumentType.PASSPORT],
                "address": [a.text for a in body.addresses if a.text],
                "addressEntity": [f"{me}-address-{n}" for n in range(len(body.addresses))],
                "topics": ["crime.terror"],
            }
            yield self.entity(record, "Person", props)
            for n, doc in enumerate(body.documents):
                schema = "Passport" if doc.type is DocumentType.PASSPORT else "Identification"
                yield self.derived(
                    me,
                    f"document-{n}",
                    schema,
                    {
                        "holder": [me],
                        "number": [doc.number],
                        "type": [doc.type.value],
                        "country": _countries([doc.country]),
                        "startDate": _date(doc.issued_on),
                        "endDate": _date(doc.expires_on),
                        "summary": [doc.note] if doc.note else [],
                    },
                )
            for n, address in enumerate(body.addresses):
                full = ", ".join(p for p in (address.text, address.city, address.region) if p)
                yield self.derived(
                    me,
                    f"address-{n}",
                    "Address",
                    {
                        "full": [full] if full else [],
                        "street": [address.text] if address.text else [],
                        "city": [address.city] if address.city else [],
                        "region": [address.region] if address.region else [],
                        "country": _countries([address.country]),
                        "summary": [address.note] if address.note else [],
                    },
                )
        elif isinstance(body, Organization):
            props = _names(body.names) | {
                "incorporationDate": _date(body.founded),
                "dissolutionDate": _date(body.dissolved),
                "country": _countries(body.areas),
                "classification": [body.ideology] if body.ideology else [],
                "legalForm": [body.org_type.value] if body.org_type else [],
                "status": [body.status.value] if body.status else [],
                "notes": notes,
                "topics": ["crime.terror"] if body.org_type is OrganizationType.TERRORIST_GROUP else [],
            }
            yield self.entity(record, "Organization", props)
        elif isinstance(body, Membership):
            yield self.entity(
                record,
                "Membership",
                {
                    "member": [entity_id(body.person)],
                    "organization": [entity_id(body.organization)],
                    "role": [body.role.value],
                    "startDate": _date(body.start),
                    "endDate": _date(body.end),
                    "description": notes,
                },
            )
        elif isinstance(body, Association):
            family = body.kind is AssociationKind.FAMILY
            yield self.entity(
                record,
                "Family" if family else "Associate",
                {
                    "person": [entity_id(body.person)],
                    "relative" if family else "associate": [entity_id(body.associate)],
                    "relationship": [body.kind.value],
                    "startDate": _date(body.start),
                    "endDate": _date(body.end),
                    "description": notes,
                },
            )
        elif isinstance(body, GroupRelation):
            if body.kind in _SUCCESSION:
                props = {"predecessor": [entity_id(body.organization)], "successor": [entity_id(body.target)]}
                schema = "Succession"
            else:
                props = {"subject": [entity_id(body.organization)], "object": [entity_id(body.target)]}
                schema = "UnknownLink"
            props |= {"role": [body.kind.value], "date": _date(body.date), "description": notes}
            yield self.entity(record, schema, props)
        elif isinstance(body, Movement):
            travel = " ".join(p for p in (body.carrier, body.flight) if p)
            yield self.entity(
                record,
                "Trip",
                {
                    "name": [body.caption() + (f" {travel}" if travel else "")],
                    "involved": [entity_id(body.person)],
                    "startDate": [_moment(body.departure)] if body.departure else [],
                    "endDate": [_moment(body.arrival)] if body.arrival else [],
                    "country": _countries([body.origin.country, body.destination.country]),
                    "location": [p for p in (body.origin.place, body.destination.place) if p],
                    "notes": notes,
                },
            )
        elif isinstance(body, (Incident, Plot)):
            if isinstance(body, Incident):
                involved = body.perpetrators + body.perpetrator_groups
                when = _date(body.date)
            else:
                involved = body.persons + body.organizations
                when = _date(body.timeframe)
            yield self.entity(
                record,
                "Event",
                {
                    "name": [body.title],
                    "date": when,
                    "country": _countries([body.country]),
                    "location": [body.place] if body.place else [],
                    "involved": [entity_id(r) for r in involved],
                    "summary": [body.summary] if body.summary else [],
                    "notes": notes,
                },
            )
        elif isinstance(body, Designation):
            yield self.entity(
                record,
                "Sanction",
                {
                    "entity": [entity_id(body.subject)],
                    "authority": [body.authority],
                    "program": [body.list_name],
                    "authorityId": [body.reference] if body.reference else [],
                    "listingDate": _date(body.listed_on),
                    "endDate": _date(body.ended_on),
                    "reason": [body.reason] if body.reason else [],
                    "description": notes,
                },
            )
        elif isinstance(body, Report):
            yield self.entity(
                record,
                "Article",
                {
                    "title": [body.title],
                    "name": [body.title],
                    "bodyText": [body.text] if body.text else [],
                    "publishedAt": _date(body.date),
                    "notes": notes,
                },
            )
            for mention in dict.fromkeys(body.mentions):
                yield self.derived(
                    me,
                    f"mention-{entity_id(mention)}",
                    "Documentation",
                    {"document": [me], "entity": [entity_id(mention)], "role": ["mentions"]},
                )


def export_ftm(records: Iterable[Record]) -> Iterator[dict[str, Any]]:
    """FtM entities for ``records``, in order, each followed by the entities derived from it."""
    return _Exporter(list(records)).run()
