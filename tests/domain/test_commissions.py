"""Commissions: delegated classes, reports on schedule, acts the assembly may overturn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from communard.domain import commissions
from communard.domain.commissions import Commission, parse_commissions
from communard.domain.mandates import Mandate, take_office
from communard.domain.members import Member
from communard.domain.offices import parse_offices
from communard.errors import CharterError, Conflict, Forbidden, StateError

T0 = datetime(1871, 3, 29, tzinfo=UTC)
DAY = timedelta(days=1)
CHARTER = """
[offices.finance]
title = "Finance commission"
seats = 3
method = "seq-phragmen"

[commissions.finance]
title = "Finance"
membership = "elected"
office = "finance"
decides = ["commission"]
reports_every = "7d"
overturn_within = "14d"
overturned_by = "ordinary"

[commissions.subsistence]
title = "Subsistence"
membership = "appointed"
size = 2
decides = ["commission"]
"""
CLASSES = ("ordinary", "commission", "charter-amendment")
OFFICES = parse_offices(CHARTER)
RULES = parse_commissions(CHARTER, classes=CLASSES, offices=OFFICES)


def member(n: int) -> Member:
    return Member(
        id=n, commune_id=1, account_id=n, status="active", section_id=None, joined_at=T0 - 30 * DAY
    )


def test_rules_are_read_from_the_charter() -> None:
    finance = RULES["finance"]
    assert finance.office == "finance" and finance.decides == frozenset({"commission"})
    assert finance.reports_every == 7 * DAY and finance.overturn_within == 14 * DAY
    assert RULES["subsistence"].size == 2
    assert finance.to_json()["decides"] == ["commission"]


@pytest.mark.parametrize(
    ("old", "new", "field", "fix"),
    [
        ('office = "finance"', 'office = "war"', "commissions.finance.office", "finance"),
        (
            'membership = "elected"',
            'membership = "drawn"',
            "commissions.finance.membership",
            "appointed",
        ),
        (
            'decides = ["commission"]',
            'decides = ["budget"]',
            "commissions.finance.decides",
            "ordinary",
        ),
        (
            'reports_every = "7d"',
            'reports_every = "0"',
            "commissions.finance.reports_every",
            "longer than 0",
        ),
        (
            'overturned_by = "ordinary"',
            'overturned_by = "commission"',
            "commissions.finance.overturned_by",
            "assembly",
        ),
        ("size = 2", "size = 0", "commissions.subsistence.size", "at least 1"),
    ],
)
def test_errors_name_the_field_and_the_fix(old: str, new: str, field: str, fix: str) -> None:
    with pytest.raises(CharterError) as error:
        parse_commissions(CHARTER.replace(old, new, 1), classes=CLASSES, offices=OFFICES)
    assert error.value.field == field and fix in error.value.fix


def test_elected_members_are_the_offices_holders() -> None:
    register: list[Mandate] = []
    for holder in (1, 2, 3):
        mandate, _ = take_office(
            register,
            OFFICES,
            office_id="finance",
            holder_id=holder,
            seat="commune",
            starts_at=T0,
            ends_at=T0 + 300 * DAY,
        )
        register.append(mandate)
    commission = Commission(id="finance", created_at=T0)
    assert commissions.members(RULES["finance"], commission, register, T0 + DAY) == {1, 2, 3}
    assert commissions.members(RULES["finance"], commission, register, T0 + 300 * DAY) == set()
    with pytest.raises(StateError):
        commissions.appoint(RULES["finance"], commission, member(4), 12, T0)


def test_appointed_members() -> None:
    rule = RULES["subsistence"]
    commission = Commission(id="subsistence", created_at=T0)
    event = commissions.appoint(rule, commission, member(4), 12, T0)
    assert event.type == "commission.member_changed/1" and commission.appointed == {4}
    with pytest.raises(Conflict):
        commissions.appoint(rule, commission, member(4), 13, T0)
    commissions.appoint(rule, commission, member(5), 13, T0)
    with pytest.raises(StateError) as error:
        commissions.appoint(rule, commission, member(6), 14, T0)
    assert error.value.code == "commission.full"
    commissions.remove(rule, commission, 5, 15, T0)
    assert commissions.members(rule, commission, [], T0) == {4}


def test_delegated_classes_only() -> None:
    rule = RULES["finance"]
    commissions.may_decide(rule, "commission")
    with pytest.raises(Forbidden) as error:
        commissions.record_act(rule, motion=3, decision_class="ordinary", decided_at=T0)
    assert error.value.code == "commission.not_delegated"
    assert "commissions.finance.decides" in error.value.hint


def test_an_act_is_overturned_by_an_ordinary_motion_in_its_window() -> None:
    rule = RULES["finance"]
    act, event = commissions.record_act(rule, motion=3, decision_class="commission", decided_at=T0)
    assert event.overturnable_until == T0 + 14 * DAY
    with pytest.raises(Forbidden):
        commissions.overturn(
            rule, act, motion=9, decision_class="commission", proposed_at=T0 + DAY, now=T0 + 5 * DAY
        )
    with pytest.raises(StateError) as error:
        commissions.overturn(
            rule,
            act,
            motion=9,
            decision_class="ordinary",
            proposed_at=T0 + 15 * DAY,
            now=T0 + 20 * DAY,
        )
    assert error.value.code == "commission.overturn_closed"
    # Proposed in the window, adopted after it: the act is overturned.
    done = commissions.overturn(
        rule, act, motion=9, decision_class="ordinary", proposed_at=T0 + 13 * DAY, now=T0 + 20 * DAY
    )
    assert done.type == "commission.act_overturned/1" and act.state == "overturned"
    with pytest.raises(StateError):
        commissions.overturn(
            rule, act, motion=10, decision_class="ordinary", proposed_at=T0 + DAY, now=T0 + 2 * DAY
        )


def test_reports_fall_due_and_become_overdue() -> None:
    rule = RULES["finance"]
    commission = Commission(id="finance", created_at=T0)
    assert commissions.report_due_at(rule, commission) == T0 + 7 * DAY
    assert commissions.overdue(rule, commission, T0 + 6 * DAY) is None
    assert commissions.overdue(rule, commission, T0 + 9 * DAY) == 2 * DAY
    with pytest.raises(Forbidden):
        commissions.report(
            rule,
            commission,
            member=member(9),
            sitting={1, 2},
            title="Week",
            body="Accounts.",
            now=T0 + 9 * DAY,
        )
    event = commissions.report(
        rule,
        commission,
        member=member(1),
        sitting={1, 2},
        title="Week 1",
        body="Bread prices fixed.",
        now=T0 + 9 * DAY,
    )
    assert event.next_due_at == T0 + 16 * DAY
    assert commissions.overdue(rule, commission, T0 + 10 * DAY) is None


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 60), max_size=12), st.integers(0, 80))
def test_overdue_exactly_when_no_report_in_the_period(report_days: list[int], now_day: int) -> None:
    rule = RULES["finance"]
    commission = Commission(id="finance", created_at=T0)
    for day in sorted(d for d in report_days if d <= now_day):
        commissions.report(
            rule,
            commission,
            member=member(1),
            sitting={1},
            title="Report",
            body="Done.",
            now=T0 + day * DAY,
        )
    last = max((d for d in report_days if d <= now_day), default=0)
    late = commissions.overdue(rule, commission, T0 + now_day * DAY)
    assert (late is not None) == (now_day - last >= 7)
