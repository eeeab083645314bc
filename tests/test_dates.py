"""Dates of records: historical years are dated like any other, out-of-range years are refused."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ictdb.formats._dates import fuzzy_date_text
from ictdb.formats.paxlst import _birth_dtm
from ictdb.formats.stix.common import timestamp
from ictdb.model.dates import FuzzyDate, Precision
from ictdb.model.errors import ValidationError
from ictdb.model.stored import parse_body


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "precision"),
    [
        ("0632-06-08", date(632, 6, 8), date(632, 6, 8), Precision.DAY),
        ("1066-10", date(1066, 10, 1), date(1066, 10, 31), Precision.MONTH),
        ("1799", date(1799, 1, 1), date(1799, 12, 31), Precision.YEAR),
        ("0850/0900", date(850, 1, 1), date(900, 12, 31), Precision.RANGE),
        ("1650~", date(1648, 1, 1), date(1652, 12, 28), Precision.APPROXIMATE),
        # an approximate year near the start cannot reach before year 1
        ("0001~", date(1, 1, 1), date(3, 12, 28), Precision.APPROXIMATE),
        ("2200", date(2200, 1, 1), date(2200, 12, 31), Precision.YEAR),
    ],
)
def test_historical_years_are_dates(text: str, earliest: date, latest: date, precision: Precision) -> None:
    parsed = FuzzyDate.parse(text)
    assert (parsed.earliest, parsed.latest, parsed.precision, parsed.text) == (earliest, latest, precision, text)


@pytest.mark.parametrize("text", ["0000", "2201", "632", "-0044", "12345"])
def test_years_outside_one_to_2200_or_not_four_digits_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        FuzzyDate.parse(text)


def test_a_python_date_after_2200_is_refused() -> None:
    with pytest.raises(ValidationError):
        FuzzyDate.parse(date(2500, 1, 1))


def test_a_person_born_before_1800_is_a_valid_record() -> None:
    body = parse_body({"schema": "Person", "names": ["Ibn Battuta"], "birth_dates": ["1304-02-24"]})
    assert [str(d) for d in body.birth_dates] == ["1304-02-24"]  # type: ignore[attr-defined]


def test_lists_write_historical_dates_that_are_read() -> None:
    assert fuzzy_date_text("24 Feb 1304") == "1304-02-24"
    assert fuzzy_date_text("circa 1650") == "1650~"
    assert fuzzy_date_text("1650 to 1655") == "1650/1655"
    assert fuzzy_date_text("0000-00-00") is None


def test_exports_write_four_digit_years_before_1000() -> None:
    assert timestamp(datetime(850, 3, 1)) == "0850-03-01T00:00:00.000Z"
    assert _birth_dtm("0850-03-01", date(2026, 11, 28)) == ["329", "08500301", "102"]
    assert _birth_dtm("0850-03", date(2026, 11, 28)) == ["329", "085003", "610"]
