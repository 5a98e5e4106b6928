"""Stipends at workers' wages: exact caps in cents, fixed or relative to the median pay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from communard.domain.mandates import take_office
from communard.domain.offices import parse_offices
from communard.domain.stipends import cap, check_stipend, median_pay, over_cap, set_stipend
from communard.errors import InvalidInput, StateError

T0 = datetime(1871, 4, 1, tzinfo=UTC)
OFFICES = parse_offices("""
[offices.council]
[offices.council.stipend]
cap_cents = 600000
per = "year"

[offices.treasurer]
[offices.treasurer.stipend]
cap_cents = 600000
ratio_to_median = "1"

[offices.delegate]
[offices.delegate.stipend]
ratio_to_median = "3/2"
per = "month"

[offices.secretary]
""")


def test_the_decree_of_1_april_1871() -> None:
    council = OFFICES["council"]
    assert check_stipend(council, 600000).cents == 600000
    with pytest.raises(InvalidInput) as error:
        check_stipend(council, 600001)
    assert error.value.code == "stipend.over_cap"
    assert "6,000.00" in error.value.message and "offices.council.stipend" in error.value.fix


def test_the_lower_cap_applies() -> None:
    treasurer = OFFICES["treasurer"]
    assert cap(treasurer, Fraction(480000)).cents == 480000
    assert "median" in cap(treasurer, Fraction(480000)).explanation
    assert cap(treasurer, Fraction(900000)).cents == 600000
    assert cap(treasurer).cents == 600000  # no treasury yet: the fixed cap alone


def test_a_ratio_without_a_median_cannot_be_checked() -> None:
    with pytest.raises(StateError) as error:
        check_stipend(OFFICES["delegate"], 100)
    assert error.value.code == "stipend.no_reference"


def test_median_pay_is_exact() -> None:
    assert median_pay([300, 100, 200]) == 200
    assert median_pay([100, 200, 201, 400]) == Fraction(401, 2)
    # 3/2 of a median of 200.5 cents is 300.75 cents: 300 passes, 301 does not.
    delegate = OFFICES["delegate"]
    median = median_pay([100, 200, 201, 400])
    assert check_stipend(delegate, 300, median).cents == Fraction(1203, 4)
    with pytest.raises(InvalidInput):
        check_stipend(delegate, 301, median)
    with pytest.raises(StateError):
        median_pay([])


def test_an_unpaid_office() -> None:
    assert check_stipend(OFFICES["secretary"], 0).cents == 0
    with pytest.raises(InvalidInput):
        check_stipend(OFFICES["secretary"], 1)


def test_setting_a_holders_stipend() -> None:
    mandate, _ = take_office(
        [],
        OFFICES,
        office_id="council",
        holder_id=1,
        seat="commune",
        starts_at=T0,
        ends_at=T0 + timedelta(days=300),
    )
    event = set_stipend(mandate, OFFICES["council"], 500000, T0)
    assert event.type == "mandate.stipend_set/1"
    assert event.payload()["cap"] == "600000"
    assert over_cap(OFFICES["council"], 500000, 150000) == 50000
    assert over_cap(OFFICES["council"], 0, 150000) == 0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 10**9), min_size=1, max_size=30), st.integers(0, 10**9))
def test_the_cap_is_never_exceeded_by_a_rounding(pays: list[int], stipend: int) -> None:
    delegate = OFFICES["delegate"]
    median = median_pay(pays)
    limit = Fraction(3, 2) * median
    if stipend <= limit:
        assert check_stipend(delegate, stipend, median).cents == limit
    else:
        with pytest.raises(InvalidInput):
            check_stipend(delegate, stipend, median)
