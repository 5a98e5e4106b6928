"""The motion state machine: every transition allowed, every other refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from communard.domain import motions as rules
from communard.domain.charters import parse_charter
from communard.domain.members import ACTIVE, Member
from communard.domain.motions import Motion
from communard.errors import Forbidden, StateError
from tests.domain.test_charters import DEFAULT

NOW = datetime(1871, 3, 28, 12, tzinfo=UTC)
CHARTER = parse_charter(DEFAULT)
ORDINARY = CHARTER.classes["ordinary"]


def member(n: int, status: str = ACTIVE) -> Member:
    return Member(id=n, commune_id=1, account_id=n, status=status, section_id=None, joined_at=NOW)


def motion(state: str = rules.DRAFT) -> Motion:
    m = rules.new(
        commune_id=1,
        number=1,
        charter=CHARTER,
        decision_class="ordinary",
        title="Bakeries",
        body="No night work.",
        mover=member(1),
        now=NOW,
    )
    m.id = 1
    m.state = state
    return m


def test_the_happy_path() -> None:
    m = motion()
    rules.submit(m, ORDINARY, member(1), NOW, active_members=10)
    assert m.state == rules.SECONDING
    assert rules.second(m, ORDINARY, member(2), False, 1, NOW, 10) is None
    step = rules.second(m, ORDINARY, member(3), False, 2, NOW, 10)
    assert step is not None and m.state == rules.DELIBERATION
    assert m.deliberation_ends_at == NOW + ORDINARY.deliberation
    later = NOW + ORDINARY.deliberation
    assert rules.due(m, later) == "open"
    rules.open_vote(m, ORDINARY, later, member=None, pending_amendments=[], main=None)
    assert m.voting_closes_at == later + ORDINARY.voting
    assert rules.due(m, m.voting_closes_at) == "close"
    rules.close(m, ORDINARY, "adopted", {"explanation": "Adopted."}, m.voting_closes_at)
    assert m.state == rules.ADOPTED and rules.due(m, m.voting_closes_at) is None


def test_transitions_outside_the_table_are_refused() -> None:
    for state in rules.STATES:
        for target in rules.STATES:
            m = motion(state)
            if target in rules.TRANSITIONS[state]:
                rules.move(m, target)
                assert m.state == target
            else:
                with pytest.raises(StateError) as error:
                    rules.move(m, target)
                assert error.value.code == "motion.wrong_state"
                assert m.state == state


def test_terminal_states_stay_terminal() -> None:
    for state in (rules.REJECTED, rules.LAPSED, rules.WITHDRAWN, rules.ACCEPTED):
        assert rules.TRANSITIONS[state] == frozenset()


def test_the_mover_cannot_second_and_no_one_seconds_twice() -> None:
    m = motion(rules.SECONDING)
    with pytest.raises(Forbidden):
        rules.second(m, ORDINARY, member(1), False, 1, NOW, 10)
    with pytest.raises(StateError):
        rules.second(m, ORDINARY, member(2), True, 1, NOW, 10)
    with pytest.raises(Forbidden):
        rules.second(m, ORDINARY, member(2, status="suspended"), False, 1, NOW, 10)


def test_votes_cannot_open_early_or_close_early() -> None:
    m = motion(rules.DELIBERATION)
    m.deliberation_ends_at = NOW + timedelta(days=1)
    with pytest.raises(StateError) as early:
        rules.open_vote(m, ORDINARY, NOW, member=member(2), pending_amendments=[], main=None)
    assert early.value.code == "motion.deliberating"
    m.deliberation_ends_at = NOW
    with pytest.raises(StateError) as pending:
        rules.open_vote(m, ORDINARY, NOW, member=member(2), pending_amendments=[2], main=None)
    assert pending.value.code == "motion.amendments_pending"
    rules.open_vote(m, ORDINARY, NOW, member=member(2), pending_amendments=[], main=None)
    with pytest.raises(StateError) as close:
        rules.close(m, ORDINARY, "adopted", {}, NOW)
    assert close.value.code == "vote.open"


def test_emergency_decisions_lapse_unless_ratified() -> None:
    emergency = CHARTER.classes["emergency"]
    m = motion(rules.VOTING)
    m.voting_closes_at = NOW
    rules.close(m, emergency, "adopted", {}, NOW)
    assert m.lapses_at == NOW + timedelta(days=14)
    assert rules.due(m, m.lapses_at) == "lapse"
    rules.ratify(m, NOW)
    assert rules.due(m, m.lapses_at) is None
    with pytest.raises(StateError):
        rules.ratify(m, NOW)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(rules.STATES), max_size=12))
def test_random_walks_never_leave_the_table(targets: list[str]) -> None:
    m = motion()
    visited = [m.state]
    for target in targets:
        try:
            rules.move(m, target)
        except StateError:
            continue
        assert target in rules.TRANSITIONS[visited[-1]]
        visited.append(m.state)
    assert replace(m).state == visited[-1]
