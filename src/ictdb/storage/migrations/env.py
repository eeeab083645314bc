"""Alembic environment: runs migrations on the connection the storage layer hands over."""

from __future__ import annotations

from alembic import context

from ictdb.storage.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("migrations run through ictdb.storage.engine.migrate(), which passes a connection")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
