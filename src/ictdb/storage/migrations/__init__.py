"""Alembic migrations of the node's schema, run by the storage layer on open."""
