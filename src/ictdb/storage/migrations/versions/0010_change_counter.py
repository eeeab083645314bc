"""A counter of record writes: the matcher's index asks it before every search whether anything changed.

Reading one row by its key costs the same on any size of node; counting versions and audience rows, as the
index did before, grew with the node.

Revision ID: 0010
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    counters = op.create_table(
        "change_counters",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    op.bulk_insert(counters, [{"name": "records", "value": 0}])


def downgrade() -> None:
    op.drop_table("change_counters")
