"""resolution: judgements, proposals and resolver runs

Revision ID: 0003
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "resolution_judgements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("left_id", sa.String(length=40), nullable=False),
        sa.Column("right_id", sa.String(length=40), nullable=False),
        sa.Column("verdict", sa.String(length=12), nullable=False),
        sa.Column("judge", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("supersedes", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["left_id"], ["records.id"]),
        sa.ForeignKeyConstraint(["right_id"], ["records.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_resolution_judgements_pair", "resolution_judgements", ["left_id", "right_id", "id"])
    op.create_index("ix_resolution_judgements_right", "resolution_judgements", ["right_id"])
    op.create_table(
        "resolution_proposals",
        sa.Column("left_id", sa.String(length=40), nullable=False),
        sa.Column("right_id", sa.String(length=40), nullable=False),
        sa.Column("schema", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["left_id"], ["records.id"]),
        sa.ForeignKeyConstraint(["right_id"], ["records.id"]),
        sa.PrimaryKeyConstraint("left_id", "right_id"),
    )
    op.create_index("ix_resolution_proposals_score", "resolution_proposals", ["score"])
    op.create_index("ix_resolution_proposals_right", "resolution_proposals", ["right_id"])
    op.create_table(
        "resolution_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=20), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stats", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("resolution_runs")
    op.drop_index("ix_resolution_proposals_right", table_name="resolution_proposals")
    op.drop_index("ix_resolution_proposals_score", table_name="resolution_proposals")
    op.drop_table("resolution_proposals")
    op.drop_index("ix_resolution_judgements_right", table_name="resolution_judgements")
    op.drop_index("ix_resolution_judgements_pair", table_name="resolution_judgements")
    op.drop_table("resolution_judgements")
