"""Indexes that let the count of what a viewer may see add up index ranges instead of testing every row.

ix_records_owner becomes owner, deletion, distribution and review date (a listing by owner in id order
reads ix_records_visibility, which holds the owner too); ix_records_review, on the review date alone,
gives way to ix_records_reach over distribution, deletion and review date. Audiences get an index by
agency and by group, so the records that name an agency are found without reading them all. A new
record updates as many indexes of ``records`` as before.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_records_owner", table_name="records")
    op.create_index("ix_records_owner", "records", ["owner", "deleted_at", "dist_kind", "review_by"], unique=False)
    op.drop_index("ix_records_review", table_name="records")
    op.create_index("ix_records_reach", "records", ["dist_kind", "deleted_at", "review_by"], unique=False)
    op.create_index("ix_record_agencies_agency", "record_agencies", ["agency", "record_id"], unique=False)
    op.create_index("ix_record_groups_group", "record_groups", ["group_name", "record_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_record_groups_group", table_name="record_groups")
    op.drop_index("ix_record_agencies_agency", table_name="record_agencies")
    op.drop_index("ix_records_reach", table_name="records")
    op.create_index("ix_records_review", "records", ["review_by"], unique=False)
    op.drop_index("ix_records_owner", table_name="records")
    op.create_index("ix_records_owner", "records", ["owner", "id"], unique=False)
