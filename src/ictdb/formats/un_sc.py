"""The UN Security Council Consolidated Sanctions List (XML) read into Person, Organization and Designation bodies.

Each INDIVIDUAL becomes a Person and each ENTITY an Organization, keyed by its reference number
(``QDi.001``); each is followed by a Designation keyed ``<reference>#designation`` whose subject is that
key. docs/formats.md lists how every element maps and what is left out on purpose.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

import pydantic
from lxml import etree

from ictdb.formats._countries import CountryResolver, country_code
from ictdb.formats._dates import fuzzy_date_text
from ictdb.formats._names import NameList
from ictdb.formats._xml import iter_records, read_bounded, source_line
from ictdb.model.bundle import ImportItem, ParseReport
from ictdb.model.envelope import Distribution, DistributionKind, EnvelopeInput
from ictdb.model.errors import ImportFailed
from ictdb.model.records import (
    Address,
    Body,
    Designation,
    Identifier,
    IdentityDocument,
    Organization,
    Person,
)
from ictdb.model.stored import first_problem
from ictdb.model.vocab import DocumentType, Gender, NameKind, OrganizationStatus, PersonStatus, Purpose

AUTHORITY = "UN Security Council"
ROOT = "CONSOLIDATED_LIST"
DESIGNATION_SUFFIX = "#designation"

# The list is public and binding on every member state: shared with all members, for sanctions enforcement.
ENVELOPE = EnvelopeInput(distribution=Distribution(DistributionKind.MEMBERS), purpose=Purpose.SANCTIONS)

_B = TypeVar("_B", bound=Body)

_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
# Elements read on purpose, and those left out on purpose (bookkeeping of the list, not facts about anyone).
_MAPPED = {
    "DATAID",
    *_NAME_PARTS,
    "UN_LIST_TYPE",
    "REFERENCE_NUMBER",
    "LISTED_ON",
    "GENDER",
    "COMMENTS1",
    "NAME_ORIGINAL_SCRIPT",
    "TITLE",
    "DESIGNATION",
    "NATIONALITY",
    "INDIVIDUAL_ALIAS",
    "INDIVIDUAL_ADDRESS",
    "INDIVIDUAL_DATE_OF_BIRTH",
    "INDIVIDUAL_PLACE_OF_BIRTH",
    "INDIVIDUAL_DOCUMENT",
    "ENTITY_ALIAS",
    "ENTITY_ADDRESS",
}
_IGNORED = {"VERSIONNUM", "LIST_TYPE", "LAST_DAY_UPDATED", "SORT_KEY", "SORT_KEY_LAST_MOD", "NOTE"}

_ALIAS_KINDS = {
    "good": NameKind.ALIAS,
    "low": NameKind.WEAK_ALIAS,
    "a.k.a.": NameKind.ALIAS,
    "f.k.a.": NameKind.FORMER,
}
_FORMERLY = re.compile(r"\b(?:formerly|previously) listed as\b", re.IGNORECASE)
_IN_SCRIPT = re.compile(r"^in (?:arabic|cyrillic|original) script:\s*(.+)$", re.IGNORECASE)
_EXPIRY = re.compile(
    r"\bexpir\w*(?:\s+date)?\s*:?\s*(?:on\s+)?"
    r"(\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{4}|\d{1,2}\s+[A-Za-z]+\.?\s+\d{4})",
    re.IGNORECASE,
)

# "French passport number 05AT521433", "Libyan passport No. 513519", "Diplomatic Passport: Z30321794".
_LABELLED_NUMBER = re.compile(
    r"^(?P<label>.*?(?:\bnumber|\bno\.?|\bn°|\bssn|:))\s*:?\s*(?P<number>(?:[A-Z]{1,3}\s)?\S*\d.*)$", re.IGNORECASE
)
# "Diplomatic Passport D014433", "Libya B014995": words, then a number at the end.
_TRAILING_NUMBER = re.compile(r"^(?P<label>.*[a-z].*?)\s+(?P<number>(?:[A-Z]{1,3}\s)?[A-Z0-9\-/]*\d[A-Z0-9\-/]*)$")
_TRAILING_REMARK = re.compile(r"\s*\((?P<remark>[^()]*)\)\s*$")
_FIRST_TOKEN = re.compile(r"^(?P<number>[A-Z]{0,3} ?[0-9][\w\-/.]*?)[.,;]?(?:\s|$)")


def _labelled_number(text: str, whole: bool) -> tuple[str, str] | None:
    """Split "<what it is> number <number>" into (number, label). With ``whole`` (the NUMBER element) the
    rest of the text is the number; in a note only its first token is."""
    match = _LABELLED_NUMBER.match(text) or (_TRAILING_NUMBER.match(text) if whole else None)
    if match is None:
        if not whole and (token := _FIRST_TOKEN.match(text)):
            return token.group("number"), ""
        return None
    number = match.group("number").strip()
    if not whole:
        token = _FIRST_TOKEN.match(number)
        if token is None:
            return None
        number = token.group("number")
    return number, match.group("label").rstrip(" :")


def _clean(text: str | None) -> str | None:
    value = " ".join((text or "").split())
    return value or None


def _child(element: etree._Element, tag: str) -> str | None:
    return _clean(element.findtext(tag))


def _values(element: etree._Element, tag: str) -> list[str]:
    found = (_clean(value.text) for value in element.findall(f"{tag}/VALUE"))
    return [value for value in found if value]


def _document_type(text: str) -> DocumentType:
    lowered = text.casefold()
    if "passport" in lowered or "pasaporte" in lowered or "passeport" in lowered:
        return DocumentType.PASSPORT
    if "driver" in lowered or "driving" in lowered:
        return DocumentType.DRIVING_LICENCE
    if "residen" in lowered:
        return DocumentType.RESIDENCE_PERMIT
    if "travel document" in lowered:
        return DocumentType.TRAVEL_DOCUMENT
    if "national" in lowered or "identi" in lowered or "tazkira" in lowered:
        return DocumentType.NATIONAL_ID
    return DocumentType.OTHER


class _Entry:
    """One INDIVIDUAL or ENTITY being mapped; collects the fields and what could not be mapped."""

    def __init__(self, element: etree._Element, filename: str, report: ParseReport, countries: CountryResolver):
        self.element = element
        self.filename = filename
        self.report = report
        self.countries = countries
        self.line = source_line(element)
        self.names = NameList()
        self.notes: list[str] = []
        self.birth_dates: list[str] = []
        self.birth_places: list[str] = []
        reference = _child(element, "REFERENCE_NUMBER")
        if reference is None:
            raise ImportFailed(
                "an entry has no reference number", file=filename, line=self.line, field="REFERENCE_NUMBER"
            )
        self.reference = reference

    def fail(self, message: str, field: str) -> ImportFailed:
        return ImportFailed(f"{self.reference}: {message}", file=self.filename, line=self.line, field=field)

    def unmapped(self, what: str, detail: str) -> None:
        self.report.count(what)
        self.notes.append(detail)

    def check_elements(self) -> None:
        for child in self.element:
            tag = child.tag if isinstance(child.tag, str) else ""
            text = _clean(" ".join(str(part) for part in child.itertext()))
            if tag and tag not in _MAPPED and tag not in _IGNORED and text:
                self.unmapped(f"element {tag} not mapped", f"{tag}: {text}")

    def add_name(self, value: str | None, kind: NameKind) -> None:
        if value and not self.names.add(value, kind):
            self.unmapped("name without letters", f"Name as listed: {value}")

    def add_birth_date(self, text: str | None, *, approximate: bool = False) -> bool:
        found = fuzzy_date_text(text)
        if found is None:
            return False
        if approximate and "/" not in found and not found.endswith("~"):
            found += "~"
        if found not in self.birth_dates:
            self.birth_dates.append(found)
        return True

    def add_birth_place(self, text: str | None) -> None:
        if text and text not in self.birth_places:
            self.birth_places.append(text)

    def country(self, text: str | None, what: str) -> str | None:
        code = self.countries(text)
        if text and code is None:
            self.report.count(f"{what} country not resolved")
        return code

    # -- names ---------------------------------------------------------------------------------------

    def read_names(self, alias_tag: str) -> None:
        primary = _clean(" ".join(_child(self.element, tag) or "" for tag in _NAME_PARTS))
        self.add_name(primary, NameKind.PRIMARY)
        for original in (_child(self.element, "NAME_ORIGINAL_SCRIPT") or "").split(";"):
            self.add_name(_clean(original), NameKind.ORIGINAL_SCRIPT)
        for alias in self.element.findall(alias_tag):
            self.read_alias(alias)
        if not self.names.names:
            raise self.fail("the entry has no name", "FIRST_NAME")

    def read_alias(self, alias: etree._Element) -> None:
        quality = _child(alias, "QUALITY")
        note = _child(alias, "NOTE")
        kind = _ALIAS_KINDS.get((quality or "").casefold(), NameKind.ALIAS)
        if quality and quality.casefold() not in _ALIAS_KINDS:
            self.report.count(f"alias quality {quality!r} read as alias")
        if note and _FORMERLY.search(note):
            kind = NameKind.FORMER
        values = [_clean(part) for part in (_child(alias, "ALIAS_NAME") or "").split(";")]
        for value in values:
            self.add_name(value, kind)
        if note and (script := _IN_SCRIPT.match(note)):
            self.add_name(script.group(1), NameKind.ORIGINAL_SCRIPT)
        elif note and not _FORMERLY.search(note):
            self.notes.append(f"Alias {'; '.join(v for v in values if v)}: {note}")
        # The list gives some aliases the birth date and place used under that alias.
        alias_dob = _child(alias, "DATE_OF_BIRTH")
        if alias_dob and not self.add_birth_date(alias_dob):
            self.unmapped("date of birth not understood", f"Date of birth as listed: {alias_dob}")
        place = ", ".join(p for p in (_child(alias, "CITY_OF_BIRTH"), _child(alias, "COUNTRY_OF_BIRTH")) if p)
        self.add_birth_place(place or None)

    # -- persons -------------------------------------------------------------------------------------

    def read_birth_date(self, dob: etree._Element) -> None:
        kind = (_child(dob, "TYPE_OF_DATE") or "").upper()
        date, year, note = _child(dob, "DATE"), _child(dob, "YEAR"), _child(dob, "NOTE")
        first, last = _child(dob, "FROM_YEAR"), _child(dob, "TO_YEAR")
        approximate = kind == "APPROXIMATELY" or (note or "").casefold() == "approximately"
        if note and note.casefold() == "approximately":
            note = None
        if not any((date, year, note, first, last)):
            return  # an empty element: the list has no date of birth
        if kind == "BETWEEN" or (first and last):
            if self.add_birth_date(f"{first} to {last}" if first and last else first or last):
                return self.keep_note("Date of birth", note)
        elif date:
            if self.add_birth_date(date, approximate=approximate):
                return self.keep_note("Date of birth", note)
        elif year:
            # A month in the note completes a year: <YEAR>1958</YEAR><NOTE>Sep.</NOTE>.
            if note and self.add_birth_date(f"{note} {year}", approximate=approximate):
                return None
            if self.add_birth_date(year, approximate=approximate):
                return self.keep_note("Date of birth", note)
        elif note and self.add_birth_date(note, approximate=approximate):
            return None
        listed = " ".join(v for v in (kind.lower(), date, year, first, last, note) if v)
        self.unmapped("date of birth not understood", f"Date of birth as listed: {listed}")
        return None

    def keep_note(self, what: str, note: str | None) -> None:
        if note:
            self.notes.append(f"{what}: {note}")

    def read_birth_place(self, place: etree._Element) -> None:
        parts = [_child(place, tag) for tag in ("STREET", "CITY", "STATE_PROVINCE", "COUNTRY")]
        text = ", ".join(p for p in parts if p)
        note = _child(place, "NOTE")
        if note:
            text = f"{text} ({note.strip('()')})" if text else note
        self.add_birth_place(text or None)

    def read_nationalities(self) -> list[str]:
        codes: list[str] = []
        for value in _values(self.element, "NATIONALITY"):
            code = self.country(value, "nationality")
            if code is None:
                self.notes.append(f"Nationality as listed: {value}")
            elif code not in codes:
                codes.append(code)
        return codes

    def read_document(self, document: etree._Element) -> IdentityDocument | None:
        first_type, second_type = _child(document, "TYPE_OF_DOCUMENT"), _child(document, "TYPE_OF_DOCUMENT2")
        number, note = _child(document, "NUMBER"), _child(document, "NOTE")
        country_text = _child(document, "ISSUING_COUNTRY") or _child(document, "COUNTRY_OF_ISSUE")
        city, issued = _child(document, "CITY_OF_ISSUE"), _child(document, "DATE_OF_ISSUE")
        if not any((first_type, second_type, number, note, country_text, city, issued)):
            return None
        described = " ".join(v for v in (first_type, second_type, number, country_text, issued, note) if v)
        kind = _document_type(first_type or second_type or "")
        notes: list[str | None] = []
        if number is not None and (remark := _TRAILING_REMARK.search(number)):
            # "381110042 (Expired 25 Jan. 2016)": the remark is a note, and may hold the expiry date.
            number, note = number[: remark.start()], "; ".join(p for p in (remark.group("remark"), note) if p)
        if number is not None and any(c.islower() for c in number):
            # A number written with its description: keep the number, the description goes to the note.
            found = _labelled_number(number, whole=True)
            if found:
                number, label = found
                if country_text is None and country_code(label):
                    country_text = label  # "Libya B014995": the label is the issuing country
                else:
                    notes.append(label)
                    kind = _document_type(label) if _document_type(label) is not DocumentType.OTHER else kind
        if number is None:
            # No NUMBER: the number may be written in the second type or the note.
            for text in (second_type, note):
                found = _labelled_number(text, whole=False) if text else None
                if found:
                    number = found[0]
                    self.report.count("document number read from its description")
                    break
        if number is None or len(number) > 100:
            self.unmapped("document without a usable number", f"Document as listed: {described}")
            return None
        country = self.country(country_text, "document")
        notes += [second_type if second_type and second_type != first_type else None]
        notes += [f"issued in {city}" if city else None]
        notes += [f"issued by {country_text}" if country_text and country is None else None, note]
        issued_on = fuzzy_date_text(issued)
        if issued and issued_on is None:
            self.report.count("document issue date not understood")
            notes.append(f"issued on {issued}")
        expiry = _EXPIRY.search(note or "")
        data: dict[str, Any] = {
            "type": kind,
            "number": number,
            "country": country,
            "issued_on": issued_on,
            "expires_on": fuzzy_date_text(expiry.group(1)) if expiry else None,
            "note": "; ".join(n for n in notes if n) or None,
        }
        return IdentityDocument.model_validate(data)

    def read_address(self, address: etree._Element) -> Address | None:
        street, zip_code = _child(address, "STREET"), _child(address, "ZIP_CODE")
        city, region = _child(address, "CITY"), _child(address, "STATE_PROVINCE")
        country_text, note = _child(address, "COUNTRY"), _child(address, "NOTE")
        if not any((street, zip_code, city, region, country_text, note)):
            return None
        country = self.country(country_text, "address")
        # A country we cannot code stays in the address text rather than being lost.
        unresolved = country_text if country_text and country is None else None
        text = ", ".join(p for p in (street, zip_code, unresolved) if p) or None
        return Address.model_validate({"text": text, "city": city, "region": region, "country": country, "note": note})

    def identifiers(self) -> list[Identifier]:
        found = [Identifier(scheme="un-ref", value=self.reference)]
        dataid = _child(self.element, "DATAID")
        if dataid:
            found.append(Identifier(scheme="un-dataid", value=dataid))
        return found

    def person(self) -> Person:
        self.read_names("INDIVIDUAL_ALIAS")
        for dob in self.element.findall("INDIVIDUAL_DATE_OF_BIRTH"):
            self.read_birth_date(dob)
        for place in self.element.findall("INDIVIDUAL_PLACE_OF_BIRTH"):
            self.read_birth_place(place)
        documents = [d for d in map(self.read_document, self.element.findall("INDIVIDUAL_DOCUMENT")) if d]
        addresses = [a for a in map(self.read_address, self.element.findall("INDIVIDUAL_ADDRESS")) if a]
        gender_text = _child(self.element, "GENDER")
        gender = {"male": Gender.MALE, "female": Gender.FEMALE}.get((gender_text or "").casefold())
        if gender_text and gender is None:
            self.unmapped("gender not understood", f"Gender as listed: {gender_text}")
        # Honorifics (TITLE) and the positions the list records (DESIGNATION) both go to titles.
        titles = list(dict.fromkeys(_values(self.element, "TITLE") + _values(self.element, "DESIGNATION")))
        nationalities = self.read_nationalities()
        self.check_elements()
        return self.build(
            Person,
            {
                "names": self.names.names,
                "birth_dates": self.birth_dates,
                "birth_places": self.birth_places,
                "nationalities": nationalities,
                "gender": gender,
                "titles": titles,
                "documents": documents,
                "addresses": addresses,
                "status": [PersonStatus.DESIGNATED],
            },
        )

    def organization(self) -> Organization:
        self.read_names("ENTITY_ALIAS")
        addresses = [a for a in map(self.read_address, self.element.findall("ENTITY_ADDRESS")) if a]
        self.check_elements()
        return self.build(
            Organization,
            {"names": self.names.names, "addresses": addresses, "status": OrganizationStatus.DESIGNATED},
        )

    def build(self, kind: type[_B], data: dict[str, Any]) -> _B:
        data["identifiers"] = self.identifiers()
        data["notes"] = "\n".join(dict.fromkeys(self.notes)) or None
        try:
            return kind.model_validate(data)
        except pydantic.ValidationError as exc:
            problem = first_problem(exc)
            raise self.fail(problem.message, problem.field or kind.schema_name) from None

    def designation(self) -> Designation:
        list_type = _child(self.element, "UN_LIST_TYPE")
        if list_type is None:
            self.report.count("entry without a list type")
        listed = _child(self.element, "LISTED_ON")
        listed_on = fuzzy_date_text(listed)
        if listed and listed_on is None:
            self.report.count("listing date not understood")
        data = {
            "subject": self.reference,
            "authority": AUTHORITY,
            "list_name": list_type or "Consolidated List",
            "reference": self.reference,
            "listed_on": listed_on,
            "reason": _child(self.element, "COMMENTS1"),
        }
        try:
            return Designation.model_validate(data)
        except pydantic.ValidationError as exc:
            problem = first_problem(exc)
            raise self.fail(problem.message, problem.field or "Designation") from None


def read_un_sc(source: Path | bytes, *, filename: str | None = None) -> tuple[list[ImportItem], ParseReport]:
    """Parse a UN Security Council Consolidated List XML file into import items and a report.

    Raises ImportFailed (file, line) for anything that is not a well-formed consolidated list: a DTD or
    entity declarations, another kind of XML, truncation, a wrong encoding, a file over the size limit.
    """
    name = filename or (source.name if isinstance(source, Path) else "<bytes>")
    data = read_bounded(source, name)
    report = ParseReport()
    countries = CountryResolver()
    items: list[ImportItem] = []
    seen: dict[str, int | None] = {}
    records = iter_records(data, filename=name, root=ROOT, depth=2, tags=frozenset({"INDIVIDUAL", "ENTITY"}))
    for element in records:
        entry = _Entry(element, name, report, countries)
        if entry.reference in seen:
            raise entry.fail(
                f"the reference number is used twice (first on line {seen[entry.reference]})", "REFERENCE_NUMBER"
            )
        seen[entry.reference] = entry.line
        body: Body = entry.person() if element.tag == "INDIVIDUAL" else entry.organization()
        items.append(ImportItem(key=entry.reference, body=body, envelope=ENVELOPE, line=entry.line))
        items.append(
            ImportItem(
                key=entry.reference + DESIGNATION_SUFFIX, body=entry.designation(), envelope=ENVELOPE, line=entry.line
            )
        )
    if not items:
        report.warn(f"{name}: the list has no individuals or entities")
    warning = countries.warning(name)
    if warning:
        report.warn(warning)
    return items, report
