"""Screening CSV input: headers, encodings and rows that must never vanish."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ictdb.formats.screening_csv import read_screening_csv
from ictdb.model.errors import ImportFailed


def read(data: bytes, name: str = "list.csv") -> list:
    return list(read_screening_csv(io.BytesIO(data), name))


def test_reads_every_column_whatever_the_header_case_and_bom() -> None:
    data = (
        "\ufeffID, Name ,Birth_Date,NATIONALITY,gender,document_number,remarks\r\n"
        "p1,Ahmed Yousef al-Hashimi,1981-04-02,SYR,M,N01234567,seat 23C\r\n"
        "p2,Анна Шмидт,1971,de,female,,\r\n"
    ).encode()
    first, second = read(data)
    assert (first.id, first.name, first.birth_date, first.nationality, first.gender, first.document_number) == (
        "p1",
        "Ahmed Yousef al-Hashimi",
        "1981-04-02",
        "SY",
        "male",
        "N01234567",
    )
    assert (second.name, second.birth_date, second.nationality, second.gender, second.document_number) == (
        "Анна Шмидт",
        "1971",
        "DE",
        "female",
        None,
    )
    assert (first.line, second.line) == (2, 3)
    assert first.screenable and not first.warnings


def test_header_without_name_names_the_file_line_and_field() -> None:
    with pytest.raises(ImportFailed) as caught:
        read(b"id,full_name\n1,John\n", "manifest.csv")
    assert (caught.value.file, caught.value.line, caught.value.field) == ("manifest.csv", 1, "name")
    assert "manifest.csv:1" in str(caught.value)


def test_header_without_id_is_refused() -> None:
    with pytest.raises(ImportFailed) as caught:
        read(b"name,birth_date\nJohn,1970\n")
    assert caught.value.field == "id"


def test_invalid_utf8_names_the_line() -> None:
    data = b"id,name\n1,Ahmed\n2,M\xfcller\n"
    with pytest.raises(ImportFailed) as caught:
        read(data, "latin1.csv")
    assert (caught.value.file, caught.value.line) == ("latin1.csv", 3)
    assert "UTF-8" in str(caught.value)


def test_empty_names_are_kept_as_invalid_rows_in_order() -> None:
    data = b"id,name\n1,Ahmed\n2,\n3,  \xe2\x80\x8f \n4,Omar\n"
    rows = read(data)
    assert [r.id for r in rows] == ["1", "2", "3", "4"]
    assert [r.screenable for r in rows] == [True, False, False, True]
    assert rows[1].invalid is not None and "name" in rows[1].invalid


def test_empty_id_is_an_invalid_row() -> None:
    (row,) = read(b"id,name\n,Ahmed\n")
    assert row.invalid is not None and row.invalid.startswith("id")


def test_values_that_cannot_be_read_become_warnings_not_lost_rows() -> None:
    (row,) = read(b"id,name,birth_date,nationality,gender\n1,Ahmed,31/02/1980,Atlantis,unsure\n")
    assert row.screenable
    assert (row.birth_date, row.nationality, row.gender) == (None, None, None)
    assert [w.split(":")[0] for w in row.warnings] == ["birth_date", "nationality", "gender"]


def test_quoted_newlines_keep_line_numbers_right() -> None:
    data = b'id,name\n1,"Abu\nBakr"\n2,Omar\n'
    rows = read(data)
    assert [(r.name, r.line) for r in rows] == [("Abu\nBakr", 2), ("Omar", 4)]


def test_a_row_with_more_cells_than_the_header_is_refused() -> None:
    with pytest.raises(ImportFailed) as caught:
        read(b"id,name\n1,Smith, John\n")
    assert caught.value.line == 2


def test_empty_file_is_a_clear_error() -> None:
    with pytest.raises(ImportFailed) as caught:
        read(b"", "empty.csv")
    assert caught.value.file == "empty.csv"


def test_blank_lines_are_not_rows() -> None:
    assert [r.id for r in read(b"id,name\n\n1,Ahmed\n\n")] == ["1"]


names = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=30)


@given(st.lists(st.tuples(st.text(min_size=1, max_size=8).filter(str.strip), names), max_size=20))
@settings(max_examples=60, deadline=None)
def test_every_written_row_comes_back_in_order(rows: list[tuple[str, str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "name"])
    writer.writerows(rows)
    read_back = read(out.getvalue().encode())
    assert [(r.id, r.name) for r in read_back] == [(i.strip(), n.strip()) for i, n in rows]
    assert all(r.screenable == bool(r.name.strip()) for r in read_back if r.name.isprintable())


@given(st.binary(max_size=300))
@settings(max_examples=200, deadline=None)
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    try:
        rows = read(b"id,name\n" + data, "fuzz.csv")
    except ImportFailed as exc:
        assert exc.file == "fuzz.csv" and exc.line is not None and exc.line >= 2
    else:
        assert all(row.line >= 2 for row in rows)
