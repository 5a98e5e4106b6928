"""A synthetic assembly for load tests and benchmarks: many members, one open vote.

Built through the service commands like the demo commune, but with a charter
made for speed: open admission, no seconds, no deliberation, a voting window
of the caller's choosing, ballots changeable until close. Members may get API
tokens, so a load generator can cast ballots over HTTP; build the application
with ``PlainHasher`` so that their one shared password costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from communard.services import commands as c
from communard.services.access import Actor

CHARTER = """\
[charter]
format = 1
name = "Charter of a synthetic assembly"
amendment_class = "charter-amendment"

[membership]
admission = "open"
sponsors = 1
decision_class = "ordinary"

[sections]
enabled = false

[classes.ordinary]
title = "Ordinary decision"
proposers = "members"
seconds = 0
deliberation = "0"
voting = "{voting}"
rule = "yes-no"
threshold = "1/2"
threshold_of = "cast"
strict = true
quorum = "0%"
ballot = "open"
changeable = {changeable}

[classes.charter-amendment]
title = "Amendment of the charter"
proposers = "members"
seconds = 1
deliberation = "1d"
voting = "1d"
rule = "yes-no"
threshold = "2/3"
threshold_of = "cast"
strict = false
quorum = "1/2"
ballot = "open"
changeable = false
"""


# Synthetic members share one password; load generators use their API tokens instead.
PASSWORD = "synthetic-member"


@dataclass
class Assembly:
    """A commune with ``members`` (e-mail → actor), API ``tokens`` and an open ``motion``."""

    commune: str
    motion: int
    founder: str
    actors: dict[str, Actor] = field(default_factory=dict)
    member_ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def emails(self) -> list[str]:
        return list(self.actors)


def charter(voting: str = "1h", changeable: bool = True) -> str:
    """The synthetic assembly's charter, with its voting window (e.g. '1h', '30m')."""
    return CHARTER.format(voting=voting, changeable="true" if changeable else "false")


def email(index: int, slug: str) -> str:
    """The e-mail address of synthetic member ``index``."""
    return f"member{index:05d}@{slug}.example"


def build(
    application: Any,
    *,
    members: int,
    slug: str = "assembly",
    voting: str = "1h",
    changeable: bool = True,
    tokens: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Assembly:
    """Found a commune with ``members`` members (the founder included) and open one vote."""
    founder = email(0, slug)
    founded = application.handle(
        c.FoundCommune(
            slug=slug,
            name=f"Assembly {slug}",
            charter=charter(voting, changeable),
            founder_email=founder,
            founder_name="Member 0",
            founder_password=PASSWORD,
        )
    )
    founder_actor = application.auth.account_for_email(founder)
    assembly = Assembly(commune=slug, motion=0, founder=founder)
    assembly.actors[founder] = founder_actor
    assembly.member_ids[founder] = int(founded["member"])
    for index in range(1, members):
        address = email(index, slug)
        invitation = application.handle(c.InviteMember(commune=slug, email=address), founder_actor)
        joined = application.handle(
            c.JoinCommune(
                commune=slug,
                token=invitation["token"],
                display_name=f"Member {index}",
                password=PASSWORD,
            )
        )
        assembly.actors[address] = Actor(account_id=int(joined["account"]))
        assembly.member_ids[address] = int(joined["member"])
        if progress is not None:
            progress(index)
    proposed = application.handle(
        c.ProposeMotion(commune=slug, title="A motion put to the vote", body="Shall it be?"),
        founder_actor,
    )
    assembly.motion = int(proposed["motion"])
    # No seconds, no deliberation: the next settlement opens the vote.
    application.handle(c.Tick(commune=slug))
    if tokens:
        for address, actor in assembly.actors.items():
            issued = application.handle(c.IssueToken(name="load"), actor)
            assembly.tokens[address] = str(issued["token"])
    return assembly


class PlainHasher:
    """A password 'hasher' that does no work, for synthetic members without passwords.

    Only for tests and benchmarks: argon2id is deliberately slow, and
    synthetic members never sign in with a password.
    """

    def hash(self, password: str) -> str:
        return "plain$" + password

    def verify(self, hash: str, password: str) -> bool:
        return hash == "plain$" + password

    def check_needs_rehash(self, hash: str) -> bool:
        return False
