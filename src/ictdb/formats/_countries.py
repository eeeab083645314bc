"""Country names as sanctions lists spell them, resolved to ISO 3166-1 alpha-2 codes.

The UN writes official short names ("Iran (Islamic Republic of)"), OFAC writes its own ("Korea, North",
"Burma"); pycountry knows neither form of some of them, so those are listed here. Anything still unknown is
returned as None and the caller reports it: a parser never guesses a state.
"""

from __future__ import annotations

from collections import Counter
from functools import cache

import pycountry

from ictdb.model.countries import EXTRA_CODES

_ALIASES = {
    "bahamas, the": "BS",
    "bosnia-herzegovina": "BA",
    "british virgin islands": "VG",
    "burma": "MM",
    "china, hong kong special administrative region": "HK",
    "china, macao special administrative region": "MO",
    "congo, democratic republic of the": "CD",
    "congo, republic of the": "CG",
    "cote d ivoire": "CI",
    "cote d'ivoire": "CI",
    "czech republic": "CZ",
    "democratic republic of the congo": "CD",
    "gambia, the": "GM",
    "gaza": "PS",
    "hong kong": "HK",
    "iran": "IR",
    "iran (islamic republic of)": "IR",
    "korea, north": "KP",
    "korea, south": "KR",
    "kosovo": "XK",
    "laos": "LA",
    "macau": "MO",
    "macedonia": "MK",
    "macedonia, the former yugoslav republic of": "MK",
    "man, isle of": "IM",
    "micronesia, federated states of": "FM",
    "moldova": "MD",
    "north korea": "KP",
    "palestinian": "PS",
    "region: gaza": "PS",
    "russia": "RU",
    "south korea": "KR",
    "state of palestine": "PS",
    "syria": "SY",
    "taiwan": "TW",
    "tanzania": "TZ",
    "the gambia": "GM",
    "turkey": "TR",
    "türkiye": "TR",
    "vietnam": "VN",
    "virgin islands, british": "VG",
    "west bank": "PS",
}

# Words lists use for "no country"; never to be read as a code ("na" is not Namibia here).
_NONE = {"na", "n/a", "none", "unknown", "undetermined", "stateless", "-0-", "-"}


@cache
def country_code(text: str) -> str | None:
    """The alpha-2 code of a country as a sanctions list names it, or None when it is not a known state.

    Only exact names and codes count. A fuzzy search would read a province ("Jalisco", "Najaf") or a
    stray abbreviation as a country, which is worse than reporting it unresolved.
    """
    value = " ".join(text.split())
    key = value.casefold()
    if not key or key in _NONE:
        return None
    if key in _ALIASES:
        return _ALIASES[key]
    if len(value) <= 3 and not value.isupper():
        return None  # a lower-case two- or three-letter word is an abbreviation, not an ISO code
    if value.upper() in EXTRA_CODES:
        return value.upper()
    try:
        found = pycountry.countries.lookup(value)
    except LookupError:
        return None
    return str(found.alpha_2)


class CountryResolver:
    """Resolves names and remembers the ones it could not, to be listed in one warning."""

    def __init__(self) -> None:
        self.unresolved: Counter[str] = Counter()

    def __call__(self, text: str | None) -> str | None:
        if text is None or not text.strip():
            return None
        code = country_code(text)
        if code is None:
            self.unresolved[" ".join(text.split())] += 1
        return code

    def warning(self, filename: str) -> str | None:
        if not self.unresolved:
            return None
        listed = ", ".join(f"{name!r} ({count})" for name, count in sorted(self.unresolved.items()))
        return f"{filename}: countries not resolved to ISO codes, kept as text: {listed}"
