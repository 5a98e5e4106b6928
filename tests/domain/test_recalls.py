"""Recall petitions: opened by a constituent, signed once each, reaching the threshold once."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from communard.domain import recalls
from communard.domain.events import Event
from communard.domain.mandates import Mandate, resign, take_office
from communard.domain.members import Member
from communard.domain.offices import Office, parse_offices
from communard.domain.recalls import (
    RecallThresholdReached,
    RecallVoteCalled,
    open_petition,
    sign,
)
from communard.errors import CommunardError, Conflict, Forbidden, StateError

T0 = datetime(1871, 4, 10, tzinfo=UTC)
DAY = timedelta(days=1)
OFFICES = parse_offices("""
[offices.council]
[offices.council.recall]
threshold = "1/5"
window = "30d"
then = "vote"

[offices.delegate]
[offices.delegate.recall]
threshold = "1/2"
window = "7d"
then = "immediate"
""")
HOLDER = 1
CONSTITUENCY = set(range(1, 101))


def member(n: int, status: str = "active") -> Member:
    return Member(
        id=n, commune_id=1, account_id=n, status=status, section_id=None, joined_at=T0 - 100 * DAY
    )


def mandate(office: str = "council") -> Mandate:
    m, _ = take_office(
        [],
        OFFICES,
        office_id=office,
        holder_id=HOLDER,
        seat="commune",
        starts_at=T0 - DAY,
        ends_at=T0 + 300 * DAY,
    )
    m.id = 7
    return m


def opened(office: Office, m: Mandate, opener: int = 2) -> tuple[recalls.Petition, list[Event]]:
    return open_petition(
        mandate=m,
        office=office,
        opener=member(opener),
        constituency=CONSTITUENCY,
        reason="Did not report to the section.",
        now=T0,
    )


def test_opening_signs_first_and_sets_the_threshold() -> None:
    petition, events = opened(OFFICES["council"], mandate())
    assert [e.type for e in events] == ["recall.opened/1", "recall.signed/1"]
    assert petition.needed == 20 and petition.signatures == [2] and petition.missing == 19
    assert petition.closes_at == T0 + 30 * DAY
    assert events[0].payload()["threshold"] == "1/5"


def test_the_threshold_is_rounded_up() -> None:
    rule = OFFICES["council"].recall
    assert rule.signatures_needed(101) == 21  # 20.2 signatures is not reached by 20
    assert rule.signatures_needed(100) == 20
    assert rule.signatures_needed(1) == 1
    assert rule.signatures_needed(0) == 1


def test_who_may_open_and_sign() -> None:
    office, m = OFFICES["council"], mandate()
    with pytest.raises(Forbidden) as error:
        open_petition(
            mandate=m,
            office=office,
            opener=member(500),
            constituency=CONSTITUENCY,
            reason="x",
            now=T0,
        )
    assert error.value.code == "recall.not_in_constituency"
    with pytest.raises(Forbidden) as error:
        opened(office, m, opener=HOLDER)
    assert error.value.code == "recall.own_mandate"
    with pytest.raises(Conflict) as conflict:
        open_petition(
            mandate=m,
            office=office,
            opener=member(3),
            constituency=CONSTITUENCY,
            reason="x",
            now=T0,
            open_petitions=1,
        )
    assert conflict.value.code == "recall.already_open"
    petition, _ = opened(office, m)
    with pytest.raises(Conflict) as conflict:
        sign(petition, m, member(2), CONSTITUENCY, T0, office)
    assert conflict.value.code == "recall.already_signed"
    with pytest.raises(Forbidden):
        sign(petition, m, member(3, "suspended"), CONSTITUENCY, T0, office)
    with pytest.raises(StateError) as state:
        sign(petition, m, member(3), CONSTITUENCY, T0 + 30 * DAY, office)
    assert state.value.code == "recall.closed"


def test_a_recall_vote_then_the_decision() -> None:
    office, m = OFFICES["council"], mandate()
    petition, _ = opened(office, m)
    for n in range(3, 21):
        assert sign(petition, m, member(n), CONSTITUENCY, T0 + DAY, office)[-1].type == (
            "recall.signed/1"
        )
    events = sign(petition, m, member(21), CONSTITUENCY, T0 + DAY, office)
    assert [e.type for e in events] == [
        "recall.signed/1",
        "recall.threshold_reached/1",
        "recall.vote_called/1",
    ]
    assert m.state == "active"  # the recall vote decides
    with pytest.raises(StateError):
        sign(petition, m, member(22), CONSTITUENCY, T0 + DAY, office)
    outcome = recalls.decide(petition, m, "adopted", T0 + 10 * DAY)
    assert outcome.type == "mandate.recalled/1" and m.state == "recalled"
    assert petition.state == "recalled"


def test_a_rejected_recall_vote_keeps_the_holder() -> None:
    office, m = OFFICES["council"], mandate()
    petition, _ = opened(office, m)
    for n in range(3, 22):
        sign(petition, m, member(n), CONSTITUENCY, T0, office)
    event = recalls.decide(petition, m, "rejected", T0 + 10 * DAY)
    assert event.type == "recall.settled/1" and petition.state == "rejected"
    assert m.state == "active"


def test_an_immediate_recall() -> None:
    office, m = OFFICES["delegate"], mandate("delegate")
    constituency = {1, 2, 3, 4, 5}
    petition, _ = open_petition(
        mandate=m,
        office=office,
        opener=member(2),
        constituency=constituency,
        reason="Voted against the mandate.",
        now=T0,
    )
    assert petition.needed == 3
    sign(petition, m, member(3), constituency, T0, office)
    events = sign(petition, m, member(4), constituency, T0, office)
    assert [e.type for e in events] == [
        "recall.signed/1",
        "recall.threshold_reached/1",
        "mandate.recalled/1",
    ]
    assert m.state == "recalled" and petition.state == "recalled"


def test_a_petition_lapses_when_its_window_passes() -> None:
    office, m = OFFICES["council"], mandate()
    petition, _ = opened(office, m)
    assert recalls.due(petition, T0 + 29 * DAY) is None
    with pytest.raises(StateError) as error:
        recalls.close(petition, m, T0 + 29 * DAY)
    assert error.value.code == "recall.open"
    assert recalls.due(petition, T0 + 30 * DAY) == "lapse"
    event = recalls.close(petition, m, T0 + 30 * DAY)
    assert petition.state == "lapsed" and "1 of the 20" in event.explanation


def test_a_petition_closes_when_the_holder_resigns() -> None:
    office, m = OFFICES["council"], mandate()
    petition, _ = opened(office, m)
    resign(m, T0 + DAY)
    with pytest.raises(StateError):
        sign(petition, m, member(3), CONSTITUENCY, T0 + 2 * DAY, office)
    event = recalls.close(petition, m, T0 + 2 * DAY)
    assert petition.state == "closed" and "resigned" in event.explanation


# Signatures arrive in any order, with repeats, outsiders, suspended members and
# late comers, each attempt applied one at a time (as the services serialise a
# commune's commands): the threshold is reached exactly once, by the signature
# that brings the distinct valid signers to the number needed, and no sooner.
ATTEMPTS = st.lists(st.tuples(st.integers(1, 120), st.booleans(), st.integers(0, 40)), max_size=150)


@settings(max_examples=150, deadline=None)
@given(ATTEMPTS, st.sampled_from(["council", "delegate"]))
def test_a_petition_reaches_its_threshold_exactly_once(
    attempts: list[tuple[int, bool, int]], office_id: str
) -> None:
    office, m = OFFICES[office_id], mandate(office_id)
    petition, events = opened(office, m)
    valid = {2}
    reached_at_count: list[int] = []
    for n, active, day in sorted(attempts, key=lambda a: a[2]):
        now = T0 + day * DAY
        try:
            new = sign(
                petition,
                m,
                member(n, "active" if active else "suspended"),
                CONSTITUENCY,
                now,
                office,
            )
        except CommunardError:
            continue
        valid.add(n)
        events.extend(new)
        if any(isinstance(e, RecallThresholdReached) for e in new):
            reached_at_count.append(len(valid))
    reached = [e for e in events if isinstance(e, RecallThresholdReached)]
    assert len(reached) <= 1
    assert len(petition.signatures) == len(set(petition.signatures))
    assert set(petition.signatures) <= CONSTITUENCY - {HOLDER}
    if reached:
        assert reached_at_count == [petition.needed]
        assert len(petition.signatures) == petition.needed
        follow = [e for e in events if isinstance(e, RecallVoteCalled)]
        assert len(follow) == (1 if office.recall.then == "vote" else 0)
        assert m.state == ("recalled" if office.recall.then == "immediate" else "active")
    else:
        assert len(petition.signatures) < petition.needed
        assert petition.state == "open"


def test_one_hundred_members_signing_at_once_open_one_recall_vote() -> None:
    office, m = OFFICES["council"], mandate()
    petition, events = opened(office, m)
    for n in list(range(3, 101)) * 2:  # everyone twice, as a double click would
        with contextlib.suppress(CommunardError):
            events += sign(petition, m, member(n), CONSTITUENCY, T0, office)
    assert sum(isinstance(e, RecallVoteCalled) for e in events) == 1


def test_a_recall_vote_after_the_holder_resigned_closes_the_petition() -> None:
    office, m = OFFICES["council"], mandate()
    petition, _ = opened(office, m)
    for n in range(3, 22):
        sign(petition, m, member(n), CONSTITUENCY, T0, office)
    resign(m, T0 + 2 * DAY)
    event = recalls.decide(petition, m, "adopted", T0 + 5 * DAY)
    assert event.type == "recall.settled/1" and petition.state == "closed"
    assert m.state == "resigned"
