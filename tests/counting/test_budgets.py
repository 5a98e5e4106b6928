"""Participatory budgeting: greedy rules and the Method of Equal Shares, by hand and by property."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communard.counting import count, get
from communard.counting.errors import ConfigError, UnresolvedTieError
from communard.counting.methods.budgets import mes_engine
from communard.counting.profiles import ApprovalProfile, BudgetProfile, group_rows
from communard.counting.ties import Permutation

PROPERTY = settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


def budget(
    costs: dict[str, int],
    total: int,
    ballots: list[tuple[str, ...]],
    weights: list[int] | None = None,
) -> BudgetProfile:
    projects = tuple(costs)
    matrix = np.zeros((len(ballots), len(projects)), dtype=np.bool_)
    for i, ballot in enumerate(ballots):
        matrix[i, [projects.index(p) for p in ballot]] = True
    w = None if weights is None else np.array(weights, dtype=np.int64)
    approved, grouped = group_rows(matrix, w)
    return BudgetProfile(
        projects, np.array(list(costs.values()), dtype=np.int64), total, approved, grouped
    )


def example() -> BudgetProfile:
    """4 voters, 100 to spend (25 each): A (60) for voters 1-3, B (40) for 3-4, C (30) for 4."""
    return budget({"A": 60, "B": 40, "C": 30}, 100, [("A",), ("A",), ("A", "B"), ("B", "C")])


def test_registry() -> None:
    assert get("equalshares").id == "mes"
    assert get("greedy-pb").id == "greedy"
    assert get("mes").ballot == "budget"


def test_mes_by_hand() -> None:
    outcome = count("mes", example())
    # A: three supporters pay 20 each, 1/3 per unit of cost; B would cost its two
    # supporters 20 each, 1/2 per unit. Then B's supporters hold 5 + 25 < 40.
    assert outcome.winners == ("A",)
    first = outcome.rounds[0]
    assert first.extra["max_payment"] == 20
    assert first.extra["rho"] == Fraction(1, 3)
    assert first.extra["paid_by"] == 3 and first.extra["exhausted"] == 0
    json.dumps(outcome.to_json())  # exact numbers only


def test_add_one_buys_b_once_the_share_reaches_30() -> None:
    for until in ("over-budget", "exhaustive"):
        outcome = count("mes", example(), completion="add1", add1_until=until)
        assert outcome.winners == ("A", "B")
    assert (
        count("mes", example(), completion="add1", add1_until="exhaustive", search=False).details[
            "share"
        ]
        == 30
    )
    # Over-budget keeps raising the share until C too is bought (at 50, costing 130).
    assert count("mes", example(), completion="add1", search=False).details["share"] == 49


def test_utilitarian_completion_fills_greedily() -> None:
    outcome = count("mes", example(), completion="utilitarian")
    assert outcome.winners == ("A", "B")
    assert "utilitarian" in outcome.rounds[-1].note


def test_cardinality_utility() -> None:
    # With utility 1 per project, the price is the payment: A 20, B 20, tie -> lower cost.
    outcome = count("mes", example(), utility="cardinality")
    assert outcome.winners[0] == "B"


def test_comparison_step_switches_to_greedy_when_more_voters_prefer_it() -> None:
    # Ten voters, 10 each. Six want Z (100): 60 cannot buy it. Four want X (40): bought.
    # Greedy by votes buys Z instead; six voters prefer that, four prefer MES.
    profile = budget({"X": 40, "Z": 100}, 100, [("Z",)] * 6 + [("X",)] * 4)
    assert count("mes", profile).winners == ("X",)
    compared = count("mes", profile, comparison_step=True)
    assert compared.winners == ("Z",)
    assert compared.details["comparison"]["prefer_greedy"] == 6
    assert compared.details["comparison"]["prefer_mes"] == 4
    kept = count(
        "mes", budget({"X": 40, "Z": 100}, 100, [("Z",)] * 4 + [("X",)] * 6), comparison_step=True
    )
    assert kept.winners == ("X",)


def test_exact_mes_tie_goes_to_lower_cost_then_more_approvals_then_asks() -> None:
    # P and Q cost the same per unit and have the same supporters' money.
    tied = budget({"P": 10, "Q": 10}, 10, [("P", "Q"), ("P", "Q")])
    with pytest.raises(UnresolvedTieError):
        count("mes", tied)
    outcome = count("mes", tied, tie_break=Permutation(("Q", "P")))
    assert outcome.winners == ("Q",)
    assert outcome.tie_breaks[0].tied == ("P", "Q")
    by_cost = budget({"P": 20, "Q": 10}, 40, [("P", "Q")] * 4)
    assert count("mes", by_cost, utility="cost").winners[0] == "Q"


def test_greedy_variants() -> None:
    profile = budget(
        {"A": 60, "B": 50, "C": 30, "D": 10},
        100,
        [("A", "B"), ("A", "B"), ("A",), ("B", "C"), ("C",), ("D",)],
    )
    # Votes: A 3, B 3, C 2, D 1. A and B tie (file order); B does not fit after A.
    assert count("greedy", profile).winners == ("A", "C", "D")
    assert count("greedy", profile, skip=False).winners == ("A",)
    assert count("greedy", profile, threshold=2).winners == ("A", "C")
    assert count("greedy", profile, exclusive=[["A", "C"]]).winners == ("A", "D")
    # Votes per cost: D 1/10, C 2/30, B 3/50, A 3/60.
    assert count("greedy", profile, by="votes-per-cost").winners == ("D", "C", "B")
    ordered = count("greedy", profile, tie_break=Permutation(("B", "A", "C", "D")))
    assert ordered.winners == ("B", "C", "D")


def test_cumulative_ballots_rank_by_points() -> None:
    profile = budget({"A": 50, "B": 50}, 50, [("A",), ("B",), ("B",)])
    profile.points = np.zeros(profile.approved.shape, dtype=np.int64)
    profile.points[profile.approved] = 1
    profile.points[(profile.approved[:, 0]), 0] = 5  # the A voter gives A five points
    assert count("greedy", profile).winners == ("A",)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"completion": "add2"}, "completion"),
        ({"utility": "joy"}, "utility"),
        ({"colour": "red"}, "option"),
        ({"completion": "add1", "add1_until": "dawn"}, "add-one"),
    ],
)
def test_bad_options_are_config_errors(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        count("mes", example(), **kwargs)


def test_wrong_profile_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="BudgetProfile"):
        count("mes", ApprovalProfile.from_sets(["a"], [["a"]]))
    with pytest.raises(ConfigError, match="votes-per-cost"):
        count("greedy", example(), by="joy")


@st.composite
def instances(draw: Any) -> BudgetProfile:
    m = draw(st.integers(1, 6))
    n = draw(st.integers(1, 20))
    costs = {f"p{j}": draw(st.integers(1, 60)) for j in range(m)}
    ballots = [
        tuple(f"p{j}" for j in sorted(draw(st.sets(st.integers(0, m - 1), min_size=1))))
        for _ in range(n)
    ]
    total = draw(st.integers(1, sum(costs.values())))
    return budget(costs, total, ballots)


@PROPERTY
@given(profile=instances())
def test_mes_properties(profile: BudgetProfile) -> None:
    """Within budget; prices never fall from round to round; nobody pays more than a share."""
    outcome = count("mes", profile, tie_break=Permutation(profile.projects))
    chosen = [profile.projects.index(p) for p in outcome.winners]
    assert int(profile.costs[chosen].sum()) <= profile.budget
    rhos = [r.extra["rho"] for r in outcome.rounds]
    assert rhos == sorted(rhos)
    share = Fraction(profile.budget, profile.n_voters)
    assert all(r.extra["max_payment"] <= share for r in outcome.rounds)
    assert all(isinstance(r.extra["max_payment"], Fraction | int) for r in outcome.rounds)


@PROPERTY
@given(profile=instances(), data=st.data())
def test_mes_is_anonymous(profile: BudgetProfile, data: Any) -> None:
    order = data.draw(st.permutations(range(profile.approved.shape[0])))
    shuffled = BudgetProfile(
        profile.projects,
        profile.costs,
        profile.budget,
        profile.approved[list(order)],
        profile.weights[list(order)],
    )
    tie = Permutation(profile.projects)
    assert (
        count("mes", profile, tie_break=tie).winners
        == count("mes", shuffled, tie_break=tie).winners
    )


@PROPERTY
@given(profile=instances())
def test_greedy_is_exhaustive_and_within_budget(profile: BudgetProfile) -> None:
    outcome = count("greedy", profile)
    chosen = {profile.projects.index(p) for p in outcome.winners}
    left = profile.budget - int(profile.costs[list(chosen)].sum()) if chosen else profile.budget
    assert left >= 0
    assert all(int(c) > left for j, c in enumerate(profile.costs) if j not in chosen)


@pytest.mark.parametrize("seed", range(30))
def test_add_one_search_equals_linear_on_larger_random_instances(seed: int) -> None:
    """Costs in hundreds, dozens of voters: many shares, many resumed runs."""
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(3, 40)), int(rng.integers(2, 9))
    matrix = rng.random((n, m)) < rng.uniform(0.2, 0.7)
    costs = rng.integers(1, 20, m).astype(np.int64) * int(rng.choice([1, 7, 100]))
    approved, weights = group_rows(matrix)
    names = tuple(f"p{j}" for j in range(m))
    total = int(costs.sum() * rng.uniform(0.2, 0.9))
    profile = BudgetProfile(names, costs, total, approved, weights)
    order = Permutation(names)
    for until in ("over-budget", "exhaustive"):
        fast = count("mes", profile, completion="add1", add1_until=until, tie_break=order)
        slow = count(
            "mes", profile, completion="add1", add1_until=until, tie_break=order, search=False
        )
        assert fast.winners == slow.winners
        assert fast.details["share"] == slow.details["share"]
        # The resumed run's exact payments are those of a fresh run at its share.
        fresh = mes_engine(profile, "cost", order).run(Fraction(fast.details["share"]))
        assert [r.extra["max_payment"] for r in fast.rounds] == fresh.payments
