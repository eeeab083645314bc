"""OFAC's Specially Designated Nationals list, legacy CSV layout (sdn.csv, alt.csv, add.csv), read into bodies.

Individuals become Persons and other entries (``-0-`` type) Organizations, keyed by the entry number; each
is followed by one Designation per sanctions program, keyed ``<ent_num>#designation:<program>``. Vessels
and aircraft are skipped and counted: they are neither persons nor organizations. The Remarks column is
read statement by statement (``_ofac_remarks``); docs/formats.md lists every mapping.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pydantic

from ictdb.formats._countries import CountryResolver
from ictdb.formats._dates import fuzzy_date_text
from ictdb.formats._names import NameList
from ictdb.formats._ofac_remarks import Fact, FactKind, read_statement, split_remarks
from ictdb.model.bundle import ImportItem, ParseReport
from ictdb.model.digits import ascii_digits
from ictdb.model.envelope import Distribution, DistributionKind, EnvelopeInput
from ictdb.model.errors import ImportFailed
from ictdb.model.records import Address, Body, Designation, Identifier, IdentityDocument, Organization, Person
from ictdb.model.stored import first_problem
from ictdb.model.vocab import DocumentType, Gender, NameKind, OrganizationStatus, PersonStatus, Purpose

AUTHORITY = "US OFAC"
MAX_CSV_BYTES = 256 * 1024 * 1024
EMPTY = "-0-"

SDN_COLUMNS = (
    "ent_num",
    "SDN_Name",
    "SDN_Type",
    "Program",
    "Title",
    "Call_Sign",
    "Vess_type",
    "Tonnage",
    "GRT",
    "Vess_flag",
    "Vess_owner",
    "Remarks",
)
ALT_COLUMNS = ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks")
ADD_COLUMNS = ("ent_num", "add_num", "address", "city/state/postal", "country", "add_remarks")

# Public list, binding on US persons: shared with all members, for sanctions enforcement.
ENVELOPE = EnvelopeInput(distribution=Distribution(DistributionKind.MEMBERS), purpose=Purpose.SANCTIONS)

_ALT_KINDS = {"aka": NameKind.ALIAS, "fka": NameKind.FORMER, "nka": NameKind.ALIAS}
_WEAK = re.compile(r"\b(weak|low quality)\b", re.IGNORECASE)
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
_SKIPPED_TYPES = {"vessel", "aircraft"}
_B = TypeVar("_B", bound=Body)


def natural_order(name: str) -> str:
    """``AL-BAGHDADI, Abu Bakr`` -> ``Abu Bakr AL-BAGHDADI``; a generational suffix stays last (``..., Jr.``)."""
    parts = [part.strip() for part in name.split(",") if part.strip()]
    if len(parts) < 2:
        return name.strip()
    surname, given = parts[0], parts[1:]
    suffixes = [part for part in given if part.casefold() in _SUFFIXES]
    given = [part for part in given if part.casefold() not in _SUFFIXES]
    ordered = " ".join([*given, surname])
    return ordered + "".join(f", {suffix}" for suffix in suffixes)


def _value(cell: str) -> str | None:
    text = " ".join(cell.split())
    return None if not text or text == EMPTY else text


# -- reading the files ------------------------------------------------------------------------------


def _decode(data: bytes, filename: str, report: ParseReport) -> str:
    """UTF-8 when the bytes are UTF-8 (the current files are plain ASCII); else Windows-1252, as the
    Treasury's older files were written, or Latin-1 when even that does not fit; the report says which."""
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            report.warn(f"{filename}: read as UTF-16 (byte order mark)")
            return data.decode(encoding)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
            report.warn(f"{filename}: not UTF-8; read as Windows-1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            report.warn(f"{filename}: neither UTF-8 nor Windows-1252; read as Latin-1")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportFailed(
            "NUL characters: this is not a text CSV file (UTF-16 without a byte order mark?)", file=filename, line=line
        )
    return text


def _rows(path: Path, columns: tuple[str, ...], report: ParseReport) -> Iterator[tuple[int, list[str]]]:
    filename = path.name
    try:
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            raise ImportFailed(f"file is {size:,} bytes; the limit is {MAX_CSV_BYTES:,}", file=filename)
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailed(f"cannot read: {exc.strerror or exc}", file=filename) from None
    reader = csv.reader(io.StringIO(_decode(data, filename, report), newline=""), strict=True)
    try:
        for row in reader:
            line = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip(" \x1a")):
                continue  # blank lines and the old end-of-file mark
            if len(row) < len(columns):
                raise ImportFailed(
                    f"{len(row)} columns where {len(columns)} are expected ({', '.join(columns)})",
                    file=filename,
                    line=line,
                    field=columns[len(row)],
                )
            if len(row) > len(columns):
                raise ImportFailed(
                    f"{len(row)} columns where {len(columns)} are expected ({', '.join(columns)})",
                    file=filename,
                    line=line,
                )
            if not ascii_digits(row[0].strip()):
                raise ImportFailed(f"not an entry number: {row[0]!r}", file=filename, line=line, field="ent_num")
            yield line, row
    except csv.Error as exc:
        raise ImportFailed(f"not a valid CSV file: {exc}", file=filename, line=reader.line_num) from None


# -- one entry ----------------------------------------------------------------------------------------


@dataclass
class _Entry:
    ent_num: str
    line: int
    individual: bool
    name: str
    programs: list[str]
    title: str | None
    remarks: str | None
    aliases: list[tuple[str, NameKind]] = field(default_factory=list)
    addresses: list[tuple[str | None, str | None, str | None, str | None]] = field(default_factory=list)


class _Builder:
    """Turns one entry and its remarks into a body, noting what it could not map."""

    def __init__(self, entry: _Entry, report: ParseReport, countries: CountryResolver) -> None:
        self.entry = entry
        self.report = report
        self.countries = countries
        self.names = NameList()
        self.notes: list[str] = []
        self.birth_dates: list[str] = []
        self.birth_places: list[str] = []
        self.nationalities: list[str] = []
        self.documents: list[IdentityDocument] = []
        self.identifiers = [Identifier(scheme="ofac-ent", value=entry.ent_num)]
        self.gender: Gender | None = None

    def unmapped(self, what: str, statement: str) -> None:
        self.report.count(what)
        self.notes.append(statement)

    def name(self, text: str) -> str:
        return natural_order(text) if self.entry.individual else text

    def country(self, text: str | None, what: str) -> tuple[str | None, str | None]:
        """The ISO code of ``text`` and, when it has none, the text to keep."""
        if text is None:
            return None, None
        code = self.countries(text)
        if code is None:
            self.report.count(f"{what} country not resolved")
            return None, text
        return code, None

    def read_names(self) -> None:
        if not self.names.add(self.name(self.entry.name), NameKind.PRIMARY):
            raise ImportFailed("the entry has no usable name", file="sdn.csv", line=self.entry.line, field="SDN_Name")
        for alias, kind in self.entry.aliases:
            if not self.names.add(self.name(alias), kind):
                self.unmapped("name without letters", f"Name as listed: {alias}")

    def read_fact(self, statement: str, fact: Fact) -> None:
        kind = fact.kind
        if kind is FactKind.BIRTH_DATE:
            found = fuzzy_date_text(fact.value)
            if found is None:
                self.unmapped("date of birth not understood", statement)
            elif found not in self.birth_dates:
                self.birth_dates.append(found)
        elif kind is FactKind.BIRTH_PLACE:
            if fact.value not in self.birth_places:
                self.birth_places.append(fact.value)
        elif kind in (FactKind.NATIONALITY, FactKind.CITIZENSHIP):
            code, _ = self.country(fact.value, "nationality")
            if code is None:
                self.notes.append(statement)
            elif code not in self.nationalities:
                self.nationalities.append(code)
        elif kind is FactKind.GENDER:
            self.gender = {"male": Gender.MALE, "female": Gender.FEMALE}.get(fact.value.casefold())
            if self.gender is None:
                self.unmapped("gender not understood", statement)
        elif kind in (FactKind.ALIAS, FactKind.FORMER_NAME):
            # OFAC prints its weak a.k.a.s in the remarks only; the strong ones are in alt.csv.
            if self.name(fact.value) not in self.names:
                name_kind = NameKind.FORMER if kind is FactKind.FORMER_NAME else NameKind.WEAK_ALIAS
                if not self.names.add(self.name(fact.value), name_kind):
                    self.unmapped("name without letters", statement)
        elif kind is FactKind.DOCUMENT and self.entry.individual:
            self.read_document(statement, fact)
        elif kind in (FactKind.DOCUMENT, FactKind.IDENTIFIER):
            self.read_identifier(statement, fact)
        elif kind is FactKind.LINK:
            self.report.count("link to another entry kept as a note")
            self.notes.append(statement)
        elif self.entry.title is None or " ".join(statement.split()) != self.entry.title:
            self.notes.append(statement)

    def read_document(self, statement: str, fact: Fact) -> None:
        code, unresolved = self.country(fact.country, "document")
        issued = fuzzy_date_text(fact.issued)
        expires = fuzzy_date_text(fact.expires)
        notes = [f"issued by {unresolved}" if unresolved else None]
        notes += [f"issued {fact.issued}" if fact.issued and issued is None else None]
        notes += [f"expires {fact.expires}" if fact.expires and expires is None else None]
        if fact.label.casefold() not in ("passport", "national id", "national id no."):
            notes.insert(0, fact.label)  # the kind of document, when the type alone does not say it
        data = {
            "type": fact.document_type or DocumentType.OTHER,
            "number": fact.value,
            "country": code,
            "issued_on": issued,
            "expires_on": expires,
            "note": "; ".join(n for n in notes if n) or None,
        }
        try:
            document = IdentityDocument.model_validate(data)
        except pydantic.ValidationError:
            self.unmapped("document not understood", statement)
            return
        if document not in self.documents:
            self.documents.append(document)

    def read_identifier(self, statement: str, fact: Fact) -> None:
        scheme = "ofac-" + re.sub(r"[^a-z0-9]+", "-", fact.label.casefold()).strip("-")
        if fact.label in ("website", "email"):
            scheme = fact.label  # the same scheme whichever list names it
        value = f"{fact.value} ({fact.country})" if fact.country else fact.value
        try:
            identifier = Identifier(scheme=scheme[:40], value=value)
        except pydantic.ValidationError:
            self.unmapped("identifier not understood", statement)
            return
        if identifier not in self.identifiers:
            self.identifiers.append(identifier)

    def read_addresses(self) -> list[Address]:
        found: list[Address] = []
        for street, city, country_text, note in self.entry.addresses:
            region = None
            if country_text and country_text.casefold().startswith("region:"):
                region, country_text = country_text.split(":", 1)[1].strip(), None
            code, unresolved = self.country(country_text, "address")
            text = ", ".join(p for p in (street, unresolved) if p) or None
            if not any((text, city, region, code, note)):
                continue
            address = Address.model_validate(
                {"text": text, "city": city, "region": region, "country": code, "note": note}
            )
            if address not in found:
                found.append(address)
        return found

    def body(self) -> Person | Organization:
        self.read_names()
        for statement in split_remarks(self.entry.remarks or ""):
            self.read_fact(statement, read_statement(statement))
        addresses = self.read_addresses()
        common: dict[str, Any] = {
            "names": self.names.names,
            "addresses": addresses,
            "identifiers": self.identifiers,
            "notes": "\n".join(dict.fromkeys(self.notes)) or None,
        }
        if self.entry.individual:
            return self.build(
                Person,
                common
                | {
                    "birth_dates": self.birth_dates,
                    "birth_places": self.birth_places,
                    "nationalities": self.nationalities,
                    "gender": self.gender,
                    "titles": [self.entry.title] if self.entry.title else [],
                    "documents": self.documents,
                    "status": [PersonStatus.DESIGNATED],
                },
            )
        for what in (self.birth_dates, self.birth_places, self.nationalities, self.documents):
            if what:
                self.report.count("person details on an organization kept as a note")
        return self.build(Organization, common | {"status": OrganizationStatus.DESIGNATED})

    def build(self, kind: type[_B], data: dict[str, Any]) -> _B:
        try:
            return kind.model_validate(data)
        except pydantic.ValidationError as exc:
            problem = first_problem(exc)
            raise ImportFailed(
                f"entry {self.entry.ent_num}: {problem.message}",
                file="sdn.csv",
                line=self.entry.line,
                field=problem.field,
            ) from None


# -- the whole list -------------------------------------------------------------------------------


def _programs(cell: str) -> list[str]:
    """``SDGT] [IFSR`` (the CSV drops the outer brackets) -> ``["SDGT", "IFSR"]``."""
    return [p for p in (part.strip(" []") for part in re.split(r"\]\s*\[", cell)) if p and p != EMPTY]


def _read_entries(directory: Path, report: ParseReport) -> dict[str, _Entry]:
    entries: dict[str, _Entry] = {}
    skipped: set[str] = set()
    for line, row in _rows(directory / "sdn.csv", SDN_COLUMNS, report):
        ent_num, name, sdn_type = row[0].strip(), _value(row[1]), (_value(row[2]) or "").casefold()
        if sdn_type in _SKIPPED_TYPES:
            report.count(f"{sdn_type} skipped")
            skipped.add(ent_num)
            continue
        if sdn_type not in ("", "individual"):
            raise ImportFailed(f"unknown SDN type {row[2]!r}", file="sdn.csv", line=line, field="SDN_Type")
        if name is None:
            raise ImportFailed("an entry without a name", file="sdn.csv", line=line, field="SDN_Name")
        if ent_num in entries:
            raise ImportFailed(f"entry number {ent_num} used twice", file="sdn.csv", line=line, field="ent_num")
        entries[ent_num] = _Entry(
            ent_num=ent_num,
            line=line,
            individual=sdn_type == "individual",
            name=name,
            programs=_programs(row[3]),
            title=_value(row[4]),
            remarks=_value(row[11]),
        )
    _read_aliases(directory / "alt.csv", entries, skipped, report)
    _read_addresses(directory / "add.csv", entries, skipped, report)
    return entries


def _optional(path: Path, report: ParseReport) -> bool:
    if path.exists():
        return True
    report.warn(f"{path.name} is missing: no {'alternate names' if path.name == 'alt.csv' else 'addresses'} read")
    return False


def _read_aliases(path: Path, entries: dict[str, _Entry], skipped: set[str], report: ParseReport) -> None:
    if not _optional(path, report):
        return
    for _line, row in _rows(path, ALT_COLUMNS, report):
        entry = entries.get(row[0].strip())
        if entry is None:
            if row[0].strip() not in skipped:
                report.count("alternate name of an unknown entry")
            continue
        name, alt_type, remarks = _value(row[3]), (_value(row[2]) or "aka").casefold(), _value(row[4])
        if name is None:
            report.count("empty alternate name")
            continue
        kind = _ALT_KINDS.get(alt_type)
        if kind is None:
            report.count(f"alternate name type {alt_type!r} read as alias")
            kind = NameKind.ALIAS
        if remarks and _WEAK.search(remarks):
            kind = NameKind.WEAK_ALIAS
        entry.aliases.append((name, kind))


def _read_addresses(path: Path, entries: dict[str, _Entry], skipped: set[str], report: ParseReport) -> None:
    if not _optional(path, report):
        return
    for _line, row in _rows(path, ADD_COLUMNS, report):
        entry = entries.get(row[0].strip())
        if entry is None:
            if row[0].strip() not in skipped:
                report.count("address of an unknown entry")
            continue
        entry.addresses.append((_value(row[2]), _value(row[3]), _value(row[4]), _value(row[5])))


def read_ofac_sdn(directory: Path) -> tuple[list[ImportItem], ParseReport]:
    """Parse the legacy SDN CSV files in ``directory`` into import items and a report.

    ``sdn.csv`` is required; ``alt.csv`` and ``add.csv`` are read when present (a warning says when not).
    Raises ImportFailed (file, line, field) for a row with missing columns, a bad entry number or type,
    a file that is not text CSV or one over the size limit.
    """
    report = ParseReport()
    if not (directory / "sdn.csv").is_file():
        raise ImportFailed(f"no sdn.csv in {directory}", file="sdn.csv")
    countries = CountryResolver()
    items: list[ImportItem] = []
    for entry in _read_entries(directory, report).values():
        body = _Builder(entry, report, countries).body()
        items.append(ImportItem(key=entry.ent_num, body=body, envelope=ENVELOPE, line=entry.line))
        if not entry.programs:
            report.count("entry without a program")
        for program in entry.programs:
            designation = Designation.model_validate(
                {"subject": entry.ent_num, "authority": AUTHORITY, "list_name": program, "reference": entry.ent_num}
            )
            items.append(
                ImportItem(
                    key=f"{entry.ent_num}#designation:{program}", body=designation, envelope=ENVELOPE, line=entry.line
                )
            )
    warning = countries.warning("OFAC SDN")
    if warning:
        report.warn(warning)
    return items, report
