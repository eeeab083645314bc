"""The Remarks column of OFAC's legacy SDN CSV, split into the facts it states.

A remark is a ``;``-separated run of statements such as ``DOB 28 Jul 1971``, ``alt. POB Samarra, Iraq``,
``nationality Iraq``, ``Passport A123 (Iraq) issued 01 Jan 2000 expires 01 Jan 2005``, ``Gender Male``,
``a.k.a. 'ABU DU'A'``. Each statement becomes one ``Fact``; anything not recognised comes back as a
``note`` fact so that nothing the list says is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from ictdb.model.vocab import DocumentType


class FactKind(StrEnum):
    BIRTH_DATE = "birth-date"
    BIRTH_PLACE = "birth-place"
    NATIONALITY = "nationality"
    CITIZENSHIP = "citizenship"
    GENDER = "gender"
    ALIAS = "alias"
    FORMER_NAME = "former-name"
    DOCUMENT = "document"
    IDENTIFIER = "identifier"
    LINK = "link"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Fact:
    kind: FactKind
    value: str
    label: str = ""  # as written: "Cedula No.", "NIT #"
    country: str | None = None
    issued: str | None = None
    expires: str | None = None
    document_type: DocumentType | None = None


# Identity documents of a person, by the label OFAC writes before the number.
DOCUMENT_LABELS: dict[str, DocumentType] = {
    "passport": DocumentType.PASSPORT,
    "british national overseas passport": DocumentType.PASSPORT,
    "stateless person passport": DocumentType.PASSPORT,
    "diplomatic passport": DocumentType.PASSPORT,
    "official passport": DocumentType.PASSPORT,
    "service passport": DocumentType.PASSPORT,
    "national id no.": DocumentType.NATIONAL_ID,
    "national id number": DocumentType.NATIONAL_ID,
    "national id": DocumentType.NATIONAL_ID,
    "national identification number": DocumentType.NATIONAL_ID,
    "national foreign id number": DocumentType.NATIONAL_ID,
    "identification number": DocumentType.NATIONAL_ID,
    "personal id card": DocumentType.NATIONAL_ID,
    "id no.": DocumentType.NATIONAL_ID,
    "cedula no.": DocumentType.NATIONAL_ID,
    "d.n.i.": DocumentType.NATIONAL_ID,
    "numero de identidad": DocumentType.NATIONAL_ID,
    "c.u.r.p.": DocumentType.NATIONAL_ID,
    "citizen's card number": DocumentType.NATIONAL_ID,
    "turkish identificiation number": DocumentType.NATIONAL_ID,
    "le number": DocumentType.NATIONAL_ID,
    "driver's license no.": DocumentType.DRIVING_LICENCE,
    "travel document number": DocumentType.TRAVEL_DOCUMENT,
    "residency number": DocumentType.RESIDENCE_PERMIT,
    "birth certificate number": DocumentType.OTHER,
    "cartilla de servicio militar nacional": DocumentType.OTHER,
    "credencial electoral": DocumentType.OTHER,
    "electoral registry no.": DocumentType.OTHER,
}

# Registration, tax and company numbers: identifiers of the record, for persons and organizations alike.
IDENTIFIER_LABELS = (
    "ssn",
    "tax id no.",
    "r.f.c.",
    "r.f.c. #",
    "nit #",
    "ruc #",
    "rif #",
    "rtn",
    "us fein",
    "c.u.i.t.",
    "italian fiscal code",
    "registration id",
    "registration number",
    "business registration document #",
    "business registration number",
    "business number",
    "company number",
    "company id",
    "uk company number",
    "commercial registry number",
    "matricula mercantil no",
    "folio mercantil no.",
    "trade license no.",
    "d-u-n-s number",
    "v.a.t. number",
    "c.r. no.",
    "certificate of incorporation number",
    "government gazette number",
    "chamber of commerce number",
    "public registration number",
    "registered charity no.",
    "legal entity number",
    "branch unit number",
    "bik (ru)",
    "swift/bic",
    "chinese commercial code",
    "numero unico de identificacao tributaria",
)

_ALT = re.compile(r"^alt\.\s+", re.IGNORECASE)
_AKA = re.compile(r"^(a\.k\.a\.|f\.k\.a\.|n\.k\.a\.)\s+'(.+)'$", re.IGNORECASE)
_PREFIXED = re.compile(r"^(DOB|POB|nationality|citizen|Gender)\s+(?!of )(.+)$", re.IGNORECASE)
_NUMBERED = re.compile(
    r"^(?P<number>.*?\d.*?)(?:\s+\((?P<country>[^()]+)\))?"
    r"(?:\s+issued\s+(?P<issued>.+?))?(?:\s+expires\s+(?P<expires>.+?))?$"
)
_LINK = re.compile(r"^Linked To:\s*(.+)$", re.IGNORECASE)
_WEB = re.compile(r"^(Website|Email Address)\s+(\S+)$", re.IGNORECASE)

# Longest labels first, so that "national id no." wins over "national id".
_LABELS = sorted(
    [(label, DOCUMENT_LABELS[label]) for label in DOCUMENT_LABELS] + [(label, None) for label in IDENTIFIER_LABELS],
    key=lambda pair: -len(pair[0]),
)


def split_remarks(remarks: str) -> list[str]:
    """The statements of a Remarks cell, without the closing full stop."""
    text = remarks.strip()
    if text.endswith("."):
        text = text[:-1]
    # Split on semicolons outside parentheses: "Passport 123 (issued in Aden; expired)" is one statement.
    parts: list[str] = []
    depth, start = 0, 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char == ";" and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return [" ".join(part.split()) for part in parts if part.strip()]


def _numbered(label: str, rest: str, document_type: DocumentType | None) -> Fact | None:
    match = _NUMBERED.match(rest)
    if not match:
        return None
    kind = FactKind.IDENTIFIER if document_type is None else FactKind.DOCUMENT
    return Fact(
        kind,
        match.group("number").strip(" ,:"),
        label=label,
        country=match.group("country"),
        issued=match.group("issued"),
        expires=match.group("expires"),
        document_type=document_type,
    )


def read_statement(statement: str) -> Fact:
    """One statement of a remark as a fact; a NOTE fact when it is not one we know how to read."""
    text = _ALT.sub("", statement)
    if match := _AKA.match(text):
        kind = FactKind.FORMER_NAME if match.group(1).lower() == "f.k.a." else FactKind.ALIAS
        return Fact(kind, match.group(2).strip())
    if match := _PREFIXED.match(text):
        head, value = match.group(1).lower(), match.group(2).strip()
        kinds = {
            "dob": FactKind.BIRTH_DATE,
            "pob": FactKind.BIRTH_PLACE,
            "nationality": FactKind.NATIONALITY,
            "citizen": FactKind.CITIZENSHIP,
            "gender": FactKind.GENDER,
        }
        return Fact(kinds[head], value)
    if match := _LINK.match(text):
        return Fact(FactKind.LINK, match.group(1).strip())
    if match := _WEB.match(text):
        scheme = "website" if match.group(1).lower() == "website" else "email"
        return Fact(FactKind.IDENTIFIER, match.group(2), label=scheme)
    lowered = text.casefold()
    for label, document_type in _LABELS:
        if lowered.startswith(label) and len(text) > len(label) and not text[len(label)].isalpha():
            fact = _numbered(text[: len(label)], text[len(label) :].strip(" :"), document_type)
            if fact is not None:
                return fact
    return Fact(FactKind.NOTE, statement)
