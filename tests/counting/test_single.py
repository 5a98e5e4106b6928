"""Plurality, approval, score, STAR, majority judgment and the Borda family, checked by hand."""

from __future__ import annotations

from fractions import Fraction

import pytest

from communard.counting import (
    ApprovalProfile,
    ConfigError,
    RankedProfile,
    ScoreProfile,
    UnresolvedTieError,
    count,
)
from communard.counting.ties import Ask, Permutation

ABC = ["A", "B", "C"]


def ranked(*groups: tuple[int, list[str]], options: list[str] = ABC) -> RankedProfile:
    return RankedProfile.from_rankings(options, [r for _, r in groups], [n for n, _ in groups])


def test_plurality_counts_first_preferences() -> None:
    outcome = count("plurality", ranked((3, ["A", "B"]), (2, ["B"]), (4, ["C", "A"])))
    assert outcome.winners == ("C",)
    assert outcome.rounds[0].tallies == {"A": 3, "B": 2, "C": 4}
    assert outcome.ranking == (("C",), ("A",), ("B",))


def test_plurality_ignores_an_empty_first_rank() -> None:
    profile = ranked((2, ["A"]), (1, []), (1, ["B"]))
    outcome = count("plurality", profile)
    assert outcome.winners == ("A",)
    assert outcome.details["invalid"] == 1


def test_plurality_several_seats() -> None:
    outcome = count("sntv", ranked((3, ["A"]), (2, ["B"]), (1, ["C"])), seats=2)
    assert outcome.winners == ("A", "B")


def test_a_tie_is_reported_without_a_rule() -> None:
    outcome = count("plurality", ranked((2, ["A"]), (2, ["B"]), (1, ["C"])))
    assert outcome.winners == ()
    assert outcome.tied == ("A", "B")
    assert outcome.tie_breaks == []
    assert "tied" in outcome.explanation[-1]


def test_a_tie_is_broken_and_recorded_with_a_rule() -> None:
    outcome = count(
        "plurality", ranked((2, ["A"]), (2, ["B"])), tie_break=Permutation(("B", "A", "C"))
    )
    assert outcome.winners == ("B",)
    assert outcome.tie_breaks[0].tied == ("A", "B")
    assert outcome.tie_breaks[0].chosen == ("B",)
    assert outcome.tie_breaks[0].rule == "permutation"


def test_asking_raises_at_a_tie() -> None:
    with pytest.raises(UnresolvedTieError):
        count("plurality", ranked((2, ["A"]), (2, ["B"])), tie_break=Ask())


def test_a_tie_break_may_be_written_as_text() -> None:
    outcome = count("plurality", ranked((2, ["A"]), (2, ["B"])), tie_break="permutation:B,A")
    assert outcome.winners == ("B",)


def test_a_tie_below_the_last_seat_needs_no_break() -> None:
    outcome = count("plurality", ranked((3, ["A"]), (1, ["B"]), (1, ["C"])))
    assert outcome.winners == ("A",)
    assert outcome.tie_breaks == []


def test_wrong_ballot_kind_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="ApprovalProfile"):
        count("approval", ranked((1, ["A"])))


def test_approval() -> None:
    profile = ApprovalProfile.from_sets(ABC, [["A", "B"], ["B"], ["C", "A"], ["A"]])
    outcome = count("approval", profile)
    assert outcome.winners == ("A",)
    assert outcome.rounds[0].tallies == {"A": 3, "B": 2, "C": 1}
    assert count("approval", profile, seats=2).winners == ("A", "B")


def test_score_counts_a_blank_as_the_lowest_score() -> None:
    profile = ScoreProfile.from_scores(ABC, [{"A": 5, "B": 3}, {"B": 4, "C": 2}, {"A": 1}])
    outcome = count("score", profile)
    assert outcome.rounds[0].tallies == {"A": 6, "B": 7, "C": 2}
    assert outcome.winners == ("B",)


def test_score_refuses_scores_out_of_range() -> None:
    profile = ScoreProfile.from_scores(ABC, [{"A": 9}], max_score=5)
    with pytest.raises(ConfigError, match="outside"):
        count("score", profile)


def test_star_runoff_overturns_the_score_leader() -> None:
    profile = ScoreProfile.from_scores(
        ABC, [{"A": 5, "B": 0, "C": 0}, {"A": 1, "B": 2, "C": 0}], weights=[2, 3]
    )
    outcome = count("star", profile)
    assert outcome.rounds[0].tallies == {"A": 13, "B": 6, "C": 0}
    assert outcome.rounds[1].tallies == {"A": 2, "B": 3}
    assert outcome.winners == ("B",)
    assert outcome.details["runoff"] == {"A": 2, "B": 3, "no preference": 0}


def test_star_scoring_tie_goes_to_the_head_to_head_winner() -> None:
    # B and C both total 5; two voters score B above C, one the other way.
    profile = ScoreProfile.from_scores(
        ABC, [{"A": 5, "B": 2, "C": 1}, {"A": 5, "B": 2, "C": 0}, {"A": 0, "B": 1, "C": 4}]
    )
    outcome = count("star", profile)
    assert outcome.rounds[0].tallies == {"A": 10, "B": 5, "C": 5}
    assert set(outcome.rounds[1].tallies) == {"A", "B"}
    assert outcome.tie_breaks == []


def test_star_runoff_tie_goes_to_the_higher_total() -> None:
    profile = ScoreProfile.from_scores(["A", "B"], [{"A": 5, "B": 0}, {"A": 3, "B": 4}])
    outcome = count("star", profile)
    assert outcome.rounds[1].tallies == {"A": 1, "B": 1}
    assert outcome.winners == ("A",)


def test_star_full_tie_is_reported() -> None:
    profile = ScoreProfile.from_scores(["A", "B"], [{"A": 5, "B": 0}, {"A": 0, "B": 5}])
    outcome = count("star", profile)
    assert outcome.winners == ()
    assert outcome.tied == ("A", "B")


GRADES = ["reject", "poor", "fair", "good", "excellent"]


def test_majority_judgment_median() -> None:
    profile = ScoreProfile.from_scores(
        ["A", "B"],
        [
            {"A": "good", "B": "good"},
            {"A": "poor", "B": "excellent"},
            {"A": "excellent", "B": "poor"},
            {"A": "good", "B": "fair"},
        ],
        scale=GRADES,
    )
    outcome = count("mj", profile)
    assert outcome.details["median"] == {"A": "good", "B": "fair"}
    assert outcome.winners == ("A",)


def test_majority_judgment_tie_broken_by_removing_medians() -> None:
    # Both have median "fair"; A's grades are poor, fair, fair, good; B's all fair.
    # Removing medians: A gives fair, fair, poor, ...; B fair, fair, fair: B is ahead.
    profile = ScoreProfile.from_scores(
        ["A", "B"],
        [
            {"A": "poor", "B": "fair"},
            {"A": "fair", "B": "fair"},
            {"A": "fair", "B": "fair"},
            {"A": "good", "B": "fair"},
        ],
        scale=GRADES,
    )
    outcome = count("majority-judgment", profile)
    assert outcome.details["median"] == {"A": "fair", "B": "fair"}
    assert outcome.winners == ("B",)
    assert outcome.ranking == (("B",), ("A",))


def test_majority_judgment_identical_grades_tie() -> None:
    profile = ScoreProfile.from_scores(["A", "B"], [{"A": 1, "B": 2}, {"A": 2, "B": 1}])
    outcome = count("majority-judgment", profile)
    assert outcome.tied == ("A", "B")


FULL = ranked((3, ["A", "B", "C"]), (2, ["B", "C", "A"]), (2, ["C", "B", "A"]))
TRUNCATED = ranked((3, ["A"]), (2, ["B", "C"]))


def test_borda_on_complete_ballots() -> None:
    outcome = count("borda", FULL)
    assert outcome.rounds[0].tallies == {"A": 6, "B": 9, "C": 6}
    assert outcome.winners == ("B",)


def test_borda_accepts_ballots_missing_only_the_last_option() -> None:
    outcome = count("borda", ranked((3, ["A", "B"]), (2, ["B", "C"])))
    assert outcome.rounds[0].tallies == {"A": 6, "B": 7, "C": 2}


def test_plain_borda_refuses_truncated_ballots_and_names_the_variants() -> None:
    with pytest.raises(ConfigError, match="borda-pessimistic"):
        count("borda", TRUNCATED)


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("borda-pessimistic", {"A": 6, "B": 4, "C": 2}),
        ("borda-optimistic", {"A": 6, "B": 7, "C": 5}),
        ("borda-averaged", {"A": 6, "B": Fraction(11, 2), "C": Fraction(7, 2)}),
        ("dowdall", {"A": 3, "B": 2, "C": 1}),
    ],
)
def test_borda_truncated_variants(variant: str, expected: dict[str, object]) -> None:
    assert count(variant, TRUNCATED).rounds[0].tallies == expected


def test_dowdall_points_are_exact_fractions() -> None:
    tallies = count("dowdall", FULL).rounds[0].tallies
    assert tallies == {"A": Fraction(13, 3), "B": Fraction(9, 2), "C": 4}
    assert count("dowdall", FULL).to_json()["rounds"][0]["tallies"]["A"] == "13/3"


def test_borda_ignores_ranks_after_an_overvote_and_repeated_options() -> None:
    profile = RankedProfile.from_rankings(ABC, [["A", "B", "A", "C"]])
    assert count("borda", profile).rounds[0].tallies == {"A": 2, "B": 1, "C": 0}


def test_single_winner_methods_refuse_several_seats() -> None:
    profile = ScoreProfile.from_scores(ABC, [{"A": 1}])
    with pytest.raises(ConfigError, match="one winner"):
        count("star", profile, seats=2)


def test_an_empty_ballot_gives_no_points() -> None:
    profile = ranked((2, []), (1, ["A"]))
    assert count("borda-pessimistic", profile).rounds[0].tallies == {"A": 2, "B": 0, "C": 0}
