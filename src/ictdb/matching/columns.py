"""The compared columns of a record for batch resolution: ictdb's normalized forms as flat, SQL-comparable values.

Batch resolution compares records in SQL (Splink on DuckDB), so each profile becomes one row of plain
columns. Names go through ``analyze`` first, so that spellings in Arabic, Cyrillic and Latin script meet in
one Latin loose key and one consonant skeleton per part; a familiar given name also reads as its full form
(``given_names.formal``: Bill as William). The name is kept in several forms because the
errors differ: the first and last parts (for nicknames and typos in one part), the parts sorted (a name
written surname first) and the set of parts of every name the record has (aliases, longer forms).
Dates are kept to the day and to the year; places and addresses by ``place_key``; an address also by its
first word (a postcode's district, a street number's block).
"""

from __future__ import annotations

from typing import Any

from ictdb.matching.given_names import formal
from ictdb.matching.names import Part, analyze
from ictdb.matching.pairs import Profile, place_key
from ictdb.matching.score import document_key

COLUMNS = (
    "unique_id",
    "first_key",
    "first_skeleton",
    "first_formal",
    "last_key",
    "last_skeleton",
    "sorted_keys",
    "name_keys",
    "birth_date",
    "birth_year",
    "birth_place",
    "address",
    "address_area",
    "title",
    "gender",
    "document",
)
"""Every column of a row, in order; absent values are None (an empty list for ``name_keys``)."""


def _first_last(parts: tuple[Part, ...]) -> tuple[Part | None, Part | None]:
    if not parts:
        return None, None
    return parts[0], parts[-1] if len(parts) > 1 else None


def _skeleton(part: Part | None) -> str | None:
    return part.skeletons[0] if part is not None and part.skeletons and part.skeletons[0] else None


def _first(values: tuple[str, ...], key: Any = place_key) -> str | None:
    for value in values:
        if folded := key(value):
            return str(folded)
    return None


def row_of(profile: Profile) -> dict[str, Any]:
    """One row of compared columns for a profile (its first name is the primary one)."""
    analyzed = [analyze(name) for name in profile.names]
    primary = analyzed[0] if analyzed else ()
    first, last = _first_last(primary)
    every = sorted({p.key for parts in analyzed for p in parts})
    day = next((d for d in profile.birth_dates if d.earliest == d.latest), None)
    year = next((d.year for d in profile.birth_dates if d.year is not None), None)
    address = _first(profile.addresses)
    area = next((w for a in profile.addresses for w in (place_key(a.split()[0]) if a.split() else "",) if w), None)
    documents = sorted(k for _, _, n in profile.documents if len(k := document_key(n)) >= 4)
    return {
        "unique_id": profile.id,
        "first_key": first.key if first else None,
        "first_skeleton": _skeleton(first),
        "first_formal": formal(first.key) if first else None,
        "last_key": last.key if last else None,
        "last_skeleton": _skeleton(last),
        "sorted_keys": " ".join(sorted([formal(first.key)] + [p.key for p in primary[1:]])) if first else None,
        "name_keys": every,
        "birth_date": day.earliest.isoformat() if day else None,
        "birth_year": year,
        "birth_place": _first(profile.birth_places),
        "address": address,
        "address_area": area,
        "title": _first(profile.titles),
        "gender": profile.gender,
        "document": documents[0] if documents else None,
    }
