"""An index holding every column of the visibility predicate, in id order.

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_records_visibility", "records", ["id", "owner", "dist_kind", "review_by", "deleted_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_records_visibility", table_name="records")
