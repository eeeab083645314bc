"""The visibility rule of ictdb.policy.visibility as one SQL predicate over ``records``.

Every repository query that returns or counts records composes ``visible(viewer)``; nothing filters
in Python afterwards. Keep this and ``policy.visibility.may_see`` saying the same thing: the property
tests compare them on random nodes.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, or_, select

from ictdb.policy.visibility import Viewer
from ictdb.storage.tables import group_members, record_agencies, record_groups, records


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
    shared = and_(
        records.c.review_by >= viewer.today,
        or_(records.c.dist_kind == "members", named_agency, named_group),
    )
    return and_(records.c.deleted_at.is_(None), or_(records.c.owner == viewer.agency, shared))
