"""The axioms each method claims in the registry, checked on generated profiles (hypothesis).

Every property a method of this suite claims (``MethodInfo.properties``) must be
checked here: ``test_every_claimed_property_is_checked`` fails when a claim is
added without a test.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communard.counting import (
    ApprovalProfile,
    Outcome,
    RankedProfile,
    ScoreProfile,
    YesNoProfile,
    count,
    get,
)
from communard.counting.methods.condorcet import pairwise

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

RANKED = (
    "plurality",
    "borda-pessimistic",
    "borda-optimistic",
    "borda-averaged",
    "dowdall",
    "schulze",
    "ranked-pairs",
    "copeland",
    "minimax",
)
CONDORCET = ("schulze", "ranked-pairs", "copeland", "minimax")
SCORED = ("score", "star", "majority-judgment")

# What this file checks, method by method.
CHECKED: dict[str, set[str]] = {
    **{m: {"anonymity", "neutrality"} for m in (*RANKED, *SCORED, "approval", "borda")},
    **{m: {"anonymity", "neutrality", "condorcet-winner", "majority"} for m in CONDORCET},
    "plurality": {"anonymity", "neutrality", "majority", "monotonicity"},
    "yes-no": {"anonymity", "monotonicity"},
    "consent": {"anonymity"},
    "consensus": {"anonymity"},
}
MONOTONE_RANKED = (
    "plurality",
    "borda-pessimistic",
    "dowdall",
    "schulze",
    "ranked-pairs",
    "minimax",
)
for _m in (*MONOTONE_RANKED, "approval", "score", "majority-judgment", "borda"):
    CHECKED[_m].add("monotonicity")
for _m in ("schulze", "ranked-pairs"):
    CHECKED[_m].add("smith")


def winners(outcome: Outcome) -> set[str]:
    """The winners, or the tied options when the tie was left open."""
    return set(outcome.winners) or set(outcome.tied)


@st.composite
def rankings(draw: st.DrawFn, max_options: int = 5, complete: bool = False) -> RankedProfile:
    m = draw(st.integers(2, max_options))
    names = [f"c{i}" for i in range(m)]
    orders = draw(st.lists(st.permutations(names), min_size=1, max_size=9))
    if not complete:
        orders = [o[: draw(st.integers(1, m))] for o in orders]
    counts = draw(st.lists(st.integers(1, 4), min_size=len(orders), max_size=len(orders)))
    return RankedProfile.from_rankings(names, orders, counts)


@st.composite
def scores(draw: st.DrawFn) -> ScoreProfile:
    m = draw(st.integers(2, 4))
    names = [f"c{i}" for i in range(m)]
    ballots = draw(
        st.lists(
            st.fixed_dictionaries({n: st.integers(0, 5) for n in names}), min_size=1, max_size=9
        )
    )
    return ScoreProfile.from_scores(names, ballots, max_score=5)


@st.composite
def approvals(draw: st.DrawFn) -> ApprovalProfile:
    m = draw(st.integers(2, 5))
    names = [f"c{i}" for i in range(m)]
    ballots = draw(st.lists(st.sets(st.sampled_from(names)), min_size=1, max_size=9))
    return ApprovalProfile.from_sets(names, ballots)


def relabel(
    profile: RankedProfile, permutation: Sequence[int]
) -> tuple[RankedProfile, dict[str, str]]:
    """The same ballots with option i renamed to option permutation[i]."""
    names = profile.options
    mapping = {names[i]: names[permutation[i]] for i in range(len(names))}
    table = np.array(permutation, dtype=profile.ranks.dtype)
    marked = np.maximum(profile.ranks, 0).astype(np.intp)
    ranks = np.where(profile.ranks >= 0, table[marked], profile.ranks)
    return RankedProfile(names, ranks.astype(profile.ranks.dtype), profile.weights), mapping


def expanded(profile: RankedProfile, order: Sequence[int]) -> RankedProfile:
    """One row per voter, in the given order of distinct ballots (anonymity)."""
    rows = np.repeat(profile.ranks[list(order)], profile.weights[list(order)], axis=0)
    return RankedProfile(profile.options, rows, np.ones(rows.shape[0], dtype=np.int64))


@pytest.mark.parametrize("method_id", RANKED)
@SETTINGS
@given(profile=rankings(), data=st.data())
def test_anonymity_ranked(method_id: str, profile: RankedProfile, data: st.DataObject) -> None:
    order = data.draw(st.permutations(range(profile.n_distinct)))
    assert winners(count(method_id, expanded(profile, order))) == winners(count(method_id, profile))


@pytest.mark.parametrize("method_id", RANKED)
@SETTINGS
@given(profile=rankings(), data=st.data())
def test_neutrality_ranked(method_id: str, profile: RankedProfile, data: st.DataObject) -> None:
    permutation = data.draw(st.permutations(range(len(profile.options))))
    renamed, mapping = relabel(profile, permutation)
    before = {mapping[w] for w in winners(count(method_id, profile))}
    assert winners(count(method_id, renamed)) == before


@SETTINGS
@given(profile=rankings(complete=True), data=st.data())
def test_anonymity_and_neutrality_of_complete_borda(
    profile: RankedProfile, data: st.DataObject
) -> None:
    permutation = data.draw(st.permutations(range(len(profile.options))))
    renamed, mapping = relabel(profile, permutation)
    before = winners(count("borda", profile))
    assert winners(count("borda", renamed)) == {mapping[w] for w in before}
    assert winners(count("borda", expanded(profile, range(profile.n_distinct)))) == before


def condorcet_winner(profile: RankedProfile) -> str | None:
    table = pairwise(profile)
    for i, name in enumerate(profile.options):
        if all(table[i, j] > table[j, i] for j in range(len(profile.options)) if j != i):
            return name
    return None


@pytest.mark.parametrize("method_id", CONDORCET)
@SETTINGS
@given(profile=rankings())
def test_condorcet_winner_criterion(method_id: str, profile: RankedProfile) -> None:
    winner = condorcet_winner(profile)
    if winner is not None:
        assert count(method_id, profile).winners == (winner,)


def test_minimax_winning_votes_is_condorcet_consistent_too() -> None:
    @SETTINGS
    @given(profile=rankings())
    def check(profile: RankedProfile) -> None:
        winner = condorcet_winner(profile)
        if winner is not None:
            assert count("minimax", profile, score="winning").winners == (winner,)

    check()


@pytest.mark.parametrize("method_id", (*CONDORCET, "plurality"))
@SETTINGS
@given(profile=rankings())
def test_majority_criterion(method_id: str, profile: RankedProfile) -> None:
    firsts = np.bincount(
        profile.ranks[:, 0][profile.ranks[:, 0] >= 0].astype(np.intp),
        weights=profile.weights[profile.ranks[:, 0] >= 0],
        minlength=len(profile.options),
    )
    leader = int(np.argmax(firsts))
    if 2 * int(firsts[leader]) > profile.n_voters:
        assert count(method_id, profile).winners == (profile.options[leader],)


def smith_set(profile: RankedProfile) -> set[str]:
    table = pairwise(profile)
    m = len(profile.options)
    beats = table > table.T
    score = beats.sum(axis=1) + (table == table.T).sum(axis=1) / 2
    order = sorted(range(m), key=lambda i: -score[i])
    for k in range(1, m + 1):
        inside, outside = order[:k], order[k:]
        if all(beats[i, j] for i in inside for j in outside):
            return {profile.options[i] for i in inside}
    return set(profile.options)


@pytest.mark.parametrize("method_id", ("schulze", "ranked-pairs"))
@SETTINGS
@given(profile=rankings())
def test_smith_criterion(method_id: str, profile: RankedProfile) -> None:
    assert winners(count(method_id, profile)) <= smith_set(profile)


@pytest.mark.parametrize("method_id", MONOTONE_RANKED)
@SETTINGS
@given(profile=rankings(), data=st.data())
def test_monotonicity_ranked(method_id: str, profile: RankedProfile, data: st.DataObject) -> None:
    check_monotone(method_id, profile, data)


@SETTINGS
@given(profile=rankings(complete=True), data=st.data())
def test_monotonicity_complete_borda(profile: RankedProfile, data: st.DataObject) -> None:
    check_monotone("borda", profile, data)


def check_monotone(method_id: str, profile: RankedProfile, data: st.DataObject) -> None:
    """Raising the unique winner one place on one ballot leaves it a winner."""
    outcome = count(method_id, profile)
    if len(outcome.winners) != 1:
        return
    winner = profile.options.index(outcome.winners[0])
    # Raise the winner one place on one ballot that ranks it below first place.
    rows = [i for i in range(profile.n_distinct) if winner in profile.ranks[i, 1:].tolist()]
    if not rows:
        return
    row = data.draw(st.sampled_from(rows))
    ranks = profile.ranks.copy()
    position = ranks[row].tolist().index(winner)
    raised = ranks[row].copy()
    raised[position - 1], raised[position] = raised[position], raised[position - 1]
    weights = profile.weights.copy()
    weights[row] -= 1
    new_ranks = np.vstack([ranks, raised[None, :]])
    new_weights = np.append(weights, 1)
    keep = new_weights > 0
    better = RankedProfile(profile.options, new_ranks[keep], new_weights[keep])
    assert outcome.winners[0] in winners(count(method_id, better))


@pytest.mark.parametrize("method_id", SCORED)
@SETTINGS
@given(profile=scores(), data=st.data())
def test_anonymity_and_neutrality_scored(
    method_id: str, profile: ScoreProfile, data: st.DataObject
) -> None:
    before = winners(count(method_id, profile))
    rows = np.repeat(profile.scores, profile.weights, axis=0)
    rows = rows[data.draw(st.permutations(range(rows.shape[0])))]
    shuffled = ScoreProfile(
        profile.options,
        rows,
        np.ones(rows.shape[0], dtype=np.int64),
        profile.min_score,
        profile.max_score,
    )
    assert winners(count(method_id, shuffled)) == before
    permutation = data.draw(st.permutations(range(len(profile.options))))
    renamed = ScoreProfile(
        tuple(profile.options[p] for p in permutation),
        profile.scores,
        profile.weights,
        profile.min_score,
        profile.max_score,
    )
    mapping = dict(zip(profile.options, renamed.options, strict=True))
    assert winners(count(method_id, renamed)) == {mapping[w] for w in before}


@pytest.mark.parametrize("method_id", ("score", "majority-judgment"))
@SETTINGS
@given(profile=scores(), data=st.data())
def test_monotonicity_scored(method_id: str, profile: ScoreProfile, data: st.DataObject) -> None:
    outcome = count(method_id, profile)
    if len(outcome.winners) != 1:
        return
    w = profile.options.index(outcome.winners[0])
    rows = [i for i in range(profile.scores.shape[0]) if profile.scores[i, w] < 5]
    if not rows:
        return
    row = data.draw(st.sampled_from(rows))
    scores_ = np.vstack([profile.scores, profile.scores[row][None, :]])
    scores_[-1, w] += 1
    weights = np.append(profile.weights, 1)
    weights[row] -= 1
    keep = weights > 0
    better = ScoreProfile(profile.options, scores_[keep], weights[keep], 0, 5)
    assert outcome.winners[0] in winners(count(method_id, better))


@SETTINGS
@given(profile=approvals(), data=st.data())
def test_approval_axioms(profile: ApprovalProfile, data: st.DataObject) -> None:
    outcome = count("approval", profile)
    permutation = data.draw(st.permutations(range(len(profile.options))))
    renamed = ApprovalProfile(
        tuple(profile.options[p] for p in permutation), profile.approved, profile.weights
    )
    mapping = dict(zip(profile.options, renamed.options, strict=True))
    assert winners(count("approval", renamed)) == {mapping[w] for w in winners(outcome)}
    rows = np.repeat(profile.approved, profile.weights, axis=0)
    ones = ApprovalProfile(profile.options, rows[::-1], np.ones(rows.shape[0], dtype=np.int64))
    assert winners(count("approval", ones)) == winners(outcome)
    if len(outcome.winners) == 1:
        w = profile.options.index(outcome.winners[0])
        more = profile.approved.copy()
        more[:, w] = True
        assert outcome.winners[0] in winners(
            count("approval", ApprovalProfile(profile.options, more, profile.weights))
        )


@SETTINGS
@given(
    yes=st.integers(0, 50),
    no=st.integers(1, 50),
    abstain=st.integers(0, 20),
    extra=st.integers(0, 30),
    strict=st.booleans(),
)
def test_yes_no_monotonicity(yes: int, no: int, abstain: int, extra: int, strict: bool) -> None:
    electorate = yes + no + abstain + extra
    before = count(
        "yes-no", YesNoProfile(yes, no, abstain, electorate=electorate), strict=strict, quorum="1/3"
    )
    after = count(
        "yes-no",
        YesNoProfile(yes + 1, no - 1, abstain, electorate=electorate),
        strict=strict,
        quorum="1/3",
    )
    if before.winners == ("adopted",):
        assert after.winners == ("adopted",)


def test_decisions_depend_only_on_counts() -> None:
    # Anonymity of yes-no, consent and consensus: a YesNoProfile holds counts only,
    # so no voter's identity can reach the count.
    fields = set(YesNoProfile.__dataclass_fields__)
    assert fields == {"yes", "no", "abstain", "electorate", "blocks", "stand_asides", "meta"}


def test_every_claimed_property_is_checked() -> None:
    for method_id, checked in CHECKED.items():
        claimed = set(get(method_id).properties)
        assert claimed <= checked, f"{method_id} claims {claimed - checked} unchecked"
