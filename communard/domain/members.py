"""Members: people's standing in a commune — applying, admission, leaving, suspension.

Every active member has equal standing: one ballot per motion, the same right
to propose, second, comment and amend. No role decides alone what the charter
gives to the assembly. A person (an account) may belong to several communes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from communard.domain.charters import Charter
from communard.errors import Forbidden, InvalidInput, StateError

APPLICANT = "applicant"
ACTIVE = "active"
LEFT = "left"
SUSPENDED = "suspended"
STATUSES = (APPLICANT, ACTIVE, LEFT, SUSPENDED)

INVITATION_LIFETIME = timedelta(days=14)
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass
class Member:
    """A membership: an account's standing in one commune."""

    id: int | None
    commune_id: int
    account_id: int
    status: str
    section_id: int | None
    joined_at: datetime
    left_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.status == ACTIVE


@dataclass
class Invitation:
    """An invitation to join a commune, redeemed with a secret token (only its hash is kept)."""

    id: int | None
    commune_id: int
    email: str
    token_hash: str
    invited_by: int
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None = None


def check_email(email: object) -> str:
    """A plausible e-mail address, lower-cased."""
    if not isinstance(email, str) or not EMAIL.fullmatch(email.strip()) or len(email) > 254:
        raise InvalidInput(
            "email",
            email,
            "give an e-mail address such as louise@example.org.",
            code="account.invalid_email",
        )
    return email.strip().lower()


def check_display_name(name: object) -> str:
    """A display name of 1–100 characters."""
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 100:
        raise InvalidInput(
            "display_name",
            name,
            "give a name of 1 to 100 characters.",
            code="account.invalid_name",
        )
    return name.strip()


def check_password(password: object) -> str:
    """A password of 8–1024 characters (length is what makes a password strong)."""
    if not isinstance(password, str) or not 8 <= len(password) <= 1024:
        raise InvalidInput(
            "password",
            "…",
            "choose a password of at least 8 characters.",
            code="account.weak_password",
        )
    return password


def require_active(member: Member | None, action: str) -> Member:
    """The member, if active; otherwise an error saying who may do ``action``."""
    if member is None or member.status != ACTIVE:
        raise Forbidden(
            f"Only active members may {action}.",
            code="member.not_active",
            hint="Ask to be admitted, or ask the assembly to lift a suspension.",
        )
    return member


def new_member(*, commune_id: int, account_id: int, now: datetime, status: str) -> Member:
    """A fresh membership with the given starting status."""
    if status not in STATUSES:
        raise ValueError(status)
    return Member(
        id=None,
        commune_id=commune_id,
        account_id=account_id,
        status=status,
        section_id=None,
        joined_at=now,
    )


def invite(
    *, commune_id: int, inviter: Member, email: str, token_hash: str, now: datetime
) -> Invitation:
    """An invitation from an active member to the address ``email``."""
    require_active(inviter, "invite")
    assert inviter.id is not None
    return Invitation(
        id=None,
        commune_id=commune_id,
        email=check_email(email),
        token_hash=token_hash,
        invited_by=inviter.id,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )


def accept(invitation: Invitation, now: datetime) -> None:
    """Mark an invitation accepted, if it is still open."""
    if invitation.accepted_at is not None:
        raise StateError(
            "This invitation has already been used.",
            code="member.invitation_used",
            hint="Sign in with the account that accepted it, or ask a member for a new one.",
        )
    if now >= invitation.expires_at:
        raise StateError(
            "This invitation has expired.",
            code="member.invitation_expired",
            hint="Ask a member to invite you again.",
        )
    invitation.accepted_at = now


def sponsors_needed(charter: Charter, active_members: int) -> int:
    """How many sponsors admit an applicant: the charter's number, or every active member
    while the commune is smaller than that (else a young commune could admit no one)."""
    return max(1, min(charter.admission.sponsors, active_members))


def status_on_joining(charter: Charter, sponsorships: int, active_members: int) -> str:
    """The status of someone accepting an invitation under the charter's admission rule."""
    mode = charter.admission.mode
    if mode == "open":
        return ACTIVE
    if mode == "sponsors" and sponsorships >= sponsors_needed(charter, active_members):
        return ACTIVE
    return APPLICANT


def rejoin(member: Member, status: str, now: datetime) -> None:
    """A former member (who left) joins again."""
    if member.status in (ACTIVE, APPLICANT):
        raise StateError(
            "You are already a member or applicant of this commune.",
            code="member.already_member",
        )
    if member.status == SUSPENDED:
        raise Forbidden(
            "Your membership is suspended by decision of the assembly.",
            code="member.suspended",
            hint="Only the assembly can lift a suspension.",
        )
    member.status = status
    member.joined_at = now
    member.left_at = None


def sponsor(applicant: Member, sponsor_member: Member, already: bool) -> None:
    """Check that ``sponsor_member`` may sponsor ``applicant`` (once each)."""
    require_active(sponsor_member, "sponsor applicants")
    if applicant.status != APPLICANT:
        raise StateError(
            "Only applicants can be admitted.",
            code="member.not_applicant",
            details={"status": applicant.status},
        )
    if already:
        raise StateError("You already sponsor this applicant.", code="member.already_sponsored")


def activate(member: Member, now: datetime) -> None:
    """Admit an applicant (by sponsors, or by an adopted decision)."""
    if member.status != APPLICANT:
        raise StateError("Only applicants can be admitted.", code="member.not_applicant")
    member.status = ACTIVE
    member.joined_at = now


def leave(member: Member, now: datetime) -> None:
    """A member leaves of their own will."""
    if member.status not in (ACTIVE, APPLICANT):
        raise StateError("You are not a member of this commune.", code="member.not_member")
    member.status = LEFT
    member.left_at = now


def suspend(member: Member, now: datetime) -> None:
    """Suspend a member, by an adopted decision of the assembly only."""
    if member.status != ACTIVE:
        raise StateError(
            "Only active members can be suspended.",
            code="member.not_active",
            details={"status": member.status},
        )
    member.status = SUSPENDED
    member.left_at = now


@dataclass
class Sponsorship:
    """An active member's sponsorship of an applicant."""

    id: int | None
    member_id: int
    sponsor_id: int
    created_at: datetime


def reinstate(member: Member, now: datetime) -> None:
    """Lift a suspension, by an adopted decision of the assembly only."""
    if member.status != SUSPENDED:
        raise StateError(
            "Only suspended members can be reinstated.",
            code="member.not_suspended",
            details={"status": member.status},
        )
    member.status = ACTIVE
    member.left_at = None
