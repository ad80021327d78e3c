"""Alembic environment and revisions of Polaris's own schema (``polaris store upgrade``)."""
