"""The row a screening run checks: one traveller or list entry, whatever file it came from.

CSV files and PAXLST passenger lists both become ``ScreeningRow`` values. A row that cannot be
screened (no name, no id) is still produced, with ``invalid`` saying why, so that the results file keeps
one line per input row and nothing disappears between the input and the output.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class TravelDocument:
    """An identity or travel document a traveller declared (PAXLST DOC group)."""

    type: str
    number: str
    country: str | None = None
    expires_on: date | None = None
    issued_on: date | None = None
    code: str | None = None


@dataclass(frozen=True, slots=True)
class ScreeningRow:
    """One input row to screen.

    ``birth_date`` is a FuzzyDate text (``1971-07-28``, ``1971``); ``nationality`` and the countries are
    ISO 3166-1 alpha-2; ``gender`` is ``male``, ``female`` or None. ``line`` is where the row came from: the
    physical line in a CSV file, the segment number of its NAD segment in a PAXLST interchange.
    ``warnings`` name fields whose values were not understood and were left out (the row is still
    screened on the rest); ``invalid`` is set when the row cannot be screened at all.
    """

    id: str
    name: str
    line: int
    birth_date: str | None = None
    nationality: str | None = None
    gender: str | None = None
    document_number: str | None = None
    document_type: str | None = None
    document_country: str | None = None
    surname: str | None = None
    given_names: str | None = None
    birth_place: str | None = None
    residence_country: str | None = None
    documents: tuple[TravelDocument, ...] = ()
    references: tuple[tuple[str, str], ...] = ()
    role: str | None = None
    flight: str | None = None
    carrier: str | None = None
    departure_place: str | None = None
    departure_time: datetime | None = None
    arrival_place: str | None = None
    arrival_time: datetime | None = None
    warnings: tuple[str, ...] = ()
    invalid: str | None = None

    @property
    def screenable(self) -> bool:
        return self.invalid is None
