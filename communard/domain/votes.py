"""Votes: roll-call ballots (for, against, abstain), the tally, and the decision.

Closing a vote counts it with the counting engine's ``yes-no`` rule: the
quorum (a share of members who must take part, abstentions included) and the
threshold (a share of the votes cast for and against, of all who voted, or of
all members), each explained in words with exact fractions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from communard.domain.charters import DecisionClass, fraction_text
from communard.domain.members import Member, require_active
from communard.domain.motions import VOTING, Motion
from communard.errors import InvalidInput, StateError

FOR = "for"
AGAINST = "against"
ABSTAIN = "abstain"
CHOICES = (FOR, AGAINST, ABSTAIN)

ADOPTED = "adopted"
REJECTED = "rejected"
LAPSED = "lapsed"


@dataclass
class Ballot:
    """One member's open (roll-call) ballot on one motion."""

    id: int | None
    motion_id: int
    member_id: int
    choice: str
    cast_at: datetime
    changed_at: datetime | None = None


@dataclass(frozen=True)
class Tally:
    """How many ballots of each kind."""

    yes: int = 0
    no: int = 0
    abstain: int = 0

    @property
    def taking_part(self) -> int:
        return self.yes + self.no + self.abstain

    @classmethod
    def of(cls, ballots: list[Ballot]) -> Tally:
        choices = [b.choice for b in ballots]
        return cls(choices.count(FOR), choices.count(AGAINST), choices.count(ABSTAIN))

    def to_json(self) -> dict[str, int]:
        return {"for": self.yes, "against": self.no, "abstain": self.abstain}


@dataclass(frozen=True)
class Decision:
    """The outcome of a yes/no vote: ``adopted``, ``rejected`` or ``lapsed``, explained."""

    decision: str
    explanation: str
    details: dict[str, Any]


def check_choice(choice: object) -> str:
    """One of ``for``, ``against``, ``abstain`` (``yes``/``no`` accepted as synonyms)."""
    synonyms = {"yes": FOR, "no": AGAINST}
    if isinstance(choice, str) and choice.strip().lower() in (*CHOICES, *synonyms):
        text = choice.strip().lower()
        return synonyms.get(text, text)
    raise InvalidInput(
        "choice", choice, "vote for, against or abstain.", code="vote.invalid_choice"
    )


def cast(
    *,
    motion: Motion,
    decision_class: DecisionClass,
    member: Member | None,
    existing: Ballot | None,
    choice: str,
    now: datetime,
) -> Ballot:
    """Cast (or change, where the charter allows) a member's ballot on an open vote."""
    voter = require_active(member, "vote")
    choice = check_choice(choice)
    if motion.state != VOTING and motion.voting_closes_at is not None:
        raise StateError(
            f"The vote on {motion.label()} closed at {motion.voting_closes_at.isoformat()} "
            f"(it was {motion.state}); ballots are no longer accepted.",
            code="vote.closed",
            hint="See the outcome on the motion's page.",
            details={"motion": motion.number, "state": motion.state},
        )
    if motion.state != VOTING:
        raise StateError(
            f"{motion.label()} is {motion.state}; its vote has not opened.",
            code="vote.not_open",
            hint="Ballots are accepted only while its vote is open.",
            details={"motion": motion.number, "state": motion.state},
        )
    assert motion.voting_closes_at is not None
    if now >= motion.voting_closes_at:
        raise StateError(
            f"The vote on motion #{motion.number} '{motion.title}' closed at "
            f"{motion.voting_closes_at.isoformat()}; ballots are no longer accepted.",
            code="vote.closed",
            details={"motion": motion.number},
        )
    if existing is not None:
        if not decision_class.changeable:
            raise StateError(
                f"You already voted {existing.choice} on motion #{motion.number}, and this "
                f"commune's charter does not let ballots of class '{decision_class.id}' change.",
                code="vote.already_cast",
                details={"motion": motion.number, "choice": existing.choice},
            )
        existing.choice = choice
        existing.changed_at = now
        return existing
    assert motion.id is not None and voter.id is not None
    return Ballot(id=None, motion_id=motion.id, member_id=voter.id, choice=choice, cast_at=now)


def decide(decision_class: DecisionClass, tally: Tally, electorate: int) -> Decision:
    """Count a closed vote under the class's rule: quorum first, then threshold."""
    try:
        return _decide_with_engine(decision_class, tally, electorate)
    except LookupError:
        return decide_exactly(decision_class, tally, electorate)


def _decide_with_engine(decision_class: DecisionClass, tally: Tally, electorate: int) -> Decision:
    from communard.counting import UnknownMethodError, YesNoProfile, count

    try:
        outcome = count(
            "yes-no",
            YesNoProfile(yes=tally.yes, no=tally.no, abstain=tally.abstain, electorate=electorate),
            threshold=decision_class.threshold,
            threshold_of=decision_class.threshold_of,
            strict=decision_class.strict,
            quorum=decision_class.quorum,
        )
    except UnknownMethodError as exc:
        raise LookupError("yes-no") from exc
    decision = outcome.details.get("decision")
    if decision not in (ADOPTED, REJECTED, LAPSED):
        raise LookupError("yes-no")
    ours = decide_exactly(decision_class, tally, electorate)
    # The engine's first line is the summary; the lines after it explain the rule.
    explanation = outcome.explanation[0] if outcome.explanation else ours.explanation
    details = {**ours.details, "method": outcome.method, "method_version": outcome.version}
    if len(outcome.explanation) > 1:
        details["notes"] = list(outcome.explanation[1:])
    return Decision(decision, explanation, details)


def decide_exactly(decision_class: DecisionClass, tally: Tally, electorate: int) -> Decision:
    """The yes/no/abstain rule in exact fractions (the engine's rule, restated here)."""
    cls = decision_class
    counts = f"{tally.yes} for, {tally.no} against, {_abstentions(tally.abstain)}"
    details: dict[str, Any] = {
        **tally.to_json(),
        "electorate": electorate,
        "quorum": fraction_text(cls.quorum),
        "threshold": fraction_text(cls.threshold),
        "threshold_of": cls.threshold_of,
        "strict": cls.strict,
    }
    taking_part = tally.taking_part
    quorum_met = (
        Fraction(taking_part, electorate) >= cls.quorum if electorate > 0 else cls.quorum == 0
    )
    quorum_text = (
        f"quorum {taking_part}/{electorate} {'≥' if quorum_met else '<'} {_share(cls.quorum)}"
        if electorate > 0
        else f"quorum {_share(cls.quorum)} of no members"
    )
    details["quorum_met"] = quorum_met
    if not quorum_met:
        return Decision(
            LAPSED,
            f"Lapsed: quorum not met. {counts}; {quorum_text}.",
            details,
        )
    denominator = {
        "cast": tally.yes + tally.no,
        "voting": taking_part,
        "members": electorate,
    }[cls.threshold_of]
    if denominator == 0:
        details["threshold_met"] = False
        return Decision(
            REJECTED,
            f"Rejected: {counts}; {quorum_text}; no votes for or against.",
            details,
        )
    share = Fraction(tally.yes, denominator)
    met = share > cls.threshold if cls.strict else share >= cls.threshold
    sign = (">" if met else "≤") if cls.strict else ("≥" if met else "<")
    details["threshold_met"] = met
    threshold_text = f"threshold {tally.yes}/{denominator} {sign} {fraction_text(cls.threshold)}"
    decision = ADOPTED if met else REJECTED
    return Decision(
        decision,
        f"{decision.capitalize()}: {counts}; {quorum_text}; {threshold_text}",
        details,
    )


def _abstentions(n: int) -> str:
    return "1 abstention" if n == 1 else f"{n} abstentions"


def _share(value: Fraction) -> str:
    """A quorum as people write it: a whole percentage where exact, else a fraction."""
    percent = value * 100
    if percent.denominator == 1:
        return f"{percent.numerator}%"
    return fraction_text(value)
