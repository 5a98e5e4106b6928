"""Yes/no/abstain, consent and consensus: hand-checked decisions and their explanations."""

from __future__ import annotations

from fractions import Fraction

import pytest

from communard.counting import ConfigError, YesNoProfile, count


def test_adopted_with_quorum_and_threshold_of_votes_cast() -> None:
    outcome = count(
        "yes-no",
        YesNoProfile(41, 12, 3, electorate=120),
        threshold=Fraction(1, 2),
        threshold_of="cast",
        strict=False,
        quorum=Fraction(1, 5),
    )
    assert outcome.winners == ("adopted",)
    assert outcome.details["decision"] == "adopted"
    assert outcome.explanation[0] == (
        "Adopted: 41 for, 12 against, 3 abstentions; quorum 56/120 ≥ 20%; threshold 41/53 ≥ 1/2"
    )


def test_rejected_names_the_failed_threshold() -> None:
    outcome = count("yes-no", YesNoProfile(12, 41, 3, electorate=120), quorum=Fraction(1, 5))
    assert outcome.winners == ("rejected",)
    assert outcome.explanation[0] == (
        "Rejected: 12 for, 41 against, 3 abstentions; quorum 56/120 ≥ 20%; threshold 12/53 ≤ 1/2"
    )


def test_lapsed_when_the_quorum_is_not_met() -> None:
    outcome = count("yes-no", YesNoProfile(15, 3, 2, electorate=120), quorum=Fraction(1, 5))
    assert outcome.details["decision"] == "lapsed"
    assert outcome.explanation[0].startswith(
        "Lapsed: quorum not met: 15 for, 3 against, 2 abstentions; quorum 20/120 < 20%"
    )


def test_exactly_half_fails_a_strict_majority_and_passes_an_inclusive_one() -> None:
    profile = YesNoProfile(10, 10)
    assert count("yes-no", profile).winners == ("rejected",)
    assert count("yes-no", profile, strict=False).winners == ("adopted",)


def test_two_thirds_of_members_is_exact() -> None:
    at = count(
        "yes-no",
        YesNoProfile(80, 5, 10, electorate=120),
        threshold=Fraction(2, 3),
        threshold_of="members",
        strict=False,
    )
    below = count(
        "yes-no",
        YesNoProfile(79, 5, 10, electorate=120),
        threshold=Fraction(2, 3),
        threshold_of="members",
        strict=False,
    )
    assert at.winners == ("adopted",)
    assert at.explanation[0].endswith("threshold 80/120 ≥ 2/3")
    assert below.winners == ("rejected",)


def test_abstentions_count_against_when_the_base_is_everyone_voting() -> None:
    profile = YesNoProfile(30, 20, 15)
    assert count("yes-no", profile).winners == ("adopted",)
    assert count("yes-no", profile, threshold_of="voting").winners == ("rejected",)


def test_no_votes_cast_is_rejected_not_a_division_by_zero() -> None:
    outcome = count("yes-no", YesNoProfile(0, 0, 4))
    assert outcome.winners == ("rejected",)
    assert "0/0" in outcome.explanation[0]


@pytest.mark.parametrize("bad", [0.5, "half", Fraction(3, 2), -1])
def test_thresholds_must_be_exact_shares(bad: object) -> None:
    with pytest.raises(ConfigError):
        count("yes-no", YesNoProfile(1, 0), threshold=bad)


def test_a_quorum_needs_the_electorate() -> None:
    with pytest.raises(ConfigError, match="electorate"):
        count("yes-no", YesNoProfile(1, 0), quorum=Fraction(1, 2))


def test_the_electorate_cannot_be_smaller_than_the_turnout() -> None:
    with pytest.raises(ConfigError, match="smaller"):
        count("yes-no", YesNoProfile(10, 5, electorate=12))


def test_json_of_a_decision_has_no_floats() -> None:
    data = count("yes-no", YesNoProfile(41, 12, 3, electorate=120), quorum=Fraction(1, 5)).to_json()
    assert data["winners"] == ["adopted"]
    assert data["details"]["quorum"] == "1/5"


def test_consent_passes_without_blocks() -> None:
    outcome = count("consent", YesNoProfile(12, 0, 2))
    assert outcome.winners == ("adopted",)
    assert outcome.explanation[0].startswith("Adopted: no block stands")


def test_consent_is_stopped_by_one_block_with_its_reason() -> None:
    outcome = count("consent", YesNoProfile(30, 1, 0, blocks=("It spends the rent reserve.",)))
    assert outcome.winners == ("rejected",)
    assert outcome.details["reasons"] == ["It spends the rent reserve."]
    assert "Block 1: It spends the rent reserve." in outcome.explanation


def test_consent_may_survive_some_blocks_when_the_charter_says_so() -> None:
    assert count("consent", YesNoProfile(30, 2), max_blocks=2).winners == ("adopted",)
    assert count("consent", YesNoProfile(30, 3), max_blocks=2).winners == ("rejected",)


def test_consensus_with_stand_asides_within_the_limit() -> None:
    outcome = count("consensus", YesNoProfile(12, 0, stand_asides=3), max_stand_asides=3)
    assert outcome.winners == ("adopted",)
    assert outcome.explanation[0] == "Adopted: consensus: 12 agree, 3 stand aside, 0 blocks"


def test_consensus_fails_with_too_many_stand_asides_as_a_share() -> None:
    outcome = count(
        "consensus", YesNoProfile(10, 0, stand_asides=4), max_stand_asides=Fraction(1, 4)
    )
    assert outcome.winners == ("rejected",)
    assert "too many stand aside (4 > 3 allowed)" in outcome.explanation[0]


def test_consensus_is_blocked() -> None:
    outcome = count("consensus", YesNoProfile(10, 0, blocks=("Unsafe for the children.",)))
    assert outcome.winners == ("rejected",)
    assert outcome.details["blocks"] == 1


def test_consensus_quorum_lapses() -> None:
    outcome = count("consensus", YesNoProfile(3, 0, electorate=40), quorum=Fraction(1, 4))
    assert outcome.winners == ("lapsed",)
