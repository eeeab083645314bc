"""A record's first version may leave its body and envelope to the record's own row while it is current.

A bulk import wrote each body and envelope twice, once in ``records`` and once in ``record_versions``: the
larger table of the two, and the larger part of the writing. Versions already stored keep theirs.

Revision ID: 0011
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("record_versions", schema=None) as batch_op:
        batch_op.alter_column("body", existing_type=sa.Text(), nullable=True)
        batch_op.alter_column("envelope", existing_type=sa.Text(), nullable=True)


def downgrade() -> None:
    from ictdb.storage import tables as t
    from ictdb.storage.records import settled_version

    # Write out what current versions left to their records' rows before the columns refuse NULL again.
    connection = op.get_bind()
    versions = t.record_versions
    rows = connection.execute(
        sa.select(t.records).join(versions, versions.c.record_id == t.records.c.id).where(versions.c.body.is_(None))
    ).all()
    for row in rows:
        body, envelope = settled_version(row)
        connection.execute(
            versions.update()
            .where(versions.c.record_id == row.id, versions.c.body.is_(None))
            .values(body=body, envelope=envelope)
        )
    with op.batch_alter_table("record_versions", schema=None) as batch_op:
        batch_op.alter_column("body", existing_type=sa.Text(), nullable=False)
        batch_op.alter_column("envelope", existing_type=sa.Text(), nullable=False)
