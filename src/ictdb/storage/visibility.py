"""The visibility rule of ictdb.policy.visibility as one SQL predicate over ``records``.

Every repository query that returns or counts records composes ``visible(viewer)``; nothing filters
in Python afterwards. Keep this and ``policy.visibility.may_see`` saying the same thing: the property
tests compare them on random nodes.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import ColumnElement, case, exists, select

from ictdb.policy.visibility import Viewer
from ictdb.storage.tables import group_members, record_agencies, record_groups, records


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
        (records.c.dist_kind == "members", 1),
        (named_agency, 1),
        (named_group, 1),
        else_=0,
    )
    return decision == 1
