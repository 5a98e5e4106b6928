"""Instant-runoff (``irv``) and RCTab's rules (``rctab``) on in-memory profiles."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from communard.counting import RankedProfile, count, get
from communard.counting.errors import ConfigError, UnresolvedTieError
from communard.counting.profiles import EMPTY, OVERVOTE
from communard.counting.rctab.javacompat import JavaRandom, hash_order, java_string_hash


def profile(ballots: list[list[str]], weights: list[int] | None = None) -> RankedProfile:
    options = sorted({name for ballot in ballots for name in ballot})
    return RankedProfile.from_rankings(options, ballots, weights)


def test_registry_names_irv_and_its_aliases() -> None:
    assert get("irv").id == "irv"
    assert get("instant-runoff").id == "irv"
    assert get("rcv").id == "irv"
    assert get("rctab").seats == "any"


def test_majority_in_the_first_round_wins_at_once() -> None:
    outcome = count("irv", profile([["A"], ["A"], ["B"]]))
    assert outcome.winners == ("A",)
    assert len(outcome.rounds) == 1
    assert outcome.rounds[0].threshold == 2


def test_eliminations_transfer_to_the_next_continuing_choice() -> None:
    p = profile([["A", "B"], ["B", "A"], ["C", "B"], ["D", "C"], ["A"], ["B"]], [5, 4, 3, 1, 1, 1])
    outcome = count("irv", p)
    assert outcome.winners == ("B",)
    first, second, last = outcome.rounds
    assert first.eliminated == ["D"] and first.transfers == {"D": {"C": 1}}
    assert second.eliminated == ["C"]
    assert second.transfers == {"C": {"B": 3, "exhausted": 1}}
    assert last.tallies == {"A": 6, "B": 8}
    assert last.exhausted == 1


def test_skipped_ranks_are_passed_over_and_an_overvote_exhausts() -> None:
    ranks = np.array([[EMPTY, 1], [OVERVOTE, 1], [0, EMPTY], [2, EMPTY]], dtype=np.int8)
    p = RankedProfile(("A", "B", "C"), ranks, np.array([1, 1, 2, 1], dtype=np.int64))
    outcome = count("irv", p)
    # Round 1: A 2, B 1 (the skipped first rank passes on), C 1; the overvote is exhausted.
    assert outcome.rounds[0].tallies == {"A": 2, "B": 1, "C": 1}
    assert outcome.rounds[0].exhausted == 1


def test_a_tie_for_last_is_reported_not_broken_silently() -> None:
    outcome = count("irv", profile([["A", "B"], ["B"], ["C", "B"]]))
    assert outcome.winners == ()
    assert outcome.tied == ("A", "B", "C")


def test_a_tie_break_rule_breaks_the_tie_and_is_recorded() -> None:
    outcome = count("irv", profile([["A", "B"], ["B"], ["C", "B"]]), tie_break="permutation:A,B,C")
    assert outcome.winners == ("B",)
    assert outcome.tie_breaks[0].chosen == ("C",)


def test_batch_elimination_removes_every_hopeless_candidate_at_once() -> None:
    p = profile([["A"], ["B"], ["C", "B"], ["D", "C"]], [6, 5, 3, 1])
    outcome = count("irv", p, batch_elimination=True)
    assert outcome.rounds[0].eliminated == ["C", "D"]
    assert outcome.winners == ("B",)


def test_continue_until_two_keeps_counting_after_the_majority() -> None:
    p = profile([["A"], ["B"], ["C", "B"]], [6, 2, 1])
    outcome = count("irv", p, continue_until_two=True)
    assert outcome.winners == ("A",)
    assert list(outcome.rounds[-1].tallies) == ["A", "B"]


def test_irv_is_single_seat() -> None:
    with pytest.raises(ConfigError, match="one candidate"):
        count("irv", profile([["A"]]), seats=2)


def test_rctab_on_a_profile_stops_and_asks_on_a_tie_by_default() -> None:
    with pytest.raises(UnresolvedTieError):
        count("rctab", profile([["A", "B"], ["B"], ["C", "B"]]))


def test_rctab_on_a_profile_takes_a_permutation_tie_break() -> None:
    p = profile([["A", "B"], ["B"], ["C", "B"]])
    outcome = count("rctab", p, tie_break="permutation:A,B,C")
    # The last of the permutation (C) loses the three-way tie; B then has a majority.
    assert outcome.winners == ("B",)
    assert outcome.tie_breaks[0].chosen == ("C",)


def test_rctab_multi_seat_transfers_surplus_with_four_decimals() -> None:
    ballots = [["A", "B"]] * 8 + [["B"]] * 3 + [["C"]] * 4
    outcome = count("rctab", profile(ballots), seats=2)
    # Droop quota 6: A is elected with 8 and passes 8 x 0.25 to B; C is then eliminated and
    # B, the last continuing candidate, takes the second seat.
    assert outcome.winners == ("A", "B")
    assert outcome.rounds[1].tallies["B"] == Decimal("5.0000")
    report = outcome.details["report"]
    assert report["summary"]["numWinners"] == 2
    assert all(isinstance(v, Decimal) for r in outcome.rounds for v in r.tallies.values())


@st.composite
def ranked_profiles(draw: st.DrawFn) -> RankedProfile:
    n = draw(st.integers(min_value=2, max_value=5))
    options = [chr(ord("A") + i) for i in range(n)]
    ballots = draw(
        st.lists(
            st.permutations(options).flatmap(
                lambda order: st.integers(min_value=1, max_value=len(order)).map(
                    lambda k: list(order[:k])
                )
            ),
            min_size=1,
            max_size=30,
        )
    )
    return RankedProfile.from_rankings(options, ballots)


def reference_irv(p: RankedProfile) -> tuple[str, ...] | None:
    """A plain, obviously correct IRV (None when a tie for last or first matters)."""
    ballots = [
        ([p.options[c] for c in row if c >= 0], int(w))
        for row, w in zip(p.ranks.tolist(), p.weights.tolist(), strict=True)
    ]
    alive = set(p.options)
    while True:
        tally = dict.fromkeys(alive, 0)
        for ranking, weight in ballots:
            top = next((c for c in ranking if c in alive), None)
            if top is not None:
                tally[top] += weight
        active = sum(tally.values())
        best = max(tally.values())
        leaders = [c for c in tally if tally[c] == best]
        if best * 2 > active and len(leaders) == 1:
            return (leaders[0],)
        if len(alive) == 2 and len(leaders) == 2:
            return None
        worst = min(tally.values())
        losers = [c for c in tally if tally[c] == worst]
        if len(losers) > 1:
            return None
        alive.discard(losers[0])


@settings(max_examples=200, deadline=None)
@given(ranked_profiles())
def test_irv_agrees_with_a_plain_reference_and_with_rctab(p: RankedProfile) -> None:
    expected = reference_irv(p)
    outcome = count("irv", p)
    if expected is None:
        assert outcome.tied
        return
    assert outcome.winners == expected
    assert count("rctab", p).winners == expected


def test_java_random_matches_the_java_documentation_algorithm() -> None:
    # new Random(0).nextDouble() == 0.730967787376657 and new Random(42).nextInt(10) == 0
    mantissa = JavaRandom(0).next_double_mantissa()
    assert abs(mantissa / 2**53 - 0.730967787376657) < 1e-15
    assert [JavaRandom(42).next_int(10) for _ in range(1)] == [0]
    items = list("ABCD")
    JavaRandom(12345).shuffle(items)
    assert sorted(items) == list("ABCD")


def test_java_string_hash_and_hash_map_order() -> None:
    assert java_string_hash("hello") == 99162322
    assert java_string_hash("") == 0
    assert hash_order(["C", "A", "B"]) == ["A", "B", "C"]
