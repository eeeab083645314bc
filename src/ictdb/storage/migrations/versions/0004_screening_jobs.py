"""screening jobs: manifests screened by an agency, their rows, the matches and the analysts' decisions

Revision ID: 0004
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screening_jobs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("agency", sa.String(length=20), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency"], ["agencies.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_screening_jobs_agency", "screening_jobs", ["agency", "created_at"])
    op.create_table(
        "screening_rows",
        sa.Column("job_id", sa.String(length=40), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("row_id", sa.String(length=200), nullable=False),
        sa.Column("traveller", sa.Text(), nullable=False),
        sa.Column("restricted", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["screening_jobs.id"]),
        sa.PrimaryKeyConstraint("job_id", "idx"),
    )
    op.create_table(
        "screening_hits",
        sa.Column("job_id", sa.String(length=40), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["screening_jobs.id"]),
        sa.PrimaryKeyConstraint("job_id", "idx", "entity_id"),
    )


def downgrade() -> None:
    op.drop_table("screening_hits")
    op.drop_table("screening_rows")
    op.drop_index("ix_screening_jobs_agency", table_name="screening_jobs")
    op.drop_table("screening_jobs")
