"""Polaris's own store: SQLAlchemy rows, sessions, repositories and Alembic migrations."""
