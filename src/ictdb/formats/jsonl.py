"""ictdb's own JSON Lines format: one record per line, read as a stream and written from stored records.

A line is a JSON object with the record's ``id`` (its key in the file), its ``schema``, the body fields
of that record type, and optionally an ``envelope`` object. The smallest line outside tools send is::

    {"id": "X1", "schema": "Person", "names": ["Abu Bakr al-Baghdadi", "أبو بكر البغدادي"]}

Relationship records name the records they link by those ids. docs/formats.md is the full description.
Reading stops at the first bad line with ImportFailed naming the file, the line and the field.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

import orjson
import pydantic

from ictdb.model.bundle import SOURCE_ID, ImportItem
from ictdb.model.envelope import EnvelopeInput
from ictdb.model.errors import ImportFailed, ValidationError
from ictdb.model.stored import Record, body_to_data, first_problem, parse_body, parse_memo

MAX_LINE_BYTES = 10 * 1024 * 1024
MAX_ID = 100

# Keys of a line that are not body fields.
ID_KEY = "id"
ENVELOPE_KEY = "envelope"
# Written for the reader's information; ownership always goes to the importing agency.
INFORMATIONAL_ENVELOPE_KEYS = ("owner",)
_ENVELOPE_FIELDS = frozenset(EnvelopeInput.model_fields)
_BOM = b"\xef\xbb\xbf"


def _lines(stream: BinaryIO, filename: str) -> Iterator[tuple[int, bytes]]:
    """Numbered lines (1-based), none longer than MAX_LINE_BYTES: a longer one is refused before it is read whole."""
    number = 0
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE_BYTES and not (len(raw) == MAX_LINE_BYTES + 1 and raw.endswith(b"\n")):
            raise ImportFailed(f"line longer than {MAX_LINE_BYTES:,} bytes", file=filename, line=number)
        if number == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        yield number, raw


def _decode(raw: bytes, filename: str, number: int) -> dict[str, Any] | None:
    # orjson reads the bytes as they are when they hold valid UTF-8 JSON, the line of nearly every file;
    # anything else is decoded step by step below, to say what is wrong with it.
    with contextlib.suppress(orjson.JSONDecodeError):
        data = orjson.loads(raw)
        if isinstance(data, dict):
            return data
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFailed(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})", file=filename, line=number
        ) from None
    if not text.strip():
        return None
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ImportFailed(f"malformed JSON: {exc}", file=filename, line=number) from None
    if not isinstance(data, dict):
        raise ImportFailed("a line must hold one JSON object", file=filename, line=number)
    return data


def _without_field(problem: ValidationError) -> str:
    """The message alone: ImportFailed names the field itself."""
    prefix = f"{problem.field}: "
    return problem.message.removeprefix(prefix) if problem.field else problem.message


def _envelope(value: Any, filename: str, number: int) -> EnvelopeInput:
    if not isinstance(value, dict):
        raise ImportFailed("must be a JSON object", file=filename, line=number, field=ENVELOPE_KEY)
    given = {key: item for key, item in value.items() if key not in INFORMATIONAL_ENVELOPE_KEYS}
    try:
        return EnvelopeInput.model_validate(given)
    except pydantic.ValidationError as exc:
        problem = first_problem(exc, ENVELOPE_KEY)
        raise ImportFailed(_without_field(problem), file=filename, line=number, field=problem.field) from None


def _item(data: dict[str, Any], filename: str, number: int, memo: dict[str, Any] | None = None) -> ImportItem:
    key = data.pop(ID_KEY, None)
    if isinstance(key, str):
        key = key.strip()
    if not isinstance(key, str) or not key or len(key) > MAX_ID:
        raise ImportFailed(
            f"every line needs an id: a string of 1 to {MAX_ID} characters", file=filename, line=number, field=ID_KEY
        )
    envelope = _envelope(data.pop(ENVELOPE_KEY), filename, number) if ENVELOPE_KEY in data else None
    if not _ENVELOPE_FIELDS.isdisjoint(data):
        raise ImportFailed(
            f'envelope fields go inside the "{ENVELOPE_KEY}" object',
            file=filename,
            line=number,
            field=sorted(_ENVELOPE_FIELDS.intersection(data))[0],
        )
    identifiers = data.get("identifiers", [])
    source = {"scheme": SOURCE_ID, "value": key}
    if isinstance(identifiers, list) and source not in identifiers:
        data["identifiers"] = [*identifiers, source]
    try:
        body = parse_body(data, memo)
    except ValidationError as exc:
        raise ImportFailed(_without_field(exc), file=filename, line=number, field=exc.field) from None
    return ImportItem(key=key, body=body, envelope=envelope, line=number)


def read_entities(stream: BinaryIO, *, filename: str) -> Iterator[ImportItem]:
    """Yield one import item per non-blank line, in file order; raise ImportFailed at the first bad line.

    The item's key is the line's ``id``, also kept in the body as an identifier with scheme ``source-id``.
    Its envelope is the line's ``envelope`` object (None when absent: the importing agency's defaults).
    """
    seen: dict[str, int] = {}
    memo = parse_memo()
    for number, raw in _lines(stream, filename):
        data = _decode(raw, filename, number)
        if data is None:
            continue
        item = _item(data, filename, number, memo)
        if item.key in seen:
            raise ImportFailed(
                f"id {item.key!r} already used on line {seen[item.key]}", file=filename, line=number, field=ID_KEY
            )
        seen[item.key] = number
        yield item


def record_to_line(record: Record) -> dict[str, Any]:
    """The JSON object of one stored record: id, schema, the body fields, identifiers, envelope."""
    body = body_to_data(record.body)
    identifiers = body.pop("identifiers", None)
    line: dict[str, Any] = {ID_KEY: record.id, "schema": body.pop("schema")}
    line.update(body)
    if identifiers:
        line["identifiers"] = identifiers
    line[ENVELOPE_KEY] = record.envelope.model_dump(mode="json", exclude_none=True)
    return line


def write_entities(records: Iterable[Record], stream: BinaryIO) -> int:
    """Write each record as one line of UTF-8 JSON; return how many were written."""
    count = 0
    for record in records:
        stream.write(orjson.dumps(record_to_line(record), option=orjson.OPT_APPEND_NEWLINE))
        count += 1
    return count
