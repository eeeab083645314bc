"""Read a STIX 2.1 bundle into import items: our own exports exactly, other tools' bundles as far as they go.

An object carrying the ictdb extension gives back its body and envelope as exported; its references to
records are turned into the keys of the bundle's objects for those records, or left as record ids of the
node when the record was not in the bundle. Other objects are mapped from their standard properties
(see docs/formats.md); what cannot be mapped is counted in the ParseReport, never dropped silently.

The bundle is checked first, as a whole: an object that is not a STIX 2.1 type, lacks a required
property, or refers to an object that is neither in the bundle nor a predefined TLP marking is refused
with its index and id, and nothing is imported.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

from ictdb.formats.stix.common import EXTENSION_ID, TLP1, TLP_LEVELS, record_uuid
from ictdb.model.bundle import ImportItem, ParseReport
from ictdb.model.envelope import Distribution, DistributionKind, EnvelopeInput
from ictdb.model.errors import ImportFailed, ValidationError
from ictdb.model.records import Body, Identifier
from ictdb.model.stored import parse_body
from ictdb.model.vocab import GroupRelationKind

MAX_BYTES = 500_000_000
_ID = re.compile(
    r"^([a-z0-9][a-z0-9-]*[a-z0-9])--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
_SDO = {
    "attack-pattern": ("name",),
    "campaign": ("name",),
    "course-of-action": ("name",),
    "grouping": ("context", "object_refs"),
    "identity": ("name",),
    "incident": ("name",),
    "indicator": ("pattern", "pattern_type", "valid_from"),
    "infrastructure": ("name",),
    "intrusion-set": ("name",),
    "location": (),
    "malware": ("is_family",),
    "malware-analysis": ("product",),
    "note": ("content", "object_refs"),
    "observed-data": ("first_observed", "last_observed", "number_observed"),
    "opinion": ("opinion", "object_refs"),
    "report": ("name", "published", "object_refs"),
    "threat-actor": ("name",),
    "tool": ("name",),
    "vulnerability": ("name",),
    "relationship": ("relationship_type", "source_ref", "target_ref"),
    "sighting": ("sighting_of_ref",),
}
_META = {
    "marking-definition": ("created",),
    "language-content": ("created", "modified", "object_ref", "contents"),
    "extension-definition": ("created", "modified", "name", "schema", "version", "extension_types"),
}
_SCO = {
    "artifact",
    "autonomous-system",
    "directory",
    "domain-name",
    "email-addr",
    "email-message",
    "file",
    "ipv4-addr",
    "ipv6-addr",
    "mac-addr",
    "mutex",
    "network-traffic",
    "process",
    "software",
    "url",
    "user-account",
    "windows-registry-key",
    "x509-certificate",
}
_NOT_RECORDS = {"location", "marking-definition", "extension-definition", "language-content"} | _SCO
_TLP_DISTRIBUTION = {
    "red": DistributionKind.OWNER,
    "amber+strict": DistributionKind.OWNER,  # the agencies it was meant for are not named in the bundle
    "amber": DistributionKind.MEMBERS,
    "green": DistributionKind.MEMBERS,
    "clear": DistributionKind.MEMBERS,
    "white": DistributionKind.MEMBERS,
}


class _Bundle:
    def __init__(self, objects: list[dict[str, Any]], filename: str) -> None:
        self.objects = objects
        self.filename = filename
        self.by_id: dict[str, dict[str, Any]] = {}
        self.index: dict[str, int] = {}

    def fail(self, index: int, obj: Any, message: str, field: str | None = None) -> ImportFailed:
        ident = obj.get("id") if isinstance(obj, dict) else None
        where = f"object {index + 1}" + (f" ({ident})" if isinstance(ident, str) else "")
        return ImportFailed(f"{where}: {message}", file=self.filename, field=field)

    def check(self) -> None:
        for index, obj in enumerate(self.objects):
            if not isinstance(obj, dict):
                raise self.fail(index, obj, "not a JSON object")
            kind, ident = obj.get("type"), obj.get("id")
            if not isinstance(kind, str) or not isinstance(ident, str):
                raise self.fail(index, obj, "needs a type and an id", "type" if not isinstance(kind, str) else "id")
            required: tuple[str, ...]
            if kind in _SDO:
                required = ("spec_version", "created", "modified", *_SDO[kind])
            elif kind in _META:
                required = _META[kind]
            elif kind in _SCO:
                required = ()
            else:
                raise self.fail(index, obj, f"unknown STIX 2.1 type {kind[:60]!r}", "type")
            match = _ID.match(ident)
            if not match or match.group(1) != kind:
                raise self.fail(index, obj, f"id must be '{kind}--' and a UUID", "id")
            for prop in required:
                if obj.get(prop) in (None, "", []):
                    raise self.fail(index, obj, f"required property {prop} is missing", prop)
            if obj.get("spec_version", "2.1") != "2.1":
                raise self.fail(index, obj, f"spec_version {obj.get('spec_version')!r} is not 2.1", "spec_version")
            if kind == "location" and not (obj.get("region") or obj.get("country") or "latitude" in obj):
                raise self.fail(index, obj, "a location needs a region, a country or a latitude", "country")
            previous = self.by_id.get(ident)
            if previous is None or str(obj.get("modified", "")) >= str(previous.get("modified", "")):
                self.by_id[ident] = obj
                self.index[ident] = index
        for index, obj in enumerate(self.objects):
            explained = _explained(obj)
            for prop, value in obj.items():
                refs = [value] if prop.endswith("_ref") else value if prop.endswith("_refs") else None
                if refs is None:
                    continue
                if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
                    raise self.fail(index, obj, "references must be ids", prop)
                for ref in refs:
                    known = ref in self.by_id or ref in TLP_LEVELS or ref in TLP1
                    if not known and ref.partition("--")[2] not in explained:
                        raise self.fail(index, obj, f"refers to {ref[:80]}, which is not in the bundle", prop)


def _extension(obj: dict[str, Any]) -> dict[str, Any] | None:
    extensions = obj.get("extensions")
    if isinstance(extensions, dict):
        ours = extensions.get(EXTENSION_ID)
        if isinstance(ours, dict):
            return ours
    return None


def _explained(obj: dict[str, Any]) -> set[str]:
    """UUIDs of records outside the bundle that our extension's body names; references to them are fine."""
    ours = _extension(obj)
    if not ours or not isinstance(ours.get("body"), dict):
        return set()
    try:
        body = parse_body(ours["body"])
    except ValidationError:
        return set()
    return {record_uuid(r) for refs in body.references().values() for r in refs}


def _stix_date(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def _stix_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return None


class _Importer:
    def __init__(self, bundle: _Bundle) -> None:
        self.bundle = bundle
        self.report = ParseReport()
        self.items: list[ImportItem] = []
        self.record_keys: dict[str, str] = {}
        self.keys: set[str] = set()

    def fail(self, ident: str, message: str, field: str | None = None) -> ImportFailed:
        index = self.bundle.index[ident]
        return self.bundle.fail(index, self.bundle.by_id[ident], message, field)

    def run(self) -> tuple[list[ImportItem], ParseReport]:
        ours: dict[str, dict[str, Any]] = {}
        for ident, obj in self.bundle.by_id.items():
            ext = _extension(obj)
            if ext is not None:
                ours[ident] = ext
        for ident, ext in ours.items():
            if isinstance(ext.get("record_id"), str):
                self.record_keys[ext["record_id"]] = ident
        # Records that are ours first: foreign relationships may point at them.
        foreign = [i for i in self.bundle.by_id if i not in ours]
        self.keys = set(self.record_keys.values()) | {i for i in foreign if self._is_record(i)}
        for ident in sorted(self.bundle.by_id, key=lambda i: self.bundle.index[i]):
            ext = ours.get(ident)
            if ext is not None:
                if "body" in ext:
                    self._ours(ident, ext)
                continue
            self._foreign(ident)
        return self.items, self.report

    def _is_record(self, ident: str) -> bool:
        obj = self.bundle.by_id[ident]
        kind = obj["type"]
        if kind == "identity":
            return obj.get("identity_class") == "individual"
        if kind == "relationship":
            return self._relationship_schema(obj) is not None
        if kind == "sighting":
            return self._type_of(obj["sighting_of_ref"]) == "person"
        return kind in {"threat-actor", "intrusion-set", "incident", "campaign", "report"}

    def _type_of(self, ident: str) -> str | None:
        obj = self.bundle.by_id.get(ident)
        if obj is None:
            return None
        if obj["type"] == "identity":
            ext = _extension(obj)
            schema = ext.get("body", {}).get("schema") if ext and isinstance(ext.get("body"), dict) else None
            if schema == "Organization":
                return "group"
            return "person" if obj.get("identity_class") == "individual" or schema == "Person" else None
        return "group" if obj["type"] in {"threat-actor", "intrusion-set"} else None

    def _relationship_schema(self, obj: dict[str, Any]) -> str | None:
        source, target = self._type_of(obj["source_ref"]), self._type_of(obj["target_ref"])
        kind = obj["relationship_type"]
        if source == "person" and target == "group":
            return "Membership"
        if source == "person" and target == "person":
            return "Association"
        if source == "group" and target == "group" and kind in {k.value for k in GroupRelationKind}:
            return "GroupRelation"
        return None

    def _add(self, ident: str, data: dict[str, Any], envelope: EnvelopeInput | None) -> None:
        try:
            body = parse_body(data)
        except ValidationError as exc:
            raise self.fail(ident, exc.message, exc.field) from None
        self.items.append(ImportItem(ident, body, envelope, self.bundle.index[ident] + 1))

    def _ours(self, ident: str, ext: dict[str, Any]) -> None:
        data = ext["body"]
        if not isinstance(data, dict):
            raise self.fail(ident, "the ictdb extension's body must be an object", "body")
        try:
            body = parse_body(data)
        except ValidationError as exc:
            raise self.fail(ident, exc.message, f"body.{exc.field}" if exc.field else "body") from None
        update: dict[str, Any] = {}
        for field, refs in body.references().items():
            mapped = [self.record_keys.get(r, r) for r in refs]
            update[field] = mapped if isinstance(getattr(body, field), list) else mapped[0]
        try:
            envelope = EnvelopeInput.model_validate(
                {k: ext[k] for k in EnvelopeInput.model_fields if ext.get(k) is not None}
            )
        except ValueError as exc:
            raise self.fail(ident, f"envelope: {exc}".splitlines()[0], "envelope") from None
        mapped_body: Body = body.model_copy(update=update)
        self.items.append(ImportItem(ident, mapped_body, envelope, self.bundle.index[ident] + 1))

    def _envelope(self, obj: dict[str, Any]) -> EnvelopeInput | None:
        for ref in obj.get("object_marking_refs") or []:
            level = TLP_LEVELS.get(ref) or TLP1.get(ref)
            if level is None and ref in self.bundle.by_id:
                ext = (self.bundle.by_id[ref].get("extensions") or {}).values()
                level = next((e.get("tlp_2_0") for e in ext if isinstance(e, dict) and e.get("tlp_2_0")), None)
            if level in _TLP_DISTRIBUTION:
                return EnvelopeInput(distribution=Distribution(_TLP_DISTRIBUTION[level]))
        return None

    def _foreign(self, ident: str) -> None:
        obj = self.bundle.by_id[ident]
        kind = obj["type"]
        if kind in _NOT_RECORDS:
            return
        if not self._is_record(ident):
            if kind == "identity" and obj.get("identity_class") != "individual":
                return  # an organization or system identity: an author or source, not a record
            label = kind if kind != "relationship" else f"relationship {obj['relationship_type']}"
            self.report.count(label)
            return
        data: dict[str, Any] = {}
        identifiers = [
            Identifier(scheme=str(r["source_name"]), value=str(r["external_id"]))
            for r in obj.get("external_references") or []
            if isinstance(r, dict) and r.get("source_name") and r.get("external_id")
        ]
        if identifiers:
            data["identifiers"] = [i.model_dump() for i in identifiers]
        description = obj.get("description")
        if kind == "identity":
            data.update(schema="Person", names=[obj["name"]])
            if description:
                data["notes"] = description
        elif kind in {"threat-actor", "intrusion-set"}:
            aliases = [{"value": a, "kind": "alias"} for a in obj.get("aliases") or [] if a != obj["name"]]
            data.update(schema="Organization", names=[{"value": obj["name"]}, *aliases])
            if "terrorist" in (obj.get("threat_actor_types") or []):
                data["org_type"] = "terrorist-group"
            if founded := _stix_date(obj.get("first_seen")):
                data["founded"] = founded
            if description:
                data["notes"] = description
        elif kind == "relationship":
            self._relationship(ident, obj, data)
        elif kind == "sighting":
            if not self._sighting(ident, obj, data):
                return
        elif kind == "incident":
            data.update(
                schema="Incident",
                title=obj["name"],
                date=_stix_date(obj.get("first_seen")) or _stix_date(obj["created"]),
            )
            if "first_seen" not in obj:
                self.report.warn(f"incident {ident}: no date in STIX; its created date stands in")
            if description:
                data["summary"] = description
        elif kind == "campaign":
            data.update(schema="Plot", title=obj["name"])
            if obj.get("objective"):
                data["target"] = obj["objective"]
            if description:
                data["summary"] = description
        elif kind == "report":
            data.update(schema="Report", title=obj["name"], text=description or "", date=_stix_date(obj["published"]))
            lang = obj.get("lang")
            if isinstance(lang, str) and re.fullmatch(r"[a-z]{2,3}", lang):
                data["language"] = lang
            data["mentions"] = [r for r in obj["object_refs"] if r in self.keys]
        self._add(ident, data, self._envelope(obj))

    def _relationship(self, ident: str, obj: dict[str, Any], data: dict[str, Any]) -> None:
        schema = self._relationship_schema(obj)
        source, target = obj["source_ref"], obj["target_ref"]
        if schema == "Membership":
            data.update(schema=schema, person=source, organization=target)
        elif schema == "Association":
            data.update(schema=schema, person=source, associate=target)
        else:
            data.update(schema=schema, organization=source, target=target, kind=obj["relationship_type"])
            if start := _stix_date(obj.get("start_time")):
                data["date"] = start
            return
        if start := _stix_date(obj.get("start_time")):
            data["start"] = start
        if end := _stix_date(obj.get("stop_time")):
            data["end"] = end
        if obj.get("description"):
            data["notes"] = obj["description"]

    def _sighting(self, ident: str, obj: dict[str, Any], data: dict[str, Any]) -> bool:
        places = []
        for ref in obj.get("where_sighted_refs") or []:
            where = self.bundle.by_id.get(ref, {})
            if where.get("type") == "location" and where.get("country"):
                places.append(
                    {"country": str(where["country"]).upper()} | ({"place": where["city"]} if where.get("city") else {})
                )
        if not places:
            self.report.count("sighting without a country")
            self.report.warn(f"sighting {ident}: no location with a country; a movement needs one")
            return False
        data.update(schema="Movement", person=obj["sighting_of_ref"], origin=places[0])
        if len(places) > 1:
            data["destination"] = places[-1]
        departure, arrival = _stix_time(obj.get("first_seen")), _stix_time(obj.get("last_seen"))
        if departure:
            data["departure"] = departure.isoformat()
        if arrival:
            data["arrival"] = arrival.isoformat()
        if obj.get("description"):
            data["notes"] = obj["description"]
        return True


def import_stix(data: bytes, filename: str) -> tuple[list[ImportItem], ParseReport]:
    """Import items (keyed by STIX id, ``line`` the object's position) and what could not be mapped."""
    if len(data) > MAX_BYTES:
        raise ImportFailed(f"larger than {MAX_BYTES} bytes", file=filename)
    try:
        parsed = json.loads(data)
    except UnicodeDecodeError as exc:
        raise ImportFailed(f"not UTF-8 (byte {exc.start + 1})", file=filename) from None
    except json.JSONDecodeError as exc:
        raise ImportFailed(f"not JSON: {exc.msg} (column {exc.colno})", file=filename, line=exc.lineno) from None
    except RecursionError:
        raise ImportFailed("JSON nested too deeply", file=filename) from None
    if not isinstance(parsed, dict) or parsed.get("type") != "bundle":
        raise ImportFailed("not a STIX bundle (a JSON object with type 'bundle')", file=filename, field="type")
    objects = parsed.get("objects", [])
    if not isinstance(objects, list):
        raise ImportFailed("objects must be a list", file=filename, field="objects")
    bundle = _Bundle(objects, filename)
    bundle.check()
    return _Importer(bundle).run()
