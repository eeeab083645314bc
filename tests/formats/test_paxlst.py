"""PAXLST passenger lists: real-shaped interchanges in, screening rows out, and faults named precisely."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ictdb.formats.paxlst import Separators, read_paxlst, write_paxlst
from ictdb.formats.screening_rows import ScreeningRow, TravelDocument
from ictdb.model.errors import ImportFailed

DATA = Path(__file__).parent / "data"
LH600 = (DATA / "paxlst_lh600_d02b.edi").read_bytes()
AF1234 = (DATA / "paxlst_af1234_crew_custom_una.edi").read_bytes()
QR69 = (DATA / "paxlst_qr69_release_chars.edi").read_bytes()


def failure(data: bytes, name: str = "api.edi") -> str:
    with pytest.raises(ImportFailed) as caught:
        read_paxlst(data, name)
    return str(caught.value)


def test_passenger_list_gives_flight_and_every_traveller() -> None:
    message = read_paxlst(LH600, "lh600.edi")
    assert (message.flight, message.carrier, message.kind) == ("LH600", "LH", "passenger")
    assert (message.departure_place, message.arrival_place) == ("DXB", "FRA")
    assert message.departure_time == datetime(2024, 3, 15, 10, 30)
    assert message.arrival_time == datetime(2024, 3, 15, 14, 55)
    assert [r.name for r in message.rows] == ["AHMED YOUSEF AL-HASHIMI", "ANNA MARIA SCHMIDT", "SHAMIL BASAEV"]
    first = message.rows[0]
    assert (first.surname, first.given_names, first.gender, first.birth_date) == (
        "AL-HASHIMI",
        "AHMED YOUSEF",
        "male",
        "1981-04-02",
    )
    assert (first.nationality, first.residence_country, first.birth_place) == ("SY", "AE", "ALEPPO, SYR")
    assert first.documents == (TravelDocument("passport", "N01234567", "SY", date(2029, 1, 10), code="P"),)
    assert (first.document_number, first.document_type, first.document_country) == ("N01234567", "passport", "SY")
    assert ("AVF", "K7PQ2M") in first.references
    assert first.role == "passenger" and first.flight == "LH600" and first.line == 12


def test_two_digit_birth_years_take_the_century_that_is_not_in_the_future() -> None:
    rows = read_paxlst(LH600, "lh600.edi").rows
    assert [r.birth_date for r in rows] == ["1981-04-02", "2002-07-14", "1965-01-14"]
    tomorrow = LH600.replace(b"DTM+329:020714'", b"DTM+329:240316'")
    assert read_paxlst(tomorrow, "x.edi").rows[1].birth_date == "1924-03-16"


def test_visa_is_kept_but_the_passport_is_the_document_screened() -> None:
    basaev = read_paxlst(LH600, "lh600.edi").rows[2]
    assert [d.code for d in basaev.documents] == ["P", "V"]
    assert (basaev.document_number, basaev.nationality) == ("751234567", "RU")


def test_custom_una_latin1_crew_list_on_one_line() -> None:
    message = read_paxlst(AF1234, "af1234.edi")
    assert message.kind == "crew"
    assert [r.name for r in message.rows] == ["JÖRG MÜLLER", "SAMIRA BENALI", "CLAIRE MARIE LEFÈVRE-DUPONT"]
    assert [r.birth_date for r in message.rows] == ["1958-03-12", "1990-06-27", "1975"]
    assert all(r.role == "crew" for r in message.rows)
    assert message.prepared == datetime(2024, 4, 2, 22, 15)


def test_release_characters_and_multi_part_messages() -> None:
    message = read_paxlst(QR69, "qr69.edi")
    assert message.messages == 2
    names = [r.surname for r in message.rows]
    assert names == ["O'BRIEN", "D'SOUZA", "ХАТТАБ"]
    assert message.rows[1].document_number == "503311?2"
    assert message.rows[1].nationality == "GB"  # ICAO GBD, a British dependent territories citizen
    assert message.rows[2].given_names == "ИБН АЛЬ:РАШИД"
    assert (message.rows[2].nationality, message.rows[2].gender, message.rows[2].birth_date) == ("XX", None, "1979")
    assert [r.id for r in message.rows] == ["1", "2", "3"]


def test_wrong_unt_count_names_segment_and_position() -> None:
    text = failure(LH600.replace(b"UNT+46+", b"UNT+45+"), "lh600.edi")
    assert "lh600.edi:49" in text
    assert "segment 48 (UNT)" in text and "character" in text and "46" in text


def test_wrong_cnt_count_is_refused() -> None:
    assert "CNT counts 4" in failure(LH600.replace(b"CNT+42:3'", b"CNT+42:4'"))


@pytest.mark.parametrize(
    ("change", "segment"),
    [
        ((b"UNT+46+", "UNT+²6+".encode()), "UNT"),
        ((b"CNT+42:3'", "CNT+42:³'".encode()), "CNT"),
        ((b"UNE+1+471'", "UNE+¹+471'".encode()), "UNE"),
    ],
)
def test_counts_in_other_digits_are_named_faults(change: tuple[bytes, bytes], segment: str) -> None:
    """Superscript digits pass str.isdigit but are no number: refused like any other bad count."""
    text = failure(LH600.replace(*change))
    assert segment in text and "character" in text


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ((b"UNZ+1+000000471'", b"UNZ+1+000000472'"), "UNZ reference"),
        ((b"UNE+1+471'", b"UNE+2+471'"), "UNE counts 2"),
        ((b"PAXLST:D:02B", b"CUSRES:D:02B"), "not a PAXLST message"),
        ((b"UNB+UNOA:4", b"UNB+UNOQ:4"), "unknown syntax identifier"),
        ((b"UNA:+.? '", b"UNA::.? '"), "must all differ"),
        ((b"BGM+745'", b"BGM+745'\nzz+1'"), "not a segment tag"),
        ((b"NAD+MS+++LUFTHANSA API CENTRE'", b"DOC+P+1'"), "DOC before any traveller"),
        ((b"UNZ+1+000000471'", b"UNZ+1+000000471'\nUNH+X'"), "data after UNZ"),
        # a date that parses but that no record may hold (years run to 2200)
        ((b"+240315:0905+", b"+30240315:0905+"), "element 4 is not a date"),
    ],
)
def test_structural_faults_are_named(change: tuple[bytes, bytes], expected: str) -> None:
    assert expected in failure(LH600.replace(*change))


@pytest.mark.parametrize("sample", [LH600, AF1234, QR69], ids=["lh600", "af1234", "qr69"])
def test_a_message_cut_anywhere_is_refused_with_a_position(sample: bytes) -> None:
    end = len(sample.rstrip(b"\r\n"))
    for cut in range(end):
        with pytest.raises(ImportFailed) as caught:
            read_paxlst(sample[:cut], "cut.edi")
        assert "cut.edi" in str(caught.value)


def test_dangling_release_character_is_a_cut() -> None:
    assert "release character" in failure(LH600[: LH600.index(b"CNT")] + b"CNT+42:3?")


def test_unreadable_values_are_warnings_on_the_row() -> None:
    data = LH600.replace(b"NAT+2+SYR'", b"NAT+2+QQQ'").replace(b"DTM+329:810402'", b"DTM+329:811302'")
    row = read_paxlst(data, "x.edi").rows[0]
    assert row.nationality is None and row.birth_date is None
    assert any(w.startswith("nationality") for w in row.warnings)
    assert any(w.startswith("date 329") for w in row.warnings)
    assert row.screenable


def test_traveller_without_a_name_is_an_invalid_row_not_a_lost_one() -> None:
    data = LH600.replace(b"NAD+FL+++SCHMIDT:ANNA:MARIA'", b"NAD+FL'")
    rows = read_paxlst(data, "x.edi").rows
    assert len(rows) == 3 and not rows[1].screenable
    assert rows[1].invalid is not None and "segment 26" in rows[1].invalid


def test_missing_cnt_is_a_warning() -> None:
    data = LH600.replace(b"CNT+42:3'\n", b"").replace(b"UNT+46+", b"UNT+45+")
    message = read_paxlst(data, "x.edi")
    assert len(message.rows) == 3 and "no CNT" in message.warnings[0]


def test_whitespace_before_and_bom_are_tolerated() -> None:
    assert len(read_paxlst(b"\xef\xbb\xbf\r\n" + LH600, "x.edi").rows) == 3


def test_segment_count_in_fixture_matches_its_segments() -> None:
    # The fixture's UNT is what an airline system would compute: UNH..UNT inclusive.
    body = LH600.decode()
    segments = re.findall(r"(?m)^[A-Z]{3}", body[body.index("UNH") : body.index("UNE")])
    assert f"UNT+{len(segments)}+" in body


# --- round trip ---------------------------------------------------------------------------------

FLIGHT = {
    "flight": "TK1523",
    "carrier": "TK",
    "departure_place": "IST",
    "departure_time": datetime(2025, 2, 1, 7, 45),
    "arrival_place": "TXL",
    "arrival_time": datetime(2025, 2, 1, 9, 50),
}

letters = st.sampled_from(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ'?:+-") + list("АБВГДЕЖЗИЙКЛ") + ["Ü", "É"])
word = st.text(letters, min_size=1, max_size=10).filter(lambda w: any(c.isalpha() for c in w))
birth = st.one_of(
    st.none(),
    st.dates(date(1910, 1, 1), date(2024, 12, 31)).map(date.isoformat),
    st.integers(1900, 2024).map(str),
)
country = st.sampled_from([None, "SY", "RU", "DE", "GB", "IQ", "XK", "XX"])
kinds = st.sampled_from([("P", "passport"), ("I", "national-id"), ("T", "travel-document"), (None, "passport")])
document = st.builds(
    lambda kind, number, country, expires: TravelDocument(kind[1], number, country, expires, code=kind[0] or "P"),
    kinds,
    st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=5, max_size=12),
    country,
    st.one_of(st.none(), st.dates(date(2000, 1, 1), date(2099, 12, 31))),
)


@st.composite
def travellers(draw: st.DrawFn) -> ScreeningRow:
    surname = draw(word)
    given = draw(st.lists(word, max_size=3).map(" ".join)) or None
    docs = tuple(draw(st.lists(document, max_size=2)))
    main = docs[0] if docs else None
    return ScreeningRow(
        id="",
        name=" ".join(p for p in (given, surname) if p),
        line=0,
        surname=surname,
        given_names=given,
        birth_date=draw(birth),
        nationality=draw(country),
        gender=draw(st.sampled_from([None, "male", "female"])),
        residence_country=draw(country),
        documents=docs,
        document_number=main.number if main else None,
        document_type=main.type if main else None,
        document_country=main.country if main else None,
        references=tuple(draw(st.lists(st.tuples(st.sampled_from(["AVF", "SEA"]), word), max_size=2))),
        role="passenger",
        departure_place="IST",
        arrival_place="TXL",
    )


separators = st.sampled_from(
    [Separators(), Separators(">", "*", ",", "#", " ", "~"), Separators("|", "^", ".", "!", "*", "~")]
)


@given(st.lists(travellers(), max_size=12), separators)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_write_then_read_gives_the_same_travellers(rows: list[ScreeningRow], seps: Separators) -> None:
    data = write_paxlst(rows, separators=seps, **FLIGHT)  # type: ignore[arg-type]
    message = read_paxlst(data, "generated.edi")
    assert message.flight == "TK1523" and message.departure_time == FLIGHT["departure_time"]
    assert len(message.rows) == len(rows)
    for number, (written, read_back) in enumerate(zip(rows, message.rows, strict=True), 1):
        assert read_back.id == str(number)
        assert read_back.warnings == ()
        expected = written.__class__(
            **{
                **{f: getattr(written, f) for f in written.__slots__},  # type: ignore[attr-defined]
                "id": str(number),
                "line": read_back.line,
                "flight": "TK1523",
                "carrier": "TK",
                "departure_time": FLIGHT["departure_time"],
                "arrival_time": FLIGHT["arrival_time"],
            }
        )
        assert read_back == expected


# --- nothing but ImportFailed -------------------------------------------------------------------


@given(st.binary(max_size=400))
@settings(max_examples=300, deadline=None)
def test_arbitrary_bytes_raise_only_import_failed(data: bytes) -> None:
    try:
        message = read_paxlst(data, "fuzz.edi")
    except ImportFailed as exc:
        assert exc.file == "fuzz.edi" and ("character" in str(exc) or "byte" in str(exc))
    else:
        assert all(row.line > 0 and (row.screenable or row.invalid) for row in message.rows)


@given(st.binary(max_size=200))
@settings(max_examples=300, deadline=None)
def test_arbitrary_bytes_after_a_valid_header_raise_only_import_failed(tail: bytes) -> None:
    try:
        message = read_paxlst(b"UNA:+.? 'UNB+UNOY:4+A+B+240101:0000+1'UNH+1+PAXLST:D:05B:UN:IATA'" + tail, "fuzz.edi")
    except ImportFailed as exc:
        assert exc.file == "fuzz.edi" and ("character" in str(exc) or "byte" in str(exc))
    else:
        assert all(row.line > 0 and (row.screenable or row.invalid) for row in message.rows)


@given(st.data())
@settings(max_examples=300, deadline=None)
def test_mutated_real_messages_raise_only_import_failed(data: st.DataObject) -> None:
    sample = bytearray(data.draw(st.sampled_from([LH600, AF1234, QR69])))
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(sample) - 1))
        sample[index] = data.draw(st.sampled_from(b"+:'?*>~#0123456789AZ\n\x00\xff"))
    try:
        message = read_paxlst(bytes(sample), "fuzz.edi")
    except ImportFailed as exc:
        assert exc.file == "fuzz.edi" and ("character" in str(exc) or "byte" in str(exc))
    else:
        assert all(row.line > 0 and (row.screenable or row.invalid) for row in message.rows)
