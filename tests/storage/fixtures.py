"""Database fixtures for storage and service tests: SQLite always, PostgreSQL where reachable.

The schema is migrated once per session (into an SQLite template file, and
into a fresh PostgreSQL schema of the shared ``test`` database, dropped at the
end). Each test then starts empty: a copy of the template file, or the
PostgreSQL schema with every table truncated.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from argon2 import PasswordHasher

START = datetime(2026, 3, 18, 8, 0, tzinfo=UTC)


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def fast_hasher() -> PasswordHasher:
    """argon2id with the cheapest parameters: the algorithm is real, the tests stay fast."""
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'communard.db'}"


def postgres_schema_url(postgres_url: str) -> Iterator[str]:
    """A URL whose connections use a fresh schema; the schema is dropped afterwards."""
    schema = "t_" + uuid.uuid4().hex[:16]
    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in postgres_url else "?"
    try:
        yield f"{postgres_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {schema} CASCADE")


def _migrate(url: str) -> None:
    from communard.adapters.storage.database import make_engine
    from communard.adapters.storage.migrate import migrate

    engine = make_engine(url)
    try:
        migrate(engine)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file with the newest schema, copied by each test."""
    path = tmp_path_factory.mktemp("template") / "communard.db"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_schema(postgres_url: str) -> Iterator[str]:
    """A PostgreSQL schema with the newest schema, for this session."""
    for url in postgres_schema_url(postgres_url):
        _migrate(url)
        yield url


def empty_all(url: str) -> None:
    """Empty every table but Alembic's (DELETE: much faster than TRUNCATE on small tables)."""
    from communard.adapters.storage.tables import metadata

    schema = url.rsplit("%3D", 1)[1]
    plain = url.split("?")[0].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(f"DELETE FROM {schema}.{table.name}")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, migrated database: an SQLite file, then a PostgreSQL schema."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        shutil.copyfile(template, tmp_path / "communard.db")
        yield sqlite_url(tmp_path)
    else:
        url = request.getfixturevalue("postgres_schema")
        empty_all(url)
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all (for migration tests)."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
    else:
        yield from postgres_schema_url(request.getfixturevalue("postgres_url"))
