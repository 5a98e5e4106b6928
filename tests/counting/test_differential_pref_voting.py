"""Our winners equal pref_voting's on generated profiles, for the methods both define.

pref_voting returns the set of winners before any tie-break; we compare it with
our winner, or with the tied options when we report a tie (no tie-break given).

Where the definitions differ, the test says how:

- Borda on truncated ballots: pref_voting's ``borda_for_profile_with_ties``
  scores each option by the options ranked below it minus those ranked above
  (symmetric Borda). That is twice our ``borda-averaged`` score less m-1 per
  ballot, so the winners are the same, and those are what we compare; on
  complete ballots it is plain Borda.
- Schulze: pref_voting measures defeats by margins; our default is winning
  votes. On complete ballots the two agree (tested); otherwise we compare
  ``strength="margin"``.
- Ranked pairs: pref_voting tries every order of equal margins, which grows
  factorially, so profiles where more than three defeats share a margin are
  left out.
- Truncated ballots: pref_voting compares a ranked option with an unranked one
  only under ``use_extended_strict_preference()``, which is our reading.
- Ranked pairs: pref_voting's winners are those of *some* order of equal
  margins, which is what we report without a tie-break rule.
- Approval: pref_voting counts a ``GradeProfile`` of 0/1 grades.
- STAR: pref_voting breaks ties by trying every runoff a tie allows; we follow
  the official tie-break protocol. Compared on profiles without such ties.
- Majority judgment: pref_voting separates equal best medians by the majority
  gauge, an approximation of the majority value we compute exactly. Compared
  where the best median is unique.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from communard.counting import ApprovalProfile, Outcome, RankedProfile, ScoreProfile, count
from communard.counting.methods.condorcet import pairwise

pv_ties = pytest.importorskip("pref_voting.profiles_with_ties")
pv_scoring = pytest.importorskip("pref_voting.scoring_methods")
pv_c1 = pytest.importorskip("pref_voting.c1_methods")
pv_margin = pytest.importorskip("pref_voting.margin_based_methods")
pv_grades = pytest.importorskip("pref_voting.grade_profiles")
pv_grade_methods = pytest.importorskip("pref_voting.grade_methods")

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def ours(outcome: Outcome) -> set[int]:
    names = set(outcome.winners) or set(outcome.tied)
    return {int(name[1:]) for name in names}


@st.composite
def ballots(draw: st.DrawFn, max_options: int, complete: bool) -> tuple[int, list[Any], list[int]]:
    m = draw(st.integers(2, max_options))
    orders = draw(st.lists(st.permutations(range(m)), min_size=1, max_size=9))
    if not complete:
        orders = [o[: draw(st.integers(1, m))] for o in orders]
    counts = draw(st.lists(st.integers(1, 4), min_size=len(orders), max_size=len(orders)))
    return m, orders, counts


def our_profile(m: int, orders: list[Any], counts: list[int]) -> RankedProfile:
    names = [f"c{i}" for i in range(m)]
    return RankedProfile.from_rankings(names, [[names[c] for c in o] for o in orders], counts)


def their_profile(m: int, orders: list[Any], counts: list[int]) -> Any:
    # ProfileWithTies for complete ballots too: pref_voting's Profile compiles numba
    # kernels on first use (about 15 s), and both agree on complete ballots.
    profile = pv_ties.ProfileWithTies(
        [{c: r for r, c in enumerate(o)} for o in orders], rcounts=counts, candidates=list(range(m))
    )
    profile.use_extended_strict_preference()
    return profile


def equal_margin_groups_are_small(m: int, orders: list[Any], counts: list[int]) -> bool:
    """Whether no more than three defeats share a margin (pref_voting's ranked pairs
    tries every order of them, which grows factorially)."""
    table = pairwise(our_profile(m, orders, counts))
    margins = [
        int(table[a, b] - table[b, a])
        for a in range(m)
        for b in range(m)
        if table[a, b] > table[b, a]
    ]
    return max(Counter(margins).values(), default=0) <= 3


PEERS: dict[str, Callable[..., Any]] = {
    "plurality": pv_scoring.plurality,
    "copeland": pv_c1.copeland,
    "minimax": pv_margin.minimax,
    "schulze": pv_margin.beat_path,
    "ranked-pairs": pv_margin.ranked_pairs,
}
COMPLETE = {**PEERS, "borda": pv_scoring.borda_for_profile_with_ties}
TRUNCATED = {**PEERS, "borda-averaged": pv_scoring.borda_for_profile_with_ties}
# Our Schulze measures defeats by winning votes unless told otherwise.
OPTIONS: dict[str, dict[str, Any]] = {"schulze": {"strength": "margin"}}


@pytest.mark.parametrize("method_id", sorted(COMPLETE))
@SETTINGS
@given(data=ballots(max_options=4, complete=True))
def test_complete_ballots(method_id: str, data: tuple[int, list[Any], list[int]]) -> None:
    m, orders, counts = data
    if method_id == "ranked-pairs":
        assume(equal_margin_groups_are_small(m, orders, counts))
    theirs = set(COMPLETE[method_id](their_profile(m, orders, counts)))
    assert ours(count(method_id, our_profile(m, orders, counts))) == theirs


@pytest.mark.parametrize("method_id", sorted(TRUNCATED))
@SETTINGS
@given(data=ballots(max_options=4, complete=False))
def test_truncated_ballots(method_id: str, data: tuple[int, list[Any], list[int]]) -> None:
    m, orders, counts = data
    if method_id == "ranked-pairs":
        assume(equal_margin_groups_are_small(m, orders, counts))
    theirs = set(TRUNCATED[method_id](their_profile(m, orders, counts)))
    options = OPTIONS.get(method_id, {})
    assert ours(count(method_id, our_profile(m, orders, counts), **options)) == theirs


@SETTINGS
@given(data=ballots(max_options=4, complete=True))
def test_schulze_winning_votes_equals_margins_on_complete_ballots(
    data: tuple[int, list[Any], list[int]],
) -> None:
    m, orders, counts = data
    theirs = set(pv_margin.beat_path(their_profile(m, orders, counts)))
    assert ours(count("schulze", our_profile(m, orders, counts))) == theirs


@SETTINGS
@given(m=st.integers(2, 5), data=st.data())
def test_approval(m: int, data: st.DataObject) -> None:
    sets = data.draw(st.lists(st.sets(st.integers(0, m - 1), min_size=1), min_size=1, max_size=9))
    names = [f"c{i}" for i in range(m)]
    profile = ApprovalProfile.from_sets(names, [[names[c] for c in s] for s in sets])
    grades = pv_grades.GradeProfile(
        [dict.fromkeys(s, 1) for s in sets], [0, 1], candidates=list(range(m))
    )
    assert ours(count("approval", profile)) == set(pv_grade_methods.approval(grades))


@st.composite
def graded(draw: st.DrawFn) -> tuple[int, list[dict[int, int]]]:
    m = draw(st.integers(2, 4))
    ballots = draw(
        st.lists(
            st.fixed_dictionaries({c: st.integers(0, 5) for c in range(m)}),
            min_size=1,
            max_size=9,
        )
    )
    return m, ballots


def grade_profiles(m: int, ballots: list[dict[int, int]]) -> tuple[ScoreProfile, Any]:
    names = [f"c{i}" for i in range(m)]
    ours_ = ScoreProfile.from_scores(names, [{names[c]: s for c, s in b.items()} for b in ballots])
    theirs = pv_grades.GradeProfile(ballots, [0, 1, 2, 3, 4, 5], candidates=list(range(m)))
    return ours_, theirs


@SETTINGS
@given(data=graded())
def test_score(data: tuple[int, list[dict[int, int]]]) -> None:
    m, ballots = data
    mine, theirs = grade_profiles(m, ballots)
    assert ours(count("score", mine)) == set(pv_grade_methods.score_voting(theirs))


@SETTINGS
@given(data=graded())
def test_star_without_ties(data: tuple[int, list[dict[int, int]]]) -> None:
    # pref_voting breaks STAR ties by "parallel universes" (every runoff a tie
    # allows); we follow the official protocol. Compared where no tie arises.
    m, ballots = data
    mine, theirs = grade_profiles(m, ballots)
    outcome = count("star", mine)
    totals = sorted(outcome.rounds[0].tallies.values(), reverse=True)
    assume(len(totals) < 3 or totals[1] != totals[2])
    assume(totals[0] != totals[1] or len(totals) == 2)
    assume(len(outcome.rounds) == 2 and len(set(outcome.rounds[1].tallies.values())) == 2)
    assert ours(outcome) == set(pv_grade_methods.star(theirs))


@SETTINGS
@given(data=graded())
def test_majority_judgment_with_a_unique_best_median(
    data: tuple[int, list[dict[int, int]]],
) -> None:
    # pref_voting separates equal medians by the majority gauge (proponents vs
    # opponents), an approximation of the majority value we compute exactly.
    m, ballots = data
    mine, theirs = grade_profiles(m, ballots)
    outcome = count("majority-judgment", mine)
    medians = outcome.rounds[0].tallies
    best = max(medians.values())
    assume(sum(1 for v in medians.values() if v == best) == 1)
    assert ours(outcome) == set(pv_grade_methods.majority_judgement(theirs))
