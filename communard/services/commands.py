"""Commands: every state change, named once (``motion.propose``) and used everywhere.

The id of a command is the CLI verb (``communard motion propose``), the API
operation id, the prefix of its journal entry types (``motion.proposed/1``)
and of its error codes (``motion.*``). Fields that address things are the
public handles: a commune's ``slug``, a motion's ``number`` within its commune,
a member's ``id``, a section's ``slug``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from types import UnionType
from typing import Any, ClassVar, Union, get_args, get_origin, get_type_hints


@dataclass(frozen=True)
class Command:
    """Base of all commands; ``id`` is the command's name."""

    id: ClassVar[str] = ""


@dataclass(frozen=True)
class CommuneCommand(Command):
    """A command acting inside one commune (its journal records it)."""

    commune: str


# Communes, sections and the charter


@dataclass(frozen=True)
class FoundCommune(Command):
    """Found a commune: its founder (the actor, or a new account) is its first member."""

    id: ClassVar[str] = "commune.found"
    slug: str
    name: str
    charter: str | None = None  # TOML text; None = the "default" template
    founder_email: str | None = None  # when there is no signed-in actor
    founder_name: str | None = None
    founder_password: str | None = None


@dataclass(frozen=True)
class CreateSection(CommuneCommand):
    """Create a section of the commune."""

    id: ClassVar[str] = "section.create"
    slug: str = ""
    name: str = ""


@dataclass(frozen=True)
class JoinSection(CommuneCommand):
    """Join a section (or leave sections with ``section=None``)."""

    id: ClassVar[str] = "section.join"
    section: str | None = None


@dataclass(frozen=True)
class AmendCharter(CommuneCommand):
    """Propose a new charter text, decided through the charter's amendment class."""

    id: ClassVar[str] = "charter.amend"
    title: str = ""
    text: str = ""
    reason: str = ""


# Members


@dataclass(frozen=True)
class InviteMember(CommuneCommand):
    """Invite someone by e-mail; the invitation's token is returned once and mailed."""

    id: ClassVar[str] = "member.invite"
    email: str = ""


@dataclass(frozen=True)
class JoinCommune(CommuneCommand):
    """Accept an invitation (creating the account if the e-mail address is new)."""

    id: ClassVar[str] = "member.join"
    token: str = ""
    display_name: str | None = None
    password: str | None = None


@dataclass(frozen=True)
class AdmitMember(CommuneCommand):
    """Sponsor an applicant (admission by sponsors) or propose their admission to the assembly."""

    id: ClassVar[str] = "member.admit"
    member: int = 0


@dataclass(frozen=True)
class LeaveCommune(CommuneCommand):
    """Leave the commune."""

    id: ClassVar[str] = "member.leave"


@dataclass(frozen=True)
class SuspendMember(CommuneCommand):
    """Propose to the assembly that a member be suspended (only a decision suspends)."""

    id: ClassVar[str] = "member.suspend"
    member: int = 0
    reason: str = ""


@dataclass(frozen=True)
class ReinstateMember(CommuneCommand):
    """Propose to the assembly that a suspended member be reinstated."""

    id: ClassVar[str] = "member.reinstate"
    member: int = 0
    reason: str = ""


# Motions


@dataclass(frozen=True)
class DraftMotion(CommuneCommand):
    """Write a draft motion (visible to members, not yet before them)."""

    id: ClassVar[str] = "motion.draft"
    decision_class: str = "ordinary"
    title: str = ""
    body: str = ""


@dataclass(frozen=True)
class ProposeMotion(CommuneCommand):
    """Propose a motion: new (title, body) or an existing draft (``draft`` number)."""

    id: ClassVar[str] = "motion.propose"
    decision_class: str = "ordinary"
    title: str = ""
    body: str = ""
    draft: int | None = None
    ratifies: int | None = None  # the number of an emergency decision to ratify


@dataclass(frozen=True)
class SecondMotion(CommuneCommand):
    """Second a motion awaiting seconds (not one's own)."""

    id: ClassVar[str] = "motion.second"
    motion: int = 0


@dataclass(frozen=True)
class CommentOnMotion(CommuneCommand):
    """Comment on a motion during seconding, deliberation or voting."""

    id: ClassVar[str] = "motion.comment"
    motion: int = 0
    body: str = ""


@dataclass(frozen=True)
class AmendMotion(CommuneCommand):
    """Propose an amendment: a replacement text for the motion's body."""

    id: ClassVar[str] = "motion.amend"
    motion: int = 0
    title: str = ""
    body: str = ""


@dataclass(frozen=True)
class AcceptAmendment(CommuneCommand):
    """The main motion's mover accepts an amendment (given by its own number)."""

    id: ClassVar[str] = "amendment.accept"
    amendment: int = 0


@dataclass(frozen=True)
class OpenVote(CommuneCommand):
    """Open the vote once deliberation has ended.

    An amendment may be put to a vote earlier, by the main motion's mover.
    """

    id: ClassVar[str] = "motion.open_vote"
    motion: int = 0


@dataclass(frozen=True)
class WithdrawMotion(CommuneCommand):
    """The mover withdraws a motion not yet put to a vote."""

    id: ClassVar[str] = "motion.withdraw"
    motion: int = 0


@dataclass(frozen=True)
class CloseMotion(CommuneCommand):
    """Close a vote whose window has ended (and count it)."""

    id: ClassVar[str] = "motion.close"
    motion: int = 0


@dataclass(frozen=True)
class CastBallot(CommuneCommand):
    """Cast, or change where the charter allows, a roll-call ballot."""

    id: ClassVar[str] = "vote.cast"
    motion: int = 0
    choice: str = ""


@dataclass(frozen=True)
class Tick(Command):
    """Do what time requires: open, close and lapse everything due (in one or every commune)."""

    id: ClassVar[str] = "tick"
    commune: str | None = None


# Accounts


@dataclass(frozen=True)
class SetPassword(Command):
    """Set the actor's password (``current`` is required when one is already set)."""

    id: ClassVar[str] = "account.set_password"
    password: str = ""
    current: str | None = None


@dataclass(frozen=True)
class SetDisplayName(Command):
    """Change the name the actor is shown under (in every commune, from now on)."""

    id: ClassVar[str] = "account.set_name"
    display_name: str = ""


@dataclass(frozen=True)
class IssueToken(Command):
    """Issue an API token for the actor; the token is returned once."""

    id: ClassVar[str] = "token.issue"
    name: str = ""


@dataclass(frozen=True)
class RevokeToken(Command):
    """Revoke one of the actor's API tokens (by its id)."""

    id: ClassVar[str] = "token.revoke"
    token: int = 0


ALL: tuple[type[Command], ...] = (
    FoundCommune,
    CreateSection,
    JoinSection,
    AmendCharter,
    InviteMember,
    JoinCommune,
    AdmitMember,
    LeaveCommune,
    SuspendMember,
    ReinstateMember,
    DraftMotion,
    ProposeMotion,
    SecondMotion,
    CommentOnMotion,
    AmendMotion,
    AcceptAmendment,
    OpenVote,
    WithdrawMotion,
    CloseMotion,
    CastBallot,
    Tick,
    SetPassword,
    SetDisplayName,
    IssueToken,
    RevokeToken,
)
BY_ID: dict[str, type[Command]] = {c.id: c for c in ALL}


def from_json(command_id: str, data: dict[str, Any]) -> Command:
    """Build a command from its id and JSON fields (as the API and CLI receive them).

    Fields are checked against the command's types: whole numbers may come as
    digit strings (HTML forms send text), nothing else is converted. A wrong
    field raises ``InvalidInput`` naming it.
    """
    from communard.errors import InvalidInput

    kind = BY_ID.get(command_id)
    if kind is None:
        raise InvalidInput(
            "command",
            command_id,
            f"use one of: {', '.join(sorted(BY_ID))}.",
            code="command.unknown",
        )
    if not isinstance(data, dict):
        raise InvalidInput(
            "command", data, "send the command's fields as a JSON object.", code="command.invalid"
        )
    hints, fields = _shape(kind)
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name not in fields:
            known = ", ".join(sorted(fields)) or "none"
            raise InvalidInput(
                name,
                value,
                f"remove it; the fields of {command_id} are: {known}.",
                code="command.invalid",
            )
        values[name] = _check(name, value, hints[name])
    missing = [
        n
        for n, f in fields.items()
        if n not in values
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise InvalidInput(
            missing[0], None, f"give {', '.join(missing)} for {command_id}.", code="command.invalid"
        )
    return kind(**values)


_SHAPES: dict[str, tuple[dict[str, Any], dict[str, dataclasses.Field[Any]]]] = {}


def _shape(kind: type[Command]) -> tuple[dict[str, Any], dict[str, dataclasses.Field[Any]]]:
    """A command's field types and fields, read once per class: resolving the annotations
    evaluates their text, the dearest part of checking a command on every request."""
    shape = _SHAPES.get(kind.id)
    if shape is None:
        shape = _SHAPES[kind.id] = (
            get_type_hints(kind),
            {f.name: f for f in dataclasses.fields(kind)},
        )
    return shape


def _check(name: str, value: Any, hint: Any) -> Any:
    from communard.errors import InvalidInput

    allowed = get_args(hint) if get_origin(hint) in (Union, UnionType) else (hint,)
    if value is None and type(None) in allowed:
        return None
    if int in allowed:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        raise InvalidInput(name, value, "give a whole number.", code="command.invalid")
    if str in allowed:
        if isinstance(value, str):
            return value
        raise InvalidInput(name, value, "give a text.", code="command.invalid")
    return value
