"""The migrations build exactly the tables the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from ictdb.storage.engine import _config, head_revisions, make_engine, migrate, needs_migration
from ictdb.storage.tables import metadata


def test_migrated_schema_matches_the_declared_tables(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert not needs_migration(engine)
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), metadata)
            versions = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
        assert differences == []
        assert versions == head_revisions()
    finally:
        engine.dispose()


def test_tables_declared_without_rowid_are_stored_by_their_key_on_sqlite(tmp_path: Path) -> None:
    """Migration 0012 leaves exactly the tables the code declares ``sqlite_with_rowid=False`` stored by
    their key, with their rows kept."""
    url = f"sqlite:///{tmp_path / 'node.sqlite3'}"
    declared = {t.name for t in metadata.sorted_tables if not t.dialect_options["sqlite"]["with_rowid"]}
    assert declared == {"record_identifiers", "record_links", "audit_records"}
    engine = make_engine(url)
    try:
        config = _config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0011")
            connection.execute(text("INSERT INTO agencies VALUES ('JO-GID', 'GID', 'JO', 0, '{}', '2026-01-01')"))
            connection.execute(
                text(
                    "INSERT INTO records (id, schema, owner, caption, distribution, dist_kind, handling, hit_policy,"
                    " grading, purpose, review_by, created_by, created_at, updated_at, version, body) VALUES"
                    " ('per-1', 'Person', 'JO-GID', 'A', 'owner', 'owner', 'H0', 'silent', 'B2', 'investigation',"
                    " '2031-01-01', 'u', '2026-01-01', '2026-01-01', 1, '{}')"
                )
            )
            connection.execute(text("INSERT INTO record_identifiers VALUES ('per-1', 'source-id', 'P1')"))
        migrate(engine)
        with engine.connect() as connection:
            rowless = {
                name
                for name, sql in connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
                if sql.rstrip().endswith("WITHOUT ROWID")
            }
            kept = connection.execute(text("SELECT record_id, scheme, value FROM record_identifiers")).all()
        assert rowless == declared
        assert [tuple(row) for row in kept] == [("per-1", "source-id", "P1")]
    finally:
        engine.dispose()


def test_downgrade_below_0013_writes_out_the_first_versions_records_held(database_url: str) -> None:
    """Code before 0013 expects a row for every version; the downgrade adds the first versions records held."""
    engine = make_engine(database_url)
    try:
        migrate(engine)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO agencies (code, name, country, list_authority, defaults, created_at)"
                    " VALUES ('JO-GID', 'GID', 'JO', false, '{}', '2026-01-01')"
                )
            )
            for rid, version in (("per-1", 1), ("per-2", 2)):
                connection.execute(
                    text(
                        "INSERT INTO records (id, schema, owner, caption, distribution, dist_kind, handling,"
                        " hit_policy, grading, purpose, review_by, created_by, created_at, updated_at, version, body)"
                        " VALUES (:id, 'Person', 'JO-GID', 'A', 'owner', 'owner', 'H0', 'silent', 'B2',"
                        " 'investigation', '2031-01-01', 'u', '2026-01-01', '2026-01-02', :version, '{}')"
                    ),
                    {"id": rid, "version": version},
                )
            connection.execute(
                text(
                    "INSERT INTO record_versions (record_id, version, body, envelope, change, changed_by, changed_at)"
                    " VALUES ('per-2', 1, '{}', '{}', 'create', 'u', '2026-01-01'),"
                    " ('per-2', 2, NULL, NULL, 'edit', 'u', '2026-01-02')"
                )
            )
            config = _config()
            config.attributes["connection"] = connection
            command.downgrade(config, "0012")
            rows = connection.execute(
                text("SELECT record_id, version, change, changed_by FROM record_versions ORDER BY record_id, version")
            ).all()
        assert [tuple(row) for row in rows] == [
            ("per-1", 1, "create", "u"),
            ("per-2", 1, "create", "u"),
            ("per-2", 2, "edit", "u"),
        ]
    finally:
        engine.dispose()
