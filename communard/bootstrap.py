"""The composition root: the one place where adapters are plugged into services.

``bootstrap(database_url)`` builds an ``Application`` (bus, queries, auth) on
a database, migrating it first. Nothing happens at import time and there is
no global application object: each caller (web, CLI, tests) makes its own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from communard.adapters.storage.database import SqlDatabase, make_engine
from communard.adapters.storage.migrate import migrate
from communard.services.access import Actor
from communard.services.auth import Auth
from communard.services.bus import MessageBus
from communard.services.commands import Command
from communard.services.mail import deliver_outbox
from communard.services.ports import Clock, Mailer, PasswordHasher
from communard.services.queries import Queries


def utc_now() -> datetime:
    """The real clock (UTC)."""
    return datetime.now(UTC)


@dataclass
class Application:
    """A running communard: ``handle`` commands, read ``queries``, sign in with ``auth``."""

    bus: MessageBus
    queries: Queries
    auth: Auth
    database: SqlDatabase
    database_url: str

    def handle(self, command: Command, actor: Actor | None = None) -> dict[str, Any]:
        """Run a command (see ``communard.services.commands``) on behalf of ``actor``."""
        return self.bus.handle(command, actor)

    def send_outbox(self) -> int:
        """Send the mails waiting in the outbox (when a mailer is configured); return how many."""
        if self.bus.mailer is None:
            return 0
        return deliver_outbox(self.database, self.bus.mailer, self.bus.clock)

    def close(self) -> None:
        """Release the database connections."""
        self.database.dispose()

    def __enter__(self) -> Application:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def bootstrap(
    database_url: str,
    *,
    clock: Clock | None = None,
    mailer: Mailer | None = None,
    password_hasher: PasswordHasher | None = None,
    base_url: str | None = None,
    run_migrations: bool = True,
) -> Application:
    """Build an application on ``database_url`` (``sqlite:///FILE`` or
    ``postgresql+psycopg://...``), migrating the schema to the newest version.

    ``mailer`` defaults to SMTP when ``COMMUNARD_SMTP_URL`` is set, else mails
    stay in the outbox; ``base_url`` (or ``COMMUNARD_BASE_URL``) prefixes the
    links mailed in invitations.
    """
    engine = make_engine(database_url)
    if run_migrations:
        migrate(engine)
    database = SqlDatabase(engine)
    clock = clock or utc_now
    if password_hasher is None:
        from argon2 import PasswordHasher as Argon2Hasher

        password_hasher = Argon2Hasher()
    if mailer is None and os.environ.get("COMMUNARD_SMTP_URL"):
        from communard.adapters.mail import SmtpMailer

        mailer = SmtpMailer.from_url(os.environ["COMMUNARD_SMTP_URL"])
    bus = MessageBus(
        database,
        clock,
        password_hasher,
        mailer=mailer,
        base_url=base_url or os.environ.get("COMMUNARD_BASE_URL", "http://127.0.0.1:8000"),
    )
    queries = Queries(database, clock, settle=lambda slug: bus.tick(slug))
    auth = Auth(database, clock, password_hasher)
    return Application(
        bus=bus, queries=queries, auth=auth, database=database, database_url=database_url
    )
