"""Mandates: terms, term limits, incompatibilities, expiry and binding instructions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from communard.domain import mandates
from communard.domain.events import Event
from communard.domain.mandates import (
    EligibilityError,
    Mandate,
    RecordedVote,
    Subject,
    check_vote,
    expire_due,
    instruct,
    take_office,
    violations,
)
from communard.domain.offices import parse_offices
from communard.errors import CommunardError, InvalidInput, StateError

DAY = timedelta(days=1)
T0 = datetime(1871, 3, 28, tzinfo=UTC)

OFFICES = parse_offices("""
[offices.council]
title = "Council"
term = "10d"
nominations = "1d"
voting = "1d"
schedule_before = "2d"
consecutive_terms = 2
incompatible = ["treasurer"]

[offices.treasurer]
title = "Treasurer"
term = "7d"
nominations = "1d"
voting = "1d"
schedule_before = "2d"

[offices.delegate]
title = "Delegate to the federal council"
term = "5d"
nominations = "1d"
voting = "1d"
schedule_before = "2d"
""")


def _take(register: list[Mandate], office: str, holder: int, start: int, length: int) -> Mandate:
    mandate, began = take_office(
        register,
        OFFICES,
        office_id=office,
        holder_id=holder,
        seat="commune",
        starts_at=T0 + start * DAY,
        ends_at=T0 + (start + length) * DAY,
    )
    mandate.id = len(register) + 1
    register.append(mandate)
    assert began.type == "mandate.began/1"
    return mandate


def test_a_mandate_holds_for_its_term_only() -> None:
    register: list[Mandate] = []
    m = _take(register, "council", 1, 0, 10)
    assert m.holds_at(T0) and m.holds_at(T0 + 9 * DAY)
    assert not m.holds_at(T0 + 10 * DAY)  # even before expiry is noticed
    assert expire_due(register, T0 + 5 * DAY) == []
    (event,) = expire_due(register, T0 + 30 * DAY)
    assert m.state == "expired" and m.ended_at == T0 + 10 * DAY  # at term end, not later
    assert event.payload()["at"] == (T0 + 10 * DAY).isoformat()


def test_a_mandate_lasts_at_most_one_term() -> None:
    with pytest.raises(InvalidInput) as error:
        _take([], "treasurer", 1, 0, 8)
    assert error.value.code == "mandate.invalid_term"


def test_incompatible_offices_are_refused_naming_the_rule() -> None:
    register: list[Mandate] = []
    _take(register, "treasurer", 1, 0, 7)
    with pytest.raises(EligibilityError) as error:
        _take(register, "council", 1, 5, 10)
    assert error.value.code == "office.incompatible"
    assert error.value.rule == "offices.council.incompatible"
    assert "Treasurer" in error.value.message and "Resign" in error.value.hint
    # After the treasurer's term, the council seat is open to them.
    _take(register, "council", 1, 7, 10)


def test_one_seat_of_an_office_at_a_time() -> None:
    register: list[Mandate] = []
    _take(register, "delegate", 1, 0, 5)
    with pytest.raises(EligibilityError) as error:
        _take(register, "delegate", 1, 2, 5)
    assert error.value.code == "office.already_held"


def test_term_limits_count_consecutive_terms_until_a_full_term_out() -> None:
    register: list[Mandate] = []
    _take(register, "council", 1, 0, 10)
    _take(register, "council", 1, 10, 10)
    with pytest.raises(EligibilityError) as error:
        _take(register, "council", 1, 20, 10)
    assert error.value.code == "office.term_limit"
    assert error.value.rule == "offices.council.consecutive_terms"
    assert "2" in error.value.message and "Rotation" in error.value.hint
    # A term recorded out of order, before the two, is consecutive with them too.
    with pytest.raises(EligibilityError):
        _take(register, "council", 1, -12, 10)
    # A full term out of office: rotation, and they may stand again.
    _take(register, "council", 1, 30, 10)


def test_ending_early() -> None:
    register: list[Mandate] = []
    m = _take(register, "council", 1, 0, 10)
    event = mandates.recall(m, T0 + 3 * DAY, "did not report")
    assert event.type == "mandate.recalled/1" and m.state == "recalled"
    assert not m.holds_at(T0 + 3 * DAY) and m.holds_at(T0 + 2 * DAY)
    with pytest.raises(StateError) as error:
        mandates.resign(m, T0 + 4 * DAY)
    assert error.value.code == "mandate.not_active"
    later = _take(register, "council", 2, 0, 10)
    with pytest.raises(StateError):
        mandates.resign(later, T0 + 10 * DAY)  # the term is over: it expires, not resigns
    future = _take(register, "delegate", 3, 20, 5)
    mandates.resign(future, T0)
    assert not any(future.holds_at(T0 + d * DAY) for d in range(30))


SUBJECT = Subject(body="federal-council", kind="motion", ref="7")


def _instructed(stance: str, **bounds: Fraction) -> Mandate:
    register: list[Mandate] = []
    m = _take(register, "delegate", 1, 0, 5)
    event = instruct(m, subject=SUBJECT, stance=stance, given_by=12, now=T0, **bounds)
    assert event.type == "mandate.instructed/1"
    return m


@pytest.mark.parametrize(
    ("stance", "choice", "deviates"),
    [
        ("for", "for", False),
        ("for", "against", True),
        ("for", "abstain", True),
        ("for", "absent", True),
        ("against", "against", False),
        ("against", "for", True),
        ("free", "against", False),
        ("free", "absent", False),
    ],
)
def test_votes_are_checked_against_instructions(stance: str, choice: str, deviates: bool) -> None:
    m = _instructed(stance)
    deviation = check_vote(m, RecordedVote(SUBJECT, choice, T0 + DAY))
    assert (deviation is not None) == deviates
    if deviation is not None:
        assert deviation.type == "mandate.deviated/1"
        assert "motion #12" in deviation.explanation
        assert deviation.payload()["subject"] == SUBJECT.to_json()


def test_a_bounded_range() -> None:
    m = _instructed("range", low=Fraction(300), high=Fraction(350))
    assert check_vote(m, RecordedVote(SUBJECT, "for", T0 + DAY, Fraction(350))) is None
    deviation = check_vote(m, RecordedVote(SUBJECT, "for", T0 + DAY, Fraction(701, 2)))
    assert deviation is not None and "from 300 to 350" in deviation.explanation
    assert deviation.payload()["value"] == "701/2"
    assert check_vote(m, RecordedVote(SUBJECT, "abstain", T0 + DAY)) is not None
    with pytest.raises(InvalidInput):
        instruct(
            m,
            subject=SUBJECT,
            stance="range",
            given_by=1,
            now=T0,
            low=Fraction(2),
            high=Fraction(1),
        )


def test_a_later_instruction_replaces_and_earlier_votes_are_not_judged_by_it() -> None:
    m = _instructed("for")
    event = instruct(m, subject=SUBJECT, stance="against", given_by=13, now=T0 + 2 * DAY)
    assert event.replaces is not None and event.replaces.stance == "for"
    assert len(m.instructions) == 1
    assert check_vote(m, RecordedVote(SUBJECT, "for", T0 + DAY)) is None
    assert check_vote(m, RecordedVote(SUBJECT, "for", T0 + 3 * DAY)) is not None


def test_violations_finds_a_broken_register() -> None:
    def raw(office: str, start: int, length: int) -> Mandate:
        return Mandate(
            id=None,
            office_id=office,
            holder_id=1,
            seat="commune",
            starts_at=T0 + start * DAY,
            ends_at=T0 + (start + length) * DAY,
        )

    broken = [
        raw("council", 0, 10),
        raw("treasurer", 5, 7),
        raw("council", 10, 10),
        raw("council", 20, 10),
        raw("delegate", 0, 9),
    ]
    rules = {v.rule for v in violations(broken, OFFICES)}
    assert rules == {"incompatible", "term-limit", "term"}


# Any sequence of events — seats taken for any dates in any order, recalls,
# resignations, expiry at any time — leaves a register where no one holds an
# office past its term, beyond its term limit, or beside an incompatible office.
OPS = st.one_of(
    st.tuples(
        st.just("take"),
        st.integers(1, 3),
        st.sampled_from(sorted(OFFICES)),
        st.integers(-20, 60),
        st.integers(1, 10),
    ),
    st.tuples(
        st.just("end"),
        st.integers(0, 30),
        st.sampled_from(["recalled", "resigned", "ended"]),
        st.integers(-20, 70),
        st.just(0),
    ),
    st.tuples(st.just("expire"), st.just(0), st.just(""), st.integers(-20, 80), st.just(0)),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(OPS, max_size=40))
def test_no_order_of_events_breaks_the_register(ops: list[tuple[str, int, str, int, int]]) -> None:
    register: list[Mandate] = []
    events: list[Event] = []
    for kind, a, b, day, length in ops:
        now = T0 + day * DAY
        try:
            if kind == "take":
                length = min(length, OFFICES[b].term.days)
                _take(register, b, a, day, length)
            elif kind == "end" and register:
                events.append(mandates.end(register[a % len(register)], b, now, "test"))
            elif kind == "expire":
                events.extend(expire_due(register, now))
        except CommunardError:
            pass
        assert violations(register, OFFICES) == []
    for day in range(-20, 80):
        at = T0 + day * DAY
        for m in register:
            if m.holds_at(at):
                assert m.starts_at <= at < m.ends_at
                assert m.ends_at - m.starts_at <= OFFICES[m.office_id].term
    for event in events:
        assert event.type.split("/")[0].startswith("mandate.")
        event.payload()


def test_recording_a_vote_publishes_the_deviation_with_it() -> None:
    m = _instructed("for")
    events = mandates.record_vote(m, RecordedVote(SUBJECT, "against", T0 + DAY))
    assert [e.type for e in events] == ["mandate.vote_recorded/1", "mandate.deviated/1"]
    assert [e.type for e in mandates.record_vote(m, RecordedVote(SUBJECT, "for", T0 + DAY))] == [
        "mandate.vote_recorded/1"
    ]
    with pytest.raises(StateError):
        mandates.record_vote(m, RecordedVote(SUBJECT, "for", T0 + 6 * DAY))
