"""Dates as agencies know them: exact, month or year only, a range, or approximate.

The text form follows EDTF (ISO 8601-2) where it can: ``1971-07-28``, ``1971-07``, ``1971``,
``1970/1975`` for a range and a trailing ``~`` for approximate (``1971~``: "about 1971").
An approximate date is taken to mean +/- two years when it is compared.

Years run from 1 to 2200, written with four digits as ISO 8601 does (``0632-06-08``): historical records
(births, deaths, events, a group founded centuries ago) are dated like any other. There is no year 0 and no
negative year (ISO 8601's expanded years): a date before the common era is not something agencies record.
An approximate year near the start is cut at 1 January of year 1.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from ictdb.model.errors import ValidationError

APPROXIMATE_YEARS = 2
FIRST_YEAR = 1
LAST_YEAR = 2200
"""Far enough ahead for an expiry date or a planned event; a later year is a typing error."""
DATES_MEMO = "dates"
"""Key of the validation context's dict of dates already parsed (see ``stored.parse_memo``)."""
_PART = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    RANGE = "range"
    APPROXIMATE = "approximate"


def _bounds(part: str) -> tuple[date, date, Precision]:
    match = _PART.match(part)
    if not match:
        raise ValidationError(f"not a date: {part!r} (use YYYY, YYYY-MM, YYYY-MM-DD, A/B or YYYY~)")
    year = int(match.group(1))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(f"year out of range: {part!r} (years {FIRST_YEAR:04d} to {LAST_YEAR})")
    if match.group(2) is None:
        return date(year, 1, 1), date(year, 12, 31), Precision.YEAR
    month = int(match.group(2))
    if not 1 <= month <= 12:
        raise ValidationError(f"month out of range: {part!r}")
    last = calendar.monthrange(year, month)[1]
    if match.group(3) is None:
        return date(year, month, 1), date(year, month, last), Precision.MONTH
    day = int(match.group(3))
    if not 1 <= day <= last:
        raise ValidationError(f"day out of range: {part!r}")
    exact = date(year, month, day)
    return exact, exact, Precision.DAY


@dataclass(frozen=True, slots=True)
class FuzzyDate:
    """A date known to some precision; ``earliest``/``latest`` bound what it may be."""

    text: str
    earliest: date
    latest: date
    precision: Precision

    @classmethod
    def parse(cls, value: str | date | FuzzyDate) -> FuzzyDate:
        if isinstance(value, FuzzyDate):
            return value
        if isinstance(value, date):
            if value.year > LAST_YEAR:
                raise ValidationError(
                    f"year out of range: {value.isoformat()!r} (years {FIRST_YEAR:04d} to {LAST_YEAR})"
                )
            return cls(value.isoformat(), value, value, Precision.DAY)
        text = str(value).strip()
        if not text:
            raise ValidationError("empty date")
        if text.endswith("~"):
            low, high, _ = _bounds(text[:-1])
            earliest = (
                low.replace(year=low.year - APPROXIMATE_YEARS, day=min(low.day, 28))
                if low.year - APPROXIMATE_YEARS >= FIRST_YEAR
                else date(FIRST_YEAR, 1, 1)
            )
            return cls(
                text,
                earliest,
                high.replace(year=high.year + APPROXIMATE_YEARS, day=min(high.day, 28)),
                Precision.APPROXIMATE,
            )
        if "/" in text:
            first, _, second = text.partition("/")
            low, _, _ = _bounds(first.strip())
            _, high, _ = _bounds(second.strip())
            if high < low:
                raise ValidationError(f"range ends before it starts: {text!r}")
            return cls(f"{first.strip()}/{second.strip()}", low, high, Precision.RANGE)
        low, high, precision = _bounds(text)
        return cls(text, low, high, precision)

    @property
    def year(self) -> int | None:
        return self.earliest.year if self.earliest.year == self.latest.year else None

    def overlaps(self, other: FuzzyDate) -> bool:
        return self.earliest <= other.latest and other.earliest <= self.latest

    def __str__(self) -> str:
        return self.text

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        def parse(value: Any) -> FuzzyDate:
            if isinstance(value, (str, date, FuzzyDate)):
                try:
                    return cls.parse(value)
                except ValidationError as exc:
                    raise ValueError(exc.message) from exc
            raise ValueError("a date must be a string such as 1971-07-28, 1971, 1970/1975 or 1971~")

        def validate(value: Any, info: core_schema.ValidationInfo) -> FuzzyDate:
            memo: dict[str, FuzzyDate] | None = info.context.get(DATES_MEMO) if info.context else None
            if memo is None or not isinstance(value, str):
                return parse(value)
            # A bulk import sees the same dates again and again: each text is parsed once (a FuzzyDate never
            # changes, so the one parsed serves every record that gives the same text).
            found = memo.get(value)
            if found is None:
                found = memo[value] = parse(value)
            return found

        return core_schema.with_info_plain_validator_function(
            validate,
            serialization=core_schema.plain_serializer_function_ser_schema(str),
            json_schema_input_schema=core_schema.str_schema(),
        )
