"""Motions: proposals the assembly decides, as an explicit state machine.

::

    draft ──► seconding ──► deliberation ──► voting ──► adopted ──► lapsed
      │           │              │     │          ├───► rejected    (emergency
      │           │              │     │          └───► lapsed       not ratified)
      └───────────┴──────────────┴──► withdrawn  (quorum not met)
                                 └──► accepted   (an amendment the mover accepted)

A motion is admitted from seconding to deliberation when enough members (not
the mover) second it; a class that needs no seconds goes straight to
deliberation. Deliberation lasts the class's window; then the vote opens for
the class's voting window and closes on time. An amendment is a motion that
``amends`` another: it replaces the main motion's text when its mover accepts
it or when the assembly adopts it, and every pending amendment is settled
before the main motion's vote opens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from communard.domain.charters import Charter, DecisionClass
from communard.domain.communes import check_text
from communard.domain.members import Member, require_active
from communard.errors import Forbidden, InvalidInput, StateError

DRAFT = "draft"
SECONDING = "seconding"
DELIBERATION = "deliberation"
VOTING = "voting"
ADOPTED = "adopted"
REJECTED = "rejected"
LAPSED = "lapsed"
WITHDRAWN = "withdrawn"
ACCEPTED = "accepted"

STATES = (DRAFT, SECONDING, DELIBERATION, VOTING, ADOPTED, REJECTED, LAPSED, WITHDRAWN, ACCEPTED)
OPEN_STATES = (DRAFT, SECONDING, DELIBERATION, VOTING)
TRANSITIONS: dict[str, frozenset[str]] = {
    DRAFT: frozenset({SECONDING, DELIBERATION, WITHDRAWN}),
    SECONDING: frozenset({DELIBERATION, WITHDRAWN}),
    DELIBERATION: frozenset({VOTING, WITHDRAWN, ACCEPTED}),
    VOTING: frozenset({ADOPTED, REJECTED, LAPSED}),
    ADOPTED: frozenset({LAPSED}),
    REJECTED: frozenset(),
    LAPSED: frozenset(),
    WITHDRAWN: frozenset(),
    ACCEPTED: frozenset(),
}

EFFECTS = ("charter.amend", "member.admit", "member.suspend", "member.reinstate", "motion.ratify")


@dataclass
class Motion:
    """A motion (or an amendment to one) and where it stands."""

    id: int | None
    commune_id: int
    number: int
    decision_class: str
    title: str
    body: str
    mover_id: int
    state: str
    created_at: datetime
    amends_id: int | None = None
    effect: dict[str, Any] | None = None
    submitted_at: datetime | None = None
    deliberation_ends_at: datetime | None = None
    voting_opens_at: datetime | None = None
    voting_closes_at: datetime | None = None
    closed_at: datetime | None = None
    outcome: dict[str, Any] | None = None
    lapses_at: datetime | None = None
    ratified_at: datetime | None = None
    charter_version: int | None = None

    def label(self) -> str:
        kind = "Amendment" if self.amends_id is not None else "Motion"
        return f"{kind} #{self.number} '{self.title}'"


@dataclass
class Comment:
    """A member's comment in a motion's deliberation."""

    id: int | None
    motion_id: int
    member_id: int
    body: str
    created_at: datetime


@dataclass
class Second:
    """A member's support for admitting a motion to deliberation."""

    id: int | None
    motion_id: int
    member_id: int
    created_at: datetime


@dataclass(frozen=True)
class Step:
    """A change of state, for the record: from, to, and why."""

    motion: int
    from_state: str
    to_state: str
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def move(motion: Motion, to_state: str, reason: str = "") -> Step:
    """Change state along an allowed transition, or raise ``motion.wrong_state``."""
    if to_state not in TRANSITIONS[motion.state]:
        raise StateError(
            f"{motion.label()} is {motion.state}; it cannot become {to_state}.",
            code="motion.wrong_state",
            details={"motion": motion.number, "state": motion.state, "wanted": to_state},
        )
    step = Step(motion.number, motion.state, to_state, reason)
    motion.state = to_state
    return step


def check_effect(effect: dict[str, Any] | None, charter: Charter, class_id: str) -> None:
    """An effect (what adoption does besides recording) fits the class the charter names."""
    if effect is None:
        return
    kind = effect.get("type")
    if kind not in EFFECTS:
        raise InvalidInput(
            "effect.type", kind, f"use one of: {', '.join(EFFECTS)}.", code="motion.invalid_effect"
        )
    needed = {
        "charter.amend": charter.amendment_class,
        "member.admit": charter.admission.decision_class,
        "member.suspend": "ordinary",
        "member.reinstate": "ordinary",
    }.get(kind)
    if needed is not None and class_id != needed:
        raise InvalidInput(
            "decision_class",
            class_id,
            f"a {kind} decision goes through the class '{needed}' the charter names.",
            code="motion.wrong_class",
        )


def new(
    *,
    commune_id: int,
    number: int,
    charter: Charter,
    decision_class: str,
    title: object,
    body: object,
    mover: Member | None,
    now: datetime,
    amends: Motion | None = None,
    effect: dict[str, Any] | None = None,
) -> Motion:
    """A new draft motion, checked against the charter."""
    cls = charter.decision_class(decision_class)
    proposer = require_active(mover, "propose motions")
    assert proposer.id is not None
    check_effect(effect, charter, cls.id)
    return Motion(
        id=None,
        commune_id=commune_id,
        number=number,
        decision_class=cls.id,
        title=check_text("title", title, limit=200, code="motion.invalid_title"),
        body=check_text("body", body, limit=100_000, code="motion.invalid_body"),
        mover_id=proposer.id,
        state=DRAFT,
        created_at=now,
        amends_id=None if amends is None else amends.id,
        effect=effect,
    )


def seconds_needed(cls: DecisionClass, active_members: int) -> int:
    """The class's number of seconds, or every other active member in a smaller commune
    (a commune of three cannot be asked for five seconds)."""
    return max(0, min(cls.seconds, active_members - 1))


def submit(
    motion: Motion, cls: DecisionClass, mover: Member | None, now: datetime, active_members: int
) -> Step:
    """Put a draft before the members: to seconding, or to deliberation when none is needed."""
    _require_mover(motion, mover, "propose it")
    motion.submitted_at = now
    needed = seconds_needed(cls, active_members)
    if needed == 0:
        return begin_deliberation(motion, cls, now, reason="no seconds needed")
    return move(motion, SECONDING, f"needs {needed} seconds")


def begin_deliberation(motion: Motion, cls: DecisionClass, now: datetime, reason: str) -> Step:
    """Admit the motion to deliberation for the class's window."""
    step = move(motion, DELIBERATION, reason)
    motion.deliberation_ends_at = now + cls.deliberation
    return step


def second(
    motion: Motion,
    cls: DecisionClass,
    member: Member | None,
    already: bool,
    count: int,
    now: datetime,
    active_members: int,
) -> Step | None:
    """Record support; return the step to deliberation once ``count`` seconds admit it."""
    supporter = require_active(member, "second motions")
    if motion.state != SECONDING:
        raise StateError(
            f"{motion.label()} is {motion.state}; only motions awaiting seconds can be seconded.",
            code="motion.wrong_state",
            details={"motion": motion.number, "state": motion.state},
        )
    if supporter.id == motion.mover_id:
        raise Forbidden(
            "The mover cannot second their own motion.",
            code="motion.own_motion",
            hint="Ask other members to second it.",
        )
    if already:
        raise StateError(f"You already seconded {motion.label()}.", code="motion.already_seconded")
    if count >= seconds_needed(cls, active_members):
        return begin_deliberation(motion, cls, now, reason=f"seconded by {count} members")
    return None


def comment(motion: Motion, member: Member | None, body: object, now: datetime) -> Comment:
    """A comment during seconding, deliberation or voting."""
    author = require_active(member, "comment")
    if motion.state not in (SECONDING, DELIBERATION, VOTING):
        raise StateError(
            f"{motion.label()} is {motion.state}; comments are closed.",
            code="motion.wrong_state",
            details={"motion": motion.number, "state": motion.state},
        )
    assert motion.id is not None and author.id is not None
    return Comment(
        id=None,
        motion_id=motion.id,
        member_id=author.id,
        body=check_text("body", body, limit=20_000, code="motion.invalid_comment"),
        created_at=now,
    )


def amend(
    *,
    main: Motion,
    number: int,
    charter: Charter,
    mover: Member | None,
    title: object,
    body: object,
    now: datetime,
) -> Motion:
    """An amendment (a replacement text) to a motion in deliberation."""
    if main.amends_id is not None:
        raise StateError(
            "An amendment cannot itself be amended.",
            code="motion.wrong_state",
            hint="Amend the main motion instead.",
        )
    if main.state != DELIBERATION:
        raise StateError(
            f"{main.label()} is {main.state}; amendments are taken during deliberation.",
            code="motion.wrong_state",
            details={"motion": main.number, "state": main.state},
        )
    amendment = new(
        commune_id=main.commune_id,
        number=number,
        charter=charter,
        decision_class=main.decision_class,
        title=title,
        body=body,
        mover=mover,
        now=now,
        amends=main,
    )
    amendment.submitted_at = now
    move(amendment, DELIBERATION, "amendment")
    amendment.deliberation_ends_at = main.deliberation_ends_at
    return amendment


def accept_amendment(amendment: Motion, main: Motion, member: Member | None) -> Step:
    """The main motion's mover accepts an amendment: its text replaces the main text."""
    _require_mover(main, member, "accept amendments")
    if main.state != DELIBERATION:
        raise StateError(
            f"{main.label()} is {main.state}; amendments are accepted during deliberation.",
            code="motion.wrong_state",
        )
    step = move(amendment, ACCEPTED, "accepted by the mover")
    main.body = amendment.body
    return step


def open_vote(
    motion: Motion,
    cls: DecisionClass,
    now: datetime,
    *,
    member: Member | None,
    pending_amendments: list[int],
    main: Motion | None,
) -> Step:
    """Open the vote once deliberation is over and no amendment is pending.

    ``member`` is None when the vote opens on time (by ``tick``). An amendment
    may be put to a vote earlier by the main motion's mover.
    """
    if motion.state != DELIBERATION:
        raise StateError(
            f"{motion.label()} is {motion.state}; only a motion in deliberation can go to a vote.",
            code="motion.wrong_state",
            details={"motion": motion.number, "state": motion.state},
        )
    if member is not None:
        require_active(member, "open votes")
    assert motion.deliberation_ends_at is not None
    early = now < motion.deliberation_ends_at
    if main is not None:
        if main.state != DELIBERATION:
            raise StateError(
                f"{main.label()} is {main.state}; its amendments can no longer be voted.",
                code="motion.wrong_state",
            )
        if early and (member is None or member.id != main.mover_id):
            raise Forbidden(
                "Before deliberation ends, only the main motion's mover may put an amendment "
                "to a vote.",
                code="motion.deliberating",
                hint=f"Wait until {motion.deliberation_ends_at.isoformat()}.",
            )
    elif early:
        raise StateError(
            f"Deliberation on {motion.label()} continues until "
            f"{motion.deliberation_ends_at.isoformat()}.",
            code="motion.deliberating",
            hint="The vote opens when deliberation ends (tick opens it on time).",
            details={"motion": motion.number},
        )
    if pending_amendments:
        numbers = ", ".join(f"#{n}" for n in pending_amendments)
        raise StateError(
            f"Amendments {numbers} to {motion.label()} are pending.",
            code="motion.amendments_pending",
            hint="Accept, withdraw or vote on each amendment before the main motion.",
            details={"amendments": pending_amendments},
        )
    step = move(motion, VOTING, "vote opened")
    motion.voting_opens_at = now
    motion.voting_closes_at = now + cls.voting
    return step


def withdraw(motion: Motion, member: Member | None, now: datetime) -> Step:
    """The mover withdraws a motion before its vote opens."""
    _require_mover(motion, member, "withdraw it")
    if motion.state not in (DRAFT, SECONDING, DELIBERATION):
        raise StateError(
            f"{motion.label()} is {motion.state}; only motions not yet put to a vote can be "
            "withdrawn.",
            code="motion.wrong_state",
            details={"motion": motion.number, "state": motion.state},
        )
    motion.closed_at = now
    return move(motion, WITHDRAWN, "withdrawn by the mover")


def close(
    motion: Motion, cls: DecisionClass, decision: str, outcome: dict[str, Any], now: datetime
) -> Step:
    """Close a vote with the decision counted; emergency decisions start their lapse clock."""
    if motion.state != VOTING:
        raise StateError(
            f"{motion.label()} is {motion.state}; only an open vote can be closed.",
            code="motion.wrong_state",
        )
    assert motion.voting_closes_at is not None
    if now < motion.voting_closes_at:
        raise StateError(
            f"The vote on {motion.label()} is open until {motion.voting_closes_at.isoformat()}.",
            code="vote.open",
            hint="Votes close on time; nobody may close one early.",
        )
    motion.closed_at = now
    motion.outcome = outcome
    if decision == ADOPTED and cls.lapses_unless_ratified is not None:
        motion.lapses_at = motion.voting_closes_at + cls.lapses_unless_ratified
    return move(motion, decision, outcome.get("explanation", ""))


def ratify(emergency: Motion, now: datetime) -> None:
    """An ordinary decision ratifies an emergency decision: it no longer lapses."""
    if emergency.state != ADOPTED or emergency.lapses_at is None or emergency.ratified_at:
        raise StateError(
            f"{emergency.label()} is not an emergency decision awaiting ratification.",
            code="motion.not_ratifiable",
        )
    emergency.ratified_at = now


def lapse_unratified(motion: Motion, now: datetime) -> Step:
    """An emergency decision not ratified in time lapses."""
    return move(motion, LAPSED, "emergency decision not ratified in time")


def due(motion: Motion, now: datetime) -> str | None:
    """What time alone requires of this motion now: ``open``, ``close``, ``lapse`` or None."""
    if motion.state == VOTING and motion.voting_closes_at and now >= motion.voting_closes_at:
        return "close"
    if (
        motion.state == DELIBERATION
        and motion.deliberation_ends_at is not None
        and now >= motion.deliberation_ends_at
    ):
        return "open"
    if (
        motion.state == ADOPTED
        and motion.lapses_at is not None
        and motion.ratified_at is None
        and now >= motion.lapses_at
    ):
        return "lapse"
    return None


def _require_mover(motion: Motion, member: Member | None, action: str) -> None:
    require_active(member, action)
    assert member is not None
    if member.id != motion.mover_id:
        raise Forbidden(
            f"Only the mover of {motion.label()} may {action}.", code="motion.not_mover"
        )
