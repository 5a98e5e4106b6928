"""Approval-based committees: PAV, sequential PAV, sequential Phragmén, Equal Shares, SAV.

Every method takes an ``ApprovalProfile`` (grouped approval ballots) and elects
``seats`` candidates; ``winners`` are in the order they were elected (for the
optimal PAV committee, in candidate order).

Exactness: seq-PAV and PAV compare integer scores scaled by ``lcm(1..seats)``;
seq-Phragmén computes every load in floats over whole arrays only to find the
candidates within 1e-9 of the least, then decides among those with exact
``Fraction`` loads (every voter's load is the load of the round that last
charged them, or their starting load, so a sum of loads is integer counts
times a few Fractions); Equal Shares uses the exact engine of ``equal_shares.py``.

Ties are never broken silently: an exact tie goes to ``tie_break`` (the default
stops and asks); ``Permutation(options)`` takes the earliest candidate in the
ballot order, as abcvoting does.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ConfigError
from ..outcomes import Outcome, Round, TieBreakRecord
from ..profiles import ApprovalProfile
from ..registry import method
from ..ties import Permutation, TieBreaker, break_tie
from .equal_shares import EqualShares

VERSION = "1"
PAV_SEARCH_LIMIT = 2_000_000  # committees the exact PAV search may score
TALLIED = 12  # candidates shown in a round's tallies (the best ones)


def _check(profile: Any, seats: int) -> ApprovalProfile:
    if not isinstance(profile, ApprovalProfile):
        raise ConfigError(
            f"committee methods count an ApprovalProfile, not {type(profile).__name__}.",
            hint="Give approval ballots (each voter lists the candidates they approve).",
        )
    if seats > len(profile.options):
        raise ConfigError(
            f"{seats} seats but only {len(profile.options)} candidates.",
            hint="Lower the number of seats or add candidates.",
        )
    return profile


def _choose(
    tied: Sequence[int],
    options: Sequence[str],
    tie_break: TieBreaker | None,
    round_number: int,
    records: list[TieBreakRecord],
) -> int:
    """One of ``tied`` (candidate indices); the break is recorded."""
    if len(tied) == 1:
        return tied[0]
    names = [options[c] for c in tied]
    record = break_tie(tie_break, names, 1, purpose="election", round=round_number)
    records.append(record)
    return tied[names.index(record.chosen[0])]


# -- Thiele methods: PAV, seq-PAV, SAV ---------------------------------------------------


def _harmonic_scaled(seats: int) -> tuple[int, list[int]]:
    """``L = lcm(1..seats)`` and ``L × H(j)`` for j = 0..seats (Thiele's PAV weights)."""
    scale = math.lcm(*range(1, seats + 1)) if seats else 1
    table = [0]
    for j in range(1, seats + 1):
        table.append(table[-1] + scale // j)
    return scale, table


@method(
    "seq-pav",
    name="Sequential proportional approval voting",
    ballot="approval",
    seats="multi",
    aliases=("seqpav", "sequential-pav", "rav", "reweighted-approval"),
    properties=("anonymous", "neutral", "proportional"),
    reference="Thiele 1895; Lackner & Skowron, Multi-Winner Voting with Approval "
    "Preferences (2023), section 2.4 (abcvoting 'seqpav').",
    version=VERSION,
)
def seq_pav(
    profile: ApprovalProfile, *, seats: int = 1, tie_break: TieBreaker | None = None, **options: Any
) -> Outcome:
    """Elect, seat by seat, the candidate who adds most to the PAV score.

    A voter with ``j`` approved candidates already elected adds ``1 / (j + 1)`` to a
    candidate they approve (Thiele's harmonic weights).
    """
    profile = _check(profile, seats)
    _no_options("seq-pav", options)
    scale, _ = _harmonic_scaled(seats)
    approved = profile.approved
    weights = profile.weights
    level = np.zeros(approved.shape[0], dtype=np.int64)  # elected candidates each approves
    # by_level[j, c]: voters with j elected approved who approve c (exact integers).
    by_level = np.zeros((seats + 1, len(profile.options)), dtype=np.int64)
    # Column sums as float64 products (BLAS; numpy has no fast integer matmul): exact
    # while the whole electorate stays below 2**53; past that, integer products.
    exact_float = profile.n_voters < 2**53
    matrix: Any = approved.astype(np.float64 if exact_float else np.int64)
    weighted: Any = weights.astype(matrix.dtype)
    by_level[0] = (weighted @ matrix).astype(np.int64)
    elected: list[int] = []
    rounds: list[Round] = []
    records: list[TieBreakRecord] = []
    factors = [scale // (j + 1) for j in range(seats + 1)]
    # Exact in int64 while scale × voters stays below 2**62; Python integers beyond.
    dtype: Any = np.int64 if scale * max(1, profile.n_voters) < 2**62 else object
    factor_row = np.array(factors, dtype=dtype)
    for number in range(1, seats + 1):
        gains = (factor_row[:number] @ by_level[:number].astype(dtype)).tolist()
        open_ = [c for c in range(len(profile.options)) if c not in elected]
        best = max(gains[c] for c in open_)
        winner = _choose(
            [c for c in open_ if gains[c] == best], profile.options, tie_break, number, records
        )
        elected.append(winner)
        top = sorted(open_, key=lambda c: -gains[c])[:TALLIED]
        rounds.append(
            Round(
                number=number,
                tallies={profile.options[c]: Fraction(gains[c], scale) for c in top},
                elected=[profile.options[winner]],
                note=f"{profile.options[winner]} adds {Fraction(best, scale)} to the PAV score.",
            )
        )
        rows = np.flatnonzero(approved[:, winner])
        for j in np.unique(level[rows]).tolist():
            moving = rows[level[rows] == j]
            delta = (weighted[moving] @ matrix[moving]).astype(np.int64)
            by_level[j] -= delta
            by_level[j + 1] += delta
        level[rows] += 1
    return Outcome(
        method="seq-pav",
        version=VERSION,
        winners=tuple(profile.options[c] for c in elected),
        rounds=rounds,
        tie_breaks=records,
        explanation=[
            f"{seats} seats filled one by one, each by the candidate adding most to "
            "the PAV score (1 + 1/2 + ... + 1/j for a voter with j approved winners)."
        ],
    )


@method(
    "pav",
    name="Proportional approval voting (optimal committee)",
    ballot="approval",
    seats="multi",
    aliases=("proportional-approval-voting", "pav-optimal"),
    properties=("anonymous", "neutral", "proportional", "EJR"),
    reference="Thiele 1895; Aziz et al., Justified representation in approval-based committee "
    "voting (2017): PAV satisfies EJR.",
    version=VERSION,
    options={"limit": f"most committees the exact search may score (default {PAV_SEARCH_LIMIT})"},
)
def pav(
    profile: ApprovalProfile,
    *,
    seats: int = 1,
    tie_break: TieBreaker | None = None,
    limit: int = PAV_SEARCH_LIMIT,
    **options: Any,
) -> Outcome:
    """Elect the committee with the highest PAV score, found by exact exhaustive search.

    A voter with ``j`` approved candidates elected contributes ``1 + 1/2 + ... + 1/j``.
    Optimal PAV is NP-hard; the search scores every committee (whole arrays, exact
    integers) and refuses instances with more than ``limit`` committees (use seq-pav).
    """
    profile = _check(profile, seats)
    _no_options("pav", options)
    n_options = len(profile.options)
    total = math.comb(n_options, seats)
    if total > limit:
        raise ConfigError(
            f"Optimal PAV would have to score {total} committees (limit {limit}).",
            hint="Use seq-pav (sequential PAV), or pass a larger limit.",
        )
    scale, table = _harmonic_scaled(seats)
    harmonic = np.array(table, dtype=np.int64)
    approved = profile.approved.astype(np.int8)
    weights = profile.weights
    chunk = max(1, 2_000_000 // max(1, approved.shape[0]))
    best_score = -1
    best: list[tuple[int, ...]] = []
    combos = itertools.combinations(range(n_options), seats)
    while True:
        block = list(itertools.islice(combos, chunk))
        if not block:
            break
        index = np.array(block, dtype=np.intp)
        counts = approved[:, index].sum(axis=2)  # voters × committees
        scores = weights @ harmonic[counts]
        top = int(scores.max())
        if top > best_score:
            best_score, best = top, []
        if top == best_score:
            best.extend(block[i] for i in np.flatnonzero(scores == top).tolist())
    records: list[TieBreakRecord] = []
    committee = best[0]
    if len(best) > 1:
        labels = ["+".join(profile.options[c] for c in b) for b in best]
        if isinstance(tie_break, Permutation):
            position = {name: i for i, name in enumerate(tie_break.order)}
            ranked = sorted(
                range(len(best)),
                key=lambda i: [
                    position.get(profile.options[c], n_options)
                    for c in sorted(
                        best[i], key=lambda c: position.get(profile.options[c], n_options)
                    )
                ],
            )
            committee = best[ranked[0]]
            records.append(
                TieBreakRecord(
                    round=1,
                    purpose="committee",
                    tied=tuple(labels),
                    chosen=(labels[ranked[0]],),
                    rule=tie_break.name,
                    explanation="The committee first in lexicographic order of the fixed order.",
                )
            )
        else:
            record = break_tie(tie_break, labels, 1, purpose="committee", round=1)
            records.append(record)
            committee = best[labels.index(record.chosen[0])]
    return Outcome(
        method="pav",
        version=VERSION,
        winners=tuple(profile.options[c] for c in committee),
        rounds=[
            Round(
                number=1,
                elected=[profile.options[c] for c in committee],
                tallies={"PAV score": Fraction(best_score, scale)},
                note=f"Best of {total} committees; {len(best)} reach the top score.",
            )
        ],
        tie_breaks=records,
        explanation=[
            f"Scored all {total} committees of {seats}; the best PAV score is "
            f"{Fraction(best_score, scale)}."
        ],
        details={"committees_scored": total, "optimal_committees": len(best)},
    )


@method(
    "sav",
    name="Satisfaction approval voting",
    ballot="approval",
    seats="multi",
    aliases=("satisfaction-approval-voting",),
    properties=("anonymous", "neutral"),
    reference="Brams & Kilgour, Satisfaction approval voting (2014) (abcvoting 'sav').",
    version=VERSION,
)
def sav(
    profile: ApprovalProfile, *, seats: int = 1, tie_break: TieBreaker | None = None, **options: Any
) -> Outcome:
    """Elect the ``seats`` candidates with the highest scores, a voter approving ``m``
    candidates giving ``1/m`` to each."""
    profile = _check(profile, seats)
    _no_options("sav", options)
    lengths = profile.approved.sum(axis=1)
    scale = math.lcm(*{int(x) for x in lengths.tolist() if x > 0} or {1})
    scores = [0] * len(profile.options)
    for m in {int(x) for x in lengths.tolist() if x > 0}:
        rows = lengths == m
        part = profile.weights[rows] @ profile.approved[rows].astype(np.int64)
        for c, value in enumerate(part.tolist()):
            scores[c] += value * (scale // m)
    order = sorted(range(len(profile.options)), key=lambda c: -scores[c])
    elected = order[:seats]
    records: list[TieBreakRecord] = []
    cut = scores[elected[-1]] if elected else 0
    level = [c for c in order if scores[c] == cut]
    if seats and len(level) > sum(1 for c in elected if scores[c] == cut):
        keep = [c for c in elected if scores[c] > cut]
        need = seats - len(keep)
        names = [profile.options[c] for c in level]
        record = break_tie(tie_break, names, need, purpose="election", round=1)
        records.append(record)
        elected = keep + [c for c in level if profile.options[c] in record.chosen]
    return Outcome(
        method="sav",
        version=VERSION,
        winners=tuple(profile.options[c] for c in elected),
        rounds=[
            Round(
                number=1,
                tallies={profile.options[c]: Fraction(scores[c], scale) for c in order},
                elected=[profile.options[c] for c in elected],
            )
        ],
        tie_breaks=records,
        explanation=["Each voter gives 1/m to each of the m candidates they approve."],
    )


# -- Phragmén ------------------------------------------------------------------------------


class _Loads:
    """Voters' loads for sequential Phragmén, exact and in floats.

    A group's load is the load of the round that last charged it, or its starting
    load; ``start_sum(groups)`` gives the exact weighted sum of starting loads.
    """

    def __init__(
        self,
        n_groups: int,
        start: npt.NDArray[np.float64],
        start_sum: Callable[[npt.NDArray[np.intp]], Fraction],
    ) -> None:
        self.float = start.astype(np.float64).copy()
        self.last = np.full(n_groups, -1, dtype=np.int64)
        self.values: list[Fraction] = []
        self.start_sum = start_sum

    def exact_sum(self, groups: npt.NDArray[np.intp], weights: npt.NDArray[np.int64]) -> Fraction:
        last = self.last[groups]
        fresh = last < 0
        total = self.start_sum(groups[fresh]) if fresh.any() else Fraction(0)
        if self.values:
            counts = np.bincount(
                last[~fresh], weights=weights[~fresh].astype(np.float64), minlength=len(self.values)
            )
            for value, count in zip(self.values, counts.tolist(), strict=True):
                if count:
                    total += value * int(count)
        return total


def _phragmen(
    profile: ApprovalProfile,
    seats: int,
    tie_break: TieBreaker | None,
    elected: list[int],
    loads: _Loads,
    unit: int,
    rounds: list[Round],
    records: list[TieBreakRecord],
) -> None:
    """Fill ``elected`` up to ``seats`` by sequential Phragmén (Brill et al. 2017).

    Electing ``c`` spreads ``unit`` of load over its supporters so that they all end
    with the same load ``(unit + Σ loads) / Σ weights``; the least such load wins.
    Candidates nobody approves come last (abcvoting gives them ``seats + 1``).
    """
    approved_f = profile.approved.astype(np.float64)
    weights = profile.weights
    support = weights @ profile.approved.astype(np.int64)
    columns = np.ascontiguousarray(profile.approved.T)
    supporters = [np.flatnonzero(columns[c]) for c in range(len(profile.options))]
    w_f = weights.astype(np.float64)
    while len(elected) < seats:
        number = len(rounds) + 1
        sums = (w_f * loads.float) @ approved_f
        with np.errstate(divide="ignore", invalid="ignore"):
            new = np.where(support > 0, (unit + sums) / np.maximum(support, 1), np.inf)
        new[elected] = np.nan
        open_ = [c for c in range(len(profile.options)) if c not in elected]
        finite = [c for c in open_ if np.isfinite(new[c])]
        if not finite:
            winner = _choose(open_, profile.options, tie_break, number, records)
            elected.append(winner)
            rounds.append(
                Round(
                    number=number,
                    elected=[profile.options[winner]],
                    note=f"{profile.options[winner]} elected: nobody approves the "
                    "remaining candidates.",
                )
            )
            continue
        least = min(float(new[c]) for c in finite)
        tol = 1e-9 * (abs(least) + unit / max(1, int(weights.sum())))
        near = [c for c in finite if float(new[c]) <= least + tol]
        exact = {
            c: (unit + loads.exact_sum(supporters[c], weights[supporters[c]])) / int(support[c])
            for c in near
        }
        lowest = min(exact.values())
        winner = _choose(
            [c for c in near if exact[c] == lowest], profile.options, tie_break, number, records
        )
        elected.append(winner)
        groups = supporters[winner]
        loads.float[groups] = float(lowest)
        loads.last[groups] = len(loads.values)
        loads.values.append(lowest)
        rounds.append(
            Round(
                number=number,
                tallies={profile.options[c]: exact[c] / unit for c in near},
                elected=[profile.options[winner]],
                note=f"{profile.options[winner]} elected; its {int(support[winner])} supporters "
                f"now carry a load of {lowest / unit} each.",
            )
        )


@method(
    "seq-phragmen",
    name="Sequential Phragmén",
    ballot="approval",
    seats="multi",
    aliases=("phragmen", "seqphragmen", "sequential-phragmen"),
    properties=("anonymous", "neutral", "proportional", "PJR", "committee-monotone"),
    reference="Phragmén 1894; Brill, Freeman, Janson & Lackner, Phragmén's voting methods "
    "and justified representation (AAAI 2017) (abcvoting 'seqphragmen').",
    version=VERSION,
)
def seq_phragmen(
    profile: ApprovalProfile, *, seats: int = 1, tie_break: TieBreaker | None = None, **options: Any
) -> Outcome:
    """Elect, seat by seat, the candidate whose supporters end with the least load.

    Each seat is a unit of load shared by its supporters so that they all carry the
    same total load; the candidate minimizing that load is elected.
    """
    profile = _check(profile, seats)
    _no_options("seq-phragmen", options)
    n_groups = profile.approved.shape[0]
    loads = _Loads(n_groups, np.zeros(n_groups), lambda groups: Fraction(0))
    elected: list[int] = []
    rounds: list[Round] = []
    records: list[TieBreakRecord] = []
    _phragmen(profile, seats, tie_break, elected, loads, 1, rounds, records)
    return Outcome(
        method="seq-phragmen",
        version=VERSION,
        winners=tuple(profile.options[c] for c in elected),
        rounds=rounds,
        tie_breaks=records,
        explanation=[
            "Each seat puts one unit of load on its supporters, spread so they all "
            "end level; each round elects the candidate with the least such load."
        ],
    )


# -- Method of Equal Shares ---------------------------------------------------------------

COMMITTEE_COMPLETIONS = ("seq-phragmen", "av", "none")


@method(
    "equal-shares",
    name="Method of Equal Shares (committees)",
    ballot="approval",
    seats="multi",
    aliases=("mes-committee", "rule-x", "equal-shares-committee"),
    properties=("anonymous", "neutral", "proportional", "EJR"),
    reference="Peters & Skowron, Proportionality and the limits of welfarism (EC 2020) "
    "(abcvoting 'equal-shares', with seq-Phragmén completion).",
    version=VERSION,
    options={
        "completion": "'seq-phragmen' (default, as abcvoting: remaining seats by "
        "Phragmén starting from the money left), 'av' (by approval score) or 'none'"
    },
)
def equal_shares(
    profile: ApprovalProfile,
    *,
    seats: int = 1,
    tie_break: TieBreaker | None = None,
    completion: str = "seq-phragmen",
    **options: Any,
) -> Outcome:
    """Every voter gets ``seats / n`` of a budget in which a seat costs 1; each round elects
    the candidate its supporters can buy at the lowest maximal payment per voter.

    When no candidate can be bought any more, the remaining seats are filled by the
    completion (seq-Phragmén by default, whose starting loads are the money left).
    """
    profile = _check(profile, seats)
    _no_options("equal-shares", options)
    if completion not in COMMITTEE_COMPLETIONS:
        raise ConfigError(
            f"equal-shares has no completion {completion!r}.",
            hint=f"Use one of {', '.join(COMMITTEE_COMPLETIONS)}.",
        )
    n = profile.n_voters
    n_options = len(profile.options)
    # Scaled by n: each voter has ``seats``, a seat costs ``n`` (abcvoting: seats/n and 1).
    engine = EqualShares(
        profile.approved,
        profile.weights,
        np.full(n_options, n, dtype=np.int64),
        np.ones(n_options, np.int64),
        profile.options,
        tie_break=tie_break,
    )
    share = Fraction(seats)
    run = engine.run(share)
    elected = list(run.winners)[:seats]
    rounds = [
        Round(
            number=i,
            tallies={profile.options[c]: q / n},
            elected=[profile.options[c]],
            note=f"{profile.options[c]} bought by {paid} voters paying at most {q / n} "
            f"each ({gone} paid all they had left).",
            extra={"max_payment": q / n, "paid_by": paid, "exhausted": gone},
        )
        for i, (c, q, paid, gone) in enumerate(
            zip(run.winners, run.payments, run.paid_by, run.exhausted, strict=True), start=1
        )
    ]
    records = list(run.tie_breaks)
    bought = len(elected)
    if len(elected) < seats and completion == "seq-phragmen":
        assert run.money is not None
        loads = _Loads(
            profile.approved.shape[0],
            -run.money,
            lambda groups: -engine.remaining_money(run, groups),
        )
        _phragmen(profile, seats, tie_break, elected, loads, n, rounds, records)
    elif len(elected) < seats and completion == "av":
        score = profile.weights @ profile.approved.astype(np.int64)
        while len(elected) < seats:
            open_ = [c for c in range(n_options) if c not in elected]
            top = max(int(score[c]) for c in open_)
            winner = _choose(
                [c for c in open_ if score[c] == top],
                profile.options,
                tie_break,
                len(rounds) + 1,
                records,
            )
            elected.append(winner)
            rounds.append(
                Round(
                    number=len(rounds) + 1,
                    elected=[profile.options[winner]],
                    tallies={profile.options[winner]: top},
                    note="Approval-voting completion.",
                )
            )
    explanation = [
        f"Each voter controls {Fraction(seats, n)} of {seats} seats; "
        f"{bought} seats were bought by equal shares."
    ]
    if bought < len(elected):
        explanation.append(f"{len(elected) - bought} seats filled by {completion} completion.")
    return Outcome(
        method="equal-shares",
        version=VERSION,
        winners=tuple(profile.options[c] for c in elected),
        rounds=rounds,
        tie_breaks=records,
        explanation=explanation,
        details={"bought": bought, "completion": completion},
    )


def _no_options(method_id: str, options: dict[str, Any]) -> None:
    if options:
        raise ConfigError(
            f"{method_id} has no option {sorted(options)[0]!r}.",
            hint="See communard count --list-methods.",
        )
