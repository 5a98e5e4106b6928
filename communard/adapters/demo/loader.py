"""Load the demo commune through the service commands, on a scripted clock.

Every act goes through the message bus exactly as a member's would (so the
whole demo lands on the journal), on behalf of the member who performs it.
The clock is a fixed sequence: the story starts ``START_BEFORE`` ago (rounded
down to the hour) and each command advances it by one minute, with jumps over
the deliberation and voting windows; loading twice within the same hour gives
the same states, numbers and journal entry types. The last steps land in the
past, so the vote on the workshops decree is still open when the load ends,
and closes on its own three days after it opened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

from communard.adapters.demo import data
from communard.errors import Conflict
from communard.services import commands as c
from communard.services.access import Actor

START_BEFORE = timedelta(days=14)
STEP = timedelta(minutes=1)
# The ordinary class of the demo charter deliberates 3 days and votes 3 days.
DELIBERATION = timedelta(days=3)
VOTING = timedelta(days=3)

Progress = Callable[[str], None]


class ScriptedClock:
    """A clock the loader moves by hand; it never runs past ``limit`` (the real now)."""

    def __init__(self, start: datetime, limit: datetime) -> None:
        self.now = start
        self.limit = limit

    def __call__(self) -> datetime:
        return self.now

    def step(self, delta: timedelta = STEP) -> None:
        self.now = min(self.now + delta, self.limit)

    def at_least(self, moment: datetime) -> None:
        self.now = min(max(self.now, moment), self.limit)


class SharedPasswordHasher:
    """argon2id that hashes each distinct password once (the demo has one shared password).

    argon2id is slow on purpose; hashing the one public demo password three
    dozen times would only make the demo slow to load. The stored hashes are
    ordinary argon2id hashes that the server verifies as usual.
    """

    def __init__(self) -> None:
        from argon2 import PasswordHasher

        self.inner = PasswordHasher()
        self.hashes: dict[str, str] = {}

    def hash(self, password: str) -> str:
        if password not in self.hashes:
            self.hashes[password] = self.inner.hash(password)
        return self.hashes[password]

    def verify(self, hash: str, password: str) -> bool:
        return bool(self.inner.verify(hash, password))

    def check_needs_rehash(self, hash: str) -> bool:
        return bool(self.inner.check_needs_rehash(hash))


@dataclass
class Loaded:
    """What the demo loaded (or found already loaded): where to look and how to sign in."""

    commune: str
    name: str
    already_loaded: bool
    password: str
    members: list[dict[str, str]] = field(default_factory=list)
    motions: list[dict[str, Any]] = field(default_factory=list)
    journal_entries: int = 0


def charter_text() -> str:
    """The demo commune's charter (TOML)."""
    return resources.files("communard.adapters.demo").joinpath("charter.toml").read_text("utf-8")


def credentials() -> list[dict[str, str]]:
    """Sign-in details of the demo members, the showcase members first."""
    ordered = sorted(
        data.MEMBERS,
        key=lambda m: (
            m.handle not in data.SHOWCASE,
            data.SHOWCASE.index(m.handle) if m.handle in data.SHOWCASE else 0,
        ),
    )
    return [{"name": m.name, "email": m.email, "password": data.DEMO_PASSWORD} for m in ordered]


class DemoLoader:
    """Plays the demo script (``data.py``) through an application's message bus."""

    def __init__(self, application: Any, clock: ScriptedClock, progress: Progress | None = None):
        self.app = application
        self.clock = clock
        self.progress = progress or (lambda _message: None)
        self.actors: dict[str, Actor] = {}
        self.member_ids: dict[str, int] = {}
        self.numbers: dict[str, int] = {}

    def do(self, command: c.Command, handle: str | None) -> dict[str, Any]:
        """Run one command as the member ``handle`` (or as nobody), then move the clock on."""
        actor = self.actors[handle] if handle is not None else None
        result: dict[str, Any] = self.app.handle(command, actor)
        self.clock.step()
        return result

    # The story

    def load(self) -> None:
        self.found()
        self.sections()
        self.members()
        past = [m for m in data.MOTIONS if m.state in ("adopted", "rejected", "lapsed")]
        self.progress("Decrees of the first weeks")
        for motion in past:
            self.propose(motion)
        self.withdrawn()
        self.clock.at_least(self.clock.now + DELIBERATION)
        self.tick()
        for motion in past:
            self.vote(motion)
        self.clock.at_least(self.clock.now + VOTING)
        self.tick()
        self.recent()

    def found(self) -> None:
        self.progress("Founding the commune")
        varlin = data.member("varlin")
        self.app.handle(
            c.FoundCommune(
                slug=data.SLUG,
                name=data.NAME,
                charter=charter_text(),
                founder_email=varlin.email,
                founder_name=varlin.name,
                founder_password=data.DEMO_PASSWORD,
            )
        )
        self.clock.step()
        actor = self.app.auth.account_for_email(varlin.email)
        self.actors["varlin"] = actor

    def sections(self) -> None:
        self.progress("The twenty arrondissements and the ten commissions")
        for section in (*data.SECTIONS, *data.COMMISSIONS):
            self.do(
                c.CreateSection(commune=data.SLUG, slug=section.slug, name=section.name), "varlin"
            )

    def members(self) -> None:
        self.progress(f"Inviting {len(data.MEMBERS) - 1} members")
        for person in data.MEMBERS:
            if person.handle != "varlin":
                invitation = self.do(
                    c.InviteMember(commune=data.SLUG, email=person.email), "varlin"
                )
                joined = self.do(
                    c.JoinCommune(
                        commune=data.SLUG,
                        token=invitation["token"],
                        display_name=person.name,
                        password=data.DEMO_PASSWORD,
                    ),
                    None,
                )
                self.actors[person.handle] = Actor(account_id=int(joined["account"]))
            self.do(
                c.JoinSection(
                    commune=data.SLUG, section=f"arrondissement-{person.arrondissement:02d}"
                ),
                person.handle,
            )

    def propose(self, motion: data.Motion) -> None:
        """Bring a motion as far as deliberation (or leave it a draft, or seconding)."""
        if motion.state == "draft":
            result = self.do(
                c.DraftMotion(commune=data.SLUG, title=motion.title, body=motion.text), motion.mover
            )
            self.numbers[motion.key] = int(result["motion"])
            return
        result = self.do(
            c.ProposeMotion(commune=data.SLUG, title=motion.title, body=motion.text), motion.mover
        )
        number = int(result["motion"])
        self.numbers[motion.key] = number
        # Seconds beyond the charter's two would be refused once the motion is admitted.
        seconders = motion.seconders[:1] if motion.state == "seconding" else motion.seconders[:2]
        for seconder in seconders:
            self.do(c.SecondMotion(commune=data.SLUG, motion=number), seconder)
        for author, text in motion.comments:
            self.do(c.CommentOnMotion(commune=data.SLUG, motion=number, body=text), author)
        if motion.state == "seconding":
            return
        for amendment in motion.amendments:
            moved = self.do(
                c.AmendMotion(
                    commune=data.SLUG,
                    motion=number,
                    title=amendment.title,
                    body=amendment.body(motion.text),
                ),
                amendment.mover,
            )
            if amendment.accepted:
                self.do(
                    c.AcceptAmendment(commune=data.SLUG, amendment=int(moved["motion"])),
                    motion.mover,
                )

    def vote(self, motion: data.Motion) -> None:
        """Cast the motion's roll call (its vote opened on time, by tick)."""
        number = self.numbers[motion.key]
        for handle, choice in motion.ballots.items():
            self.do(c.CastBallot(commune=data.SLUG, motion=number, choice=choice), handle)

    def withdrawn(self) -> None:
        for motion in data.MOTIONS:
            if motion.state == "withdrawn":
                self.propose(motion)
                if motion.withdrawal_reason:
                    self.do(
                        c.CommentOnMotion(
                            commune=data.SLUG,
                            motion=self.numbers[motion.key],
                            body=motion.withdrawal_reason,
                        ),
                        motion.mover,
                    )
                self.do(
                    c.WithdrawMotion(commune=data.SLUG, motion=self.numbers[motion.key]),
                    motion.mover,
                )

    def recent(self) -> None:
        """The motions still before the assembly, timed so that their windows are open now."""
        self.progress("Motions before the assembly now")
        # Offsets from the current hour, so that a reload within the hour gives the same times.
        limit = self.clock.limit.replace(minute=0, second=0, microsecond=0)
        for motion in data.MOTIONS:
            if motion.state == "voting":
                # Deliberation ended a day ago; the vote has two days to run.
                self.clock.at_least(limit - DELIBERATION - timedelta(days=1, hours=1))
                self.propose(motion)
                self.clock.at_least(limit - timedelta(days=1))
                self.tick()
                self.vote(motion)
        for state, before in (
            ("deliberation", timedelta(days=1)),
            ("seconding", timedelta(hours=12)),
            ("draft", timedelta(hours=2)),
        ):
            for motion in data.MOTIONS:
                if motion.state == state:
                    self.clock.at_least(limit - before)
                    self.propose(motion)

    def tick(self) -> None:
        self.app.handle(c.Tick(commune=data.SLUG))
        self.clock.step()


def is_loaded(application: Any) -> bool:
    """Whether the whole demo commune is in this database (raises if only part of it is)."""
    if not any(x["slug"] == data.SLUG for x in application.queries.communes()):
        return False
    found = len(application.queries.motions(data.SLUG))
    if found < len(data.MOTIONS):
        raise Conflict(
            f"The demo commune {data.SLUG!r} is in this database, but only {found} of its "
            f"{len(data.MOTIONS)} motions: an earlier load stopped part-way.",
            code="demo.incomplete",
            hint="Load the demo into a new database: delete the database file, or give "
            "another --db.",
            details={"motions": found, "expected": len(data.MOTIONS)},
        )
    return True


def summary(application: Any, *, already_loaded: bool) -> Loaded:
    """What the demo commune holds now, with the members' sign-in details."""
    home = application.queries.commune(data.SLUG)
    return Loaded(
        commune=data.SLUG,
        name=home["name"],
        already_loaded=already_loaded,
        password=data.DEMO_PASSWORD,
        members=credentials(),
        motions=[
            {"motion": m["motion"], "title": m["title"], "state": m["state"]}
            for m in sorted(application.queries.motions(data.SLUG), key=lambda m: m["motion"])
        ],
        journal_entries=int(home["journal"]["seq"]),
    )


def load(
    database_url: str,
    *,
    build: Callable[..., Any],
    now: datetime | None = None,
    progress: Progress | None = None,
) -> Loaded:
    """Load the demo commune into ``database_url`` unless it is there already.

    ``build(database_url, clock=...)`` makes the application (the CLI passes
    the composition root's ``bootstrap``). The real clock is used only to
    anchor the story: ``now`` (default: the current hour, UTC).
    """
    limit = now or datetime.now(UTC)
    start = (limit - START_BEFORE).replace(minute=0, second=0, microsecond=0)
    clock = ScriptedClock(start, limit)
    application = build(database_url, clock=clock, password_hasher=SharedPasswordHasher())
    try:
        if is_loaded(application):
            return summary(application, already_loaded=True)
        DemoLoader(application, clock, progress).load()
        # Show the states as of the real now: the same as the clock's end.
        return summary(application, already_loaded=False)
    finally:
        application.close()
