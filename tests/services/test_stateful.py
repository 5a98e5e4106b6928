"""Random sequences of commands by random members: whatever happens, the record holds.

After every step: every refusal is a ``CommunardError`` (never a crash), a
refused command left the journal head where it was, the journal verifies,
each member has at most one ballot per motion, and every closed motion's
outcome counts exactly its ballots.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from communard.bootstrap import bootstrap
from communard.errors import CommunardError
from communard.services import commands as c
from tests.services.conftest import found
from tests.storage.fixtures import FakeClock, _migrate, fast_hasher

TEMPLATE: Path | None = None


def template() -> Path:
    global TEMPLATE
    if TEMPLATE is None:
        TEMPLATE = Path(tempfile.mkdtemp()) / "template.db"
        _migrate(f"sqlite:///{TEMPLATE}")
    return TEMPLATE


class Assembly(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.directory = Path(tempfile.mkdtemp())
        shutil.copyfile(template(), self.directory / "db.sqlite")
        self.clock = FakeClock()
        self.app = bootstrap(
            f"sqlite:///{self.directory / 'db.sqlite'}",
            clock=self.clock,
            password_hasher=fast_hasher(),
        )
        self.commune = found(self.app, slug="random", size=4)
        self.motions = 0

    def teardown(self) -> None:
        self.app.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    def run(self, command: c.Command, who: int) -> None:
        head = self.app.queries.journal("random")["head"]
        try:
            result = self.app.handle(command, self.commune.everyone[who])
        except CommunardError:
            if not isinstance(command, c.CastBallot | c.SecondMotion | c.OpenVote):
                # Failing commands leave no trace (casts may first settle a closed vote).
                assert self.app.queries.journal("random")["head"] == head
            return
        if isinstance(command, c.ProposeMotion | c.AmendMotion | c.DraftMotion):
            self.motions = max(self.motions, result["motion"])

    members = st.integers(0, 3)
    numbers = st.integers(1, 6)

    @rule(who=members, kind=st.sampled_from(["ordinary", "emergency", "charter-amendment"]))
    def propose(self, who: int, kind: str) -> None:
        self.run(c.ProposeMotion(commune="random", decision_class=kind, title="T", body="B"), who)

    @rule(who=members)
    def draft(self, who: int) -> None:
        self.run(c.DraftMotion(commune="random", title="D", body="B"), who)

    @rule(who=members, number=numbers)
    def submit_draft(self, who: int, number: int) -> None:
        self.run(c.ProposeMotion(commune="random", draft=number), who)

    @rule(who=members, number=numbers)
    def second(self, who: int, number: int) -> None:
        self.run(c.SecondMotion(commune="random", motion=number), who)

    @rule(who=members, number=numbers)
    def amend(self, who: int, number: int) -> None:
        self.run(c.AmendMotion(commune="random", motion=number, body="Amended."), who)

    @rule(who=members, number=numbers)
    def accept(self, who: int, number: int) -> None:
        self.run(c.AcceptAmendment(commune="random", amendment=number), who)

    @rule(who=members, number=numbers)
    def open_vote(self, who: int, number: int) -> None:
        self.run(c.OpenVote(commune="random", motion=number), who)

    @rule(who=members, number=numbers, choice=st.sampled_from(["for", "against", "abstain"]))
    def cast(self, who: int, number: int, choice: str) -> None:
        self.run(c.CastBallot(commune="random", motion=number, choice=choice), who)

    @rule(who=members, number=numbers)
    def withdraw(self, who: int, number: int) -> None:
        self.run(c.WithdrawMotion(commune="random", motion=number), who)

    @rule(hours=st.sampled_from([1, 12, 25, 49, 24 * 8]))
    def time_passes(self, hours: int) -> None:
        self.clock.advance(hours=hours)
        self.app.handle(c.Tick())

    @invariant()
    def the_record_holds(self) -> None:
        queries = self.app.queries
        assert queries.verify_journal("random").ok
        for number in range(1, self.motions + 1):
            detail = queries.motion("random", number)
            voters = [r["member"] for r in detail["roll_call"]]
            assert len(voters) == len(set(voters))
            outcome = detail["outcome"]
            if outcome is not None:
                tally = [r["choice"] for r in detail["roll_call"]]
                assert (outcome["for"], outcome["against"], outcome["abstain"]) == (
                    tally.count("for"),
                    tally.count("against"),
                    tally.count("abstain"),
                )


@pytest.mark.slow
def test_random_assemblies_keep_their_record() -> None:
    Assembly.TestCase.settings = settings(
        max_examples=4,
        stateful_step_count=20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    Assembly.TestCase().runTest()
