"""Read a screening CSV file (``id,name`` and optional identifying columns) into screening rows.

The file is read as a stream, one physical line at a time, so that a manifest of any size screens in
constant memory and an encoding error is reported with the line it is on. Headers are matched without
regard to case or surrounding spaces; a UTF-8 byte order mark is tolerated; columns we do not know are
ignored. Rows are never dropped: a row without a name or id comes out flagged ``invalid``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import BinaryIO

from ictdb.formats.screening_rows import ScreeningRow
from ictdb.model.countries import resolve_country
from ictdb.model.dates import FuzzyDate
from ictdb.model.errors import ImportFailed, ValidationError

REQUIRED = ("id", "name")
OPTIONAL = ("birth_date", "nationality", "gender", "document_number", "document_type", "document_country")
MAX_FIELD = 100_000
MAX_LINE = 1_000_000

_GENDERS = {"m": "male", "male": "male", "f": "female", "female": "female"}
_NO_GENDER = {"u", "x", "unknown", "unspecified"}
_INVISIBLE = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
)


def _decoded_lines(stream: BinaryIO, filename: str) -> Iterator[str]:
    for number, raw in enumerate(iter(lambda: stream.readline(MAX_LINE + 1), b""), 1):
        if len(raw) > MAX_LINE:
            raise ImportFailed(
                f"a line is longer than {MAX_LINE} bytes; is this a CSV file?", file=filename, line=number
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportFailed(
                f"not valid UTF-8 (byte {exc.start + 1} of the line); save the file as UTF-8",
                file=filename,
                line=number,
            ) from None
        if number == 1:
            text = text.removeprefix("\ufeff")
        yield text


def _header(cells: list[str], filename: str) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = cell.translate(_INVISIBLE).strip().lower().replace(" ", "_").replace("-", "_")
        if key in REQUIRED + OPTIONAL:
            if key in columns:
                raise ImportFailed("column appears twice in the header", file=filename, line=1, field=key)
            columns[key] = index
    for key in REQUIRED:
        if key not in columns:
            raise ImportFailed(
                "the header needs the columns id and name (optional: " + ", ".join(OPTIONAL) + ")",
                file=filename,
                line=1,
                field=key,
            )
    return columns


def _country(value: str, field: str, warnings: list[str]) -> str | None:
    code = resolve_country(value)
    if code is None:
        warnings.append(f"{field}: not a country: {value!r}")
    return code


def _row(cells: list[str], columns: dict[str, int], line: int) -> ScreeningRow:
    def cell(key: str) -> str | None:
        index = columns.get(key)
        if index is None or index >= len(cells):
            return None
        value = cells[index].strip()
        return value or None

    warnings: list[str] = []
    row_id = cell("id") or ""
    name = cell("name") or ""
    invalid = None
    if not name.translate(_INVISIBLE).strip():
        invalid = "name: empty"
    elif not row_id:
        invalid = "id: empty"

    birth_date = None
    if raw := cell("birth_date"):
        try:
            birth_date = FuzzyDate.parse(raw).text
        except ValidationError as exc:
            warnings.append(f"birth_date: {exc.message}")
    nationality = _country(raw, "nationality", warnings) if (raw := cell("nationality")) else None
    document_country = _country(raw, "document_country", warnings) if (raw := cell("document_country")) else None
    gender = None
    if raw := cell("gender"):
        gender = _GENDERS.get(raw.lower())
        if gender is None and raw.lower() not in _NO_GENDER:
            warnings.append(f"gender: not male/female/M/F: {raw!r}")
    return ScreeningRow(
        id=row_id,
        name=name,
        line=line,
        birth_date=birth_date,
        nationality=nationality,
        gender=gender,
        document_number=cell("document_number"),
        document_type=cell("document_type"),
        document_country=document_country,
        warnings=tuple(warnings),
        invalid=invalid,
    )


def read_screening_csv(stream: BinaryIO, filename: str) -> Iterator[ScreeningRow]:
    """Yield one ScreeningRow per data row, in file order.

    Raises ImportFailed (file, line, field) for a header without ``id`` or ``name``, invalid UTF-8, a row
    with more cells than the header, or a line the CSV reader cannot parse. Blank lines are not rows.
    """
    reader = csv.reader(_decoded_lines(stream, filename), strict=True)
    columns: dict[str, int] | None = None
    width = 0
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if columns is None:
                columns = _header(cells, filename)
                width = len(cells)
                continue
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(cells) > width:
                raise ImportFailed(
                    f"the row has {len(cells)} cells but the header has {width} (a comma inside a name needs quotes)",
                    file=filename,
                    line=line,
                )
            if any(len(c) > MAX_FIELD for c in cells):
                raise ImportFailed(f"a cell is longer than {MAX_FIELD} characters", file=filename, line=line)
            yield _row(cells, columns, line)
    except csv.Error as exc:
        raise ImportFailed(f"not readable as CSV: {exc}", file=filename, line=reader.line_num) from None
    if columns is None:
        raise ImportFailed("the file is empty; it needs a header with id and name", file=filename, line=1)
