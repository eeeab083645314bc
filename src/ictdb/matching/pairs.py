"""Scoring a pair of records for resolution: are these two records one person (or one group)?

Search compares a query with a record; resolution compares two records, each with possibly several names,
birth dates, nationalities and documents, and with the organizations it is a member of. The score starts
from the better of the two directions of the name alignment (``score.name_score``, with the index's
part weights), then adds bounded amounts for each other feature, as search does. Every feature returns its
contribution and an explanation for the analyst.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ictdb.matching.batch import screen_many
from ictdb.matching.index import MatchEntry, MatchQuery, NameIndex
from ictdb.matching.names import Part, analyze
from ictdb.matching.score import birth_date_feature, document_key, name_score
from ictdb.model.dates import FuzzyDate
from ictdb.model.records import Name
from ictdb.model.resolution import Pair

BIRTH_DAY_AGREE = 0.12
"""Two records' birth dates agree to the day: rarer by chance than a query's, so worth more here than in search."""
NATIONALITY_AGREE = 0.03
NATIONALITY_CONFLICT = -0.05
GENDER_CONFLICT = -0.1
DOCUMENT_AGREE = 0.3
DOCUMENT_CONFLICT = -0.1
"""Two documents of one type and country with different numbers: weak evidence (people renew passports)."""
PLACE_AGREE = 0.06
PLACE_CONFLICT = -0.03
ADDRESS_AGREE = 0.08
SHARED_ORGANIZATION = 0.04
SHARED_ORGANIZATIONS_MAX = 0.1


@dataclass(frozen=True, slots=True)
class Profile:
    """What resolution compares of a record. ``organizations`` maps a group to the membership records saying so."""

    id: str
    schema: str
    names: tuple[str, ...]
    birth_dates: tuple[FuzzyDate, ...] = ()
    nationalities: tuple[str, ...] = ()
    gender: str | None = None
    documents: tuple[tuple[str, str, str], ...] = ()
    """(type, country or "", number) of each identity document."""
    birth_places: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    organizations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    titles: tuple[str, ...] = ()
    """Titles and occupations; compared by batch resolution only."""


@dataclass(frozen=True, slots=True)
class PairScore:
    score: float
    explanation: dict[str, Any]


Weight = Callable[[Part], float]


def _parts(names: Sequence[str]) -> list[tuple[str, tuple[Part, ...]]]:
    return [(name, parts) for name in names if (parts := analyze(name))]


def names_feature(left: Sequence[str], right: Sequence[str], weight: Weight) -> tuple[float, dict[str, Any]]:
    """The best alignment of any name of one record with any name of the other, both ways averaged."""
    best = (0.0, "", "")
    for left_name, left_parts in _parts(left):
        left_weights = [weight(p) for p in left_parts]
        for right_name, right_parts in _parts(right):
            right_weights = [weight(p) for p in right_parts]
            forward = name_score(left_parts, left_weights, right_parts, right_weights).score
            backward = name_score(right_parts, right_weights, left_parts, left_weights).score
            value = (forward + backward) / 2
            if value > best[0]:
                best = (value, left_name, right_name)
    return best[0], {"left": best[1], "right": best[2], "score": round(best[0], 4)}


def _dates(left: Sequence[FuzzyDate], right: Sequence[FuzzyDate]) -> tuple[float, dict[str, Any]] | None:
    best: tuple[float, dict[str, Any]] | None = None
    for date in left:
        outcome = birth_date_feature(date, right)
        if outcome is not None and (best is None or outcome[0] > best[0]):
            best = outcome
    if best is None:
        return None
    value, detail = best
    if detail["relation"] == "exact":
        value = BIRTH_DAY_AGREE
    detail = {"left": detail["query"], "right": detail["record"], "relation": detail["relation"], "contribution": value}
    return value, detail


def _sets(
    left: Sequence[str], right: Sequence[str], agree: float, conflict: float, label: str
) -> tuple[float, dict[str, Any]] | None:
    if not left or not right:
        return None
    shared = sorted(set(left) & set(right))
    value = agree if shared else conflict
    return value, {label: shared, "agree": bool(shared), "contribution": value}


def _documents(
    left: Sequence[tuple[str, str, str]], right: Sequence[tuple[str, str, str]]
) -> tuple[float, dict[str, Any]] | None:
    keys_left = {document_key(n): (k, c, n) for k, c, n in left if len(document_key(n)) >= 4}
    keys_right = {document_key(n): (k, c, n) for k, c, n in right if len(document_key(n)) >= 4}
    shared = sorted(set(keys_left) & set(keys_right))
    if shared:
        return DOCUMENT_AGREE, {"number": keys_left[shared[0]][2], "agree": True, "contribution": DOCUMENT_AGREE}
    kinds_left = {(k, c) for k, c, _ in keys_left.values() if c}
    kinds_right = {(k, c) for k, c, _ in keys_right.values() if c}
    if kinds_left & kinds_right:
        return DOCUMENT_CONFLICT, {"agree": False, "contribution": DOCUMENT_CONFLICT}
    return None


def place_key(text: str) -> str:
    """A place or address as compared: case and accents folded, letters and digits only, in any script."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


def _places(left: Sequence[str], right: Sequence[str]) -> tuple[float, dict[str, Any]] | None:
    keys_left = {place_key(p) for p in left} - {""}
    keys_right = {place_key(p) for p in right} - {""}
    if not keys_left or not keys_right:
        return None
    agree = bool(keys_left & keys_right)
    value = PLACE_AGREE if agree else PLACE_CONFLICT
    return value, {"agree": agree, "contribution": value}


def _addresses(left: Sequence[str], right: Sequence[str]) -> tuple[float, dict[str, Any]] | None:
    keys_left = {place_key(p) for p in left} - {""}
    keys_right = {place_key(p) for p in right} - {""}
    if keys_left & keys_right:
        return ADDRESS_AGREE, {"agree": True, "contribution": ADDRESS_AGREE}
    return None


def _organizations(left: Profile, right: Profile) -> tuple[float, dict[str, Any]] | None:
    shared = sorted(set(left.organizations) & set(right.organizations))
    if not shared:
        return None
    value = min(SHARED_ORGANIZATIONS_MAX, SHARED_ORGANIZATION * len(shared))
    via = [
        {"organization": org, "memberships": sorted({*left.organizations[org], *right.organizations[org]})}
        for org in shared
    ]
    return value, {"shared": via, "contribution": value}


def score_pair(left: Profile, right: Profile, weight: Weight) -> PairScore:
    """How likely two records describe one entity, in [0, 1], with the contribution of each feature."""
    name, name_detail = names_feature(left.names, right.names, weight)
    explanation: dict[str, Any] = {"name": name_detail}
    features = {
        "birth_date": _dates(left.birth_dates, right.birth_dates),
        "nationality": _sets(
            left.nationalities, right.nationalities, NATIONALITY_AGREE, NATIONALITY_CONFLICT, "shared"
        ),
        "gender": (GENDER_CONFLICT, {"agree": False, "contribution": GENDER_CONFLICT})
        if left.gender and right.gender and left.gender != right.gender
        else None,
        "document": _documents(left.documents, right.documents),
        "birth_place": _places(left.birth_places, right.birth_places),
        "address": _addresses(left.addresses, right.addresses),
        "organizations": _organizations(left, right),
    }
    total = name
    for key, outcome in features.items():
        if outcome is not None:
            total += outcome[0]
            explanation[key] = outcome[1]
    return PairScore(round(min(1.0, max(0.0, total)), 4), explanation)


def exact_birth(left: Profile, right: Profile) -> bool:
    """Whether the two share a birth date known to the day (used to tell twins of a name apart)."""
    outcome = _dates(left.birth_dates, right.birth_dates)
    return outcome is not None and outcome[0] == BIRTH_DAY_AGREE


CANDIDATES_PER_RECORD = 20
"""Records each record is compared with in full: the best by the index's own score."""
SEARCH_MARGIN = 0.15
"""The index scores a record as a query (one birth date, one nationality); look this far below the threshold."""


def entry_of(profile: Profile, tag: Hashable = None) -> MatchEntry:
    """The index entry of a profile (for batch runs that build their own index)."""
    return MatchEntry(
        entity_id=profile.id,
        schema=profile.schema,
        names=tuple(Name(value=n) for n in profile.names),
        birth_dates=profile.birth_dates,
        nationalities=profile.nationalities,
        gender=profile.gender,
        documents=tuple(n for _, _, n in profile.documents),
        tag=tag,
    )


def query_of(profile: Profile) -> MatchQuery:
    return MatchQuery(
        names=profile.names[:10],
        birth_date=profile.birth_dates[0].text if profile.birth_dates else None,
        nationality=profile.nationalities[0] if profile.nationalities else None,
        gender=profile.gender,
        document_number=profile.documents[0][2] if profile.documents else None,
        schema=profile.schema,
    )


def candidate_pairs(
    index: NameIndex,
    profiles: Mapping[str, Profile],
    queries: Sequence[str],
    allowed: Callable[[Hashable], bool],
    *,
    threshold: float,
    per_record: int = CANDIDATES_PER_RECORD,
    workers: int | None = None,
    progress: Callable[[int, int], Any] | None = None,
) -> dict[Pair, PairScore]:
    """Pairs of ``queries`` with the records the index finds for them, scored in full, at or above ``threshold``.

    Candidates come from the index (blocking keys, then the index's score); only those ``allowed`` and present in
    ``profiles`` are scored, so a caller that passes only what a viewer may see never compares anything else.
    """
    wanted = [profiles[i] for i in queries if i in profiles and profiles[i].names]
    found = screen_many(
        index,
        [query_of(p) for p in wanted],
        allowed,
        limit=per_record + 1,
        threshold=max(0.0, threshold - SEARCH_MARGIN),
        workers=workers,
        progress=progress,
    )
    out: dict[Pair, PairScore] = {}
    for left_id, right_id in shared_detail_pairs(profiles, queries):
        pair = Pair.of(left_id, right_id)
        if pair not in out:
            scored = score_pair(profiles[pair.left], profiles[pair.right], index.weight)
            if scored.score >= threshold:
                out[pair] = scored
    for profile, result in zip(wanted, found, strict=True):
        for match in result.matches:
            other = profiles.get(match.entity_id)
            if other is None or other.id == profile.id:
                continue
            pair = Pair.of(profile.id, other.id)
            if pair in out:
                continue
            scored = score_pair(profiles[pair.left], profiles[pair.right], index.weight)
            if scored.score >= threshold:
                out[pair] = scored
    return out


MAX_BLOCK = 30
"""A detail shared by more records than this (a common birth date and town) proposes nothing by itself."""


def _detail_keys(profile: Profile) -> set[tuple[str, ...]]:
    """Details that two records of one person share even when their names are spelt apart: a document number,
    or a birth date known to the day together with a birth place or an address."""
    keys: set[tuple[str, ...]] = {
        ("doc", document_key(n)) for _, _, n in profile.documents if len(document_key(n)) >= 5
    }
    days = [d.text for d in profile.birth_dates if d.earliest == d.latest]
    for day in days:
        keys.update(("born", day, place_key(p)) for p in profile.birth_places if place_key(p))
        keys.update(("lives", day, place_key(a)) for a in profile.addresses if place_key(a))
    return keys


def shared_detail_pairs(profiles: Mapping[str, Profile], queries: Sequence[str]) -> set[tuple[str, str]]:
    """Pairs of a queried record with another that shares an identifying detail (second blocking pass)."""
    blocks: dict[tuple[str, ...], list[str]] = {}
    for profile in profiles.values():
        if profile.schema != "Person":
            continue
        for key in _detail_keys(profile):
            blocks.setdefault(key, []).append(profile.id)
    wanted = set(queries)
    out: set[tuple[str, str]] = set()
    for members in blocks.values():
        if len(members) < 2 or len(members) > MAX_BLOCK:
            continue
        for i, left in enumerate(members):
            for right in members[i + 1 :]:
                if left in wanted or right in wanted:
                    out.add((left, right) if left < right else (right, left))
    return out
