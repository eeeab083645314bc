"""A record's first version has no row in ``record_versions`` while it is current; the record's row is that version.

Since 0011 the first version's row held only who made it and when, which the record's own row holds as well
(``created_by``, ``created_at``): a bulk import wrote 150,000 such rows. New records now get none; the row is
written, whole, before the record first changes. Nothing changes in the schema: this revision marks the data
that older code would misread, and its downgrade writes out the rows that code expects.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """No schema change: records created from here on leave their first version to the record's row."""


def downgrade() -> None:
    op.execute(
        "INSERT INTO record_versions (record_id, version, body, envelope, change, reason, changed_by, changed_at) "
        "SELECT r.id, 1, NULL, NULL, 'create', NULL, r.created_by, r.created_at FROM records r "
        "WHERE r.version = 1 AND NOT EXISTS (SELECT 1 FROM record_versions v WHERE v.record_id = r.id)"
    )
