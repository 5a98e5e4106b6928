"""Alembic migrations of the communard schema (run by ``storage.migrate``)."""
