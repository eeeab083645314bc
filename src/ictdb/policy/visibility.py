"""Who may see a record: the rule that storage turns into the one SQL predicate every read composes.

A viewer sees a record when it is not deleted and either
  * the viewer's agency owns it (owners always see their records, even past review), or
  * the record is not past its review date, and
      - it is distributed to all members, or
      - the viewer's agency is named in its audience (by its distribution, or by a granted request), or
      - a sharing group named in its audience has the viewer's agency as a member.
Nothing else grants sight: there are no deny rules to weigh, and a node administrator has no
special sight of records (only of the audit trail).

``may_see`` is the reference implementation in Python. Storage compiles the same rule to SQL
(storage/visibility.py); the property tests check the two agree on random nodes.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from ictdb.model.envelope import DistributionKind, Envelope


@dataclass(frozen=True, slots=True)
class Viewer:
    """The agency on whose behalf records are read, and the day that decides what is past review."""

    agency: str
    today: date


@dataclass(frozen=True, slots=True)
class Audience:
    """Who besides the owner is named for a record: agencies and sharing groups (from distribution or grants)."""

    agencies: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()


def audience_of(envelope: Envelope) -> Audience:
    """The audience a record's distribution names (grants add to it later)."""
    dist = envelope.distribution
    if dist.kind is DistributionKind.AGENCIES:
        return Audience(agencies=frozenset(dist.agencies))
    if dist.kind is DistributionKind.GROUP and dist.group:
        return Audience(groups=frozenset({dist.group}))
    return Audience()


def is_due(envelope: Envelope, today: date) -> bool:
    return envelope.review_by < today


@dataclass(frozen=True, slots=True)
class Reach:
    """What decides who sees a record, without its content: the matcher's index keeps one per entry."""

    owner: str
    members: bool
    review_by: date
    audience: Audience


def reach_of(envelope: Envelope, audience: Audience) -> Reach:
    return Reach(envelope.owner, envelope.distribution.kind is DistributionKind.MEMBERS, envelope.review_by, audience)


def may_reach(viewer: Viewer, reach: Reach, viewer_groups: Collection[str]) -> bool:
    if reach.owner == viewer.agency:
        return True
    if reach.review_by < viewer.today:
        return False
    if reach.members or viewer.agency in reach.audience.agencies:
        return True
    return any(group in reach.audience.groups for group in viewer_groups)


def may_see(
    viewer: Viewer,
    envelope: Envelope,
    audience: Audience,
    viewer_groups: Collection[str],
    *,
    deleted: bool = False,
) -> bool:
    return not deleted and may_reach(viewer, reach_of(envelope, audience), viewer_groups)
