"""Recalls: the constituency's petition to remove a holder, at any moment.

The Commune's councillors were "responsible and revocable at short terms"
and its Declaration of 19 April 1871 names "the permanent right of control
and revocation" of every magistrate and official. Any member of the
constituency that elected a holder may open a **recall petition** against
them, with a reason; the opener's signature is the first.

::

    open ──► reached ──► recalled   (the recall vote adopted, or at once if the charter
      │         │                    says "immediate")
      │         └──────► rejected   (the recall vote did not adopt)
      ├────────────────► lapsed     (the window passed without reaching the threshold)
      └────────────────► closed     (the mandate ended otherwise before the threshold)

The threshold is a share of the constituency, counted when the petition
opens (so it cannot move while members sign) and rounded up to whole
signatures. Each member signs once. The signature that brings the count to
the threshold — and only that one — reaches it: ``sign`` on a petition no
longer open is refused, so a recall vote opens exactly once even when many
sign at the same moment (the services serialise a commune's commands and the
database holds ``UNIQUE(petition_id, member_id)``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import ClassVar

from communard.domain.communes import check_text
from communard.domain.events import Event
from communard.domain.mandates import (
    ACTIVE,
    EXPIRED,
    Mandate,
    MandateEnded,
    recall,
    require_holding,
)
from communard.domain.members import Member, require_active
from communard.domain.offices import Office
from communard.errors import Conflict, Forbidden, StateError

OPEN = "open"
REACHED = "reached"
RECALLED = "recalled"
REJECTED = "rejected"
LAPSED = "lapsed"
CLOSED = "closed"
STATES = (OPEN, REACHED, RECALLED, REJECTED, LAPSED, CLOSED)


@dataclass
class Petition:
    """A recall petition against one mandate, with its signatures in the order given."""

    id: int | None
    mandate_id: int | None
    office_id: str
    holder_id: int
    opened_by: int
    reason: str
    opened_at: datetime
    closes_at: datetime
    threshold: Fraction
    constituency_size: int
    needed: int
    then: str
    decision_class: str
    signatures: list[int] = field(default_factory=list)
    state: str = OPEN
    reached_at: datetime | None = None
    settled_at: datetime | None = None

    def label(self) -> str:
        return f"recall petition {self.id if self.id is not None else '(new)'}"

    @property
    def missing(self) -> int:
        """Signatures still needed to reach the threshold."""
        return max(0, self.needed - len(self.signatures))


@dataclass(frozen=True)
class RecallOpened(Event):
    type: ClassVar[str] = "recall.opened/1"
    petition: int | None
    mandate: int | None
    office: str
    holder: int
    opened_by: int
    reason: str
    needed: int
    constituency_size: int
    threshold: Fraction
    closes_at: datetime


@dataclass(frozen=True)
class RecallSigned(Event):
    type: ClassVar[str] = "recall.signed/1"
    petition: int | None
    member: int
    signatures: int
    needed: int
    at: datetime


@dataclass(frozen=True)
class RecallThresholdReached(Event):
    type: ClassVar[str] = "recall.threshold_reached/1"
    petition: int | None
    mandate: int | None
    signatures: int
    needed: int
    then: str
    at: datetime


@dataclass(frozen=True)
class RecallVoteCalled(Event):
    """The services open a motion of ``decision_class`` whose adoption recalls the holder."""

    type: ClassVar[str] = "recall.vote_called/1"
    petition: int | None
    mandate: int | None
    office: str
    holder: int
    decision_class: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class RecallSettled(Event):
    """The petition's end when it did not recall: ``rejected``, ``lapsed`` or ``closed``."""

    type: ClassVar[str] = "recall.settled/1"
    petition: int | None
    mandate: int | None
    state: str
    signatures: int
    needed: int
    at: datetime
    explanation: str


def open_petition(
    *,
    mandate: Mandate,
    office: Office,
    opener: Member | None,
    constituency: Collection[int],
    reason: object,
    now: datetime,
    open_petitions: int = 0,
) -> tuple[Petition, list[Event]]:
    """Open a recall petition (the opener signs first).

    ``constituency`` holds the ids of the active members of the constituency that
    elected the office (the whole commune, the section, the commission) at ``now``;
    ``open_petitions`` how many petitions against this mandate are already open.
    """
    member = require_active(opener, "open recall petitions")
    assert member.id is not None
    require_holding(mandate, now, "recalled")
    _require_constituent(member, constituency, office)
    if member.id == mandate.holder_id:
        raise Forbidden(
            "A holder cannot petition for their own recall.",
            code="recall.own_mandate",
            hint="Resign instead (mandate.resign).",
        )
    if open_petitions:
        raise Conflict(
            f"A recall petition against this holder of '{office.title}' is already open.",
            code="recall.already_open",
            hint="Sign the open petition: signatures are not split between two.",
        )
    rule = office.recall
    petition = Petition(
        id=None,
        mandate_id=mandate.id,
        office_id=office.id,
        holder_id=mandate.holder_id,
        opened_by=member.id,
        reason=check_text("reason", reason, limit=5_000, code="recall.invalid_reason"),
        opened_at=now,
        closes_at=now + rule.window,
        threshold=rule.threshold,
        constituency_size=len(constituency),
        needed=rule.signatures_needed(len(constituency)),
        then=rule.then,
        decision_class=rule.decision_class,
    )
    opened = RecallOpened(
        petition=None,
        mandate=mandate.id,
        office=office.id,
        holder=mandate.holder_id,
        opened_by=member.id,
        reason=petition.reason,
        needed=petition.needed,
        constituency_size=petition.constituency_size,
        threshold=petition.threshold,
        closes_at=petition.closes_at,
    )
    return petition, [opened, *_add(petition, mandate, member.id, now)]


def sign(
    petition: Petition,
    mandate: Mandate,
    member: Member | None,
    constituency: Collection[int],
    now: datetime,
    office: Office,
) -> list[Event]:
    """Sign an open petition; the signature that reaches the threshold also returns the
    threshold's consequence (a recall vote called, or the mandate recalled at once)."""
    signer = require_active(member, "sign recall petitions")
    assert signer.id is not None
    if petition.state != OPEN:
        raise StateError(
            f"The {petition.label()} is {petition.state}; it takes no more signatures.",
            code="recall.not_open",
            details={"petition": petition.id, "state": petition.state},
        )
    if now >= petition.closes_at:
        raise StateError(
            f"The {petition.label()} closed at {petition.closes_at.isoformat()}.",
            code="recall.closed",
            hint="Open a new petition if members still want the recall.",
        )
    require_holding(mandate, now, "recalled")
    _require_constituent(signer, constituency, office)
    if signer.id == petition.holder_id:
        raise Forbidden(
            "A holder cannot sign a petition for their own recall.",
            code="recall.own_mandate",
            hint="Resign instead (mandate.resign).",
        )
    if signer.id in petition.signatures:
        raise Conflict(
            f"You already signed the {petition.label()}.",
            code="recall.already_signed",
            details={"petition": petition.id},
        )
    return _add(petition, mandate, signer.id, now)


def _add(petition: Petition, mandate: Mandate, member_id: int, now: datetime) -> list[Event]:
    petition.signatures.append(member_id)
    events: list[Event] = [
        RecallSigned(
            petition=petition.id,
            member=member_id,
            signatures=len(petition.signatures),
            needed=petition.needed,
            at=now,
        )
    ]
    if len(petition.signatures) < petition.needed:
        return events
    petition.state = REACHED
    petition.reached_at = now
    events.append(
        RecallThresholdReached(
            petition=petition.id,
            mandate=petition.mandate_id,
            signatures=len(petition.signatures),
            needed=petition.needed,
            then=petition.then,
            at=now,
        )
    )
    if petition.then == "immediate":
        petition.state = RECALLED
        petition.settled_at = now
        events.append(recall(mandate, now, f"recall petition: {petition.reason}"))
    else:
        events.append(
            RecallVoteCalled(
                petition=petition.id,
                mandate=petition.mandate_id,
                office=petition.office_id,
                holder=petition.holder_id,
                decision_class=petition.decision_class,
                reason=petition.reason,
                at=now,
            )
        )
    return events


def decide(petition: Petition, mandate: Mandate, decision: str, now: datetime) -> Event:
    """Apply the recall vote's decision: ``adopted`` recalls the holder; anything else
    (``rejected``, ``lapsed``) keeps them and settles the petition as rejected."""
    if petition.state != REACHED:
        raise StateError(
            f"The {petition.label()} is {petition.state}; no recall vote awaits its result.",
            code="recall.not_reached",
        )
    petition.settled_at = now
    if mandate.state != ACTIVE or now >= mandate.until:
        # The holder resigned, or the term ended, while the recall vote ran.
        petition.state = CLOSED
        ended = EXPIRED if mandate.state == ACTIVE else mandate.state
        return _settled(petition, now, f"Closed: the mandate is {ended} already.")
    if decision == "adopted":
        petition.state = RECALLED
        recalled: MandateEnded = recall(mandate, now, f"recall vote adopted: {petition.reason}")
        return recalled
    petition.state = REJECTED
    return _settled(petition, now, f"The recall vote was {decision}; the holder stays.")


def due(petition: Petition, now: datetime) -> str | None:
    """What time alone requires of the petition now: ``lapse`` or None."""
    return "lapse" if petition.state == OPEN and now >= petition.closes_at else None


def close(petition: Petition, mandate: Mandate, now: datetime) -> RecallSettled:
    """Close an open petition whose window has passed (it lapses) or whose mandate ended
    otherwise (resigned, expired: nothing is left to recall)."""
    if petition.state != OPEN:
        raise StateError(f"The {petition.label()} is {petition.state}.", code="recall.not_open")
    if now >= petition.closes_at:
        petition.state = LAPSED
        petition.settled_at = now
        return _settled(
            petition,
            now,
            f"Lapsed with {len(petition.signatures)} of the {petition.needed} signatures "
            f"needed by {petition.closes_at.isoformat()}.",
        )
    if mandate.state == ACTIVE and now < mandate.until:
        raise StateError(
            f"The {petition.label()} is open until {petition.closes_at.isoformat()}.",
            code="recall.open",
            hint="A petition lapses when its window passes; nobody closes one early.",
        )
    petition.state = CLOSED
    petition.settled_at = now
    ended = EXPIRED if mandate.state == ACTIVE else mandate.state
    return _settled(petition, now, f"Closed: the mandate is {ended} already.")


def _settled(petition: Petition, now: datetime, explanation: str) -> RecallSettled:
    return RecallSettled(
        petition=petition.id,
        mandate=petition.mandate_id,
        state=petition.state,
        signatures=len(petition.signatures),
        needed=petition.needed,
        at=now,
        explanation=explanation,
    )


def _require_constituent(member: Member, constituency: Collection[int], office: Office) -> None:
    if member.id not in constituency:
        raise Forbidden(
            f"Only members of the constituency that elects '{office.title}' may petition for "
            "its holder's recall.",
            code="recall.not_in_constituency",
            hint="Ask a member of that constituency to open or sign it.",
        )
