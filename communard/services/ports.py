"""Ports: what the services need from the outside world, as Protocols.

Adapters implement them (``adapters/storage`` the database, a mailer the
SMTP connection); ``bootstrap.py`` plugs them in. Services never import an
adapter.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from communard.domain.accounts import Account, Session
from communard.domain.communes import Commune
from communard.domain.journal import Head, JournalEntry
from communard.domain.members import Member
from communard.domain.motions import Motion
from communard.domain.votes import Ballot

T = TypeVar("T")

Clock = Callable[[], datetime]


@dataclass
class OutboxMail:
    """A message waiting to be sent (or shown on the outbox page when no mail server is set)."""

    id: int | None
    commune_id: int | None
    recipient: str
    subject: str
    body: str
    created_at: datetime
    sent_at: datetime | None = None
    attempts: int = 0
    last_error: str | None = None
    sender_id: int | None = None  # the member on whose behalf it is sent


@dataclass(frozen=True)
class EnteredCommune:
    """What a command needs on entering a commune, read in one round trip."""

    commune: Commune | None  # None: no such commune
    member: Member | None  # the actor's membership, if any
    member_name: str  # the member's display name, as the journal names them
    due: bool  # whether time has made anything due (a vote to open, close or lapse)


class UnitOfWork(Protocol):
    """One database transaction. Leaving it without ``commit()`` rolls everything back.

    Records are the domain's dataclasses; ``where`` filters are equalities
    (a list or tuple means "one of", None means "is null").
    """

    def add(self, record: T) -> T: ...

    def update(self, record: Any) -> None: ...

    def find(self, kind: type[T], **where: Any) -> T | None: ...

    def find_all(
        self,
        kind: type[T],
        *,
        order_by: str = "id",
        descending: bool = False,
        limit: int | None = None,
        offset: int = 0,
        **where: Any,
    ) -> list[T]: ...

    def count(self, kind: type[Any], **where: Any) -> int: ...

    def delete(self, kind: type[Any], **where: Any) -> int: ...

    def claim(
        self, kind: type[Any], record_id: int, expected: dict[str, Any], changes: dict[str, Any]
    ) -> bool:
        """Conditionally update one record (only if it still has ``expected`` values)."""
        ...

    def due_motions(self, now: datetime, commune_id: int | None = None) -> list[Any]:
        """Motions to which time alone requires something (open, close or lapse), by number."""
        ...

    def enter_commune(self, slug: str, account_id: int | None, now: datetime) -> EnteredCommune:
        """The commune by slug, the account's membership in it, and whether anything is due
        at ``now``."""
        ...

    def motion_and_ballot(
        self, commune_id: int, number: int, member_id: int | None
    ) -> tuple[Motion | None, Ballot | None]:
        """Motion ``number`` of the commune and the member's ballot on it, if any."""
        ...

    def session_and_account(self, token_hash: str) -> tuple[Session, Account] | None:
        """The session with this token hash and its account, in one statement."""
        ...

    def member_names(self, commune_id: int) -> dict[int, str]:
        """Every member's display name by member id (the roll call and the record name them)."""
        ...

    def next_number(self, commune_id: int) -> int:
        """The next motion number in a commune (call with its journal head locked)."""
        ...

    def create_head(self, commune_id: int) -> Head: ...

    def lock_commune(self, slug: str) -> Head | None:
        """Lock the journal head of the commune ``slug`` and return it (None: no such commune)."""
        ...

    def head(self, commune_id: int) -> Head: ...

    def head_and_last_seq(self, commune_id: int) -> tuple[Head, int]:
        """The recorded head and the highest stored sequence number, read together."""
        ...

    def append_entry(self, commune_id: int, entry: JournalEntry, motion_id: int | None) -> None:
        """Store an entry and move the head to it (the head must be locked)."""
        ...

    def entries(
        self,
        commune_id: int,
        *,
        after_seq: int = 0,
        before_seq: int | None = None,
        limit: int | None = None,
        motion_id: int | None = None,
        descending: bool = False,
    ) -> list[JournalEntry]: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


class Database(Protocol):
    """Where units of work come from."""

    def unit_of_work(
        self, *, read_only: bool = False, single: bool = False
    ) -> AbstractContextManager[UnitOfWork]:
        """A transaction; ``read_only`` refuses writes, ``single`` (with ``read_only``) promises
        one statement, which needs no transaction of its own."""
        ...


class Mailer(Protocol):
    """Sends one e-mail; raises ``OSError`` when it cannot."""

    def send(self, recipient: str, subject: str, body: str) -> None: ...


class PasswordHasher(Protocol):
    """argon2id (argon2-cffi's ``PasswordHasher`` fits this shape)."""

    def hash(self, password: str) -> str: ...

    def verify(self, hash: str, password: str) -> bool: ...

    def check_needs_rehash(self, hash: str) -> bool: ...
