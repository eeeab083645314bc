"""Dates as sanctions lists write them ("28 Jul 1971", "circa 1960", "1960 to 1962", "1961-00-00") to EDTF text.

The result is the text form of ``model.dates.FuzzyDate`` (``1971-07-28``, ``1971-07``, ``1971``, ``1960/1962``,
``1971~``), already checked by it, or None when the text is not a date we can read without guessing.
"""

from __future__ import annotations

import re

from ictdb.model.dates import FuzzyDate
from ictdb.model.errors import ValidationError

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ][\d:.]+)?(?:Z|[+-]\d{2}:?\d{2})?$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]+)\.?,?\s+(\d{4})$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_APPROXIMATE = re.compile(r"^(?:circa|ca\.?|c\.|approximately|approx\.?|about|around)\s+(.+)$", re.IGNORECASE)
_RANGE = re.compile(r"^(?:between\s+)?(.+?)\s*(?:\bto\b|\band\b|\s-\s|–)\s*(.+)$", re.IGNORECASE)
_YEAR_RANGE = re.compile(r"^(\d{4})\s*[-/]\s*(\d{4})$")
_MONTHS_OF_YEAR = re.compile(
    r"^(?:between\s+)?([A-Za-z]+)\.?\s+(?:and|to|-)\s+([A-Za-z]+)\.?\s+(\d{4})$", re.IGNORECASE
)


def _month(word: str) -> int | None:
    return _MONTHS.get(word.lower().rstrip("."))


def _single(text: str) -> str | None:
    """One point in time: a day, a month or a year."""
    if match := _ISO.match(text):
        year, month, day = match.groups()
        if not month or int(month) == 0:
            return year  # "1961-00-00": the list knows the year only
        if not day or int(day) == 0:
            return f"{year}-{int(month):02d}"
        return f"{year}-{int(month):02d}-{int(day):02d}"
    if match := _DAY_MONTH_YEAR.match(text):
        month = _month(match.group(2))
        return f"{match.group(3)}-{month:02d}-{int(match.group(1)):02d}" if month else None
    if match := _MONTH_YEAR.match(text):
        month = _month(match.group(1))
        return f"{match.group(2)}-{month:02d}" if month else None
    if match := _NUMERIC.match(text):
        day, month, year = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return None


def _span(first: str, last: str) -> str:
    # A range from 1 January to 31 December is a range of years; say it the short way.
    if first.endswith("-01-01") and last.endswith("-12-31"):
        first, last = first[:4], last[:4]
    return first if first == last else f"{first}/{last}"


def _read(text: str) -> str | None:
    if match := _APPROXIMATE.match(text):
        inner = _read(match.group(1).strip())
        if inner is None or "/" in inner or inner.endswith("~"):
            return inner  # an approximate range stays a range: the range already says "somewhere in here"
        return inner + "~"
    if match := _YEAR_RANGE.match(text):
        return _span(match.group(1), match.group(2))
    if match := _MONTHS_OF_YEAR.match(text):
        start, end, year = _month(match.group(1)), _month(match.group(2)), match.group(3)
        if start and end:
            return _span(f"{year}-{start:02d}", f"{year}-{end:02d}")
        return None
    if single := _single(text):
        return single
    if match := _RANGE.match(text):
        first, last = _single(match.group(1).strip()), _single(match.group(2).strip())
        if first and last:
            return _span(first, last)
    return None


def fuzzy_date_text(text: str | None) -> str | None:
    """EDTF text of a date as lists write it, validated; None when it cannot be read."""
    if text is None:
        return None
    value = " ".join(text.split()).strip(" .;,")
    if not value:
        return None
    found = _read(value)
    if found is None:
        return None
    try:
        return FuzzyDate.parse(found).text
    except ValidationError:
        return None
