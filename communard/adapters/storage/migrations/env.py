"""Alembic environment: runs on the connection ``storage.migrate`` passes in."""

from __future__ import annotations

from alembic import context

from communard.adapters.storage.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        # Several processes may start at once; one migrates while the others wait.
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(1871032618710528)")
    context.run_migrations()
