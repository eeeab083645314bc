"""On SQLite, ``record_versions`` goes back to an ordinary table with row numbers.

0012 stored it by its key (``WITHOUT ROWID``) when most of its rows were first versions of a few dozen bytes;
since 0013 those have no row, and every row left holds a body and an envelope, too large a row for a key's tree
(SQLite's rule of thumb: under a twentieth of a page). The other tables of 0012 keep their small rows.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _rebuild(with_rowid: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("record_versions", recreate="always", table_kwargs={"sqlite_with_rowid": with_rowid}):
        pass


def upgrade() -> None:
    _rebuild(with_rowid=True)


def downgrade() -> None:
    _rebuild(with_rowid=False)
