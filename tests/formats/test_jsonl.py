"""ictdb's JSON Lines format: the minimal form outside tools send, every bad line, and write/read round trips."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ictdb.formats.jsonl import MAX_LINE_BYTES, read_entities, write_entities
from ictdb.model.envelope import Distribution, DistributionKind, Envelope, EnvelopeInput
from ictdb.model.errors import ImportFailed
from ictdb.model.records import Identifier, Membership, Organization, Person
from ictdb.model.stored import Record, parse_body
from ictdb.model.vocab import HandlingCode, HitPolicy, NameKind, Purpose, Script

MINIMAL = '{"id": "X1", "schema": "Person", "names": ["Abu Bakr al-Baghdadi", "أبو بكر البغدادي"]}\n'


def _read(text: str | bytes) -> list[Any]:
    data = text.encode() if isinstance(text, str) else text
    return list(read_entities(io.BytesIO(data), filename="people.jsonl"))


def _fails(text: str | bytes) -> ImportFailed:
    with pytest.raises(ImportFailed) as caught:
        _read(text)
    assert caught.value.file == "people.jsonl"
    return caught.value


# -- reading --------------------------------------------------------------------------------------


def test_the_minimal_form() -> None:
    [item] = _read(MINIMAL)
    assert item.key == "X1"
    assert item.envelope is None
    assert item.line == 1
    person = item.body
    assert isinstance(person, Person)
    assert [(n.value, n.kind, n.script) for n in person.names] == [
        ("Abu Bakr al-Baghdadi", NameKind.PRIMARY, Script.LATIN),
        ("أبو بكر البغدادي", NameKind.ALIAS, Script.ARABIC),
    ]
    assert person.identifiers == [Identifier(scheme="source-id", value="X1")]


def test_organizations_relationships_and_an_envelope() -> None:
    lines = (
        '{"id": "O1", "schema": "Organization", "names": ["Islamic State"], "org_type": "terrorist-group",'
        ' "envelope": {"distribution": "agencies:RU-FSB,SY-CTD", "handling": "H2", "hit_policy": "hit-no-hit",'
        ' "grading": "B2", "purpose": "investigation", "justification": "case 7", "review_by": "2030-01-01"}}\n'
        "\n" + MINIMAL.replace("\n", "") + "\n"
        '{"id": "M1", "schema": "Membership", "person": "X1", "organization": "O1", "role": "leader", "start": "2010"}\n'
    )
    org, person, membership = _read(lines)
    assert isinstance(org.body, Organization) and isinstance(person.body, Person)
    assert org.envelope == EnvelopeInput(
        distribution=Distribution(DistributionKind.AGENCIES, agencies=("RU-FSB", "SY-CTD")),
        handling=HandlingCode.H2,
        hit_policy=HitPolicy.HIT_NO_HIT,
        grading="B2",
        purpose=Purpose.INVESTIGATION,
        justification="case 7",
        review_by=date(2030, 1, 1),
    )
    assert [item.line for item in (org, person, membership)] == [1, 3, 4]  # a blank line still counts
    assert isinstance(membership.body, Membership)
    assert (membership.body.person, membership.body.organization) == ("X1", "O1")  # keys, resolved on import


def test_a_source_id_already_given_is_not_repeated() -> None:
    line = '{"id": "X1", "schema": "Person", "names": ["A"], "identifiers": [{"scheme": "source-id", "value": "X1"}]}'
    [item] = _read(line)
    assert item.body.identifiers == [Identifier(scheme="source-id", value="X1")]


@pytest.mark.parametrize(
    ("line", "field", "words"),
    [
        ('{"id": "X2", "schema": "Persn", "names": ["A"]}', "schema", "unknown schema"),
        ('{"id": "X2", "schema": "Person", "names": ["A"], "nationalities": ["QQ"]}', "nationalities.0", "ISO"),
        ('{"id": "X2", "schema": "Person", "names": ["A"], "birth_dates": ["1971-13-01"]}', "birth_dates.0", "month"),
        ('{"id": "X2", "schema": "Person", "names": []}', "names", "at least 1"),
        ('{"id": "X2", "schema": "Person", "names": ["A"], "shoe_size": 44}', "shoe_size", "not permitted"),
        ('{"schema": "Person", "names": ["A"]}', "id", "needs an id"),
        ('{"id": 7, "schema": "Person", "names": ["A"]}', "id", "needs an id"),
        ('{"id": "X2", "schema": "Person", "names": ["A"], "handling": "H1"}', "handling", "inside"),
        ('{"id": "X2", "schema": "Person", "names": ["A"], "envelope": {"grading": "Z9"}}', "envelope.grading", "A-F"),
        (
            '{"id": "X2", "schema": "Person", "names": ["A"], "envelope": {"distribution": "everyone"}}',
            "envelope.distribution",
            "use owner",
        ),
        ('{"id": "X2", "schema": "Person", "names": ["A"], "envelope": "members"}', "envelope", "object"),
        ('{"id": "X1", "schema": "Person", "names": ["A"]}', "id", "already used on line 1"),
        (
            '{"id": "X2", "schema": "Person", "names": ["A"], "documents": [{"number": "1", "country": "ZZ"}]}',
            "documents.0.country",
            "ISO",
        ),
        # names and dates seen on an earlier line are remembered, bad ones still name their place
        ('{"id": "X2", "schema": "Person", "names": ["Abu Bakr al-Baghdadi", " \u200b "]}', "names.1.value", "empty"),
        (
            '{"id": "X2", "schema": "Person", "names": [{"value": "Abu Bakr al-Baghdadi", "x": "y"}]}',
            "names.0.x",
            "not permitted",
        ),
        (
            '{"id": "X2", "schema": "Person", "names": ["A"], "birth_dates": ["1971", "1971-02-30"]}',
            "birth_dates.1",
            "day",
        ),
    ],
)
def test_a_bad_line_names_its_line_and_field(line: str, field: str, words: str) -> None:
    error = _fails(MINIMAL + line + "\n" + MINIMAL.replace("X1", "X3"))
    assert (error.line, error.field) == (2, field)
    assert words in error.message
    assert f"people.jsonl:2: field {field}: " in str(error)


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (b'{"id": "X2", "schema": "Person"', "malformed JSON"),
        (b'[{"id": "X2"}]', "one JSON object"),
        (b'{"id": "X2", "schema": "Person", "names": ["caf\xe9"]}', "not valid UTF-8 (byte 0xe9 at column 48)"),
        (b"\xff\xfe{\x00", "not valid UTF-8"),
    ],
)
def test_a_line_that_is_not_a_json_object(line: bytes, words: str) -> None:
    error = _fails(MINIMAL.encode() + line + b"\n")
    assert error.line == 2 and error.field is None
    assert words in error.message


def test_a_byte_order_mark_is_accepted() -> None:
    [item] = _read(b"\xef\xbb\xbf" + MINIMAL.encode())
    assert item.key == "X1"


class _Endless(io.RawIOBase):
    """A file that is one endless line, counting what was read from it."""

    def __init__(self) -> None:
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = len(buffer)
        buffer[:size] = b"x" * size
        self.served += size
        return size


def test_an_endless_line_is_refused_without_reading_it_whole() -> None:
    raw = _Endless()
    with pytest.raises(ImportFailed) as caught:
        list(read_entities(io.BufferedReader(raw), filename="huge.jsonl"))
    assert (caught.value.file, caught.value.line) == ("huge.jsonl", 1)
    assert "longer than" in caught.value.message
    assert raw.served <= MAX_LINE_BYTES + 1024 * 1024


def test_a_line_of_exactly_the_limit_is_read() -> None:
    head = b'{"id": "X1", "schema": "Person", "names": ["A"], "birth_places": ["'
    tail = b'"]}\n'
    room = MAX_LINE_BYTES - len(head) - len(tail)
    places = [b"p" * 9_000] * ((room - 100) // 9_004)
    used = sum(len(p) + 4 for p in places)  # each place and the '", "' after it
    places.append(b"p" * (room - used))
    line = head + b'", "'.join(places) + tail
    assert len(line) == MAX_LINE_BYTES
    [item] = _read(line)
    assert sum(map(len, item.body.birth_places)) == sum(map(len, places))


def test_names_and_dates_given_again_read_as_the_first_time() -> None:
    """Within a file, a name or a date seen before is not validated again: the bodies are those read alone."""
    lines = [
        {"schema": "Person", "names": ["Abu Bakr al-Baghdadi", "أبو بكر"], "birth_dates": ["1971", "1971-07-28"]},
        {"schema": "Person", "names": ["أبو بكر", "Abu Bakr al-Baghdadi"], "birth_dates": ["1971-07-28"]},
        {"schema": "Person", "names": [{"value": "أبو بكر", "kind": "weak-alias"}, {"value": " Abu  Bakr "}]},
        {"schema": "Person", "names": [{"value": "أبو بكر", "kind": "weak-alias"}, "Abu Bakr", "\u200bAbu Bakr"]},
        {"schema": "Organization", "names": ["Abu Bakr al-Baghdadi"], "founded": "1971~", "dissolved": "1971/1980"},
        {"schema": "Membership", "person": "P1", "organization": "O1", "start": "1971", "end": "1971~"},
    ]
    text = "".join(orjson.dumps({"id": f"L{n}", **line}).decode() + "\n" for n, line in enumerate(lines))
    for n, (item, line) in enumerate(zip(_read(text), lines, strict=True)):
        alone = parse_body({**line, "identifiers": [{"scheme": "source-id", "value": f"L{n}"}]})
        assert item.body == alone
        assert item.body.model_dump() == alone.model_dump()


def test_items_stream_before_a_later_bad_line() -> None:
    stream = io.BytesIO((MINIMAL + "not json\n").encode())
    items = read_entities(stream, filename="people.jsonl")
    assert next(items).key == "X1"
    with pytest.raises(ImportFailed) as caught:
        next(items)
    assert caught.value.line == 2


# -- writing and round trips ------------------------------------------------------------------------

_NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
_ENVELOPE = Envelope(
    owner="RU-FSB",
    distribution=Distribution(DistributionKind.MEMBERS),
    handling=HandlingCode.H0,
    hit_policy=HitPolicy.NOTIFY_OWNER,
    grading="F6",
    purpose=Purpose.THREAT_ANALYSIS,
    review_by=date(2030, 1, 2),
)


def _record(record_id: str, body: dict[str, Any], envelope: Envelope = _ENVELOPE) -> Record:
    return Record(
        id=record_id,
        body=parse_body(body),
        envelope=envelope,
        created_by="analyst1",
        created_at=_NOW,
        updated_at=_NOW,
    )


def test_written_lines_carry_id_schema_fields_identifiers_and_envelope() -> None:
    record = _record(
        "r-1",
        {"schema": "Person", "names": ["Abu Bakr al-Baghdadi"], "birth_dates": ["1971-07-28"], "nationalities": ["IQ"]},
    )
    stream = io.BytesIO()
    assert write_entities([record], stream) == 1
    raw = stream.getvalue()
    assert raw.endswith(b"\n") and raw.count(b"\n") == 1
    line = orjson.loads(raw)
    assert list(line)[:2] == ["id", "schema"]
    assert line["id"] == "r-1" and line["schema"] == "Person"
    assert line["birth_dates"] == ["1971-07-28"] and line["nationalities"] == ["IQ"]
    assert line["envelope"] == {
        "owner": "RU-FSB",
        "distribution": "members",
        "handling": "H0",
        "hit_policy": "notify-owner",
        "grading": "F6",
        "purpose": "threat-analysis",
        "review_by": "2030-01-02",
    }


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZابتثجحخدذرزسشصضطظعغفقكلمنهويءأإآةىабвгдежзийклмнопрстуфхцчшщъыьэюяЁё"
_names = st.lists(
    st.builds(
        lambda first, rest, kind: {"value": first + rest, "kind": kind},
        st.sampled_from(_LETTERS),
        st.text(alphabet=_LETTERS + " -'", max_size=30),
        st.sampled_from([k.value for k in NameKind]),
    ),
    min_size=1,
    max_size=4,
)
_years = st.integers(min_value=1900, max_value=2100)
_dates = st.one_of(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)).map(date.isoformat),
    _years.map(str),
    st.tuples(_years, st.integers(1, 12)).map(lambda ym: f"{ym[0]}-{ym[1]:02d}"),
    st.tuples(_years, st.integers(0, 10)).map(lambda y: f"{y[0]}/{y[0] + y[1]}"),
    st.integers(1910, 2090).map(lambda y: f"{y}~"),
)
_countries = st.sampled_from(["IQ", "SY", "RU", "AF", "XK", "GB", "SA", "FR"])
_text = st.text(min_size=1, max_size=40).filter(lambda t: t.strip() != "")
_documents = st.lists(
    st.fixed_dictionaries(
        {"number": st.from_regex(r"[A-Z0-9]{3,12}", fullmatch=True)},
        optional={
            "type": st.sampled_from(["passport", "national-id", "other"]),
            "country": _countries,
            "issued_on": _dates,
        },
    ),
    max_size=2,
)
_persons = st.fixed_dictionaries(
    {"schema": st.just("Person"), "names": _names},
    optional={
        "birth_dates": st.lists(_dates, max_size=3),
        "birth_places": st.lists(_text, max_size=2),
        "nationalities": st.lists(_countries, max_size=2),
        "gender": st.sampled_from(["male", "female", "unknown"]),
        "documents": _documents,
        "addresses": st.lists(st.fixed_dictionaries({}, optional={"city": _text, "country": _countries}), max_size=2),
        "notes": st.text(max_size=200),
        "identifiers": st.lists(st.fixed_dictionaries({"scheme": st.just("un-ref"), "value": _text}), max_size=2),
    },
)
_organizations = st.fixed_dictionaries(
    {"schema": st.just("Organization"), "names": _names},
    optional={"areas": st.lists(_countries, max_size=3), "founded": _dates, "ideology": _text},
)
_memberships = st.fixed_dictionaries(
    {"schema": st.just("Membership"), "person": st.just("p-0"), "organization": st.just("o-0")},
    optional={"role": st.sampled_from(["leader", "member", "financier"]), "start": _years.map(str)},
)
_envelopes = st.builds(
    Envelope,
    owner=st.sampled_from(["RU-FSB", "SY-CTD", "UN-SC"]),
    distribution=st.sampled_from(["owner", "members", "agencies:RU-FSB,IQ-NSS", "group:gulf-partners"]).map(
        Distribution.parse
    ),
    handling=st.sampled_from([HandlingCode.H0, HandlingCode.H1, HandlingCode.H2]),
    hit_policy=st.sampled_from(list(HitPolicy)),
    grading=st.sampled_from(["A1", "B2", "F6"]),
    purpose=st.sampled_from(list(Purpose)),
    justification=st.none() | _text,
    review_by=st.dates(min_value=date(2025, 1, 1), max_value=date(2040, 12, 31)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    bodies=st.lists(st.one_of(_persons, _organizations, _memberships), min_size=1, max_size=6),
    envelopes=st.lists(_envelopes, min_size=6, max_size=6),
)
def test_what_is_written_reads_back_the_same(bodies: list[dict[str, Any]], envelopes: list[Envelope]) -> None:
    records = [_record(f"r-{index}", body, envelopes[index]) for index, body in enumerate(bodies)]
    stream = io.BytesIO()
    assert write_entities(records, stream) == len(records)
    items = list(read_entities(io.BytesIO(stream.getvalue()), filename="export.jsonl"))
    assert [item.key for item in items] == [record.id for record in records]
    for item, record in zip(items, records, strict=True):
        source = Identifier(scheme="source-id", value=record.id)
        assert item.body == record.body.model_copy(update={"identifiers": [*record.body.identifiers, source]})
        expected = record.envelope.model_dump(exclude={"owner"})
        assert item.envelope == EnvelopeInput(**expected)
    # Written again from what was read, the file is the same apart from the added source ids.
    again = [
        _record(record.id, item.body.model_dump(by_alias=True), record.envelope)
        for item, record in zip(items, records, strict=True)
    ]
    second = io.BytesIO()
    write_entities(again, second)
    assert list(read_entities(io.BytesIO(second.getvalue()), filename="again.jsonl")) == items
