"""Schulze, ranked pairs, Copeland and minimax on published and hand-checked examples."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from communard.counting import ConfigError, RankedProfile, count
from communard.counting.methods.condorcet import pairwise, pairwise_numpy
from communard.counting.profiles import EMPTY, OVERVOTE


def ranked(options: str, *groups: tuple[int, str]) -> RankedProfile:
    return RankedProfile.from_rankings(
        list(options), [list(r) for _, r in groups], [n for n, _ in groups]
    )


# Schulze's own example (Wikipedia, "Schulze method"): 45 voters, winner E.
SCHULZE_45 = ranked(
    "ABCDE",
    (5, "ACBED"),
    (5, "ADECB"),
    (8, "BEDAC"),
    (3, "CABED"),
    (7, "CAEBD"),
    (2, "CBADE"),
    (7, "DCEBA"),
    (8, "EBADC"),
)

# Tennessee's capital (Wikipedia): Memphis, Nashville, Chattanooga, Knoxville.
TENNESSEE = ranked("MNCK", (42, "MNCK"), (26, "NCKM"), (15, "CKNM"), (17, "KCNM"))

CYCLE = ranked("ABC", (1, "ABC"), (1, "BCA"), (1, "CAB"))


def test_pairwise_table_of_truncated_ballots() -> None:
    table = pairwise(ranked("ABC", (2, "AB"), (1, "C")))
    assert table.tolist() == [[0, 2, 2], [0, 0, 2], [1, 1, 0]]


def test_pairwise_stops_at_an_empty_or_overvoted_rank() -> None:
    ranks = np.array([[0, EMPTY, 1], [2, OVERVOTE, 0], [1, 1, 2]], dtype=np.int8)
    profile = RankedProfile(("A", "B", "C"), ranks, np.array([1, 1, 1], dtype=np.int64))
    expected = [[0, 1, 1], [1, 0, 1], [2, 1, 0]]
    assert pairwise(profile).tolist() == expected
    assert pairwise_numpy(profile).tolist() == expected


def test_pairwise_equals_a_direct_count() -> None:
    rng = np.random.default_rng(5)
    rankings = [list(rng.permutation(6)[: rng.integers(0, 7)]) for _ in range(300)]
    names = list("ABCDEF")
    profile = RankedProfile.from_rankings(names, [[names[i] for i in r] for r in rankings])
    direct = np.zeros((6, 6), dtype=np.int64)
    for r in rankings:
        for a in range(6):
            for b in range(6):
                if a != b and a in r and (b not in r or r.index(a) < r.index(b)):
                    direct[a, b] += 1
    assert (pairwise(profile) == direct).all()
    assert (pairwise_numpy(profile) == direct).all()


def test_schulze_published_example() -> None:
    outcome = count("schulze", SCHULZE_45)
    assert outcome.winners == ("E",)
    assert outcome.ranking == (("E",), ("A",), ("C",), ("B",), ("D",))
    assert outcome.details["pairwise"]["A"]["B"] == 20
    assert outcome.details["strongest_paths"]["E"]["A"] == 25
    assert outcome.details["condorcet_winner"] is None


def test_tennessee_every_method_elects_nashville() -> None:
    for method_id in ("schulze", "ranked-pairs", "copeland", "minimax"):
        outcome = count(method_id, TENNESSEE)
        assert outcome.winners == ("N",), method_id
        assert outcome.details["condorcet_winner"] == "N"


def test_ranked_pairs_locks_in_margin_order() -> None:
    outcome = count("ranked-pairs", TENNESSEE)
    assert outcome.ranking == (("N",), ("C",), ("K",), ("M",))
    assert any(line.startswith("Locked: ") for line in outcome.explanation)


def test_ranked_pairs_skips_the_defeat_that_closes_a_cycle() -> None:
    profile = ranked("ABC", (4, "ABC"), (3, "BCA"), (2, "CAB"))
    # A>B by 3, B>C by 5, C>A by 1: lock B>C, A>B, skip C>A.
    outcome = count("ranked-pairs", profile)
    assert outcome.winners == ("A",)
    assert any("Skipped" in line and "C>A (1)" in line for line in outcome.explanation)


def test_a_perfect_cycle_is_a_tie_for_every_method() -> None:
    for method_id in ("schulze", "ranked-pairs", "copeland", "minimax"):
        outcome = count(method_id, CYCLE)
        assert outcome.winners == (), method_id
        assert outcome.tied == ("A", "B", "C"), method_id


def test_ranked_pairs_orders_equal_margins_by_the_tie_break_and_records_it() -> None:
    outcome = count("ranked-pairs", CYCLE, tie_break="permutation:C,B,A")
    # Zavist–Tideman: C>A first (C ranks highest), then B>C; A>B closes the cycle.
    assert outcome.winners == ("B",)
    assert outcome.tie_breaks[0].purpose == "order of equal margins"
    assert outcome.tie_breaks[0].chosen == ("C", "B", "A")


def test_ranked_pairs_without_a_rule_finds_a_winner_common_to_every_order() -> None:
    # A beats B and C by 2 each (equal margins that never conflict); B>C by 2 as well.
    profile = ranked("ABC", (2, "ABC"))
    outcome = count("ranked-pairs", profile)
    assert outcome.winners == ("A",)
    assert outcome.tie_breaks == []


def test_copeland_half_point_for_a_draw() -> None:
    profile = ranked("ABC", (1, "ABC"), (1, "BAC"))
    outcome = count("copeland", profile)
    assert outcome.rounds[0].tallies == {"A": Fraction(3, 2), "B": Fraction(3, 2), "C": 0}
    assert outcome.tied == ("A", "B")
    assert count("copeland", profile, tie_break="permutation:A,B,C").winners == ("A",)


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        ("margin", {"A": -1, "B": 1, "C": 3}),
        ("winning", {"A": 0, "B": 2, "C": 3}),
        ("opposition", {"A": 1, "B": 2, "C": 3}),
    ],
)
def test_minimax_scores(score: str, expected: dict[str, int]) -> None:
    profile = ranked("ABC", (2, "AB"), (1, "BA"))
    outcome = count("minimax", profile, score=score)
    assert outcome.rounds[0].tallies == expected
    assert outcome.winners == ("A",)


def test_schulze_margins_option() -> None:
    assert count("schulze", SCHULZE_45, strength="margin").winners == ("E",)


def test_unknown_option_values_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="strength"):
        count("schulze", SCHULZE_45, strength="loudest")
    with pytest.raises(ConfigError, match="score"):
        count("minimax", SCHULZE_45, score="loudest")


def test_condorcet_methods_elect_one() -> None:
    with pytest.raises(ConfigError, match="one winner"):
        count("schulze", SCHULZE_45, seats=2)


def test_kernel_and_numpy_tables_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    import communard.counting.methods.condorcet as condorcet

    monkeypatch.setattr(condorcet, "KERNEL_WORK", 0)
    for profile in (SCHULZE_45, TENNESSEE, ranked("ABCD", (2, "AB"), (1, "C"), (1, "DBA"))):
        assert (condorcet.pairwise(profile) == pairwise_numpy(profile)).all()


def test_grouped_and_ungrouped_ballots_count_the_same() -> None:
    ungrouped = RankedProfile(
        SCHULZE_45.options,
        np.repeat(SCHULZE_45.ranks, SCHULZE_45.weights, axis=0),
        np.ones(SCHULZE_45.n_voters, dtype=np.int64),
    )
    assert (pairwise(ungrouped) == pairwise(SCHULZE_45)).all()


def test_ranked_pairs_asks_only_when_equal_margins_conflict() -> None:
    # Equal margins that fit together need no rule: asking must not stop the count.
    outcome = count("ranked-pairs", ranked("ABC", (2, "ABC")), tie_break="ask")
    assert outcome.winners == ("A",)
    assert outcome.tie_breaks == []
