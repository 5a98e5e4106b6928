"""Mandates: a holder's seat in an office for a term, with binding instructions.

::

    active ──► expired    (the term ended: at ``ends_at`` exactly, whenever noticed)
       ├─────► recalled   (by the constituency: a recall petition, then a vote or at once)
       ├─────► resigned   (by the holder)
       └─────► ended      (for another reason: the holder left the commune, the office was
                           abolished)

A mandate *holds* from ``starts_at`` until the earlier of ``ends_at`` and the
moment it ended, whatever its recorded state: so no one ever holds an office
past its term, even before ``expire_due`` has noticed the term is over.

The **register** (every mandate of a commune, in any order) obeys three rules,
checked when a nomination is accepted and when a seat is filled, and restated
as ``violations`` for tests and audits:

1. no one holds an office past its term;
2. no one serves more consecutive terms of an office than its
   ``consecutive_terms`` (a term counts as consecutive unless the holder was out
   of the office for at least one full term before it: rotation);
3. no one holds an office beside an incompatible office (or two seats of one).

The Commune's delegates carried an *imperative mandate* ("mandat impératif",
Declaration to the French People, 19 April 1871): an **instruction** tells the
holder how to vote on a motion or agenda item of a higher body — ``for``,
``against``, ``free``, or a value in a bounded ``range``. ``check_vote``
compares a recorded vote with it and returns a ``Deviation`` to publish.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from typing import ClassVar

from communard.domain.events import Event
from communard.domain.offices import Office, lookup
from communard.errors import Conflict, InvalidInput, StateError

ACTIVE = "active"
EXPIRED = "expired"
RECALLED = "recalled"
RESIGNED = "resigned"
ENDED = "ended"
STATES = (ACTIVE, EXPIRED, RECALLED, RESIGNED, ENDED)

FOR = "for"
AGAINST = "against"
FREE = "free"
RANGE = "range"
STANCES = (FOR, AGAINST, FREE, RANGE)
SUBJECT_KINDS = ("motion", "agenda_item")
RECORDED_CHOICES = ("for", "against", "abstain", "absent")


class EligibilityError(Conflict):
    """Taking this office would break a rule of the charter; ``rule`` is its dotted field."""

    default_code = "office.ineligible"

    def __init__(
        self, message: str, *, rule: str, code: str, hint: str, details: dict[str, object]
    ) -> None:
        super().__init__(message, code=code, hint=hint, details={"rule": rule, **details})
        self.rule = rule


@dataclass(frozen=True)
class Subject:
    """What an instruction is about: a ``motion`` or ``agenda_item`` ``ref`` of a higher
    ``body`` (a federal council's slug, the commune's assembly, a commission's id)."""

    body: str
    kind: str
    ref: str

    def to_json(self) -> dict[str, str]:
        return {"body": self.body, "kind": self.kind, "ref": self.ref}

    def label(self) -> str:
        return f"{self.kind.replace('_', ' ')} {self.ref} of {self.body}"


@dataclass(frozen=True)
class Instruction:
    """A binding instruction on one subject, given by an adopted decision (``given_by``,
    the motion's number) of the constituency."""

    subject: Subject
    stance: str
    given_by: int
    given_at: datetime
    low: Fraction | None = None
    high: Fraction | None = None

    def describe(self) -> str:
        if self.stance == RANGE:
            return f"vote a value from {_num(self.low)} to {_num(self.high)}"
        if self.stance == FREE:
            return "vote freely"
        return f"vote {self.stance}"

    def to_json(self) -> dict[str, object]:
        return {
            "subject": self.subject.to_json(),
            "stance": self.stance,
            "given_by": self.given_by,
            "given_at": self.given_at.isoformat(),
            "low": None if self.low is None else _num(self.low),
            "high": None if self.high is None else _num(self.high),
        }


@dataclass(frozen=True)
class RecordedVote:
    """How the holder voted on a subject in the higher body (``absent``: did not vote);
    ``value`` is the number voted where the subject is a quantity."""

    subject: Subject
    choice: str
    at: datetime
    value: Fraction | None = None


@dataclass
class Mandate:
    """A holder's seat in an office for a term. ``seat`` names the constituency that
    elected it: ``"commune"``, ``"section:<slug>"``, ``"commission:<id>"`` or
    ``"workshop:<slug>"``."""

    id: int | None
    office_id: str
    holder_id: int
    seat: str
    starts_at: datetime
    ends_at: datetime
    state: str = ACTIVE
    ended_at: datetime | None = None
    election_id: int | None = None
    instructions: list[Instruction] = field(default_factory=list)

    @property
    def until(self) -> datetime:
        """When the mandate stops holding: the end of its term, or earlier if it ended."""
        if self.ended_at is None:
            return self.ends_at
        return max(self.starts_at, min(self.ended_at, self.ends_at))

    def holds_at(self, at: datetime) -> bool:
        """Whether the holder sits in the office at ``at``."""
        return self.starts_at <= at < self.until

    def label(self) -> str:
        return f"mandate {self.id if self.id is not None else '(new)'} in {self.office_id}"


@dataclass(frozen=True)
class MandateBegan(Event):
    type: ClassVar[str] = "mandate.began/1"
    office: str
    holder: int
    seat: str
    starts_at: datetime
    ends_at: datetime
    election: int | None


@dataclass(frozen=True)
class MandateEnded(Event):
    """A mandate ended early; ``state`` says how (recalled, resigned, ended)."""

    type: ClassVar[str] = "mandate.ended/1"
    mandate: int | None
    office: str
    holder: int
    state: str
    at: datetime
    reason: str


@dataclass(frozen=True)
class MandateRecalled(MandateEnded):
    type: ClassVar[str] = "mandate.recalled/1"


@dataclass(frozen=True)
class MandateResigned(MandateEnded):
    type: ClassVar[str] = "mandate.resigned/1"


@dataclass(frozen=True)
class MandateExpired(Event):
    type: ClassVar[str] = "mandate.expired/1"
    mandate: int | None
    office: str
    holder: int
    at: datetime


@dataclass(frozen=True)
class MandateInstructed(Event):
    type: ClassVar[str] = "mandate.instructed/1"
    mandate: int | None
    holder: int
    instruction: Instruction
    replaces: Instruction | None


@dataclass(frozen=True)
class VoteRecorded(Event):
    type: ClassVar[str] = "mandate.vote_recorded/1"
    mandate: int | None
    holder: int
    subject: Subject
    choice: str
    value: Fraction | None
    at: datetime


@dataclass(frozen=True)
class Deviation(Event):
    """A recorded vote that departs from the holder's binding instruction."""

    type: ClassVar[str] = "mandate.deviated/1"
    mandate: int | None
    office: str
    holder: int
    subject: Subject
    instructed: str
    voted: str
    value: Fraction | None
    at: datetime
    explanation: str


@dataclass(frozen=True)
class Violation:
    """A register that breaks one of the three rules (for audits and tests)."""

    rule: str
    holder: int
    office: str
    explanation: str


def mandates_of(register: Iterable[Mandate], holder_id: int) -> list[Mandate]:
    """The holder's mandates, earliest first."""
    return sorted((m for m in register if m.holder_id == holder_id), key=lambda m: m.starts_at)


def holders_at(register: Iterable[Mandate], office_id: str, at: datetime) -> list[Mandate]:
    """The mandates of ``office_id`` that hold at ``at``."""
    return [m for m in register if m.office_id == office_id and m.holds_at(at)]


def consecutive_run(
    intervals: Sequence[tuple[datetime, datetime]], term: timedelta, target: int
) -> int:
    """How many terms the run containing ``intervals[target]`` has: intervals sorted by start
    join one run while the gap between one's end and the next's start is under one ``term``
    (the holder did not sit out a full term, so rotation has not happened)."""
    order = sorted(range(len(intervals)), key=lambda i: intervals[i])
    run: list[int] = []
    latest_end: datetime | None = None
    for i in order:
        start, end = intervals[i]
        if latest_end is not None and start - latest_end >= term:
            if target in run:
                return len(run)
            run = []
            latest_end = None
        run.append(i)
        latest_end = end if latest_end is None else max(latest_end, end)
    return len(run) if target in run else 0


def check_eligible(
    register: Iterable[Mandate],
    offices: Mapping[str, Office],
    *,
    holder_id: int,
    office_id: str,
    starts_at: datetime,
    ends_at: datetime,
    holder_name: str = "",
) -> None:
    """Refuse a mandate from ``starts_at`` to ``ends_at`` that would break a rule, naming it.

    Looks at every mandate of the holder, past and future, so the answer does not
    depend on the order in which events were recorded.
    """
    target = lookup(offices, office_id)
    who = holder_name or f"Member {holder_id}"
    # A mandate ended before it began never held, so it neither overlaps nor counts as a term.
    own = [m for m in mandates_of(register, holder_id) if m.until > m.starts_at]
    for m in own:
        if not (m.starts_at < ends_at and starts_at < m.until):
            continue
        if m.office_id == office_id:
            raise EligibilityError(
                f"{who} already holds a seat of '{target.title}' until {m.until.isoformat()}.",
                rule=f"offices.{office_id}",
                code="office.already_held",
                hint="One person holds one seat of an office at a time.",
                details={"holder": holder_id, "office": office_id, "mandate": m.id},
            )
        if m.office_id in target.incompatible:
            other = offices.get(m.office_id)
            title = other.title if other else m.office_id
            raise EligibilityError(
                f"{who} holds '{title}' until {m.until.isoformat()}, and the charter's "
                f"offices.{office_id}.incompatible forbids holding '{target.title}' beside it.",
                rule=f"offices.{office_id}.incompatible",
                code="office.incompatible",
                hint=f"Resign from '{title}' first, or decline this nomination.",
                details={"holder": holder_id, "office": office_id, "held": m.office_id},
            )
    limit = target.consecutive_terms
    if limit is None:
        return
    intervals = [(m.starts_at, m.until) for m in own if m.office_id == office_id]
    intervals.append((starts_at, ends_at))
    run = consecutive_run(intervals, target.term, len(intervals) - 1)
    if run > limit:
        raise EligibilityError(
            f"{who} would serve {run} consecutive terms of '{target.title}'; the charter's "
            f"offices.{office_id}.consecutive_terms allows {limit}.",
            rule=f"offices.{office_id}.consecutive_terms",
            code="office.term_limit",
            hint="Rotation: stand again after a full term out of the office.",
            details={"holder": holder_id, "office": office_id, "terms": run, "limit": limit},
        )


def take_office(
    register: Iterable[Mandate],
    offices: Mapping[str, Office],
    *,
    office_id: str,
    holder_id: int,
    seat: str,
    starts_at: datetime,
    ends_at: datetime,
    election_id: int | None = None,
    holder_name: str = "",
) -> tuple[Mandate, MandateBegan]:
    """A new mandate, if the register allows it (see ``check_eligible``)."""
    target = lookup(offices, office_id)
    if not starts_at < ends_at or ends_at - starts_at > target.term:
        raise InvalidInput(
            "ends_at",
            ends_at.isoformat(),
            f"a mandate of '{target.title}' ends after its start and lasts at most one term "
            f"({target.term.days} days).",
            code="mandate.invalid_term",
        )
    register = list(register)
    check_eligible(
        register,
        offices,
        holder_id=holder_id,
        office_id=office_id,
        starts_at=starts_at,
        ends_at=ends_at,
        holder_name=holder_name,
    )
    mandate = Mandate(
        id=None,
        office_id=office_id,
        holder_id=holder_id,
        seat=seat,
        starts_at=starts_at,
        ends_at=ends_at,
        election_id=election_id,
    )
    return mandate, MandateBegan(
        office=office_id,
        holder=holder_id,
        seat=seat,
        starts_at=starts_at,
        ends_at=ends_at,
        election=election_id,
    )


def require_holding(mandate: Mandate, now: datetime, action: str) -> None:
    """The mandate is active and its term not over at ``now``; else ``mandate.not_active``."""
    if mandate.state != ACTIVE or now >= mandate.until:
        state = mandate.state if mandate.state != ACTIVE else EXPIRED
        raise StateError(
            f"The {mandate.label()} is {state}; it cannot be {action}.",
            code="mandate.not_active",
            details={"mandate": mandate.id, "state": state},
        )


def end(mandate: Mandate, state: str, now: datetime, reason: str) -> MandateEnded:
    """End an active mandate early: ``recalled``, ``resigned`` or ``ended``."""
    if state not in (RECALLED, RESIGNED, ENDED):
        raise ValueError(state)
    require_holding(mandate, now, state)
    mandate.state = state
    # A future term ended before it began never holds at all.
    mandate.ended_at = max(now, mandate.starts_at)
    kind = {RECALLED: MandateRecalled, RESIGNED: MandateResigned, ENDED: MandateEnded}[state]
    return kind(
        mandate=mandate.id,
        office=mandate.office_id,
        holder=mandate.holder_id,
        state=state,
        at=mandate.ended_at,
        reason=reason,
    )


def recall(mandate: Mandate, now: datetime, reason: str) -> MandateEnded:
    """The constituency recalls the holder (after a petition, and a vote where the charter
    asks one): the mandate ends at once."""
    return end(mandate, RECALLED, now, reason)


def resign(mandate: Mandate, now: datetime, reason: str = "") -> MandateEnded:
    """The holder resigns."""
    return end(mandate, RESIGNED, now, reason or "resigned")


def expire_due(register: Iterable[Mandate], now: datetime) -> list[MandateExpired]:
    """Expire every active mandate whose term is over at ``now``; it ended at ``ends_at``
    exactly, however late this runs."""
    events: list[MandateExpired] = []
    for m in register:
        if m.state == ACTIVE and now >= m.ends_at:
            m.state = EXPIRED
            m.ended_at = m.ends_at
            events.append(
                MandateExpired(mandate=m.id, office=m.office_id, holder=m.holder_id, at=m.ends_at)
            )
    return events


def instruct(
    mandate: Mandate,
    *,
    subject: Subject,
    stance: str,
    given_by: int,
    now: datetime,
    low: Fraction | None = None,
    high: Fraction | None = None,
) -> MandateInstructed:
    """Bind the holder on ``subject``; a later instruction on the same subject replaces it."""
    require_holding(mandate, now, "instructed")
    if subject.kind not in SUBJECT_KINDS:
        raise InvalidInput(
            "subject.kind",
            subject.kind,
            "use motion or agenda_item.",
            code="mandate.invalid_instruction",
        )
    if stance not in STANCES:
        raise InvalidInput(
            "stance",
            stance,
            f"use one of: {', '.join(STANCES)}.",
            code="mandate.invalid_instruction",
        )
    if stance == RANGE:
        if low is None or high is None or low > high:
            raise InvalidInput(
                "range",
                (_num(low) if low is not None else None, _num(high) if high is not None else None),
                "give a low and a high value, low at most high (exact numbers, such as 300 "
                "and 350).",
                code="mandate.invalid_instruction",
            )
    elif low is not None or high is not None:
        raise InvalidInput(
            "range",
            (low, high),
            f"a '{stance}' instruction has no range.",
            code="mandate.invalid_instruction",
        )
    instruction = Instruction(
        subject=subject, stance=stance, given_by=given_by, given_at=now, low=low, high=high
    )
    replaced = instruction_on(mandate, subject)
    mandate.instructions = [i for i in mandate.instructions if i.subject != subject]
    mandate.instructions.append(instruction)
    return MandateInstructed(
        mandate=mandate.id, holder=mandate.holder_id, instruction=instruction, replaces=replaced
    )


def instruction_on(mandate: Mandate, subject: Subject) -> Instruction | None:
    """The instruction in force on ``subject``, if any."""
    for instruction in mandate.instructions:
        if instruction.subject == subject:
            return instruction
    return None


def check_vote(mandate: Mandate, vote: RecordedVote) -> Deviation | None:
    """Compare a recorded vote of the holder with their instruction on its subject.

    No instruction, or one given after the vote, or ``free``: no deviation. Abstaining
    or being absent when instructed ``for`` or ``against`` is a deviation: the mandate
    binds the holder to carry the constituency's decision.
    """
    if vote.choice not in RECORDED_CHOICES:
        raise InvalidInput(
            "choice",
            vote.choice,
            f"use one of: {', '.join(RECORDED_CHOICES)}.",
            code="mandate.invalid_vote",
        )
    instruction = instruction_on(mandate, vote.subject)
    if instruction is None or instruction.stance == FREE or instruction.given_at > vote.at:
        return None
    if instruction.stance == RANGE:
        assert instruction.low is not None and instruction.high is not None
        if vote.value is not None and instruction.low <= vote.value <= instruction.high:
            return None
        voted = vote.choice if vote.value is None else f"{vote.choice} {_num(vote.value)}"
    else:
        if vote.choice == instruction.stance:
            return None
        voted = vote.choice
    return Deviation(
        mandate=mandate.id,
        office=mandate.office_id,
        holder=mandate.holder_id,
        subject=vote.subject,
        instructed=instruction.describe(),
        voted=voted,
        value=vote.value,
        at=vote.at,
        explanation=(
            f"Instructed by motion #{instruction.given_by} to {instruction.describe()} on "
            f"{vote.subject.label()}, the holder voted {voted}."
        ),
    )


def record_vote(mandate: Mandate, vote: RecordedVote) -> list[Event]:
    """Record how the holder voted in the higher body; a deviation from their instruction
    is returned with it, to publish on the journal."""
    if not mandate.starts_at <= vote.at < mandate.until:
        raise StateError(
            f"The {mandate.label()} did not hold at {vote.at.isoformat()}.",
            code="mandate.not_active",
            hint="Record the vote on the mandate that held when it was cast.",
        )
    deviation = check_vote(mandate, vote)
    recorded = VoteRecorded(
        mandate=mandate.id,
        holder=mandate.holder_id,
        subject=vote.subject,
        choice=vote.choice,
        value=vote.value,
        at=vote.at,
    )
    return [recorded] if deviation is None else [recorded, deviation]


def violations(register: Sequence[Mandate], offices: Mapping[str, Office]) -> list[Violation]:
    """Every breach of the three rules in ``register`` (empty when the register is sound)."""
    found: list[Violation] = []
    for m in register:
        term = offices[m.office_id].term
        if m.until > m.ends_at or m.ends_at - m.starts_at > term:
            found.append(
                Violation("term", m.holder_id, m.office_id, f"{m.label()} holds past its term")
            )
    by_holder: dict[int, list[Mandate]] = {}
    for m in register:
        if m.until > m.starts_at:
            by_holder.setdefault(m.holder_id, []).append(m)
    for holder, own in by_holder.items():
        for i, a in enumerate(own):
            for b in own[i + 1 :]:
                if not (a.starts_at < b.until and b.starts_at < a.until):
                    continue
                if a.office_id == b.office_id:
                    found.append(
                        Violation(
                            "one-seat", holder, a.office_id, f"{a.label()} overlaps {b.label()}"
                        )
                    )
                elif b.office_id in offices[a.office_id].incompatible:
                    found.append(
                        Violation(
                            "incompatible", holder, a.office_id, f"{a.label()} overlaps {b.label()}"
                        )
                    )
        for office_id in {m.office_id for m in own}:
            limit = offices[office_id].consecutive_terms
            if limit is None:
                continue
            intervals = [(m.starts_at, m.until) for m in own if m.office_id == office_id]
            longest = max(
                consecutive_run(intervals, offices[office_id].term, i)
                for i in range(len(intervals))
            )
            if longest > limit:
                found.append(
                    Violation(
                        "term-limit",
                        holder,
                        office_id,
                        f"{longest} consecutive terms, limit {limit}",
                    )
                )
    return found


def _num(value: Fraction | None) -> str:
    if value is None:
        return "?"
    return (
        str(value.numerator)
        if value.denominator == 1
        else (f"{value.numerator}/{value.denominator}")
    )
