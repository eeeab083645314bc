"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-29 00:04:30.638315
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("list_authority", sa.Boolean(), nullable=False),
        sa.Column("defaults", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("record_ids", sa.Text(), nullable=False),
        sa.Column("query", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("origin", sa.String(length=100), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_agency", ["agency", "seq"], unique=False)

    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "audit_records",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(length=40), nullable=False),
        sa.Column("owner", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["seq"],
            ["audit_events.seq"],
        ),
        sa.PrimaryKeyConstraint("seq", "record_id"),
    )
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.create_index("ix_audit_records_owner", ["owner", "seq"], unique=False)

    op.create_table(
        "records",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("schema", sa.String(length=20), nullable=False),
        sa.Column("owner", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=True),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("distribution", sa.Text(), nullable=False),
        sa.Column("dist_kind", sa.String(length=10), nullable=False),
        sa.Column("handling", sa.String(length=2), nullable=False),
        sa.Column("handling_note", sa.Text(), nullable=True),
        sa.Column("hit_policy", sa.String(length=20), nullable=False),
        sa.Column("grading", sa.String(length=2), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("justification", sa.Text(), nullable=True),
        sa.Column("review_by", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["agencies.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("owner", "source_id", name="uq_records_owner_source"),
    )
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.create_index("ix_records_owner", ["owner", "id"], unique=False)
        batch_op.create_index("ix_records_review", ["review_by"], unique=False)
        batch_op.create_index("ix_records_schema", ["schema", "id"], unique=False)

    op.create_table(
        "sharing_groups",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["agencies.code"],
        ),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "users",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=20), nullable=False),
        sa.Column("roles", sa.Text(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency"],
            ["agencies.code"],
        ),
        sa.PrimaryKeyConstraint("username"),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_agency"), ["agency"], unique=False)

    op.create_table(
        "group_members",
        sa.Column("group_name", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency"],
            ["agencies.code"],
        ),
        sa.ForeignKeyConstraint(
            ["group_name"],
            ["sharing_groups.name"],
        ),
        sa.PrimaryKeyConstraint("group_name", "agency"),
    )
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.create_index("ix_group_members_agency", ["agency", "group_name"], unique=False)

    op.create_table(
        "record_agencies",
        sa.Column("record_id", sa.String(length=40), nullable=False),
        sa.Column("agency", sa.String(length=20), nullable=False),
        sa.Column("via", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency"],
            ["agencies.code"],
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.id"],
        ),
        sa.PrimaryKeyConstraint("record_id", "agency"),
    )
    op.create_table(
        "record_groups",
        sa.Column("record_id", sa.String(length=40), nullable=False),
        sa.Column("group_name", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_name"],
            ["sharing_groups.name"],
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.id"],
        ),
        sa.PrimaryKeyConstraint("record_id", "group_name"),
    )
    op.create_table(
        "record_identifiers",
        sa.Column("record_id", sa.String(length=40), nullable=False),
        sa.Column("scheme", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.id"],
        ),
        sa.PrimaryKeyConstraint("record_id", "scheme", "value"),
    )
    with op.batch_alter_table("record_identifiers", schema=None) as batch_op:
        batch_op.create_index("ix_record_identifiers_value", ["scheme", "value"], unique=False)

    op.create_table(
        "record_links",
        sa.Column("record_id", sa.String(length=40), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("target_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.id"],
        ),
        sa.PrimaryKeyConstraint("record_id", "field", "target_id"),
    )
    with op.batch_alter_table("record_links", schema=None) as batch_op:
        batch_op.create_index("ix_record_links_target", ["target_id"], unique=False)

    op.create_table(
        "record_versions",
        sa.Column("record_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("envelope", sa.Text(), nullable=False),
        sa.Column("change", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.id"],
        ),
        sa.PrimaryKeyConstraint("record_id", "version"),
    )
    op.create_table(
        "tokens",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("secret_hash", sa.String(length=128), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["username"],
            ["users.username"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("secret_hash"),
    )
    with op.batch_alter_table("tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tokens_username"), ["username"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tokens_username"))

    op.drop_table("tokens")
    op.drop_table("record_versions")
    with op.batch_alter_table("record_links", schema=None) as batch_op:
        batch_op.drop_index("ix_record_links_target")

    op.drop_table("record_links")
    with op.batch_alter_table("record_identifiers", schema=None) as batch_op:
        batch_op.drop_index("ix_record_identifiers_value")

    op.drop_table("record_identifiers")
    op.drop_table("record_groups")
    op.drop_table("record_agencies")
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.drop_index("ix_group_members_agency")

    op.drop_table("group_members")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_agency"))

    op.drop_table("users")
    op.drop_table("sharing_groups")
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_schema")
        batch_op.drop_index("ix_records_review")
        batch_op.drop_index("ix_records_owner")

    op.drop_table("records")
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_records_owner")

    op.drop_table("audit_records")
    op.drop_table("audit_head")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_agency")

    op.drop_table("audit_events")
    op.drop_table("agencies")
