"""The yes/no/abstain decision: quorum, then threshold, explained in exact fractions."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from communard.domain.charters import parse_charter
from communard.domain.votes import Tally, check_choice, decide, decide_exactly
from communard.errors import InvalidInput
from tests.domain.test_charters import DEFAULT

ORDINARY = parse_charter(DEFAULT).classes["ordinary"]
NON_STRICT = replace(ORDINARY, strict=False)


def test_the_explanation_of_the_design_brief() -> None:
    decision = decide_exactly(NON_STRICT, Tally(41, 12, 3), 120)
    assert decision.decision == "adopted"
    assert decision.explanation == (
        "Adopted: 41 for, 12 against, 3 abstentions; quorum 56/120 ≥ 20%; threshold 41/53 ≥ 1/2"
    )


def test_quorum_not_met_lapses() -> None:
    decision = decide_exactly(ORDINARY, Tally(10, 0, 0), 120)
    assert decision.decision == "lapsed"
    assert "quorum 10/120 < 20%" in decision.explanation


def test_a_tie_fails_a_strict_majority_and_passes_a_non_strict_one() -> None:
    assert decide_exactly(ORDINARY, Tally(30, 30, 0), 100).decision == "rejected"
    assert "threshold 30/60 ≤ 1/2" in decide_exactly(ORDINARY, Tally(30, 30, 0), 100).explanation
    assert decide_exactly(NON_STRICT, Tally(30, 30, 0), 100).decision == "adopted"


def test_threshold_of_members_and_of_all_voting() -> None:
    of_members = replace(ORDINARY, threshold_of="members")
    assert decide_exactly(of_members, Tally(40, 0, 0), 100).decision == "rejected"
    voting = replace(ORDINARY, threshold_of="voting")
    assert decide_exactly(voting, Tally(30, 10, 30), 100).decision == "rejected"
    assert decide_exactly(ORDINARY, Tally(30, 10, 30), 100).decision == "adopted"


def test_only_abstentions_reject() -> None:
    decision = decide_exactly(ORDINARY, Tally(0, 0, 50), 100)
    assert decision.decision == "rejected"
    assert "no votes for or against" in decision.explanation


@settings(deadline=None, max_examples=60)  # the first example imports the engine
@given(
    yes=st.integers(0, 300),
    no=st.integers(0, 300),
    abstain=st.integers(0, 300),
    extra=st.integers(0, 300),
    strict=st.booleans(),
    threshold=st.fractions(Fraction(1, 100), 1),
    quorum=st.fractions(0, 1),
    of=st.sampled_from(["cast", "voting", "members"]),
)
def test_the_engine_and_the_exact_rule_agree(
    yes: int,
    no: int,
    abstain: int,
    extra: int,
    strict: bool,
    threshold: Fraction,
    quorum: Fraction,
    of: str,
) -> None:
    cls = replace(ORDINARY, strict=strict, threshold=threshold, quorum=quorum, threshold_of=of)
    tally = Tally(yes, no, abstain)
    electorate = yes + no + abstain + extra
    exact = decide_exactly(cls, tally, electorate)
    assert decide(cls, tally, electorate).decision == exact.decision
    if exact.decision == "adopted":
        # More support never turns an adoption into something else (monotonicity).
        assert (
            decide_exactly(cls, Tally(yes + 1, no, abstain), electorate + 1).decision
            in ("adopted", "lapsed")
            or of == "members"
        )


def test_choices() -> None:
    assert check_choice("YES") == "for"
    assert check_choice(" abstain ") == "abstain"
    with pytest.raises(InvalidInput) as error:
        check_choice("maybe")
    assert error.value.code == "vote.invalid_choice"
