"""Read FollowTheMoney entity JSON lines into import items.

Entities we exported carry their record in the ``ictdb`` context and come back exactly; references to
records also in the file become those entities' keys, others stay record ids of the node. Entities from
other sources (an OpenSanctions export, say) are mapped from their properties; documents and addresses
attach to their holder, a Documentation to its Article; every entity that maps to nothing is counted in
the report by schema.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, BinaryIO

from ictdb.formats.ftm.common import CONTEXT
from ictdb.model.bundle import ImportItem, ParseReport
from ictdb.model.countries import resolve_country
from ictdb.model.dates import FuzzyDate
from ictdb.model.envelope import EnvelopeInput
from ictdb.model.errors import ImportFailed, ValidationError
from ictdb.model.records import Body
from ictdb.model.stored import parse_body
from ictdb.model.vocab import DocumentType, GroupRelationKind, MembershipRole

MAX_LINE = 50_000_000
_PERSON = {"Person"}
_GROUP = {"Organization", "Company", "LegalEntity", "PublicBody"}
_ATTACHED = {"Identification", "Passport", "Address", "Documentation"}
_DOC_TYPES = {t.value for t in DocumentType}


def _first(props: dict[str, list[Any]], name: str) -> str | None:
    values = props.get(name) or []
    return str(values[0]) if values else None


def _date(value: str | None) -> str | None:
    if not value:
        return None
    for size in (10, 7, 4):
        try:
            return FuzzyDate.parse(value[:size]).text
        except ValidationError:
            continue
    return None


def _dates(values: list[Any]) -> list[str]:
    return [d for d in (_date(str(v)) for v in values) if d]


def _countries(values: list[Any]) -> list[str]:
    return list(dict.fromkeys(c for c in (resolve_country(str(v)) for v in values) if c))


class _Reader:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.entities: dict[str, dict[str, Any]] = {}
        self.lines: dict[str, int] = {}
        self.order: list[str] = []

    def read(self, stream: BinaryIO) -> None:
        for number, raw in enumerate(iter(lambda: stream.readline(MAX_LINE + 1), b""), 1):
            if len(raw) > MAX_LINE:
                raise ImportFailed(f"a line is longer than {MAX_LINE} bytes", file=self.filename, line=number)
            if not raw.strip():
                continue
            try:
                data = json.loads(raw)
            except UnicodeDecodeError as exc:
                raise ImportFailed(f"not UTF-8 (byte {exc.start + 1})", file=self.filename, line=number) from None
            except json.JSONDecodeError as exc:
                raise ImportFailed(
                    f"not JSON: {exc.msg} (column {exc.colno})", file=self.filename, line=number
                ) from None
            except RecursionError:
                raise ImportFailed("JSON nested too deeply", file=self.filename, line=number) from None
            if not isinstance(data, dict):
                raise ImportFailed("an entity must be a JSON object", file=self.filename, line=number)
            ident, schema, props = data.get("id"), data.get("schema"), data.get("properties", {})
            for field, ok in (("id", isinstance(ident, str) and ident), ("schema", isinstance(schema, str) and schema)):
                if not ok:
                    raise ImportFailed(
                        "an entity needs an id and a schema", file=self.filename, line=number, field=field
                    )
            if not isinstance(props, dict) or not all(isinstance(v, list) for v in props.values()):
                raise ImportFailed(
                    "properties must map names to lists", file=self.filename, line=number, field="properties"
                )
            assert isinstance(ident, str)
            if ident in self.entities:
                raise ImportFailed(f"entity {ident} appears twice", file=self.filename, line=number, field="id")
            self.entities[ident] = data
            self.lines[ident] = number
            self.order.append(ident)


class _Importer:
    def __init__(self, reader: _Reader) -> None:
        self.reader = reader
        self.report = ParseReport()
        self.items: list[ImportItem] = []
        self.record_keys: dict[str, str] = {}
        self.holders: dict[str, list[dict[str, Any]]] = {}
        self.mentions: dict[str, list[str]] = {}

    def fail(self, ident: str, message: str, field: str | None = None) -> ImportFailed:
        return ImportFailed(
            f"entity {ident}: {message}", file=self.reader.filename, line=self.reader.lines[ident], field=field
        )

    def schema_of(self, ident: str) -> str | None:
        entity = self.reader.entities.get(ident)
        return str(entity["schema"]) if entity else None

    def run(self) -> tuple[list[ImportItem], ParseReport]:
        for ident in self.reader.order:
            context = self.reader.entities[ident].get(CONTEXT)
            if isinstance(context, dict) and isinstance(context.get("record_id"), str):
                self.record_keys[context["record_id"]] = ident
        for ident in self.reader.order:
            entity = self.reader.entities[ident]
            props = entity.get("properties", {})
            schema = entity["schema"]
            if schema in {"Identification", "Passport"}:
                for holder in props.get("holder", []):
                    self.holders.setdefault(str(holder), []).append(entity)
            elif schema == "Documentation":
                for document in props.get("document", []):
                    self.mentions.setdefault(str(document), []).extend(str(e) for e in props.get("entity", []))
        for ident in self.reader.order:
            entity = self.reader.entities[ident]
            context = entity.get(CONTEXT)
            if isinstance(context, dict) and "body" in context:
                self._ours(ident, context)
            elif isinstance(context, dict) and "derived_from" in context:
                continue
            else:
                self._foreign(ident, entity)
        return self.items, self.report

    def _ours(self, ident: str, context: dict[str, Any]) -> None:
        try:
            body = parse_body(context["body"])
        except ValidationError as exc:
            raise self.fail(ident, exc.message, f"body.{exc.field}" if exc.field else "body") from None
        update: dict[str, Any] = {}
        for field, refs in body.references().items():
            mapped = [self.record_keys.get(r, r) for r in refs]
            update[field] = mapped if isinstance(getattr(body, field), list) else mapped[0]
        given = context.get("envelope") or {}
        if not isinstance(given, dict):
            raise self.fail(ident, "the envelope must be an object", "envelope")
        try:
            envelope = EnvelopeInput.model_validate({k: v for k, v in given.items() if k != "owner"})
        except ValueError as exc:
            raise self.fail(ident, str(exc).splitlines()[0], "envelope") from None
        mapped_body: Body = body.model_copy(update=update)
        self.items.append(ImportItem(ident, mapped_body, envelope, self.reader.lines[ident]))

    def ref(self, ident: str | None, allowed: set[str]) -> str | None:
        """The key of a referenced entity in the file if it maps to a record of an allowed kind."""
        if ident is None:
            return None
        entity = self.reader.entities.get(ident)
        if entity is None:
            return None
        context = entity.get(CONTEXT)
        if isinstance(context, dict) and isinstance(context.get("body"), dict):
            kind = context["body"].get("schema")
        else:
            kind = "Person" if entity["schema"] in _PERSON else "Organization" if entity["schema"] in _GROUP else None
        return ident if kind in allowed else None

    def _foreign(self, ident: str, entity: dict[str, Any]) -> None:
        schema = entity["schema"]
        props: dict[str, list[Any]] = entity.get("properties", {})
        mapper: Callable[[str, dict[str, list[Any]]], dict[str, Any] | None] | None = {
            "Person": self._person,
            "Membership": self._membership,
            "Associate": self._association,
            "Family": self._association,
            "Succession": self._group_relation,
            "UnknownLink": self._group_relation,
            "Sanction": self._designation,
            "Event": self._incident,
            "Article": self._report,
        }.get(schema)
        if mapper is None and schema in _GROUP:
            mapper = self._organization
        if mapper is None:
            if schema not in _ATTACHED:
                self.report.count(schema)
            return
        data = mapper(ident, props)
        if data is None:
            return
        notes = [str(v) for key in ("notes", "description") for v in props.get(key, [])]
        if notes and "notes" not in data:
            data["notes"] = "\n".join(notes)
        try:
            body = parse_body(data)
        except ValidationError as exc:
            self.report.count(f"{schema} not mappable")
            self.report.warn(f"line {self.reader.lines[ident]}: entity {ident} ({schema}): {exc.message}")
            return
        self.items.append(ImportItem(ident, body, None, self.reader.lines[ident]))

    def _named(self, props: dict[str, list[Any]]) -> list[dict[str, str]]:
        names: list[dict[str, str]] = []
        for prop, kind in (
            ("name", "primary"),
            ("alias", "alias"),
            ("weakAlias", "weak-alias"),
            ("previousName", "former"),
        ):
            for value in props.get(prop, []):
                if str(value).strip() and all(n["value"] != value for n in names):
                    names.append({"value": str(value), "kind": kind})
        return names

    def _person(self, ident: str, props: dict[str, list[Any]]) -> dict[str, Any] | None:
        names = self._named(props)
        if not names:
            first, last = _first(props, "firstName"), _first(props, "lastName")
            if first or last:
                names.append({"value": " ".join(p for p in (first, last) if p), "kind": "primary"})
        gender = _first(props, "gender")
        documents = []
        for doc in self.holders.get(ident, []):
            dp = doc.get("properties", {})
            number = _first(dp, "number") or _first(dp, "passportNumber")
            if not number:
                continue
            kind = _first(dp, "type")
            documents.append(
                {
                    "type": kind if kind in _DOC_TYPES else "passport" if doc["schema"] == "Passport" else "other",
                    "number": number,
                    "country": next(iter(_countries(dp.get("country", []))), None),
                    "issued_on": _date(_first(dp, "startDate")),
                    "expires_on": _date(_first(dp, "endDate")),
                    "note": _first(dp, "summary"),
                }
            )
        addresses = []
        for ref in props.get("addressEntity", []):
            address = self.reader.entities.get(str(ref))
            if address is None or address["schema"] != "Address":
                continue
            ap = address.get("properties", {})
            addresses.append(
                {
                    "text": _first(ap, "street") or _first(ap, "full"),
                    "city": _first(ap, "city"),
                    "region": _first(ap, "region"),
                    "country": next(iter(_countries(ap.get("country", []))), None),
                    "note": _first(ap, "summary"),
                }
            )
        if not addresses:
            addresses = [{"text": str(a)} for a in props.get("address", [])]
        return {
            "schema": "Person",
            "names": names,
            "birth_dates": _dates(props.get("birthDate", [])),
            "birth_places": [str(p) for p in props.get("birthPlace", [])],
            "nationalities": _countries(props.get("nationality", []) + props.get("citizenship", [])),
            "gender": gender if gender in {"male", "female"} else None,
            "titles": [str(t) for t in props.get("title", [])],
            "documents": [{k: v for k, v in d.items() if v is not None} for d in documents],
            "addresses": [{k: v for k, v in a.items() if v is not None} for a in addresses],
        }

    def _organization(self, ident: str, props: dict[str, list[Any]]) -> dict[str, Any] | None:
        data: dict[str, Any] = {
            "schema": "Organization",
            "names": self._named(props),
            "areas": _countries(props.get("country", []) + props.get("jurisdiction", [])),
            "founded": _date(_first(props, "incorporationDate")),
            "dissolved": _date(_first(props, "dissolutionDate")),
        }
        if "crime.terror" in props.get("topics", []):
            data["org_type"] = "terrorist-group"
        return {k: v for k, v in data.items() if v is not None}

    def _period(self, props: dict[str, list[Any]]) -> dict[str, Any]:
        period = {"start": _date(_first(props, "startDate")), "end": _date(_first(props, "endDate"))}
        return {k: v for k, v in period.items() if v}

    def _unlinked(self, ident: str, what: str) -> None:
        self.report.count(what)
        self.report.warn(f"line {self.reader.lines[ident]}: entity {ident}: {what}")

    def _membership(self, ident: str, props: dict[str, list[Any]]) -> dict[str, Any] | None:
        person = self.ref(_first(props, "member"), {"Person"})
        group = self.ref(_first(props, "organization"), {"Organization"})
        if not (person and group):
            self._unlinked(ident, "Membership without a person and a group in the file")
            return None
        role = (_first(props, "role") or "").lower()
        data = {"schema": "Membership", "person": person, "organization": group} | self._period(props)
        if role in {r.value for r in MembershipRole}:
            data["role"] = role
        return data

    def _association(self, ident: str, props: dict[str, list[Any]]) -> dict[str, Any] | None:
        other = "relative" if "relative" in props else "associate"
        person = self.ref(_first(props, "person"), {"Person"})
        associate = self.ref(_first(props, other), {"Person"})
        if not (person and associate):
            self._unlinked(ident, "Associate/Family without two persons in the file")
            return None
        family = other == "relative" or _first(props, "relationship") == "family"
        kind = _first(props, "relationship") or ""
        known = {"associate", "courier", "financier-of", "recruited-by", "co-defendant", "family"}
        return {
            "schema": "Association",
            "person": person,
            "associate": associate,
            "kind": "family" if family else kind if kind in known else "associate",
        } | self._period(props)

    def _group_relation(self, ident: str, props: dict[str, list[Any]]) -> dict[str, Any] | None:
        first, second = ("predecessor", "successor") if "predecessor" in props else ("subject", "object")
        source = self.ref(_first(props, first), {"Organization"})
        target = self.ref(_first(props, second), {"Organization"})
        role = _first(props, "role") or ("merged-into" if first == "predecessor" else "")
        if not (source and target) or role not in {k.value for k in GroupRelationKind}:
            self._unlinked(ident, "link that is not a relation between two groups")
            return None
        data = {"schema": "GroupRelation", "organization": source, "target": target, "kind": role}
        if when := _date(_first(props, "date") or _first(props, "startDate")):
            data["date"] = when
        return data

    def _designation(self, ident: str, props: dict[str, list[Any]]) -> dict[str, Any] | None:
        subject = self.ref(_first(props, "entity"), {"Person", "Organization"})
        if not subject:
            self._unlinked(ident, "Sanction whose entity is not in the file")
            return None
        data = {
            "schema": "Designation",
            "subject": subject,
            "authority": _first(props, "authority") or "unknown",
            "list_name": _first(props, "program") or _first(props, "programId") or "unknown",
            "reference": _first(props, "unscId") or _first(props, "authorityId"),
            "listed_on": _date(_first(props, "listingDate") or _first(props, "startDate")),
            "ended_on": _date(_first(props, "endDate")),
            "reason": "\n".join(str(r) for r in props.get("reason", [])) or None,
        }
        return {k: v for k, v in data.items() if v is not None}

    def _incident(self, ident: str, props: dict[str, list[Any]]) -> dict[str, Any] | None:
        when = _date(_first(props, "date") or _first(props, "startDate"))
        if not when:
            self._unlinked(ident, "Event without a date")
            return None
        involved = [str(r) for r in props.get("involved", [])]
        data = {
            "schema": "Incident",
            "title": _first(props, "name") or "untitled event",
            "date": when,
            "country": next(iter(_countries(props.get("country", []))), None),
            "place": _first(props, "location"),
            "perpetrators": [r for r in involved if self.ref(r, {"Person"})],
            "perpetrator_groups": [r for r in involved if self.ref(r, {"Organization"})],
            "summary": _first(props, "summary"),
        }
        return {k: v for k, v in data.items() if v is not None}

    def _report(self, ident: str, props: dict[str, list[Any]]) -> dict[str, Any] | None:
        mentions = [m for m in self.mentions.get(ident, []) if m in self.reader.entities]
        data = {
            "schema": "Report",
            "title": _first(props, "title") or _first(props, "name") or "untitled",
            "text": "\n".join(str(t) for t in props.get("bodyText", [])),
            "date": _date(_first(props, "publishedAt") or _first(props, "date")),
            "mentions": list(dict.fromkeys(mentions)),
        }
        return {k: v for k, v in data.items() if v is not None}


def import_ftm(stream: BinaryIO, filename: str) -> tuple[list[ImportItem], ParseReport]:
    """Import items (keyed by FtM entity id, ``line`` the JSON line) and what could not be mapped.

    Raises ImportFailed (file, line, field) for a line that is not JSON, an entity without id or schema,
    a duplicate id, or an entity of ours whose carried record does not validate.
    """
    reader = _Reader(filename)
    reader.read(stream)
    return _Importer(reader).run()
