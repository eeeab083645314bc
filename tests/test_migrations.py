"""The migrations build exactly the tables the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from ictdb.storage.engine import head_revisions, make_engine, needs_migration
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
