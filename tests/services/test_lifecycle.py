"""A motion from proposal to outcome, and the journal that records every step."""

from __future__ import annotations

from datetime import timedelta

import pytest

from communard.bootstrap import Application
from communard.errors import CharterError, Forbidden, InvalidInput, NotFound, StateError
from communard.services import commands as c
from tests.services.conftest import Commune
from tests.services.helpers import to_vote
from tests.storage.fixtures import FakeClock


def test_a_motion_goes_from_proposal_to_adoption(
    app: Application, commune: Commune, clock: FakeClock
) -> None:
    slug = commune.slug
    proposed = app.handle(
        c.ProposeMotion(commune=slug, title="Rent freeze", body="Rents are frozen."),
        commune.founder,
    )
    assert proposed == {
        "motion": 1,
        "state": "seconding",
        "title": "Rent freeze",
        "decision_class": "ordinary",
    }
    seconded = app.handle(c.SecondMotion(commune=slug, motion=1), commune.members[0])
    assert seconded["state"] == "deliberation"
    with pytest.raises(StateError) as early:
        app.handle(c.OpenVote(commune=slug, motion=1), commune.founder)
    assert early.value.code == "motion.deliberating"
    app.handle(c.CommentOnMotion(commune=slug, motion=1, body="Long overdue."), commune.members[1])
    clock.advance(days=1)
    app.handle(c.OpenVote(commune=slug, motion=1), commune.members[2])
    for actor, choice in zip(
        commune.everyone, ["for", "for", "against", "abstain", "yes"], strict=True
    ):
        app.handle(c.CastBallot(commune=slug, motion=1, choice=choice), actor)
    with pytest.raises(StateError) as early_close:
        app.handle(c.CloseMotion(commune=slug, motion=1), commune.founder)
    assert early_close.value.code == "vote.open"
    clock.advance(days=2)
    closed = app.handle(c.CloseMotion(commune=slug, motion=1), commune.founder)
    assert closed["state"] == "adopted"
    detail = app.queries.motion(slug, 1, commune.founder)
    assert detail["outcome"]["explanation"].startswith(
        "Adopted: 3 for, 1 against, 1 abstention; quorum 5/5 ≥ 50%; threshold 3/4 > 1/2"
    )
    assert detail["tally"] == {"for": 3, "against": 1, "abstain": 1, "electorate": 5}
    assert [e["type"] for e in detail["history"]] == [
        "motion.proposed/1",
        "motion.seconded/1",
        "motion.admitted/1",
        "motion.commented/1",
        "motion.vote_opened/1",
        *["vote.cast/1"] * 5,
        "motion.closed/1",
    ]
    assert [r["choice"] for r in detail["roll_call"]].count("for") == 3
    assert app.queries.verify_journal(slug).ok


def test_every_command_commits_its_journal_entry(app: Application, commune: Commune) -> None:
    before = app.queries.journal(commune.slug)["head"]["seq"]
    app.handle(c.ProposeMotion(commune=commune.slug, title="T", body="B"), commune.founder)
    after = app.queries.journal(commune.slug)
    assert after["head"]["seq"] == before + 1
    assert after["entries"][-1]["type"] == "motion.proposed/1"
    assert after["entries"][-1]["payload"]["name"] == "Louise Michel"


def test_a_vote_closes_on_time_when_touched(
    app: Application, commune: Commune, clock: FakeClock
) -> None:
    number = to_vote(app, commune, clock)
    app.handle(c.CastBallot(commune=commune.slug, motion=number, choice="for"), commune.founder)
    clock.advance(days=2, seconds=1)
    with pytest.raises(StateError) as late:
        app.handle(
            c.CastBallot(commune=commune.slug, motion=number, choice="for"), commune.members[0]
        )
    assert late.value.code == "vote.closed"
    # The failed command still closed the vote, in a transaction of its own.
    detail = app.queries.motion(commune.slug, number)
    assert detail["state"] == "lapsed"  # 1 of 5 took part: quorum 1/2 not met
    assert "quorum 1/5 < 50%" in detail["outcome"]["explanation"]


def test_ballots_change_until_close_where_the_charter_allows(
    app: Application, commune: Commune, clock: FakeClock
) -> None:
    ordinary = to_vote(app, commune, clock)
    slug = commune.slug
    app.handle(c.CastBallot(commune=slug, motion=ordinary, choice="for"), commune.founder)
    changed = app.handle(
        c.CastBallot(commune=slug, motion=ordinary, choice="against"), commune.founder
    )
    assert changed == {"motion": ordinary, "choice": "against", "changed": True}
    fixed = to_vote(app, commune, clock, decision_class="charter-amendment", title="Fixed")
    app.handle(c.CastBallot(commune=slug, motion=fixed, choice="for"), commune.founder)
    with pytest.raises(StateError) as again:
        app.handle(c.CastBallot(commune=slug, motion=fixed, choice="against"), commune.founder)
    assert again.value.code == "vote.already_cast"


def test_amendments_are_settled_before_the_main_motion(
    app: Application, commune: Commune, clock: FakeClock
) -> None:
    slug = commune.slug
    app.handle(
        c.ProposeMotion(commune=slug, title="Bakeries", body="No night work."), commune.founder
    )
    app.handle(c.SecondMotion(commune=slug, motion=1), commune.members[0])
    accepted = app.handle(
        c.AmendMotion(commune=slug, motion=1, body="No night work, ever."), commune.members[1]
    )
    assert accepted["motion"] == 2
    voted = app.handle(
        c.AmendMotion(commune=slug, motion=1, body="No work before 5 a.m."), commune.members[2]
    )
    with pytest.raises(Forbidden):
        app.handle(c.AcceptAmendment(commune=slug, amendment=2), commune.members[1])
    app.handle(c.AcceptAmendment(commune=slug, amendment=2), commune.founder)
    assert app.queries.motion(slug, 1)["body"] == "No night work, ever."
    clock.advance(days=1, seconds=1)
    with pytest.raises(StateError) as pending:
        app.handle(c.OpenVote(commune=slug, motion=1), commune.founder)
    assert pending.value.code == "motion.amendments_pending"
    app.handle(c.Tick(commune=slug))
    assert app.queries.motion(slug, voted["motion"])["state"] == "voting"
    assert app.queries.motion(slug, 1)["state"] == "deliberation"
    for actor in commune.everyone[:4]:
        app.handle(c.CastBallot(commune=slug, motion=3, choice="for"), actor)
    clock.advance(days=2, seconds=1)
    app.handle(c.Tick(commune=slug))
    main = app.queries.motion(slug, 1)
    assert main["body"] == "No work before 5 a.m."
    assert main["state"] == "voting"
    assert [a["state"] for a in main["amendments"]] == ["accepted", "adopted"]


def test_the_mover_withdraws_before_the_vote(app: Application, commune: Commune) -> None:
    slug = commune.slug
    app.handle(c.ProposeMotion(commune=slug, title="T", body="B"), commune.founder)
    with pytest.raises(Forbidden) as not_mover:
        app.handle(c.WithdrawMotion(commune=slug, motion=1), commune.members[0])
    assert not_mover.value.code == "motion.not_mover"
    assert app.handle(c.WithdrawMotion(commune=slug, motion=1), commune.founder)["state"] == (
        "withdrawn"
    )
    with pytest.raises(StateError):
        app.handle(c.SecondMotion(commune=slug, motion=1), commune.members[0])


def test_drafts_are_proposed_later(app: Application, commune: Commune) -> None:
    slug = commune.slug
    drafted = app.handle(c.DraftMotion(commune=slug, title="Draft", body="Text"), commune.founder)
    assert drafted["state"] == "draft"
    with pytest.raises(Forbidden):
        app.handle(c.ProposeMotion(commune=slug, draft=1), commune.members[0])
    assert app.handle(c.ProposeMotion(commune=slug, draft=1), commune.founder)["state"] == (
        "seconding"
    )


def test_emergency_decisions_lapse_unless_ratified(
    app: Application, commune: Commune, clock: FakeClock
) -> None:
    slug = commune.slug
    first = app.handle(
        c.ProposeMotion(
            commune=slug, decision_class="emergency", title="Barricades", body="Build them."
        ),
        commune.founder,
    )
    assert first["state"] == "voting"  # no seconds, no deliberation: the vote opens at once
    second = app.handle(
        c.ProposeMotion(
            commune=slug, decision_class="emergency", title="Bread", body="Requisition flour."
        ),
        commune.founder,
    )
    app.handle(c.Tick(commune=slug))
    for number in (first["motion"], second["motion"]):
        for actor in commune.everyone[:3]:
            app.handle(c.CastBallot(commune=slug, motion=number, choice="for"), actor)
    clock.advance(hours=1, seconds=1)
    app.handle(c.Tick(commune=slug))
    emergency = app.queries.motion(slug, second["motion"])
    assert emergency["state"] == "adopted" and emergency["lapses_at"]
    ratification = app.handle(
        c.ProposeMotion(
            commune=slug, title="Ratify bread", body="Ratified.", ratifies=second["motion"]
        ),
        commune.founder,
    )
    app.handle(c.SecondMotion(commune=slug, motion=ratification["motion"]), commune.members[0])
    clock.advance(days=1, seconds=1)
    app.handle(c.Tick(commune=slug))
    for actor in commune.everyone[:3]:
        app.handle(c.CastBallot(commune=slug, motion=ratification["motion"], choice="for"), actor)
    clock.advance(days=2, seconds=1)
    app.handle(c.Tick(commune=slug))
    assert app.queries.motion(slug, second["motion"])["ratified_at"]
    clock.advance(days=7)
    app.handle(c.Tick(commune=slug))
    assert app.queries.motion(slug, first["motion"])["state"] == "lapsed"
    assert app.queries.motion(slug, second["motion"])["state"] == "adopted"
    assert app.queries.verify_journal(slug).ok


def test_the_charter_is_amended_only_through_its_class(
    app: Application, commune: Commune, clock: FakeClock
) -> None:
    slug = commune.slug
    old = app.queries.charter(slug)["text"]
    new = old.replace('voting = "2d"', 'voting = "3d"', 1)
    proposed = app.handle(
        c.AmendCharter(commune=slug, text=new, reason="Longer votes."), commune.founder
    )
    assert proposed["decision_class"] == "charter-amendment"
    with pytest.raises(CharterError) as wrong:
        app.handle(c.AmendCharter(commune=slug, text="[charter]\nformat = 2\n"), commune.founder)
    assert wrong.value.code == "charter.invalid"
    number = proposed["motion"]
    app.handle(c.SecondMotion(commune=slug, motion=number), commune.members[0])
    clock.advance(days=1, seconds=1)
    app.handle(c.Tick(commune=slug))
    for actor in commune.everyone:
        app.handle(c.CastBallot(commune=slug, motion=number, choice="for"), actor)
    clock.advance(days=2, seconds=1)
    app.handle(c.Tick(commune=slug))
    charter = app.queries.charter(slug)
    assert charter["version"] == 2 and charter["text"] == new
    assert app.queries.charter(slug, version=1)["text"] == old
    assert app.queries.commune(slug)["charter"]["classes"]["ordinary"]["voting_seconds"] == (
        3 * 86400
    )


def test_another_communes_ids_are_not_found(app: Application, commune: Commune) -> None:
    from tests.services.conftest import found

    other = found(app, slug="lyon", size=2)
    app.handle(c.ProposeMotion(commune=commune.slug, title="T", body="B"), commune.founder)
    with pytest.raises(NotFound) as motion:
        app.handle(c.SecondMotion(commune="lyon", motion=1), other.members[0])
    assert motion.value.code == "motion.not_found"
    with pytest.raises(NotFound) as member:
        app.handle(c.SuspendMember(commune="lyon", member=commune.member_ids[1]), other.founder)
    assert member.value.code == "member.not_found"
    with pytest.raises(NotFound):
        app.queries.motion("lyon", 1)
    with pytest.raises(NotFound):
        app.handle(c.SecondMotion(commune="nowhere", motion=1), other.founder)


def test_timestamps_of_the_record_are_utc(
    app: Application, commune: Commune, clock: FakeClock
) -> None:
    entry = app.queries.journal(commune.slug)["entries"][0]
    assert entry["at"] == (clock.now - timedelta(0)).isoformat(timespec="microseconds")


def test_withdrawing_a_motion_withdraws_its_pending_amendments(
    app: Application, commune: Commune
) -> None:
    slug = commune.slug
    app.handle(c.ProposeMotion(commune=slug, title="T", body="B"), commune.founder)
    app.handle(c.SecondMotion(commune=slug, motion=1), commune.members[0])
    app.handle(c.AmendMotion(commune=slug, motion=1, body="B2"), commune.members[1])
    app.handle(c.WithdrawMotion(commune=slug, motion=1), commune.founder)
    assert app.queries.motion(slug, 2)["state"] == "withdrawn"


def test_a_motion_keeps_the_rules_it_was_proposed_under(
    app: Application, commune: Commune, clock: FakeClock
) -> None:
    slug = commune.slug
    old = app.queries.charter(slug)["text"]
    # Version 2 drops the emergency class and lengthens ordinary votes.
    new = old[: old.index("[classes.emergency]")].replace('voting = "2d"', 'voting = "5d"', 1)
    emergency = app.handle(
        c.ProposeMotion(commune=slug, decision_class="emergency", title="Barricades", body="Now."),
        commune.founder,
    )
    amendment = app.handle(c.AmendCharter(commune=slug, text=new), commune.founder)
    before = app.handle(c.ProposeMotion(commune=slug, title="Before", body="B"), commune.founder)
    for number in (amendment["motion"], before["motion"]):
        app.handle(c.SecondMotion(commune=slug, motion=number), commune.members[0])
    clock.advance(days=1, seconds=1)
    app.handle(c.Tick(commune=slug))
    for actor in commune.everyone:
        app.handle(c.CastBallot(commune=slug, motion=amendment["motion"], choice="for"), actor)
    clock.advance(days=2, seconds=1)
    app.handle(c.Tick(commune=slug))
    assert app.queries.charter(slug)["version"] == 2
    kept = app.queries.motion(slug, before["motion"])
    assert kept["decision_class"]["voting_seconds"] == 2 * 86400
    assert kept["state"] == "lapsed"
    assert app.queries.motion(slug, emergency["motion"])["decision_class"]["id"] == "emergency"
    after = app.handle(c.ProposeMotion(commune=slug, title="After", body="B"), commune.founder)
    assert app.queries.motion(slug, after["motion"])["decision_class"]["voting_seconds"] == (
        5 * 86400
    )
    with pytest.raises(InvalidInput) as gone:
        app.handle(
            c.ProposeMotion(commune=slug, decision_class="emergency", title="T", body="B"),
            commune.founder,
        )
    assert gone.value.code == "motion.unknown_class"
