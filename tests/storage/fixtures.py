"""Database fixtures for storage and service tests: SQLite always, PostgreSQL where reachable.

Each PostgreSQL test gets a fresh schema (dropped afterwards), so tests are
isolated and may run against the shared ``test`` database.
"""

from __future__ import annotations

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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: an SQLite file, then a PostgreSQL schema."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
    else:
        yield from postgres_schema_url(request.getfixturevalue("postgres_url"))
