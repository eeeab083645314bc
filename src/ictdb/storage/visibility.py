"""The visibility rule of ictdb.policy.visibility as one SQL predicate over ``records``.

Every repository query that returns or counts records composes ``visible(viewer)``, except the count of
all a viewer may see, which adds up ``visible_parts(viewer)``: the same rule split into disjoint pieces.
Nothing filters in Python afterwards. Keep both and ``policy.visibility.may_see`` saying the same thing:
the property tests (tests/test_leaks.py) compare them on random nodes.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import ColumnElement, and_, case, exists, select

from ictdb.model.envelope import DistributionKind
from ictdb.policy.visibility import Viewer
from ictdb.storage.tables import group_members, record_agencies, record_groups, records

MEMBERS = DistributionKind.MEMBERS.value


# SQL expressions are immutable: an agency's predicate for the day is built once, not for every query (building
# it took longer than running a lookup by key).
@lru_cache(maxsize=1024)
def visible(viewer: Viewer) -> ColumnElement[bool]:
    named_agency = exists(
        select(record_agencies.c.record_id).where(
            record_agencies.c.record_id == records.c.id, record_agencies.c.agency == viewer.agency
        )
    )
    named_group = exists(
        select(record_groups.c.record_id)
        .join(group_members, group_members.c.group_name == record_groups.c.group_name)
        .where(record_groups.c.record_id == records.c.id, group_members.c.agency == viewer.agency)
    )
    # One CASE rather than nested ORs: SQLite would split the ORs into several index searches that each
    # read whole rows; a CASE over the columns of ix_records_visibility is answered from that index alone,
    # and the branches are tried in order, so the sub-queries run only for rows nothing earlier decided.
    decision = case(
        (records.c.deleted_at.is_not(None), 0),
        (records.c.owner == viewer.agency, 1),
        (records.c.review_by < viewer.today, 0),
        (records.c.dist_kind == MEMBERS, 1),
        (named_agency, 1),
        (named_group, 1),
        else_=0,
    )
    return decision == 1


@lru_cache(maxsize=1024)
def visible_parts(viewer: Viewer) -> tuple[ColumnElement[bool], ...]:
    """``visible(viewer)`` split into disjoint predicates: the records each selects add up to what it selects.

    Counting through ``visible`` evaluates the rule on every row, which cost more than counting the rows.
    Each part but the last is one range of an index (ix_records_reach, ix_records_owner), counted without
    looking at a row; the last starts from the few records that name the viewer's agency or its groups.

    1. records open to all members, not deleted and not past review, whoever owns them;
    2-4. the viewer's own records besides those: distributed otherwise (kinds sorting before and after
       ``members``), or open to members but past review;
    5. others' records, not open to all members and not past review, that name the viewer's agency or
       one of its groups.
    """
    r = records.c
    live, mine, current = r.deleted_at.is_(None), r.owner == viewer.agency, r.review_by >= viewer.today
    named = r.id.in_(
        select(record_agencies.c.record_id)
        .where(record_agencies.c.agency == viewer.agency)
        .union(
            select(record_groups.c.record_id)
            .join(group_members, group_members.c.group_name == record_groups.c.group_name)
            .where(group_members.c.agency == viewer.agency)
        )
    )
    return (
        and_(r.dist_kind == MEMBERS, live, current),
        and_(mine, live, r.dist_kind < MEMBERS),
        and_(mine, live, r.dist_kind > MEMBERS),
        and_(mine, live, r.dist_kind == MEMBERS, r.review_by < viewer.today),
        and_(named, r.owner != viewer.agency, live, current, r.dist_kind != MEMBERS),
    )
