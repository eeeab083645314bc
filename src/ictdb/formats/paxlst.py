"""Read and write UN/EDIFACT PAXLST passenger lists (Advance Passenger Information, D02B/D05B).

An interchange is ``UNA`` (optional service string advice: the six separator characters), ``UNB`` ...
``UNZ``, optionally grouped by ``UNG`` ... ``UNE``, holding one or more ``UNH`` ... ``UNT`` messages.
Each message names the flight (``TDT``, ``LOC+125``/``DTM+189`` departure, ``LOC+87``/``DTM+232``
arrival) and then one group per traveller opened by ``NAD+FL`` (passenger) or ``NAD+FM`` (crew).

Structural faults (a cut-off interchange, a count that does not add up, a segment out of place) raise
ImportFailed naming the segment by its number in the interchange (UNB is 1), its tag and its character
position. A value we cannot read in one traveller's data (a date, a country code) does not stop the
list: it is left out of that row and named in the row's ``warnings``. Every traveller group becomes a
row; a traveller without a name is a row flagged ``invalid``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

import pycountry

from ictdb.formats.screening_rows import ScreeningRow, TravelDocument
from ictdb.model.dates import FuzzyDate, Precision
from ictdb.model.digits import ascii_digits
from ictdb.model.errors import ImportFailed, ValidationError

MAX_BYTES = 20_000_000
PASSENGER_QUALIFIERS = {"FL": "passenger", "DDU": "passenger", "FM": "crew", "DDT": "crew"}
_ENCODINGS = {
    "UNOA": "utf-8",  # UNOA/UNOB are ASCII subsets; UTF-8 reads them and tolerates lenient senders
    "UNOB": "utf-8",
    "UNOC": "iso8859-1",
    "UNOD": "iso8859-2",
    "UNOE": "iso8859-5",
    "UNOF": "iso8859-7",
    "UNOG": "iso8859-3",
    "UNOH": "iso8859-4",
    "UNOI": "iso8859-6",
    "UNOJ": "iso8859-8",
    "UNOK": "iso8859-9",
    "UNOW": "utf-8",
    "UNOY": "utf-8",
}
_DOC_TYPES = {
    "P": "passport",
    "PT": "passport",
    "PP": "passport",
    "I": "national-id",
    "ID": "national-id",
    "IC": "national-id",
    "A": "residence-permit",
    "C": "residence-permit",
    "AR": "residence-permit",
    "T": "travel-document",
    "TD": "travel-document",
    "DL": "driving-licence",
}
_DOC_CODES = {
    "passport": "P",
    "national-id": "I",
    "residence-permit": "C",
    "travel-document": "T",
    "driving-licence": "DL",
}
# ICAO 9303 codes that are not ISO 3166 alpha-3, as they appear in travel documents.
_ICAO_EXTRA = {
    "D": "DE",
    "GBD": "GB",
    "GBN": "GB",
    "GBO": "GB",
    "GBP": "GB",
    "GBS": "GB",
    "RKS": "XK",
    "XKX": "XK",
    "XXA": "XX",
    "XXB": "XX",
    "XXC": "XX",
    "XXX": "XX",
}
_TAG = re.compile(r"^[A-Z][A-Z0-9]{2}$")


@dataclass(frozen=True, slots=True)
class Separators:
    """The service characters of an interchange, in UNA order."""

    component: str = ":"
    element: str = "+"
    decimal: str = "."
    release: str = "?"
    repetition: str = " "
    segment: str = "'"

    def check(self) -> str | None:
        """What is wrong with these separators, or None."""
        active = [self.component, self.element, self.segment] + ([self.release] if self.release != " " else [])
        if len(set(active)) != len(active):
            return "the component, element, release and segment characters must all differ"
        if any(ch.isalnum() or ch.isspace() for ch in (self.component, self.element, self.segment)):
            return "separators cannot be letters, digits or spaces"
        if self.release.isalnum():
            return "the release character cannot be a letter or digit"
        return None


DEFAULT_SEPARATORS = Separators()


@dataclass(frozen=True, slots=True)
class Segment:
    tag: str
    elements: tuple[tuple[str, ...], ...]
    number: int
    position: int

    def get(self, element: int, component: int = 0) -> str:
        """A component's value, "" when absent; element 0 is the first after the tag."""
        if element >= len(self.elements) or component >= len(self.elements[element]):
            return ""
        return self.elements[element][component].strip()


@dataclass(slots=True)
class PaxlstMessage:
    """A parsed PAXLST interchange: who sent it, the flight, and one screening row per traveller."""

    rows: list[ScreeningRow]
    sender: str
    recipient: str
    control_ref: str
    prepared: datetime | None = None
    kind: str | None = None
    flight: str | None = None
    carrier: str | None = None
    departure_place: str | None = None
    departure_time: datetime | None = None
    arrival_place: str | None = None
    arrival_time: datetime | None = None
    messages: int = 0
    warnings: list[str] = field(default_factory=list)


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _fail(filename: str, text: str, position: int, where: str, message: str) -> ImportFailed:
    return ImportFailed(f"{where} at character {position + 1}: {message}", file=filename, line=_line_of(text, position))


def _seg_fail(filename: str, text: str, seg: Segment, message: str) -> ImportFailed:
    return _fail(filename, text, seg.position, f"segment {seg.number} ({seg.tag})", message)


def _decode(data: bytes, filename: str) -> tuple[str, Separators, int]:
    """The interchange as text, its separators, and where UNB starts."""
    if len(data) > MAX_BYTES:
        raise ImportFailed(f"larger than {MAX_BYTES} bytes; not a passenger list", file=filename, line=1)
    data = data.removeprefix(b"\xef\xbb\xbf")
    head = data.lstrip(b" \t\r\n")
    skipped = len(data) - len(head)
    seps = DEFAULT_SEPARATORS
    start = skipped
    if head.startswith(b"UNA"):
        if len(head) < 9:
            raise ImportFailed("UNA at character 1: the service string advice is cut off", file=filename, line=1)
        chars = head[3:9].decode("latin-1")
        seps = Separators(*chars)
        problem = seps.check()
        if problem:
            raise ImportFailed(f"UNA at character {skipped + 1}: {problem}", file=filename, line=1)
        start = skipped + 9
    preview = data[start : start + 200].decode("latin-1").lstrip("\r\n")
    if not preview.startswith("UNB" + seps.element):
        raise ImportFailed(
            f"segment 1 at character {start + 1}: a PAXLST interchange starts with UNB (after an optional UNA)",
            file=filename,
            line=1,
        )
    syntax = preview[4:].split(seps.component, 1)[0].split(seps.element, 1)[0].strip()
    encoding = _ENCODINGS.get(syntax)
    if encoding is None:
        raise ImportFailed(
            f"segment 1 (UNB) at character {start + 1}: unknown syntax identifier {syntax[:10]!r}",
            file=filename,
            line=1,
        )
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ImportFailed(
            f"byte {exc.start + 1}: not valid {encoding} as UNB declares ({syntax})", file=filename, line=1
        ) from None
    # Character offsets of the decoded text differ from byte offsets only after non-ASCII text.
    offset = len(data[:start].decode(encoding, errors="replace"))
    return text, seps, offset


def _tokenize(text: str, seps: Separators, offset: int, filename: str) -> list[Segment]:
    specials = seps.component + seps.element + seps.segment
    release = seps.release if seps.release != " " else None
    parts = []
    if release:
        parts.append(f"{re.escape(release)}(?P<released>.)")
        parts.append(f"(?P<dangling>{re.escape(release)})")
    parts.append(f"(?P<sep>[{re.escape(specials)}])")
    parts.append(f"(?P<text>[^{re.escape(specials + (release or ''))}]+)")
    pattern = re.compile("|".join(parts), re.DOTALL)

    segments: list[Segment] = []
    elements: list[tuple[str, ...]] = []
    components: list[str] = []
    pieces: list[str] = []
    start: int | None = None
    for match in pattern.finditer(text, offset):
        kind = match.lastgroup
        if kind == "text":
            piece = match.group()
            if start is None:
                stripped = piece.lstrip("\r\n\t ")
                if not stripped:
                    continue
                start = match.start() + len(piece) - len(stripped)
                piece = stripped
            pieces.append(piece)
        elif kind == "released":
            if start is None:
                start = match.start()
            pieces.append(match.group("released"))
        elif kind == "dangling":
            raise _fail(
                filename, text, match.start(), f"segment {len(segments) + 1}", "cut off after a release character"
            )
        else:
            if start is None:
                start = match.start()
            char = match.group()
            components.append("".join(pieces))
            pieces = []
            if char == seps.component:
                continue
            elements.append(tuple(components))
            components = []
            if char == seps.element:
                continue
            number = len(segments) + 1
            tag = elements[0][0].strip()
            if not _TAG.match(tag) or len(elements[0]) != 1:
                raise _fail(filename, text, start, f"segment {number}", f"not a segment tag: {tag[:20]!r}")
            segments.append(Segment(tag, tuple(elements[1:]), number, start))
            elements = []
            start = None
    if start is not None:
        raise _fail(
            filename,
            text,
            start,
            f"segment {len(segments) + 1}",
            "no segment terminator: the interchange is cut off",
        )
    return segments


@cache
def country_alpha2(code: str) -> str | None:
    """ISO alpha-2 of a PAXLST country code (ICAO alpha-3, or alpha-2), None when unknown."""
    value = code.strip().upper()
    if value in _ICAO_EXTRA:
        return _ICAO_EXTRA[value]
    if len(value) == 2 and value in {"XK", "XX"}:
        return value
    found = None
    if len(value) == 3:
        found = pycountry.countries.get(alpha_3=value)
    elif len(value) == 2:
        found = pycountry.countries.get(alpha_2=value)
    return str(found.alpha_2) if found is not None else None


@cache
def country_alpha3(code: str) -> str:
    """The ICAO code a travel document uses for an ISO alpha-2 country."""
    value = code.strip().upper()
    special = {"XK": "RKS", "XX": "XXX"}
    if value in special:
        return special[value]
    found = pycountry.countries.get(alpha_2=value)
    return str(found.alpha_3) if found is not None else value


def _century(two_digits: int, month: int, day: int, reference: date) -> int:
    """Birth dates come with a two-digit year: the latest century that does not put them in the future."""
    year = 2000 + two_digits
    try:
        born = date(year, month, day)
    except ValueError:
        return year
    return year if born <= reference else year - 100


def _fuzzy_text(value: str | date) -> str:
    try:
        return FuzzyDate.parse(value).text
    except ValidationError as exc:  # a date the model refuses, such as a year past its range
        raise ValueError(str(exc)) from None


def _parse_dtm(value: str, fmt: str, reference: date, birth: bool) -> tuple[str, datetime | None]:
    """A DTM value as (FuzzyDate text, datetime); raises ValueError when it is not a date."""
    digits = value.strip()
    if not ascii_digits(digits):
        raise ValueError(f"not a date: {value!r}")
    if fmt == "602" or (not fmt and len(digits) == 4):
        return _fuzzy_text(digits), None
    if fmt == "610":
        return _fuzzy_text(f"{digits[:4]}-{digits[4:6]}"), None
    layouts = {"101": 6, "102": 8, "201": 10, "203": 12}
    size = layouts.get(fmt, len(digits))
    if len(digits) != size or size not in (6, 8, 10, 12):
        raise ValueError(f"not a date in format {fmt or 'YYMMDD'}: {value!r}")
    if size in (6, 10):
        yy, month, day = int(digits[:2]), int(digits[2:4]), int(digits[4:6])
        year = _century(yy, month, day, reference) if birth else 2000 + yy
        rest = digits[6:]
    else:
        year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
        rest = digits[8:]
    hour, minute = (int(rest[:2]), int(rest[2:4])) if rest else (0, 0)
    moment = datetime(year, month, day, hour, minute)
    return _fuzzy_text(moment.date()), moment


@dataclass(slots=True)
class _Document:
    code: str
    number: str
    country: str | None = None
    expires_on: date | None = None
    issued_on: date | None = None


@dataclass(slots=True)
class _Traveller:
    number: int
    seq: int
    role: str
    surname: str
    given: str
    birth_date: str | None = None
    birth_place: str | None = None
    gender: str | None = None
    nationality: str | None = None
    residence: str | None = None
    embark: str | None = None
    debark: str | None = None
    clearance: str | None = None
    documents: list[_Document] = field(default_factory=list)
    references: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Flight:
    flight: str | None = None
    carrier: str | None = None
    departure_place: str | None = None
    departure_time: datetime | None = None
    arrival_place: str | None = None
    arrival_time: datetime | None = None


class _Parser:
    def __init__(self, segments: list[Segment], text: str, filename: str) -> None:
        self.segments = segments
        self.text = text
        self.filename = filename
        self.index = 0
        self.reference = date.today()
        self.rows: list[ScreeningRow] = []
        self.warnings: list[str] = []
        self.kind: str | None = None
        self.first_flight: _Flight | None = None

    def fail(self, seg: Segment, message: str) -> ImportFailed:
        return _seg_fail(self.filename, self.text, seg, message)

    def next(self, expecting: str) -> Segment:
        if self.index >= len(self.segments):
            last = self.segments[-1] if self.segments else None
            where = len(self.text) - 1 if last is None else last.position
            number = last.number + 1 if last else 1
            raise _fail(
                self.filename, self.text, max(where, 0), f"segment {number}", f"the interchange ends before {expecting}"
            )
        seg = self.segments[self.index]
        self.index += 1
        return seg

    def count(self, seg: Segment, element: int) -> int:
        value = seg.get(element)
        if not ascii_digits(value):
            raise self.fail(seg, f"element {element + 1} must be a count, found {value[:20]!r}")
        return int(value)

    def parse(self) -> PaxlstMessage:
        unb = self.next("UNB")
        if unb.tag != "UNB":
            raise self.fail(unb, "an interchange starts with UNB")
        prepared = self._prepared(unb)
        if prepared:
            self.reference = prepared.date()
        groups = messages = 0
        while True:
            seg = self.next("UNZ")
            if seg.tag == "UNG":
                groups += 1
                in_group = 0
                while True:
                    inner = self.next("UNE")
                    if inner.tag == "UNH":
                        self._message(inner)
                        in_group += 1
                    elif inner.tag == "UNE":
                        if self.count(inner, 0) != in_group:
                            raise self.fail(inner, f"UNE counts {inner.get(0)} messages but the group holds {in_group}")
                        if inner.get(1) != seg.get(4):
                            raise self.fail(inner, f"UNE reference {inner.get(1)!r} is not the UNG's {seg.get(4)!r}")
                        break
                    else:
                        raise self.fail(inner, "expected UNH or UNE inside a functional group")
                messages += in_group
            elif seg.tag == "UNH":
                if groups:
                    raise self.fail(seg, "UNH outside the functional groups of this interchange")
                self._message(seg)
                messages += 1
            elif seg.tag == "UNZ":
                expected = groups or messages
                if self.count(seg, 0) != expected:
                    what = "groups" if groups else "messages"
                    raise self.fail(seg, f"UNZ counts {seg.get(0)} but the interchange holds {expected} {what}")
                if seg.get(1) != unb.get(4):
                    raise self.fail(seg, f"UNZ reference {seg.get(1)!r} is not the UNB's {unb.get(4)!r}")
                if self.index < len(self.segments):
                    raise self.fail(self.segments[self.index], "data after UNZ, the end of the interchange")
                break
            else:
                raise self.fail(seg, "expected UNH, UNG or UNZ")
        if not messages:
            raise self.fail(unb, "the interchange holds no message")
        flight = self.first_flight or _Flight()
        return PaxlstMessage(
            rows=self.rows,
            sender=unb.get(1),
            recipient=unb.get(2),
            control_ref=unb.get(4),
            prepared=prepared,
            kind=self.kind,
            flight=flight.flight,
            carrier=flight.carrier,
            departure_place=flight.departure_place,
            departure_time=flight.departure_time,
            arrival_place=flight.arrival_place,
            arrival_time=flight.arrival_time,
            messages=messages,
            warnings=self.warnings,
        )

    def _prepared(self, unb: Segment) -> datetime | None:
        day, time = unb.get(3, 0), unb.get(3, 1)
        if not day:
            return None
        try:
            digits = day + (time or "0000")
            return _parse_dtm(digits, "", self.reference, birth=False)[1]
        except ValueError:
            raise self.fail(unb, f"element 4 is not a date and time: {day!r}:{time!r}") from None

    def _message(self, unh: Segment) -> None:
        if unh.get(1, 0) != "PAXLST":
            raise self.fail(unh, f"not a PAXLST message (UNH says {unh.get(1, 0)[:20]!r})")
        flight = _Flight()
        travellers: list[_Traveller] = []
        current: _Traveller | None = None
        document: _Document | None = None
        counted: int | None = None
        segments = 1
        while True:
            seg = self.next("UNT")
            segments += 1
            tag = seg.tag
            if tag == "UNT":
                break
            if tag in {"UNH", "UNB", "UNZ", "UNG", "UNE"}:
                raise self.fail(seg, f"{tag} inside message {unh.get(0)!r}, which has no UNT")
            if tag == "BGM":
                code = seg.get(0)
                self.kind = self.kind or {"745": "passenger", "250": "crew", "266": "crew", "336": "crew"}.get(
                    code, code
                )
            elif tag == "TDT":
                flight.flight = seg.get(1) or flight.flight
                flight.carrier = seg.get(4) or flight.carrier
            elif tag == "NAD" and seg.get(0) in PASSENGER_QUALIFIERS:
                document = None
                current = _Traveller(
                    number=seg.number,
                    seq=len(self.rows) + len(travellers) + 1,
                    role=PASSENGER_QUALIFIERS[seg.get(0)],
                    surname=seg.get(3, 0),
                    given=" ".join(p for p in (seg.get(3, i) for i in range(1, 5)) if p),
                )
                travellers.append(current)
            elif tag == "NAD":
                pass  # the reporting party (MS) and other parties are not travellers
            elif tag == "LOC":
                self._loc(seg, flight, current)
            elif tag == "DTM":
                self._dtm(seg, flight, current, document)
            elif tag == "DOC":
                if current is None:
                    raise self.fail(seg, "DOC before any traveller (NAD+FL or NAD+FM)")
                document = _Document(seg.get(0, 0).upper(), seg.get(1, 0))
                current.documents.append(document)
            elif tag in {"ATT", "NAT", "RFF"}:
                if current is None:
                    if tag == "RFF":
                        continue  # a message-level reference (e.g. the flight's)
                    raise self.fail(seg, f"{tag} before any traveller (NAD+FL or NAD+FM)")
                self._traveller_detail(seg, current)
            elif tag == "CNT" and seg.get(0, 0) in {"41", "42"}:
                value = seg.get(0, 1)
                if not ascii_digits(value):
                    raise self.fail(seg, f"CNT count is not a number: {value[:20]!r}")
                counted = int(value)
            # Other segments (COM, GEI, FTX, EMP, QTY ...) carry nothing screening uses.
        if self.count(seg, 0) != segments:
            raise self.fail(seg, f"UNT counts {seg.get(0)} segments but message {unh.get(0)!r} has {segments}")
        if seg.get(1) != unh.get(0):
            raise self.fail(seg, f"UNT reference {seg.get(1)!r} is not the UNH's {unh.get(0)!r}")
        total = len(self.rows) + len(travellers)
        if counted is None:
            self.warnings.append(
                f"message {unh.get(0)!r} has no CNT segment; its {len(travellers)} travellers are read"
            )
        elif counted not in (len(travellers), total):
            raise self.fail(seg, f"CNT counts {counted} travellers but message {unh.get(0)!r} holds {len(travellers)}")
        if self.first_flight is None:
            self.first_flight = flight
        self.rows.extend(self._row(t, flight) for t in travellers)

    def _loc(self, seg: Segment, flight: _Flight, current: _Traveller | None) -> None:
        qualifier, place = seg.get(0), seg.get(1, 0)
        if qualifier == "125" and current is None:
            flight.departure_place = flight.departure_place or place
        elif qualifier == "87" and current is None:
            flight.arrival_place = flight.arrival_place or place
        elif current is None:
            return
        elif qualifier == "178":
            current.embark = place
        elif qualifier == "179":
            current.debark = place
        elif qualifier == "22":
            current.clearance = place
        elif qualifier == "174":
            current.residence = self._country(place, "residence", seg, current)
        elif qualifier == "180":
            name = seg.get(1, 3)
            current.birth_place = ", ".join(p for p in (name, place) if p) or None
        elif qualifier == "91" and current.documents:
            current.documents[-1].country = self._country(place, "document country", seg, current)

    def _country(self, code: str, what: str, seg: Segment, current: _Traveller) -> str | None:
        if not code:
            return None
        found = country_alpha2(code)
        if found is None:
            current.warnings.append(f"{what}: unknown country code {code[:20]!r} (segment {seg.number})")
        return found

    def _dtm(
        self,
        seg: Segment,
        flight: _Flight,
        current: _Traveller | None,
        document: _Document | None,
    ) -> None:
        qualifier, value, fmt = seg.get(0, 0), seg.get(0, 1), seg.get(0, 2)
        birth = qualifier == "329"
        try:
            text, moment = _parse_dtm(value, fmt, self.reference, birth)
        except (ValueError, ValidationError) as exc:
            message = f"{qualifier}: {exc} (segment {seg.number})"
            if current is not None:
                current.warnings.append(f"date {message}")
            else:
                self.warnings.append(f"flight date {message}")
            return
        if current is None:
            if qualifier == "189":
                flight.departure_time = flight.departure_time or moment
            elif qualifier == "232":
                flight.arrival_time = flight.arrival_time or moment
            return
        if birth:
            current.birth_date = text
        elif qualifier == "36" and document is not None and moment is not None:
            document.expires_on = moment.date()
        elif qualifier == "182" and document is not None and moment is not None:
            document.issued_on = moment.date()

    def _traveller_detail(self, seg: Segment, current: _Traveller) -> None:
        if seg.tag == "ATT" and seg.get(0) == "2":
            code = seg.get(2, 0).upper()
            current.gender = {"M": "male", "F": "female"}.get(code)
            if current.gender is None and code not in {"U", "X", ""}:
                current.warnings.append(f"gender: unknown code {code[:10]!r} (segment {seg.number})")
        elif seg.tag == "NAT":
            if current.nationality is None:
                current.nationality = self._country(seg.get(1, 0), "nationality", seg, current)
        elif seg.tag == "RFF":
            qualifier, value = seg.get(0, 0), seg.get(0, 1)
            if qualifier or value:
                current.references.append((qualifier, value))

    def _row(self, t: _Traveller, flight: _Flight) -> ScreeningRow:
        documents = tuple(
            TravelDocument(
                type=_DOC_TYPES.get(d.code, "other"),
                number=d.number,
                country=d.country,
                expires_on=d.expires_on,
                issued_on=d.issued_on,
                code=d.code or None,
            )
            for d in t.documents
            if d.number
        )
        main = next((d for d in documents if d.code != "V"), None)
        name = " ".join(p for p in (t.given, t.surname) if p)
        return ScreeningRow(
            id=str(t.seq),
            name=name,
            line=t.number,
            birth_date=t.birth_date,
            nationality=t.nationality,
            gender=t.gender,
            document_number=main.number if main else None,
            document_type=main.type if main else None,
            document_country=main.country if main else None,
            surname=t.surname or None,
            given_names=t.given or None,
            birth_place=t.birth_place,
            residence_country=t.residence,
            documents=documents,
            references=tuple(t.references),
            role=t.role,
            flight=flight.flight,
            carrier=flight.carrier,
            departure_place=t.embark or flight.departure_place,
            departure_time=flight.departure_time,
            arrival_place=t.debark or t.clearance or flight.arrival_place,
            arrival_time=flight.arrival_time,
            warnings=tuple(t.warnings),
            invalid=None if name else f"name: empty (segment {t.number})",
        )


def read_paxlst(data: bytes, filename: str) -> PaxlstMessage:
    """Parse a PAXLST interchange; raises ImportFailed naming the segment and position of a fault."""
    text, seps, offset = _decode(data, filename)
    segments = _tokenize(text, seps, offset, filename)
    return _Parser(segments, text, filename).parse()


# --- writing ------------------------------------------------------------------------------------


def _escape(value: str, seps: Separators) -> str:
    specials = {seps.component, seps.element, seps.segment, seps.release}
    return "".join(seps.release + ch if ch in specials else ch for ch in value)


def _yymmddhhmm(moment: datetime) -> str:
    return moment.strftime("%y%m%d%H%M")


def _birth_dtm(text: str, reference: date) -> list[str] | None:
    when = FuzzyDate.parse(text)
    if when.precision is Precision.DAY:
        day = when.earliest
        if _century(day.year % 100, day.month, day.day, reference) == day.year:
            return ["329", day.strftime("%y%m%d")]
        return ["329", f"{day.year:04d}{day.month:02d}{day.day:02d}", "102"]
    if when.precision is Precision.MONTH:
        return ["329", f"{when.earliest.year:04d}{when.earliest.month:02d}", "610"]
    if when.precision is Precision.YEAR:
        return ["329", f"{when.earliest.year:04d}", "602"]
    return None  # a range or an approximate date has no PAXLST form


def write_paxlst(
    rows: Iterable[ScreeningRow],
    *,
    flight: str,
    carrier: str,
    departure_place: str,
    departure_time: datetime,
    arrival_place: str,
    arrival_time: datetime,
    sender: str = "ICTDB",
    recipient: str = "ICTDB",
    control_ref: str = "1",
    prepared: datetime | None = None,
    separators: Separators = DEFAULT_SEPARATORS,
    crew: bool = False,
) -> bytes:
    """A PAXLST interchange (UNA, UNB, UNG, one UNH message) listing ``rows`` on one flight.

    Meant for tests and benchmarks; the output is what ``read_paxlst`` and airline systems read.
    Birth dates that are ranges or approximate are left out: PAXLST has no form for them.
    """
    seps = separators
    problem = seps.check()
    if problem:
        raise ValueError(problem)
    when = prepared or departure_time
    reference = when.date()
    body: list[list[list[str]]] = []

    def seg(tag: str, *elements: str | list[str]) -> None:
        body.append([[tag]] + [[e] if isinstance(e, str) else e for e in elements])

    seg("BGM", "250" if crew else "745")
    seg("NAD", "MS", "", "", sender)
    seg("TDT", "20", flight, "", "", carrier)
    seg("LOC", "125", departure_place)
    seg("DTM", ["189", _yymmddhhmm(departure_time), "201"])
    seg("LOC", "87", arrival_place)
    seg("DTM", ["232", _yymmddhhmm(arrival_time), "201"])
    count = 0
    for row in rows:
        count += 1
        surname, given = row.surname, row.given_names
        if surname is None and given is None:
            parts = row.name.split()
            surname, given = (parts[-1], " ".join(parts[:-1])) if parts else ("", "")
        seg("NAD", "FM" if crew else "FL", "", "", [surname or "", *(given.split(" ", 1) if given else [])])
        if row.gender in {"male", "female"}:
            seg("ATT", "2", "", "M" if row.gender == "male" else "F")
        if row.birth_date and (dtm := _birth_dtm(row.birth_date, reference)):
            seg("DTM", dtm)
        if row.departure_place:
            seg("LOC", "178", row.departure_place)
        if row.arrival_place:
            seg("LOC", "179", row.arrival_place)
        if row.residence_country:
            seg("LOC", "174", country_alpha3(row.residence_country))
        if row.birth_place:
            seg("LOC", "180", ["", "", "", row.birth_place])
        if row.nationality:
            seg("NAT", "2", country_alpha3(row.nationality))
        for qualifier, value in row.references:
            seg("RFF", [qualifier, value])
        documents = row.documents
        if not documents and row.document_number:
            documents = (TravelDocument(row.document_type or "passport", row.document_number, row.document_country),)
        for doc in documents:
            seg("DOC", [doc.code or _DOC_CODES.get(doc.type, "F"), "110", "111"], doc.number)
            if doc.expires_on:
                seg("DTM", ["36", doc.expires_on.strftime("%y%m%d")])
            if doc.issued_on:
                seg("DTM", ["182", doc.issued_on.strftime("%y%m%d")])
            if doc.country:
                seg("LOC", "91", country_alpha3(doc.country))
    seg("CNT", ["41" if crew else "42", str(count)])

    def render(elements: list[list[str]]) -> str:
        while len(elements) > 1 and not any(elements[-1]):
            elements = elements[:-1]
        joined = (seps.component.join(_escape(c, seps) for c in element) for element in elements)
        return seps.element.join(joined) + seps.segment

    stamp = [when.strftime("%y%m%d"), when.strftime("%H%M")]
    text = "".join(str(part) for part in body)  # only to choose the character set below
    syntax = "UNOA" if text.isascii() else "UNOY"
    una = "UNA" + seps.component + seps.element + seps.decimal + seps.release + seps.repetition + seps.segment
    lines = [una]
    lines.append(render([["UNB"], [syntax, "4"], [sender, "ZZ"], [recipient, "ZZ"], stamp, [control_ref]]))
    lines.append(render([["UNG"], ["PAXLST"], [sender], [recipient], stamp, [control_ref], ["UN"], ["D", "05B"]]))
    lines.append(render([["UNH"], ["PAX001"], ["PAXLST", "D", "05B", "UN", "IATA"], ["API01"], ["01", "F"]]))
    lines.extend(render(elements) for elements in body)
    lines.append(render([["UNT"], [str(len(body) + 2)], ["PAX001"]]))
    lines.append(render([["UNE"], ["1"], [control_ref]]))
    lines.append(render([["UNZ"], ["1"], [control_ref]]))
    return ("\n".join(lines) + "\n").encode("utf-8")
