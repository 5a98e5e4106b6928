"""Fixtures: an application on a fresh database (SQLite and PostgreSQL), a moving clock,
and a small commune with a founder and members."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from communard.bootstrap import Application, bootstrap
from communard.services import commands as c
from communard.services.access import Actor
from tests.storage.fixtures import (
    FakeClock,
    database_url,
    fast_hasher,
    postgres_schema,
    sqlite_template,
)

__all__ = ["database_url", "postgres_schema", "sqlite_template"]

OPEN_CHARTER = """
[charter]
format = 1
name = "Test charter"
amendment_class = "charter-amendment"

[membership]
admission = "open"

[classes.ordinary]
seconds = 1
deliberation = "1d"
voting = "2d"
threshold = "1/2"
strict = true
quorum = "1/2"

[classes.charter-amendment]
seconds = 1
deliberation = "1d"
voting = "2d"
threshold = "2/3"
quorum = "1/2"
changeable = false

[classes.emergency]
seconds = 0
deliberation = "0"
voting = "1h"
lapses_unless_ratified = "7d"
ratified_by = "ordinary"
"""


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(database_url: str, clock: FakeClock) -> Iterator[Application]:
    application = bootstrap(database_url, clock=clock, password_hasher=fast_hasher())
    yield application
    application.close()


@dataclass
class Commune:
    """A founded commune: its slug, the founder and other members as actors."""

    slug: str
    founder: Actor
    members: list[Actor] = field(default_factory=list)
    member_ids: list[int] = field(default_factory=list)

    @property
    def everyone(self) -> list[Actor]:
        return [self.founder, *self.members]


def found(
    app: Application, slug: str = "paris", size: int = 5, charter: str = OPEN_CHARTER
) -> Commune:
    """Found a commune with an open charter and ``size`` members in all."""
    result = app.handle(
        c.FoundCommune(
            slug=slug,
            name=f"Commune {slug}",
            charter=charter,
            founder_email=f"founder@{slug}.example",
            founder_name="Louise Michel",
            founder_password="correct horse battery",
        )
    )
    commune = Commune(slug, Actor(result["account"]), member_ids=[result["member"]])
    for i in range(size - 1):
        invitation = app.handle(
            c.InviteMember(commune=slug, email=f"m{i}@{slug}.example"), commune.founder
        )
        joined = app.handle(
            c.JoinCommune(
                commune=slug,
                token=invitation["token"],
                display_name=f"Member {i}",
                password="password-1234",
            )
        )
        commune.members.append(Actor(joined["account"]))
        commune.member_ids.append(joined["member"])
    return commune


@pytest.fixture
def commune(app: Application) -> Commune:
    return found(app)
