"""Single-round methods and STAR: plurality, approval, score, STAR, majority judgment.

Every tally is a whole-array sum over the grouped profile, each distinct
ballot weighted by how many voters cast it (``np.add.at`` or an integer matrix
product on ``int64``, exact). The Borda family lives in ``borda.py``.

Ties: with ``tie_break=None`` a tie for a seat is reported in ``Outcome.tied``
and the seat stays empty; with a ``TieBreaker`` (or a rule written as text,
e.g. ``"permutation:A,B,C"``) it is broken and recorded in ``tie_breaks``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cmp_to_key
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ConfigError
from ..outcomes import Number, Outcome, Round
from ..profiles import ApprovalProfile, RankedProfile, ScoreProfile
from ..registry import method
from ..ties import TieBreaker, choose_top
from .rankings import (
    Ranking,
    bin_count,
    breaker_of,
    expect,
    finish,
    ranking_by,
    record_phrase,
    single_seat,
    standings,
    tie_phrase,
    weighted_sum,
)

# --- plurality ----------------------------------------------------------------


@method(
    "plurality",
    name="Plurality (first past the post)",
    ballot="choice",
    seats="any",
    aliases=("fptp", "first-past-the-post", "sntv"),
    properties=("anonymity", "neutrality", "monotonicity", "majority"),
    reference="Any textbook; e.g. Zwicker, 'Introduction to the Theory of Voting', "
    "Handbook of Computational Social Choice (2016), ch. 2.",
    options={},
)
def plurality(
    profile: RankedProfile, *, seats: int = 1, tie_break: TieBreaker | str | None = None
) -> Outcome:
    """Each ballot counts for its first choice; the options with the most votes win.

    A ranked ballot counts for its first preference; a ballot whose first rank
    is empty or overvoted counts for nobody. With several seats the top
    ``seats`` options win (single non-transferable vote).
    """
    expect(profile, (RankedProfile,), "plurality")
    m = len(profile.options)
    # A first rank cannot repeat an earlier one: only an empty or overvoted one fails.
    column = profile.ranks[:, 0] if profile.ranks.shape[1] else np.full(profile.n_distinct, -1)
    first = np.where(column >= 0, column, m)
    counts = bin_count(first, profile.weights, m + 1)
    tallies = {o: int(counts[i]) for i, o in enumerate(profile.options)}
    ranking = ranking_by(profile.options, tallies)
    note = f"First preferences: {standings(profile.options, tallies, 'votes')}."
    if counts[m]:
        note += f" {int(counts[m])} ballots count for nobody."
    return finish(
        "plurality",
        "1",
        profile.options,
        tallies,
        ranking,
        seats,
        breaker_of(tie_break),
        note=note,
        explanation=[note],
        details={"invalid": int(counts[m])},
    )


# --- approval -----------------------------------------------------------------


@method(
    "approval",
    name="Approval voting",
    ballot="approval",
    seats="any",
    aliases=("block-approval", "av"),
    properties=("anonymity", "neutrality", "monotonicity"),
    reference="Brams & Fishburn, 'Approval Voting', American Political Science Review 72 "
    "(1978) 831-847.",
    options={},
)
def approval(
    profile: ApprovalProfile, *, seats: int = 1, tie_break: TieBreaker | str | None = None
) -> Outcome:
    """Each voter approves any number of options; the most approved options win.

    With several seats the ``seats`` most approved options win (block approval;
    for proportional committees see ``pav``, ``phragmen`` and ``equal-shares``).
    """
    expect(profile, (ApprovalProfile,), "approval")
    counts = weighted_sum(profile.approved, profile.weights)
    tallies = {o: int(counts[i]) for i, o in enumerate(profile.options)}
    note = f"Approvals: {standings(profile.options, tallies, 'approvals')}."
    return finish(
        "approval",
        "1",
        profile.options,
        tallies,
        ranking_by(profile.options, tallies),
        seats,
        breaker_of(tie_break),
        unit="approvals",
        note=note,
        explanation=[note],
    )


# --- score --------------------------------------------------------------------


def _scores_checked(profile: ScoreProfile, method_id: str) -> npt.NDArray[np.int64]:
    """The score matrix with blanks at the lowest score; scores out of range are refused."""
    scores = profile.scores.astype(np.int64)
    given = scores >= 0
    if profile.min_score < 0:
        raise ConfigError(f"{method_id} needs scores from 0 up, not from {profile.min_score}.")
    bad = given & ((scores < profile.min_score) | (scores > profile.max_score))
    if bad.any():
        raise ConfigError(
            f"Some ballots give scores outside {profile.min_score}..{profile.max_score}.",
            hint="Check the score range of the ballot file (min_score, max_score).",
        )
    # A blank is the lowest score: leaving an option unscored cannot help it.
    return np.where(given, scores, profile.min_score)


@method(
    "score",
    name="Score (range) voting",
    ballot="score",
    seats="any",
    aliases=("range", "range-voting", "score-voting"),
    properties=("anonymity", "neutrality", "monotonicity"),
    reference="Smith, 'Range voting' (2000); Balinski & Laraki (2010) ch. 14.",
    options={},
)
def score(
    profile: ScoreProfile, *, seats: int = 1, tie_break: TieBreaker | str | None = None
) -> Outcome:
    """Each voter scores every option; the highest total score wins (a blank scores lowest)."""
    expect(profile, (ScoreProfile,), "score")
    totals = weighted_sum(_scores_checked(profile, "score"), profile.weights)
    tallies = {o: int(totals[i]) for i, o in enumerate(profile.options)}
    note = f"Total scores: {standings(profile.options, tallies, 'points')}."
    return finish(
        "score",
        "1",
        profile.options,
        tallies,
        ranking_by(profile.options, tallies),
        seats,
        breaker_of(tie_break),
        unit="points",
        note=note,
        explanation=[note],
    )


# --- STAR ---------------------------------------------------------------------


def _prefer(scores: npt.NDArray[np.int64], weights: npt.NDArray[np.int64], a: int, b: int) -> int:
    """How many voters score option ``a`` above option ``b``."""
    return int(weights @ (scores[:, a] > scores[:, b]))


def _refine(ranking: Ranking, key: Callable[[tuple[str, ...]], Mapping[str, Any]]) -> Ranking:
    """Split each tied group of a ranking by ``key`` (computed within the group), best first."""
    refined: list[tuple[str, ...]] = []
    for group in ranking:
        if len(group) == 1:
            refined.append(group)
            continue
        refined.extend(ranking_by(group, key(group)))
    return tuple(refined)


@method(
    "star",
    name="STAR voting (Score Then Automatic Runoff)",
    ballot="score",
    aliases=("star-voting",),
    properties=("anonymity", "neutrality"),
    reference="Equal Vote Coalition, 'STAR Voting Official Rules' and 'Official Tiebreaker "
    "Protocol' (starvoting.org/ties).",
    options={},
)
def star(
    profile: ScoreProfile, *, seats: int = 1, tie_break: TieBreaker | str | None = None
) -> Outcome:
    """Score, then an automatic runoff between the two highest totals, won by the preferred one.

    Ties follow the official protocol. For the two runoff places: among tied
    options, the one preferred head-to-head over more of the others advances;
    then the one with more top scores; then the tie-break rule. In the runoff:
    the higher total score; then more top scores; then the tie-break rule.
    """
    expect(profile, (ScoreProfile,), "star")
    single_seat(seats, "star")
    breaker = breaker_of(tie_break)
    options = profile.options
    index = {o: i for i, o in enumerate(options)}
    scores = _scores_checked(profile, "star")
    weights = profile.weights.astype(np.int64)
    totals = weighted_sum(scores, weights)
    tallies = {o: int(totals[i]) for i, o in enumerate(options)}
    top_counts = weighted_sum(scores == profile.max_score, weights)
    top = {o: int(top_counts[i]) for i, o in enumerate(options)}

    def head_to_head(group: tuple[str, ...]) -> dict[str, int]:
        return {
            a: sum(
                _prefer(scores, weights, index[a], index[b])
                > _prefer(scores, weights, index[b], index[a])
                for b in group
                if b != a
            )
            for a in group
        }

    by_score = ranking_by(options, tallies)
    ranking = _refine(_refine(by_score, head_to_head), lambda g: {o: top[o] for o in g})
    note = f"Scoring round: {standings(options, tallies, 'points')}."
    lines = [note]
    scoring_round = Round(number=1, tallies=dict(tallies), note=note)
    if len(ranking) != len(by_score):
        lines.append(
            "Ties in the scoring round were narrowed by head-to-head preference and "
            "then by the number of top scores, as the official protocol says."
        )
    finalists, tied, records = choose_top(ranking, 2, breaker, round=1, purpose="runoff")
    lines.extend(record_phrase(r) for r in records)
    details: dict[str, Any] = {"top_scores": top}
    if tied:
        lines.append(tie_phrase(tied))
        return Outcome(
            "star",
            "1",
            (),
            [scoring_round],
            tied=tied,
            tie_breaks=records,
            explanation=lines,
            details=details,
        )
    if len(finalists) < 2:
        return finish(
            "star",
            "1",
            options,
            tallies,
            ranking,
            1,
            breaker,
            rounds=[scoring_round],
            explanation=lines,
            details=details,
            records=records,
        )
    a, b = finalists
    a_over_b = _prefer(scores, weights, index[a], index[b])
    b_over_a = _prefer(scores, weights, index[b], index[a])
    neither = int(weights.sum()) - a_over_b - b_over_a
    runoff_note = (
        f"Automatic runoff between {a} and {b}: {a_over_b} prefer {a}, "
        f"{b_over_a} prefer {b}, {neither} have no preference."
    )
    lines.append(runoff_note)
    runoff = Round(
        number=2, tallies={a: a_over_b, b: b_over_a}, exhausted=neither, note=runoff_note
    )
    details["runoff"] = {a: a_over_b, b: b_over_a, "no preference": neither}
    runoff_ranking = _refine(
        _refine(ranking_by((a, b), {a: a_over_b, b: b_over_a}), lambda g: tallies),
        lambda g: top,
    )
    if len(runoff_ranking[0]) == 1 and a_over_b == b_over_a:
        lines.append(
            "The runoff is tied; the official protocol decides it by the higher total "
            "score, then by more top scores."
        )
    runoff_tallies: dict[str, Number] = {a: a_over_b, b: b_over_a}
    return finish(
        "star",
        "1",
        (a, b),
        runoff_tallies,
        runoff_ranking,
        1,
        breaker,
        unit="preferences",
        rounds=[scoring_round, runoff],
        explanation=lines,
        details=details,
        records=records,
    )


# --- majority judgment --------------------------------------------------------


def _grade_histograms(profile: ScoreProfile) -> npt.NDArray[np.int64]:
    """``h[c, g]``: how many voters gave option ``c`` grade ``g`` (a blank is the worst grade)."""
    grades = _scores_checked(profile, "majority-judgment") - profile.min_score
    levels = profile.max_score - profile.min_score + 1
    m = len(profile.options)
    keys = np.arange(m, dtype=np.int64)[None, :] * levels + grades
    weights = np.broadcast_to(profile.weights.astype(np.int64)[:, None], keys.shape)
    return bin_count(keys, weights, m * levels).reshape(m, levels)


def _median_order(n: int) -> npt.NDArray[np.intp]:
    """Positions (in ascending order of grades) of the successive lower medians.

    Removing the lower median again and again from n sorted grades takes them
    from the middle outwards: for odd n mid, mid-1, mid+1, ...; for even n
    mid, mid+1, mid-1, ... (Balinski & Laraki's majority value).
    """
    j = np.arange(n)
    mid = (n + 1) // 2 - 1
    step = (j + 1) // 2
    sign = np.where(j % 2 == 1, -1, 1) if n % 2 == 1 else np.where(j % 2 == 1, 1, -1)
    return np.asarray(mid + sign * step, dtype=np.intp)


@method(
    "majority-judgment",
    name="Majority judgment",
    ballot="grades",
    aliases=("mj", "majority-judgement"),
    properties=("anonymity", "neutrality", "monotonicity"),
    reference="Balinski & Laraki, 'Majority Judgment: Measuring, Ranking, and Electing' "
    "(MIT Press, 2010).",
    options={},
)
def majority_judgment(
    profile: ScoreProfile, *, seats: int = 1, tie_break: TieBreaker | str | None = None
) -> Outcome:
    """Voters grade every option; the best median grade wins.

    The median is the lower median. Options with the same median are separated
    by removing one median grade from each and comparing again, until they
    differ (the majority value). A blank counts as the worst grade.
    """
    expect(profile, (ScoreProfile,), "majority-judgment")
    single_seat(seats, "majority-judgment")
    options = profile.options
    hist = _grade_histograms(profile)
    n = int(profile.weights.sum())
    scale = profile.scale

    def grade_name(g: int) -> str:
        return scale[g] if scale else str(g + profile.min_score)

    if n == 0:
        medians = dict.fromkeys(options, 0)
    else:
        below = np.cumsum(hist, axis=1)
        median_index = np.argmax(below >= (n + 1) // 2, axis=1)
        medians = {o: int(median_index[i]) for i, o in enumerate(options)}
    order = _median_order(n)
    idx = {o: i for i, o in enumerate(options)}
    levels = hist.shape[1]

    def majority_value(o: str) -> npt.NDArray[np.intp]:
        return np.repeat(np.arange(levels), hist[idx[o]])[order]

    def compare(a: str, b: str) -> int:
        va, vb = majority_value(a), majority_value(b)
        differ = np.flatnonzero(va != vb)
        if differ.size == 0:
            return 0
        first = differ[0]
        return -1 if va[first] > vb[first] else 1

    ranking_groups: list[tuple[str, ...]] = []
    for group in ranking_by(options, medians):
        ordered = sorted(group, key=cmp_to_key(compare))
        current = [ordered[0]]
        for o in ordered[1:]:
            if compare(current[-1], o) == 0:
                current.append(o)
            else:
                ranking_groups.append(tuple(current))
                current = [o]
        ranking_groups.append(tuple(current))
    ranking = tuple(ranking_groups)
    shown = {o: grade_name(medians[o]) for o in options}
    note = "Median grades: " + "; ".join(f"{o} {shown[o]}" for o in options) + "."
    lines = [note]
    if any(len(g) > 1 for g in ranking_by(options, medians)[:1]):
        lines.append(
            "Options sharing the best median were separated by removing median "
            "grades one at a time (the majority value)."
        )
    tallies: dict[str, Number] = {o: medians[o] for o in options}
    histogram = {o: {grade_name(g): int(hist[idx[o], g]) for g in range(levels)} for o in options}
    outcome = finish(
        "majority-judgment",
        "1",
        options,
        {},
        ranking,
        1,
        breaker_of(tie_break),
        note=note,
        explanation=lines,
        details={"median": shown, "grades": histogram},
    )
    outcome.rounds[0].tallies = tallies
    outcome.rounds[0].extra = {"median": shown}
    return outcome
