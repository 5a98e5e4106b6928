"""Run the schema migrations (Alembic, configured in code: no alembic.ini)."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Alembic keeps its running context in module globals: one migration per process at a time.
# Between processes, the database serializes them (an advisory lock on PostgreSQL,
# BEGIN IMMEDIATE on SQLite).
_LOCK = threading.Lock()


def alembic_config() -> Config:
    """An Alembic configuration pointing at this package's migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    return config


def is_current(engine: Engine) -> bool:
    """True when the database is already at the newest revision."""
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == heads


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision``, by default the newest (safe when several processes
    start at once)."""
    if revision == "head" and is_current(engine):
        return
    config = alembic_config()
    with _LOCK, engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        if connection.in_transaction():
            connection.commit()
