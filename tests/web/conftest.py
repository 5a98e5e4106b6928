"""Fixtures of the web tests: the real application on SQLite or PostgreSQL, and a community.

The application is built by ``communard.bootstrap`` exactly as ``communard
serve`` builds it, with two test conveniences: a clock the tests move forward
(voting windows last days) and a cheaper argon2id setting. One application
serves a whole module; each test founds its own communes under fresh slugs,
so tests never see each other's records.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text

from communard.adapters.web.app import create_app
from communard.bootstrap import Application, bootstrap
from communard.services import commands as c

PASSWORD = "vive-la-commune"


@contextlib.contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the server of ``server_url``, dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    name = f"communard_web_{uuid.uuid4().hex[:12]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Clock:
    """A clock the tests move forward by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty database for the module: an SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('web') / 'communard.db'}"
        return
    server_url = request.getfixturevalue("postgres_url")
    with fresh_postgres_database(server_url) as url:
        yield url


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def application(database_url: str, clock: Clock) -> Iterator[Application]:
    """The real services on the module's database."""
    app = bootstrap(
        database_url,
        clock=clock,
        password_hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
        base_url="http://testserver",
    )
    yield app
    app.close()


@pytest.fixture(scope="module")
def web(application: Application) -> Any:
    """The FastAPI app under test."""
    return create_app(application)


@pytest.fixture
def client(web: Any) -> Iterator[TestClient]:
    """A browser-like client without a session."""
    with TestClient(web) as test_client:
        yield test_client


@dataclass
class Person:
    """A member of a test commune and how to reach the app as them."""

    name: str
    email: str
    member: int
    token: str = ""


@dataclass
class Commune:
    """A test commune: its slug and its members by first name."""

    slug: str
    people: dict[str, Person] = field(default_factory=dict)


class World:
    """Builds communes through the real commands, as their members would."""

    def __init__(self, application: Application, clock: Clock) -> None:
        self.application = application
        self.clock = clock

    def actor(self, email: str) -> Any:
        return self.application.auth.account_for_email(email)

    def found(self, *names: str, charter: str = "open") -> Commune:
        """A commune whose first name is its founder and the others joined by invitation."""
        slug = f"c-{uuid.uuid4().hex[:10]}"
        commune = Commune(slug)
        founder, *others = names
        email = f"{founder.lower()}-{slug}@example.org"
        result = self.application.handle(
            c.FoundCommune(
                slug=slug,
                name=f"Commune {slug}",
                charter=charter,
                founder_email=email,
                founder_name=founder,
                founder_password=PASSWORD,
            )
        )
        commune.people[founder] = Person(founder, email, result["member"])
        for name in others:
            self.join(commune, name)
        return commune

    def join(self, commune: Commune, name: str) -> Person:
        inviter = next(iter(commune.people.values()))
        email = f"{name.lower()}-{commune.slug}@example.org"
        invitation = self.application.handle(
            c.InviteMember(commune=commune.slug, email=email), self.actor(inviter.email)
        )
        joined = self.application.handle(
            c.JoinCommune(
                commune=commune.slug,
                token=invitation["token"],
                display_name=name,
                password=PASSWORD,
            )
        )
        person = Person(name, email, joined["member"])
        commune.people[name] = person
        return person

    def token(self, person: Person) -> str:
        """An API token for ``person`` (issued once, then reused)."""
        if not person.token:
            issued = self.application.handle(c.IssueToken(name="tests"), self.actor(person.email))
            person.token = issued["token"]
        return person.token

    def motion(self, commune: Commune, mover: str, title: str = "Rent freeze") -> int:
        """A motion proposed by ``mover`` (in seconding)."""
        result = self.application.handle(
            c.ProposeMotion(commune=commune.slug, title=title, body=f"{title}, now."),
            self.actor(commune.people[mover].email),
        )
        return int(result["motion"])

    def do(self, commune: Commune, who: str, command: c.Command) -> dict[str, Any]:
        return self.application.handle(command, self.actor(commune.people[who].email))


@pytest.fixture
def world(application: Application, clock: Clock) -> World:
    return World(application, clock)


def snapshot(application: Application) -> dict[str, Any]:
    """Every table's row count and the journal heads: what "no row changed" compares."""
    engine = application.database.engine
    counts: dict[str, Any] = {}
    with engine.connect() as connection:
        for table in sorted(inspect(engine).get_table_names()):
            counts[table] = connection.execute(text(f'SELECT COUNT(*) FROM "{table}"')).scalar()
    return counts


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign ``client`` in through the form; returns the session's CSRF token."""
    page = client.get("/sign-in")
    response = client.post(
        "/sign-in",
        data={"login": email, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/account").text)
