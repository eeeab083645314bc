"""Persistence: SQLAlchemy Core tables, Alembic migrations and the repository, for SQLite and PostgreSQL."""
