"""An index on records.updated_at: the matcher's index checks the newest write before every search.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_records_updated", "records", ["updated_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_records_updated", table_name="records")
