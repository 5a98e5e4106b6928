"""Fixtures of the system tests: a fresh database of each kind."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.system.harness import fresh_postgres_schema


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: an SQLite file, or a new schema on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'communard.db'}"
        return
    server_url = request.getfixturevalue("postgres_url")
    with fresh_postgres_schema(server_url) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """An empty SQLite database file."""
    return f"sqlite:///{tmp_path / 'communard.db'}"


class MovableClock:
    """A clock a test moves by hand (every process reading it sees the same time)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now = self.now + delta


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def make_application(database_url: str, clock: MovableClock) -> Iterator[Callable[[], Any]]:
    """Build applications on the test's database and clock; all are closed afterwards."""
    built: list[Any] = []

    def make() -> Any:
        from communard.adapters.cli.support import build_application
        from communard.adapters.demo.assemblies import PlainHasher

        app = build_application(database_url, clock=clock, password_hasher=PlainHasher())
        built.append(app)
        return app

    yield make
    for app in built:
        app.close()
