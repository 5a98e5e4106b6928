"""The shapes of the JSON API's answers, as documented in ``/openapi.json``.

These models describe what the services' queries and commands return, so that
clients know the fields and their types. They document; they do not filter:
each answer is the service's own, and models allow fields added later
(``extra="allow"``), so a client should ignore fields it does not know.
Times are ISO 8601 strings with their offset; fractions are strings ("1/2").
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Shape(BaseModel):
    """An answer's documented fields; later versions may add more."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


# ---- communes, members, sections ---------------------------------------------------------------


class CommuneRow(Shape):
    slug: str = Field(examples=["paris-1871"])
    name: str = Field(examples=["Commune de Paris"])
    members: int = Field(description="Active members")


class DecisionClass(Shape):
    """A class of decision of the charter: who proposes, windows, rule, threshold, quorum."""

    id: str = Field(examples=["ordinary"])
    title: str
    proposers: str
    seconds: int = Field(description="Seconds needed to admit a motion")
    deliberation_seconds: int
    voting_seconds: int
    rule: str = Field(examples=["yes-no"])
    threshold: str = Field(examples=["1/2"])
    threshold_of: str = Field(description="'cast' (for + against) or 'members'")
    strict: bool = Field(description="True: more than the threshold; False: at least")
    quorum: str = Field(examples=["1/5"], description="Share of members who must take part")
    ballot: str = Field(examples=["open"])
    changeable: bool = Field(description="A ballot may be changed until the vote closes")
    lapses_unless_ratified_seconds: int | None = None
    ratified_by: str | None = None


class Admission(Shape):
    mode: str = Field(description="'open', 'sponsors' or 'assembly'")
    sponsors: int | None = None
    decision_class: str | None = None


class CharterSummary(Shape):
    version: int
    name: str
    amendment_class: str
    admission: Admission
    sections: bool
    classes: dict[str, DecisionClass]


class JournalHead(Shape):
    seq: int = Field(description="Number of the last entry (0 when empty)")
    hash: str


class MotionRow(Shape):
    motion: int = Field(description="The motion's number in its commune")
    title: str
    state: str = Field(
        examples=["voting"],
        description="draft, seconding, deliberation, voting, adopted, rejected, lapsed, withdrawn",
    )
    decision_class: str
    amends: int | None = Field(None, description="The motion this one amends")
    created_at: str | None = None
    deliberation_ends_at: str | None = None
    voting_closes_at: str | None = None
    decision: str | None = Field(None, description="adopted, rejected or lapsed, once counted")


class Membership(Shape):
    member: int
    status: str = Field(description="active, applicant, suspended or left")


class SectionRef(Shape):
    slug: str
    name: str


class Commune(Shape):
    slug: str
    name: str
    founded_at: str
    charter: CharterSummary
    members: int
    applicants: int
    sections: list[SectionRef]
    motions: list[MotionRow]
    journal: JournalHead
    you: Membership | None = Field(None, description="The viewer's membership, if any")


class MemberRow(Shape):
    member: int
    name: str
    status: str
    section: str | None = None
    joined_at: str | None = None
    sponsors: int | None = Field(None, description="Sponsors so far, for applicants")


class SectionRow(Shape):
    section: str = Field(description="The section's slug")
    name: str
    members: int


# ---- motions -----------------------------------------------------------------------------------


class Person(Shape):
    member: int
    name: str


class Comment(Shape):
    comment: int
    member: int
    name: str
    body: str
    created_at: str


class Amendment(Shape):
    motion: int
    title: str
    body: str
    state: str
    mover: Person
    decision: str | None = None


class Ballot(Shape):
    member: int
    name: str
    choice: str = Field(description="for, against or abstain")
    cast_at: str
    changed_at: str | None = None


class Tally(Shape):
    for_: int = Field(alias="for")
    against: int
    abstain: int
    electorate: int = Field(description="Members entitled to vote")


class Outcome(Shape):
    """A count, explained: the decision, the figures, and whether quorum and threshold were met."""

    decision: str = Field(examples=["adopted"])
    explanation: str = Field(
        examples=[
            "Adopted: 30 for, 1 against, 1 abstention; quorum 32/34 ≥ 20%; threshold 30/31 > 1/2"
        ]
    )
    for_: int = Field(alias="for")
    against: int
    abstain: int
    electorate: int
    quorum: str
    quorum_met: bool
    threshold: str
    threshold_of: str
    threshold_met: bool
    strict: bool
    method: str
    method_version: str
    closed_at: str
    notes: list[str] = Field(default_factory=list)


class JournalEntry(Shape):
    seq: int
    type: str = Field(examples=["vote.cast/1"])
    at: str
    commune: str
    payload: dict[str, Any]
    prev: str = Field(description="The previous entry's hash")
    hash: str = Field(description="SHA-256 of this entry's canonical JSON, including prev")


class YourPart(Shape):
    """What the viewer may do now (absent for visitors)."""

    member: int
    ballot: str | None = None
    may_second: bool = False
    may_vote: bool = False
    may_comment: bool = False
    may_amend: bool = False
    may_withdraw: bool = False
    may_propose: bool = False
    may_open_vote: bool = False
    may_accept: bool = False


class Motion(Shape):
    commune: str
    motion: int
    title: str
    body: str
    state: str
    decision_class: DecisionClass
    mover: Person
    amends: dict[str, Any] | None = None
    effect: dict[str, Any] | None = Field(None, description="What adoption does, if anything")
    created_at: str | None = None
    submitted_at: str | None = None
    deliberation_ends_at: str | None = None
    voting_opens_at: str | None = None
    voting_closes_at: str | None = None
    closed_at: str | None = None
    lapses_at: str | None = None
    ratified_at: str | None = None
    seconds: list[Person]
    seconds_needed: int
    comments: list[Comment]
    amendments: list[Amendment]
    roll_call: list[Ballot]
    tally: Tally
    outcome: Outcome | None = None
    history: list[JournalEntry]
    you: YourPart | None = None


# ---- the public record, private records ----------------------------------------------------------


class CharterVersion(Shape):
    version: int
    adopted_at: str
    motion: int | None = Field(None, description="The motion that adopted it; none at founding")


class Charter(Shape):
    version: int
    current: bool
    text: str = Field(description="The charter's TOML text")
    adopted_at: str
    versions: list[CharterVersion]


class JournalPage(Shape):
    commune: str
    head: JournalHead
    entries: list[JournalEntry]


class Mail(Shape):
    mail: int
    to: str
    subject: str
    body: str
    created_at: str
    sent_at: str | None = None
    last_error: str | None = None


class AccountMembership(Shape):
    commune: str
    name: str
    member: int
    status: str


class TokenRow(Shape):
    token_id: int
    name: str
    created_at: str
    revoked_at: str | None = None


class Account(Shape):
    account: int
    email: str
    display_name: str
    has_password: bool
    memberships: list[AccountMembership]
    tokens: list[TokenRow]


# ---- command results ---------------------------------------------------------------------------


class CommandResult(Shape):
    """A command's result: the ids of what it made or changed (fields vary by command)."""


class MotionProposed(Shape):
    motion: int
    state: str = Field(examples=["seconding"])
    title: str
    decision_class: str


class BallotCast(Shape):
    motion: int
    choice: str
    changed: bool = Field(description="False when the same ballot was already cast")


class TokenIssued(Shape):
    token: str = Field(description="The secret, shown once; only its hash is kept")


class Invitation(Shape):
    invitation: int
    token: str
    link: str = Field(description="The link to pass on to the invited person")
    expires_at: str


# The documented result of each command that has a fixed one; others answer a CommandResult.
COMMAND_RESULTS: dict[str, type[Shape]] = {
    "motion.propose": MotionProposed,
    "vote.cast": BallotCast,
    "token.issue": TokenIssued,
    "member.invite": Invitation,
}
