"""What must hold under failure and concurrency: nothing half-done, one ballot per member."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from communard.bootstrap import Application
from communard.errors import CommunardError, InvalidInput, StateError
from communard.services import commands as c
from communard.services.access import Actor
from tests.services.conftest import Commune, found
from tests.services.helpers import snapshot, to_vote
from tests.storage.fixtures import FakeClock

BAD_COMMANDS: list[c.Command] = [
    c.ProposeMotion(commune="paris", title="", body="B"),
    c.ProposeMotion(commune="paris", title="T", body="B", decision_class="budget"),
    c.ProposeMotion(commune="paris", title=["not", "text"], body="B"),  # type: ignore[arg-type]
    c.CastBallot(commune="paris", motion=1, choice="maybe"),
    c.CastBallot(commune="paris", motion="1", choice="for"),  # type: ignore[arg-type]
    c.SecondMotion(commune="paris", motion=99),
    c.SecondMotion(commune="paris", motion=True),  # type: ignore[arg-type]
    c.CommentOnMotion(commune="paris", motion=1, body="   "),
    c.InviteMember(commune="paris", email="not an address"),
    c.CreateSection(commune="paris", slug="Not A Slug", name="X"),
    c.AdmitMember(commune="paris", member=10_000),
    c.JoinCommune(commune="paris", token="forged"),
    c.AmendCharter(commune="paris", text='[charter]\nformat = 1\nname = "x"\n'),
    c.FoundCommune(slug="paris", name="Again", founder_email="x@y.example"),
    c.FoundCommune(slug="lyon", name="Lyon", charter="anarchy", founder_email="x@y.example"),
    c.ProposeMotion(commune="elsewhere", title="T", body="B"),
]


def test_bad_input_changes_nothing(app: Application, commune: Commune, clock: FakeClock) -> None:
    to_vote(app, commune, clock)
    for command in BAD_COMMANDS:
        before = snapshot(app)
        with pytest.raises(CommunardError) as error:
            app.handle(command, commune.founder)
        assert error.value.code and error.value.message, command
        assert snapshot(app) == before, command


def test_a_failing_command_leaves_no_journal_entry(
    app: Application, commune: Commune, clock: FakeClock
) -> None:
    number = to_vote(app, commune, clock)
    head = app.queries.journal(commune.slug)["head"]
    with pytest.raises(InvalidInput):
        app.handle(
            c.CastBallot(commune=commune.slug, motion=number, choice="perhaps"), commune.founder
        )
    assert app.queries.journal(commune.slug)["head"] == head


def test_errors_name_the_field_value_and_fix(app: Application, commune: Commune) -> None:
    with pytest.raises(InvalidInput) as error:
        app.handle(
            c.ProposeMotion(commune=commune.slug, decision_class="budget", title="T", body="B"),
            commune.founder,
        )
    shape = error.value.to_json()
    assert shape["code"] == "motion.unknown_class"
    assert shape["details"] == {"field": "decision_class", "value": "budget"}
    assert "charter-amendment, emergency, ordinary" in shape["hint"]
    assert shape["hint"] not in shape["message"]


def test_a_hint_says_the_next_action_without_repeating_the_message(
    app: Application, commune: Commune, clock: FakeClock
) -> None:
    number = to_vote(app, commune, clock)
    with pytest.raises(InvalidInput) as error:
        app.handle(
            c.CastBallot(commune=commune.slug, motion=number, choice="maybe"), commune.founder
        )
    shape = error.value.to_json()
    assert shape["code"] == "vote.invalid_choice"
    assert shape["message"] == "choice = 'maybe' is not valid."
    assert shape["hint"] == "Vote for, against or abstain."
    assert shape["details"] == {"field": "choice", "value": "maybe"}


def test_non_members_cannot_act(app: Application, commune: Commune, clock: FakeClock) -> None:
    other = found(app, slug="lyon", size=1)
    number = to_vote(app, commune, clock)
    for actor, code in ((None, "auth.required"), (other.founder, "member.not_active")):
        with pytest.raises(CommunardError) as error:
            app.handle(c.CastBallot(commune=commune.slug, motion=number, choice="for"), actor)
        assert error.value.code == code


def _cast_many(app: Application, jobs: list[tuple[Actor, c.CastBallot]]) -> list[Any]:
    barrier = threading.Barrier(len(jobs))

    def run(job: tuple[Actor, c.CastBallot]) -> Any:
        actor, command = job
        barrier.wait()
        try:
            return app.handle(command, actor)
        except CommunardError as error:
            return error

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


@pytest.mark.slow
def test_fifty_concurrent_casts_by_one_member_store_one_ballot(
    app: Application, commune: Commune, clock: FakeClock
) -> None:
    number = to_vote(app, commune, clock, decision_class="charter-amendment")
    cast = c.CastBallot(commune=commune.slug, motion=number, choice="for")
    results = _cast_many(app, [(commune.founder, cast)] * 50)
    accepted = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, StateError)]
    assert len(accepted) == 1 and len(refused) == 49
    assert {r.code for r in refused} == {"vote.already_cast"}
    detail = app.queries.motion(commune.slug, number)
    assert len(detail["roll_call"]) == 1
    assert app.queries.verify_journal(commune.slug).ok


@pytest.mark.slow
def test_casts_racing_the_close_are_counted_exactly(app: Application, clock: FakeClock) -> None:
    """Each member changes their ballot again and again while the vote closes: the count
    holds exactly each member's last acknowledged ballot, and nothing after the close."""
    commune = found(app, slug="racing", size=20)
    number = to_vote(app, commune, clock)
    closes = app.queries.motion(commune.slug, number)["voting_closes_at"]
    last: dict[int, str] = {}
    refused: list[CommunardError] = []
    start = threading.Barrier(len(commune.everyone) + 1)
    acknowledged: list[str] = []
    midway = threading.Event()

    def vote(actor: Actor) -> None:
        start.wait()
        for turn in range(8):
            choice = ("for", "against", "abstain")[(actor.account_id + turn) % 3]
            try:
                app.handle(c.CastBallot(commune=commune.slug, motion=number, choice=choice), actor)
            except CommunardError as error:
                refused.append(error)
                return
            last[actor.account_id] = choice
            acknowledged.append(choice)
            if len(acknowledged) >= 40:
                midway.set()

    threads = [threading.Thread(target=vote, args=(actor,)) for actor in commune.everyone]
    for thread in threads:
        thread.start()
    start.wait()
    midway.wait(timeout=60)
    clock.advance(days=2, seconds=1)
    app.handle(c.Tick(commune=commune.slug))
    for thread in threads:
        thread.join()
    assert {error.code for error in refused} <= {"vote.closed"}
    assert len(acknowledged) >= 40 and refused
    detail = app.queries.motion(commune.slug, number)
    accounts = dict(zip(commune.member_ids, (a.account_id for a in commune.everyone), strict=True))
    counted = {accounts[r["member"]]: r["choice"] for r in detail["roll_call"]}
    assert counted == last
    outcome = detail["outcome"]
    assert (outcome["for"], outcome["against"], outcome["abstain"]) == tuple(
        list(last.values()).count(x) for x in ("for", "against", "abstain")
    )
    assert all(r["cast_at"] < closes for r in detail["roll_call"])
    assert all((r["changed_at"] or r["cast_at"]) < closes for r in detail["roll_call"])
    assert app.queries.verify_journal(commune.slug).ok


def test_no_one_founds_a_commune_in_another_account_s_name(
    app: Application, commune: Commune
) -> None:
    before = snapshot(app)
    with pytest.raises(CommunardError) as error:
        app.handle(
            c.FoundCommune(
                slug="usurped",
                name="Usurped",
                founder_email="founder@paris.example",
                founder_name="Someone else",
                founder_password="another password",
            )
        )
    assert error.value.code == "commune.founder_exists"
    assert snapshot(app) == before
    # Signed in as that account, its owner founds the commune as usual.
    result = app.handle(c.FoundCommune(slug="lyon", name="Lyon"), commune.founder)
    assert result["account"] == commune.founder.account_id


def test_a_charter_error_hints_at_the_fix_and_keeps_the_raw_value(
    app: Application, commune: Commune
) -> None:
    text = app.queries.charter(commune.slug)["text"]
    assert 'threshold = "1/2"' in text
    with pytest.raises(InvalidInput) as error:
        app.handle(
            c.AmendCharter(
                commune=commune.slug, text=text.replace('threshold = "1/2"', 'threshold = "3/2"', 1)
            ),
            commune.founder,
        )
    shape = error.value.to_json()
    assert shape["code"] == "charter.invalid"
    assert shape["message"].endswith("threshold = '3/2' is not valid.")
    assert shape["hint"].startswith("Write an exact share between 0 and 1")
    assert shape["hint"] not in shape["message"]
    assert shape["details"]["value"] == "3/2"
