"""Elections: filling an office's seats by the constituency's vote, and filling vacancies.

::

    nominations ──► voting ──► counted ──► filled
         └──────────┴─────────────────────► cancelled

**Nominations** are open for the office's ``nominations`` window: a member
nominates themself (which is also their acceptance) or another member, who
accepts or declines. Term limits and incompatibilities are checked at
acceptance against the whole register of mandates, with an error naming the
charter rule that forbids it. **Voting** opens when the window ends, with
ballots of the office's method's kind (ranked, approval or one choice), open
by name; a member may change their ballot until voting closes. **Counting**
calls the counting engine with the method, the seats and an explicit
tie-break (the charter's rule, with an order drawn by lot supplied by the
caller), and keeps the whole ``Outcome``, every round explained. **Filling**
gives each person elected a mandate for the term.

A seat that falls vacant (recall, resignation) is filled by the office's
vacancy rule: **countback** (the original ballots recounted without the
departed member, as Tasmania's Hare-Clark does; ``communard.counting.countback``),
the next on the **substitute** list (the unelected candidates in the order the
count placed them), or a **by-election** for the rest of the term — which is
also what happens when countback or the list finds no one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from communard.counting import (
    ApprovalProfile,
    ConfigError,
    CountingError,
    Outcome,
    RankedProfile,
    count,
)
from communard.counting.countback import countback
from communard.counting.ties import TieBreaker
from communard.domain.events import Event
from communard.domain.mandates import (
    ACTIVE,
    EligibilityError,
    Mandate,
    check_eligible,
    take_office,
)
from communard.domain.members import Member, require_active
from communard.domain.offices import Office
from communard.errors import Conflict, Forbidden, InvalidInput, StateError

NOMINATIONS = "nominations"
VOTING = "voting"
COUNTED = "counted"
FILLED = "filled"
CANCELLED = "cancelled"
STATES = (NOMINATIONS, VOTING, COUNTED, FILLED, CANCELLED)

PENDING = "pending"
ACCEPTED = "accepted"
DECLINED = "declined"
WITHDRAWN = "withdrawn"


@dataclass
class Nomination:
    """A candidate put forward for an election, and whether they accepted."""

    candidate_id: int
    nominated_by: int
    at: datetime
    state: str = PENDING
    answered_at: datetime | None = None


@dataclass
class Election:
    """An election to ``seats`` seats of an office, for the term from ``term_starts_at``
    to ``term_ends_at``. ``ballots`` maps each voter to their choices (candidate ids, in
    order for ranked ballots). ``vacancy_of`` is the mandate a by-election replaces."""

    id: int | None
    office_id: str
    seat: str
    seats: int
    method: str
    ballot: str
    term_starts_at: datetime
    term_ends_at: datetime
    opened_at: datetime
    nominations_close_at: datetime
    state: str = NOMINATIONS
    voting_closes_at: datetime | None = None
    nominations: dict[int, Nomination] = field(default_factory=dict)
    ballots: dict[int, tuple[int, ...]] = field(default_factory=dict)
    outcome: Outcome | None = None
    elected: list[int] = field(default_factory=list)
    substitutes: list[int] = field(default_factory=list)
    vacancy_of: int | None = None

    def label(self) -> str:
        return f"election {self.id if self.id is not None else '(new)'} to {self.office_id}"

    def candidates(self) -> list[int]:
        """Accepted candidates, in the order they were nominated."""
        return [c for c, n in self.nominations.items() if n.state == ACCEPTED]


@dataclass(frozen=True)
class ElectionOpened(Event):
    type: ClassVar[str] = "election.opened/1"
    office: str
    seat: str
    seats: int
    method: str
    term_starts_at: datetime
    term_ends_at: datetime
    nominations_close_at: datetime
    vacancy_of: int | None


@dataclass(frozen=True)
class NominationMade(Event):
    type: ClassVar[str] = "office.nominated/1"
    election: int | None
    candidate: int
    nominated_by: int
    at: datetime


@dataclass(frozen=True)
class NominationAnswered(Event):
    """The candidate accepted, declined or withdrew (``state``)."""

    type: ClassVar[str] = "office.nomination_answered/1"
    election: int | None
    candidate: int
    state: str
    at: datetime


@dataclass(frozen=True)
class VotingOpened(Event):
    type: ClassVar[str] = "election.voting_opened/1"
    election: int | None
    candidates: tuple[int, ...]
    closes_at: datetime


@dataclass(frozen=True)
class ElectionCancelled(Event):
    type: ClassVar[str] = "election.cancelled/1"
    election: int | None
    reason: str
    at: datetime


@dataclass(frozen=True)
class ElectionVoted(Event):
    type: ClassVar[str] = "election.voted/1"
    election: int | None
    voter: int
    choices: tuple[int, ...]
    changed: bool
    at: datetime


@dataclass(frozen=True)
class ElectionCounted(Event):
    type: ClassVar[str] = "election.counted/1"
    election: int | None
    elected: tuple[int, ...]
    substitutes: tuple[int, ...]
    outcome: dict[str, Any]
    at: datetime


@dataclass(frozen=True)
class SeatLeftVacant(Event):
    """An elected candidate could not take the seat (a rule forbids it now)."""

    type: ClassVar[str] = "election.seat_left_vacant/1"
    election: int | None
    candidate: int
    rule: str
    explanation: str


@dataclass(frozen=True)
class VacancyFilled(Event):
    type: ClassVar[str] = "election.vacancy_filled/1"
    election: int | None
    departed: int
    successor: int
    how: str
    explanation: tuple[str, ...]
    outcome: dict[str, Any] | None


@dataclass(frozen=True)
class ByElectionCalled(Event):
    type: ClassVar[str] = "election.by_election_called/1"
    office: str
    seat: str
    departed: int
    term_ends_at: datetime
    explanation: str


def open_election(
    office: Office,
    *,
    seat: str,
    term_starts_at: datetime,
    now: datetime,
    term_ends_at: datetime | None = None,
    seats: int | None = None,
    vacancy_of: int | None = None,
) -> tuple[Election, ElectionOpened]:
    """Open an election (its nominations window begins now)."""
    ends = term_ends_at or term_starts_at + office.term
    if not term_starts_at < ends or ends - term_starts_at > office.term:
        raise InvalidInput(
            "term_ends_at",
            ends.isoformat(),
            f"a term of '{office.title}' ends after it starts and lasts at most "
            f"{office.term.days} days.",
            code="election.invalid_term",
        )
    kind, _, key = seat.partition(":")
    election = Election(
        id=None,
        office_id=office.id,
        seat=seat,
        seats=seats or office.seats_for(key if kind == "section" else None),
        method=office.method,
        ballot=office.ballot,
        term_starts_at=term_starts_at,
        term_ends_at=ends,
        opened_at=now,
        nominations_close_at=now + office.nominations,
        vacancy_of=vacancy_of,
    )
    return election, ElectionOpened(
        office=office.id,
        seat=seat,
        seats=election.seats,
        method=office.method,
        term_starts_at=term_starts_at,
        term_ends_at=ends,
        nominations_close_at=election.nominations_close_at,
        vacancy_of=vacancy_of,
    )


def next_election_at(office: Office, term_ends_at: datetime) -> datetime:
    """When the election for the term after one ending at ``term_ends_at`` opens: the
    office's ``schedule_before`` ahead, so the next holders are elected in time."""
    return term_ends_at - office.schedule_before


def due(election: Election, now: datetime) -> str | None:
    """What time alone requires of the election now: ``open_voting``, ``close`` or None."""
    if election.state == NOMINATIONS and now >= election.nominations_close_at:
        return "open_voting"
    if (
        election.state == VOTING
        and election.voting_closes_at is not None
        and now >= election.voting_closes_at
    ):
        return "close"
    return None


def nominate(
    election: Election,
    offices: Mapping[str, Office],
    *,
    nominator: Member | None,
    candidate: Member | None,
    constituency: Collection[int],
    register: Iterable[Mandate],
    now: datetime,
) -> list[Event]:
    """Nominate a candidate; nominating oneself is also accepting (checked at once)."""
    by = require_active(nominator, "nominate candidates")
    who = require_active(candidate, "stand for office")
    assert by.id is not None and who.id is not None
    _require_nominations_open(election, now)
    if by.id not in constituency:
        raise Forbidden(
            "Only members of the constituency that elects this office may nominate.",
            code="office.not_in_constituency",
        )
    existing = election.nominations.get(who.id)
    if existing is not None and existing.state in (PENDING, ACCEPTED):
        raise Conflict(
            f"Member {who.id} is already nominated in this {election.label()}.",
            code="office.already_nominated",
        )
    election.nominations[who.id] = Nomination(candidate_id=who.id, nominated_by=by.id, at=now)
    events: list[Event] = [
        NominationMade(election=election.id, candidate=who.id, nominated_by=by.id, at=now)
    ]
    if by.id == who.id:
        events.append(
            accept_nomination(election, offices, candidate=who, register=register, now=now)
        )
    return events


def accept_nomination(
    election: Election,
    offices: Mapping[str, Office],
    *,
    candidate: Member | None,
    register: Iterable[Mandate],
    now: datetime,
    holder_name: str = "",
) -> NominationAnswered:
    """The candidate accepts; refused, naming the rule, if the term would break a term limit
    or sit beside an incompatible office."""
    who = require_active(candidate, "accept nominations")
    assert who.id is not None
    nomination = _pending(election, who.id, now)
    check_eligible(
        register,
        offices,
        holder_id=who.id,
        office_id=election.office_id,
        starts_at=election.term_starts_at,
        ends_at=election.term_ends_at,
        holder_name=holder_name,
    )
    nomination.state = ACCEPTED
    nomination.answered_at = now
    return NominationAnswered(election=election.id, candidate=who.id, state=ACCEPTED, at=now)


def decline_nomination(
    election: Election, candidate: Member | None, now: datetime
) -> NominationAnswered:
    """The candidate declines a pending nomination, or withdraws an accepted one."""
    who = require_active(candidate, "answer nominations")
    assert who.id is not None
    _require_nominations_open(election, now)
    nomination = election.nominations.get(who.id)
    if nomination is None or nomination.state not in (PENDING, ACCEPTED):
        raise StateError(
            f"Member {who.id} has no open nomination in this {election.label()}.",
            code="office.not_nominated",
        )
    nomination.state = DECLINED if nomination.state == PENDING else WITHDRAWN
    nomination.answered_at = now
    return NominationAnswered(
        election=election.id, candidate=who.id, state=nomination.state, at=now
    )


def open_voting(election: Election, office: Office, now: datetime) -> VotingOpened:
    """Open voting when the nominations window has ended (tick does it on time)."""
    if election.state != NOMINATIONS:
        raise StateError(
            f"The {election.label()} is {election.state}.", code="election.wrong_state"
        )
    if now < election.nominations_close_at:
        raise StateError(
            f"Nominations for the {election.label()} are open until "
            f"{election.nominations_close_at.isoformat()}.",
            code="election.nominating",
            hint="Voting opens when nominations close.",
        )
    candidates = election.candidates()
    if not candidates:
        raise StateError(
            f"No candidate accepted a nomination in the {election.label()}.",
            code="election.no_candidates",
            hint="Cancel it and open the election again, with a new nominations window.",
        )
    election.state = VOTING
    election.voting_closes_at = now + office.voting
    return VotingOpened(
        election=election.id, candidates=tuple(candidates), closes_at=election.voting_closes_at
    )


def cancel(election: Election, now: datetime, reason: str) -> ElectionCancelled:
    """Cancel an election that has not been counted (for example, no one stood)."""
    if election.state not in (NOMINATIONS, VOTING):
        raise StateError(
            f"The {election.label()} is {election.state}; it cannot be cancelled.",
            code="election.wrong_state",
        )
    election.state = CANCELLED
    return ElectionCancelled(election=election.id, reason=reason, at=now)


def vote(
    election: Election,
    *,
    voter: Member | None,
    constituency: Collection[int],
    choices: Sequence[int],
    now: datetime,
) -> ElectionVoted:
    """Cast or change an open ballot: candidate ids, most preferred first for ranked
    ballots, the approved for approval ballots, exactly one for a single choice."""
    member = require_active(voter, "vote")
    assert member.id is not None
    if election.state != VOTING or election.voting_closes_at is None:
        raise StateError(
            f"The {election.label()} is not open for voting ({election.state}).",
            code="election.not_voting",
        )
    if now >= election.voting_closes_at:
        raise StateError(
            f"Voting in the {election.label()} closed at {election.voting_closes_at.isoformat()}.",
            code="election.closed",
        )
    if member.id not in constituency:
        raise Forbidden(
            "Only members of the constituency vote in this election.",
            code="election.not_in_constituency",
        )
    ballot = _check_ballot(election, choices)
    changed = member.id in election.ballots
    election.ballots[member.id] = ballot
    return ElectionVoted(
        election=election.id, voter=member.id, choices=ballot, changed=changed, at=now
    )


def _check_ballot(election: Election, choices: Sequence[int]) -> tuple[int, ...]:
    candidates = set(election.candidates())
    ballot = tuple(choices)
    unknown = [c for c in ballot if c not in candidates]
    if unknown:
        raise InvalidInput(
            "choices",
            list(ballot),
            f"choose among the candidates: {sorted(candidates)}.",
            code="election.invalid_ballot",
        )
    if len(set(ballot)) != len(ballot):
        raise InvalidInput(
            "choices",
            list(ballot),
            "name each candidate at most once.",
            code="election.invalid_ballot",
        )
    if election.ballot == "choice" and len(ballot) != 1:
        raise InvalidInput(
            "choices", list(ballot), "choose exactly one candidate.", code="election.invalid_ballot"
        )
    if not ballot:
        raise InvalidInput(
            "choices", [], "choose at least one candidate.", code="election.invalid_ballot"
        )
    if election.ballot == "approval":
        return tuple(sorted(ballot))
    return ballot


def option(candidate_id: int) -> str:
    """The name a candidate has in the count (their member id, as text)."""
    return str(candidate_id)


def profile(election: Election) -> RankedProfile | ApprovalProfile:
    """The election's ballots as a counting-engine profile (grouped identical ballots)."""
    options = [option(c) for c in election.candidates()]
    rows = [[option(c) for c in b] for b in election.ballots.values()]
    if election.ballot == "approval":
        return ApprovalProfile.from_sets(options, rows)
    return RankedProfile.from_rankings(options, rows)


def close(
    election: Election, office: Office, now: datetime, tie_break: TieBreaker | None
) -> ElectionCounted:
    """Count the ballots when voting has closed; keep the Outcome, every round explained.

    ``tie_break`` is explicit (normally ``office.tie_breaker(lot)`` with an order drawn
    by lot beforehand): a tie it leaves unbroken stops the count with ``election.tie``.
    """
    if election.state != VOTING or election.voting_closes_at is None:
        raise StateError(
            f"The {election.label()} is {election.state}; only an election being "
            "voted on can be counted.",
            code="election.wrong_state",
        )
    if now < election.voting_closes_at:
        raise StateError(
            f"Voting in the {election.label()} is open until "
            f"{election.voting_closes_at.isoformat()}.",
            code="election.voting",
            hint="Elections close on time; nobody may close one early.",
        )
    candidates = election.candidates()
    if len(candidates) <= election.seats:
        outcome = Outcome(
            method=election.method,
            version="1",
            winners=tuple(option(c) for c in candidates),
            explanation=[
                f"{len(candidates)} candidates for {election.seats} seats: "
                "elected unopposed, without a count."
            ],
        )
    elif not election.ballots:
        raise StateError(
            f"No ballots were cast in the {election.label()}.",
            code="election.no_ballots",
            hint="Cancel it and open the election again.",
        )
    else:
        outcome = _count(election, tie_break)
    election.outcome = outcome
    election.elected = [int(w) for w in outcome.winners]
    election.substitutes = substitute_order(outcome, candidates)
    election.state = COUNTED
    return ElectionCounted(
        election=election.id,
        elected=tuple(election.elected),
        substitutes=tuple(election.substitutes),
        outcome=outcome.to_json(),
        at=now,
    )


def _count(election: Election, tie_break: TieBreaker | None) -> Outcome:
    try:
        outcome = count(
            election.method, profile(election), seats=election.seats, tie_break=tie_break
        )
    except CountingError as exc:
        tied = exc.details.get("tied")
        raise StateError(
            f"The count of the {election.label()} stopped: {exc.message}",
            code="election.tie" if tied else "election.count_failed",
            hint=exc.hint or "Settle the tie by the charter's rule, then close again.",
            details={"tied": tied} if tied else {},
        ) from exc
    if outcome.tied:
        raise StateError(
            f"The count of the {election.label()} ends in a tie between {', '.join(outcome.tied)}.",
            code="election.tie",
            hint="Draw lots for an order of the candidates and close again with it.",
            details={"tied": list(outcome.tied)},
        )
    return outcome


def substitute_order(outcome: Outcome, candidates: Sequence[int]) -> list[int]:
    """The unelected candidates, best placed first: by the outcome's ranking where the
    method gives one, else those never eliminated (by their last tally), then the
    eliminated from the last to the first; ties keep nomination order."""
    winners = set(outcome.winners)
    rest = [option(c) for c in candidates if option(c) not in winners]
    if outcome.ranking is not None:
        place = {name: i for i, group in enumerate(outcome.ranking) for name in group}
        ordered = sorted(rest, key=lambda n: place.get(n, len(place)))
    else:
        eliminated: list[str] = [n for r in outcome.rounds for n in r.eliminated]
        last: dict[str, Any] = {}
        for r in outcome.rounds:
            last.update(r.tallies)
        standing = sorted((n for n in rest if n not in eliminated), key=lambda n: -last.get(n, 0))
        gone = [n for n in reversed(eliminated) if n in rest]
        ordered = standing + gone
    return [int(n) for n in ordered]


def fill_seats(
    election: Election,
    offices: Mapping[str, Office],
    register: Iterable[Mandate],
    now: datetime,
) -> tuple[list[Mandate], list[Event]]:
    """Give each person elected a mandate for the term (from now, if the term has begun).

    A rule checked again here may forbid a seat taken since acceptance (another office
    held meanwhile): that seat is left vacant, explained, for the vacancy rule to fill.
    """
    if election.state != COUNTED:
        raise StateError(
            f"The {election.label()} is {election.state}; seats are filled once it is counted.",
            code="election.wrong_state",
        )
    book = list(register)
    mandates: list[Mandate] = []
    events: list[Event] = []
    starts = max(election.term_starts_at, now)
    for winner in election.elected:
        try:
            mandate, began = take_office(
                book,
                offices,
                office_id=election.office_id,
                holder_id=winner,
                seat=election.seat,
                starts_at=starts,
                ends_at=election.term_ends_at,
                election_id=election.id,
            )
        except EligibilityError as exc:
            events.append(
                SeatLeftVacant(
                    election=election.id, candidate=winner, rule=exc.rule, explanation=exc.message
                )
            )
            continue
        book.append(mandate)
        mandates.append(mandate)
        events.append(began)
    election.state = FILLED
    return mandates, events


def fill_vacancy(
    election: Election,
    office: Office,
    offices: Mapping[str, Office],
    *,
    departed: Mandate,
    register: Iterable[Mandate],
    now: datetime,
    tie_break: TieBreaker | None,
    consenting: Collection[int] | None = None,
) -> tuple[list[Mandate], list[Event], Election | None]:
    """Fill the seat ``departed`` left, by the office's vacancy rule, for the rest of its term.

    ``consenting`` are the candidates who agree to fill it (None: every unelected
    candidate who may take the seat). Returns the new mandate (or none), the events, and
    the by-election opened when the rule (or its failure) calls for one.
    """
    if departed.state == ACTIVE or departed.election_id != election.id:
        raise StateError(
            f"The {departed.label()} left no vacancy in this {election.label()}.",
            code="election.no_vacancy",
        )
    if now >= departed.ends_at:
        raise StateError(
            f"The term of the {departed.label()} is over; the next election fills the seat.",
            code="election.no_vacancy",
        )
    book = list(register)
    holding = {m.holder_id for m in book if m.election_id == election.id and m.holds_at(now)}
    eligible = [
        c
        for c in election.candidates()
        if c not in holding
        and c not in election.elected
        and (consenting is None or c in consenting)
        and _may_take(book, offices, c, office.id, now, departed.ends_at)
    ]
    rule = office.vacancy.rule
    successor: int | None = None
    explanation: tuple[str, ...] = ()
    result: Outcome | None = None
    why_not = ""
    if rule == "countback":
        successor, result, why_not = _countback(
            election, office, departed, eligible, holding, tie_break
        )
        explanation = tuple(result.explanation) if result else ()
    elif rule == "substitutes":
        listed = [c for c in election.substitutes if c in eligible]
        if listed:
            successor = listed[0]
            explanation = (
                f"Member {successor} is the first on the substitute list who "
                "consents and may take the seat.",
            )
        else:
            why_not = "no one on the substitute list consents and may take the seat"
    if successor is not None:
        mandate, began = take_office(
            book,
            offices,
            office_id=office.id,
            holder_id=successor,
            seat=departed.seat,
            starts_at=max(now, departed.starts_at),
            ends_at=departed.ends_at,
            election_id=election.id,
        )
        filled = VacancyFilled(
            election=election.id,
            departed=departed.holder_id,
            successor=successor,
            how=rule,
            explanation=explanation,
            outcome=None if result is None else result.to_json(),
        )
        return [mandate], [filled, began], None
    by_election, opened = open_election(
        office,
        seat=departed.seat,
        term_starts_at=max(now, departed.starts_at),
        now=now,
        term_ends_at=departed.ends_at,
        seats=1,
        vacancy_of=departed.id,
    )
    called = ByElectionCalled(
        office=office.id,
        seat=departed.seat,
        departed=departed.holder_id,
        term_ends_at=departed.ends_at,
        explanation=(
            "The charter fills this vacancy by a by-election."
            if rule == "by-election"
            else f"A by-election fills the seat: {why_not}."
        ),
    )
    return [], [called, opened], by_election


def _countback(
    election: Election,
    office: Office,
    departed: Mandate,
    eligible: Sequence[int],
    holding: Collection[int],
    tie_break: TieBreaker | None,
) -> tuple[int | None, Outcome | None, str]:
    if election.outcome is None or not election.ballots:
        return None, None, "there was no count to go back to (elected unopposed)"
    if departed.holder_id not in election.elected:
        return None, None, f"member {departed.holder_id} was not elected by this count"
    if not eligible:
        return None, None, "no unelected candidate consents and may take the seat"
    ballots = profile(election)
    if not isinstance(ballots, RankedProfile):
        return None, None, "countback recounts ranked ballots only"
    options: dict[str, Any] = {}
    if office.vacancy.countback == "rerun":
        # Everyone who may not fill the seat is withdrawn from the recount, and so is anyone
        # who already holds a seat of this election after an earlier vacancy.
        options["withdrawn"] = [
            option(c)
            for c in election.candidates()
            if c not in eligible and c not in election.elected
        ] + [option(c) for c in holding if c not in election.elected]
    try:
        result = countback(
            ballots,
            election.outcome,
            option(departed.holder_id),
            method=election.method,
            seats=election.seats,
            rule=office.vacancy.countback,
            consenting=[option(c) for c in eligible]
            if office.vacancy.countback == "hare-clark"
            else None,
            tie_break=tie_break,
            **options,
        )
    except ConfigError as exc:
        return None, None, exc.message.rstrip(".").lower()
    except CountingError as exc:
        raise StateError(
            f"The countback for the {election.label()} stopped: {exc.message}",
            code="election.tie",
            hint=exc.hint,
            details=exc.details,
        ) from exc
    successor = int(result.winners[0])
    if successor not in eligible:
        return None, result, f"the recount chose member {successor}, who may not take the seat"
    return successor, result, ""


def _may_take(
    book: list[Mandate],
    offices: Mapping[str, Office],
    candidate: int,
    office_id: str,
    starts: datetime,
    ends: datetime,
) -> bool:
    try:
        check_eligible(
            book, offices, holder_id=candidate, office_id=office_id, starts_at=starts, ends_at=ends
        )
    except EligibilityError:
        return False
    return True


def _require_nominations_open(election: Election, now: datetime) -> None:
    if election.state != NOMINATIONS or now >= election.nominations_close_at:
        raise StateError(
            f"Nominations for the {election.label()} are closed.",
            code="office.nominations_closed",
            details={"election": election.id, "state": election.state},
        )


def _pending(election: Election, candidate_id: int, now: datetime) -> Nomination:
    _require_nominations_open(election, now)
    nomination = election.nominations.get(candidate_id)
    if nomination is None or nomination.state != PENDING:
        raise StateError(
            f"Member {candidate_id} has no pending nomination in this {election.label()}.",
            code="office.not_nominated",
            hint="Ask a member of the constituency to nominate you, or nominate yourself.",
        )
    return nomination
