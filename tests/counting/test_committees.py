"""Approval-based committees: PAV, seq-PAV, SAV, seq-Phragmén and Equal Shares."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communard.counting import count, get
from communard.counting.errors import ConfigError, UnresolvedTieError
from communard.counting.profiles import ApprovalProfile, BudgetProfile
from communard.counting.ties import Permutation

METHODS = ["pav", "seq-pav", "sav", "seq-phragmen", "equal-shares"]
ORDER = Permutation(("a", "b", "c", "d"))
PROPERTY = settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


def example() -> ApprovalProfile:
    """Six voters want a and b, four want c: two seats."""
    return ApprovalProfile.from_sets(("a", "b", "c"), [["a", "b"], ["c"]], [6, 4])


def test_registry_ids() -> None:
    assert get("seqphragmen").id == get("phragmen").id == "seq-phragmen"
    assert get("rule-x").id == get("mes-committee").id == "equal-shares"
    assert get("seqpav").id == "seq-pav"
    assert get("pav").seats == "multi"


def test_seq_pav_by_hand() -> None:
    outcome = count("seq-pav", example(), seats=2, tie_break=ORDER)
    # Round 1: a and b 6 each (tie, fixed order: a). Round 2: b adds 6/2 = 3, c adds 4.
    assert outcome.winners == ("a", "c")
    assert outcome.rounds[1].tallies == {"b": 3, "c": 4}
    assert outcome.tie_breaks[0].tied == ("a", "b")


def test_seq_phragmen_by_hand() -> None:
    outcome = count("seq-phragmen", example(), seats=2, tie_break=ORDER)
    # Round 1: a, b load 1/6, c 1/4. Round 2: b (1 + 6/6)/6 = 1/3, c 1/4.
    assert outcome.winners == ("a", "c")
    assert outcome.rounds[1].tallies["c"] == Fraction(1, 4)


def test_equal_shares_by_hand() -> None:
    outcome = count("equal-shares", example(), seats=2, tie_break=ORDER)
    # Each voter holds 1/5 of a seat. a costs its six voters 1/6 each; then b's voters
    # hold 1/30 each and c's four 4/5 in all: nobody else is bought. Phragmén
    # completion from those savings: b (1 - 6/30)/6 = 2/15, c (1 - 4/5)/4 = 1/20.
    assert outcome.winners == ("a", "c")
    assert outcome.rounds[0].extra["max_payment"] == Fraction(1, 6)
    assert outcome.rounds[1].tallies["c"] == Fraction(1, 20)
    assert outcome.details["bought"] == 1
    none = count("equal-shares", example(), seats=2, tie_break=ORDER, completion="none")
    assert none.winners == ("a",)
    av = count("equal-shares", example(), seats=2, tie_break=ORDER, completion="av")
    assert av.winners == ("a", "b")


def test_pav_optimum_and_its_tie() -> None:
    # {a,c} and {b,c} score 6 + 4 = 10, {a,b} 6 × 1.5 = 9.
    outcome = count("pav", example(), seats=2, tie_break=ORDER)
    assert outcome.winners == ("a", "c")
    assert outcome.rounds[0].tallies["PAV score"] == 10
    assert outcome.tie_breaks[0].tied == ("a+c", "b+c")
    with pytest.raises(UnresolvedTieError):
        count("pav", example(), seats=2)


def test_sav_by_hand() -> None:
    outcome = count("sav", example(), seats=2, tie_break=ORDER)
    # a and b get 6 × 1/2 = 3 each, c gets 4.
    assert outcome.winners == ("c", "a")


@pytest.mark.parametrize("method_id", METHODS)
def test_ties_ask_by_default(method_id: str) -> None:
    with pytest.raises(UnresolvedTieError):
        count(method_id, example(), seats=2)


@pytest.mark.parametrize("method_id", METHODS)
def test_wrong_inputs_are_config_errors(method_id: str) -> None:
    with pytest.raises(ConfigError, match="seats"):
        count(method_id, example(), seats=4)
    with pytest.raises(ConfigError, match="ApprovalProfile"):
        count(method_id, BudgetProfile.__new__(BudgetProfile), seats=1)
    with pytest.raises(ConfigError, match="option"):
        count(method_id, example(), seats=1, colour="red")


def test_pav_refuses_searches_too_large() -> None:
    with pytest.raises(ConfigError, match="seq-pav"):
        count("pav", example(), seats=2, limit=2)


@st.composite
def profiles(draw: Any) -> tuple[ApprovalProfile, int]:
    m = draw(st.integers(2, 5))
    names = tuple("abcde"[:m])
    ballots = draw(st.lists(st.sets(st.sampled_from(names)), min_size=1, max_size=12))
    seats = draw(st.integers(1, m))
    return ApprovalProfile.from_sets(names, [sorted(b) for b in ballots]), seats


@pytest.mark.parametrize("method_id", METHODS)
@PROPERTY
@given(instance=profiles())
def test_committee_size_and_exact_explanations(
    method_id: str, instance: tuple[ApprovalProfile, int]
) -> None:
    profile, seats = instance
    outcome = count(method_id, profile, seats=seats, tie_break=Permutation(profile.options))
    assert len(outcome.winners) == len(set(outcome.winners)) == seats
    json.dumps(outcome.to_json())


@pytest.mark.parametrize("method_id", ["seq-phragmen", "equal-shares", "pav"])
@PROPERTY
@given(instance=profiles())
def test_justified_representation(method_id: str, instance: tuple[ApprovalProfile, int]) -> None:
    """A group of n/seats voters who all approve some candidate gets one of theirs elected."""
    profile, seats = instance
    winners = set(
        count(method_id, profile, seats=seats, tie_break=Permutation(profile.options)).winners
    )
    n = profile.n_voters
    unrepresented = [
        i
        for i in range(profile.approved.shape[0])
        if not any(profile.approved[i, profile.options.index(w)] for w in winners)
    ]
    for c in range(len(profile.options)):
        group = sum(int(profile.weights[i]) for i in unrepresented if profile.approved[i, c])
        assert group * seats < n or group == 0
