"""On SQLite, the tables a bulk import fills with small rows keyed by their primary key are stored by that key.

An ordinary SQLite table keeps each row under a hidden row number and its primary key in an index of its own:
two trees written for every row. Identifiers, links and an audit event's records are small rows read by
their key (or by a secondary index), so ``WITHOUT ROWID`` stores each once, in the key's tree. ``records`` and
``record_versions`` keep their row numbers (their rows hold bodies and envelopes, too large for a key's tree:
SQLite's rule of thumb is under a twentieth of a page), as do the audience tables, which the visibility filter
reads. PostgreSQL has no row numbers of this kind: nothing changes there.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLES = ("record_identifiers", "record_links", "audit_records")


def _rebuild(with_rowid: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        # Recreated with its columns, keys, foreign keys and indexes as reflected, and its rows copied over.
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_with_rowid": with_rowid}):
            pass


def upgrade() -> None:
    _rebuild(with_rowid=False)


def downgrade() -> None:
    _rebuild(with_rowid=True)
