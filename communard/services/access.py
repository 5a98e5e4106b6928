"""Access: the only way a handler or query loads things on someone's behalf.

Each ``access_*`` function returns the thing if the actor may see it and
raises ``NotFound`` otherwise, with the same message whether the thing does
not exist, belongs to another commune, or is hidden from the actor. (Motions,
drafts included, are on the public record; e-mail addresses, invitations,
sessions and tokens are not.) Handlers run inside a ``Context``: one unit of
work, the time, the actor, and (for commune commands) the commune with its
journal head locked and its charter loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from communard.domain import journal
from communard.domain.accounts import Account
from communard.domain.charters import Charter, CharterVersion, DecisionClass, parse_charter
from communard.domain.communes import Commune
from communard.domain.members import Member
from communard.domain.motions import Motion
from communard.domain.sections import Section
from communard.domain.votes import Ballot
from communard.errors import NotFound
from communard.services.ports import Clock, UnitOfWork


@dataclass(frozen=True)
class Actor:
    """Who acts: a signed-in account (sessions and API tokens resolve to one)."""

    account_id: int


@lru_cache(maxsize=256)
def charter_from_source(source: str) -> Charter:
    """Parse a stored charter (cached: the text of an adopted version never changes)."""
    return parse_charter(source)


class CharterCache:
    """Parsed charter versions by (commune id, slug, version), for one database.

    An adopted version is never changed (an amendment adds the next version), so a
    process-local copy is never stale, even with several processes serving one commune;
    it saves loading the charter's text on every command. It holds nothing else.
    """

    LIMIT = 1024

    def __init__(self) -> None:
        self._charters: dict[tuple[int, str, int], Charter] = {}

    def get(self, uow: UnitOfWork, commune: Commune, version: int) -> Charter | None:
        assert commune.id is not None
        key = (commune.id, commune.slug, version)
        charter = self._charters.get(key)
        if charter is None:
            row = uow.find(CharterVersion, commune_id=commune.id, version=version)
            if row is None:
                return None
            charter = charter_from_source(row.source)
            if len(self._charters) >= self.LIMIT:
                self._charters.clear()
            self._charters[key] = charter
        return charter


def timestamp(now: datetime) -> str:
    """How the journal writes a time: ISO 8601 in UTC with microseconds."""
    return now.isoformat(timespec="microseconds")


@dataclass
class Context:
    """Everything a handler works with during one command."""

    uow: UnitOfWork
    now: datetime
    actor: Actor | None
    commune: Commune | None = None
    charter: Charter | None = None
    head: journal.Head | None = None
    member: Member | None = None
    recorded: list[journal.JournalEntry] = field(default_factory=list)
    clock: Clock | None = None
    charters: CharterCache | None = None
    # Whether time had made anything due when the commune was entered (False: settling
    # has nothing to do).
    due: bool = True
    # The entered member's display name, read with the membership (see ``by``).
    _named: tuple[Member | None, str] = (None, "")

    # Loading, on the actor's behalf

    def enter(self, slug: object) -> Commune:
        """Lock the commune's journal head, then load the commune, its charter and the actor's
        membership."""
        if isinstance(slug, str):
            # Lock first, then read: what we read is what no one else can change meanwhile.
            self.head = self.uow.lock_commune(slug)
            if self.clock is not None:
                # Read the time once the lock is held: a ballot that waited for the lock
                # behind a close is judged at the time it is actually recorded.
                self.now = self.clock()
        if not isinstance(slug, str):
            access_commune(self.uow, slug)
        assert isinstance(slug, str)
        account_id = None if self.actor is None else self.actor.account_id
        entered = self.uow.enter_commune(slug, account_id, self.now)
        commune = entered.commune
        if commune is None:
            access_commune(self.uow, slug)
        assert commune is not None and commune.id is not None
        self.commune = commune
        self.charter = current_charter(self.uow, commune, self.charters)
        self.member = entered.member
        self.due = entered.due
        self._named = (entered.member, entered.member_name)
        return commune

    @property
    def commune_id(self) -> int:
        assert self.commune is not None and self.commune.id is not None
        return self.commune.id

    def the_charter(self) -> Charter:
        assert self.charter is not None
        return self.charter

    def charter_version(self) -> int:
        assert self.commune is not None
        return self.commune.charter_version

    def class_of(self, motion: Motion) -> DecisionClass:
        """The decision class a motion follows: as the charter defined it when the motion
        was proposed (a procedure's rules do not change while it runs)."""
        assert self.commune is not None
        return class_of(self.uow, self.commune, motion, self.the_charter(), self.charters)

    def motion(self, number: object) -> Motion:
        return access_motion(self.uow, self.commune_id, number, self.member)

    def motion_and_ballot(self, number: object) -> tuple[Motion, Ballot | None]:
        """Motion ``number`` (as ``motion``) and the entered member's ballot on it."""
        member_id = None if self.member is None else self.member.id
        found: Motion | None = None
        ballot = None
        if isinstance(number, int) and not isinstance(number, bool):
            found, ballot = self.uow.motion_and_ballot(self.commune_id, number, member_id)
        if found is None:
            access_motion(self.uow, self.commune_id, number, self.member)
        assert found is not None
        return found, ballot

    def member_by_id(self, member_id: object) -> Member:
        return access_member(self.uow, self.commune_id, member_id)

    def section(self, slug: object) -> Section:
        return access_section(self.uow, self.commune_id, slug)

    def account(self) -> Account | None:
        if self.actor is None:
            return None
        return self.uow.find(Account, id=self.actor.account_id)

    # Recording

    def record(self, type: str, payload: dict[str, Any], *, motion: Motion | None = None) -> None:
        """Append a journal entry in this command's transaction."""
        assert self.head is not None, "record() needs the commune's head locked by enter()"
        entry = journal.next_entry(
            self.head,
            commune=self.commune.slug if self.commune else "",
            type=type,
            at=timestamp(self.now),
            payload=payload,
        )
        self.uow.append_entry(self.commune_id, entry, None if motion is None else motion.id)
        self.head = journal.Head(entry.seq, entry.hash)
        self.recorded.append(entry)

    def by(self, member: Member | None = None) -> dict[str, Any]:
        """How the record names a member: id and display name (the roll call is public)."""
        who = member or self.member
        if who is None:
            return {}
        named, name = self._named
        if who is named:
            return {"member": who.id, "name": name}
        account = self.uow.find(Account, id=who.account_id)
        return {"member": who.id, "name": account.display_name if account else ""}


def access_commune(uow: UnitOfWork, slug: object) -> Commune:
    """The commune with this slug, or ``commune.not_found``."""
    commune = uow.find(Commune, slug=slug) if isinstance(slug, str) else None
    if commune is None:
        raise NotFound(
            f"There is no commune {slug!r}.",
            code="commune.not_found",
            hint="Check the commune's slug (it appears in its address).",
        )
    return commune


def _charter_version(
    uow: UnitOfWork, commune: Commune, version: int, cache: CharterCache | None
) -> Charter | None:
    if cache is not None:
        return cache.get(uow, commune, version)
    row = uow.find(CharterVersion, commune_id=commune.id, version=version)
    return None if row is None else charter_from_source(row.source)


def current_charter(
    uow: UnitOfWork, commune: Commune, cache: CharterCache | None = None
) -> Charter:
    """The charter version in force."""
    charter = _charter_version(uow, commune, commune.charter_version, cache)
    if charter is None:
        raise LookupError(f"commune {commune.slug} lacks charter v{commune.charter_version}")
    return charter


def class_of(
    uow: UnitOfWork,
    commune: Commune,
    motion: Motion,
    current: Charter,
    cache: CharterCache | None = None,
) -> DecisionClass:
    """A motion's decision class under the charter version it was proposed under."""
    charter = current
    if motion.charter_version is not None and motion.charter_version != commune.charter_version:
        charter = _charter_version(uow, commune, motion.charter_version, cache) or current
    return charter.decision_class(motion.decision_class)


def access_motion(
    uow: UnitOfWork, commune_id: int, number: object, viewer: Member | None
) -> Motion:
    """Motion ``number`` of the commune (motions are public: the record is open to all)."""
    motion = None
    if isinstance(number, int) and not isinstance(number, bool):
        motion = uow.find(Motion, commune_id=commune_id, number=number)
    if motion is None:
        raise NotFound(
            f"There is no motion #{number} in this commune.",
            code="motion.not_found",
            hint="Check the motion's number in the commune's list of motions.",
        )
    return motion


def access_member(uow: UnitOfWork, commune_id: int, member_id: object) -> Member:
    """Member ``member_id`` of the commune, or ``member.not_found``."""
    member = None
    if isinstance(member_id, int) and not isinstance(member_id, bool):
        member = uow.find(Member, id=member_id, commune_id=commune_id)
    if member is None:
        raise NotFound(
            f"There is no member #{member_id} in this commune.",
            code="member.not_found",
            hint="Check the member's number in the commune's list of members.",
        )
    return member


def access_section(uow: UnitOfWork, commune_id: int, slug: object) -> Section:
    """Section ``slug`` of the commune, or ``section.not_found``."""
    section = uow.find(Section, commune_id=commune_id, slug=slug) if isinstance(slug, str) else None
    if section is None:
        raise NotFound(
            f"There is no section {slug!r} in this commune.",
            code="section.not_found",
        )
    return section
