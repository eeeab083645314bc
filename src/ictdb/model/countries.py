"""ISO 3166-1 alpha-2 country codes, checked against pycountry (plus codes agencies use for no state)."""

from __future__ import annotations

from functools import cache
from typing import Annotated

import pycountry
from pydantic import AfterValidator

# Kosovo and "stateless / unknown" are used in travel documents but are not in ISO 3166-1.
EXTRA_CODES = {"XK": "Kosovo", "XX": "Stateless or unknown"}


@cache
def _known() -> dict[str, str]:
    codes = {c.alpha_2: c.name for c in pycountry.countries}
    codes.update(EXTRA_CODES)
    return codes


def country_name(code: str) -> str:
    return _known().get(code.upper(), code)


def check_country(code: str) -> str:
    if code in _known():  # already a code as stored: most values of a bulk import
        return code
    value = code.strip().upper()
    if value not in _known():
        raise ValueError(f"not an ISO 3166-1 alpha-2 country code: {code!r}")
    return value


@cache
def resolve_country(text: str) -> str | None:
    """Best effort: a country's name, alpha-2 or alpha-3 code, or nationality adjective to its alpha-2 code."""
    value = text.strip()
    if not value:
        return None
    if value.upper() in _known():
        return value.upper()
    try:
        found = pycountry.countries.lookup(value)
    except LookupError:
        pass
    else:
        return str(found.alpha_2)
    try:
        matches = pycountry.countries.search_fuzzy(value)
    except LookupError:
        return None
    return str(matches[0].alpha_2) if len(matches) == 1 else None


CountryCode = Annotated[str, AfterValidator(check_country)]
