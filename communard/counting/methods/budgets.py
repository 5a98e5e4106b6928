"""Participatory budgeting: greedy rules and the Method of Equal Shares (MES).

Every method takes a ``BudgetProfile`` and returns an ``Outcome`` whose
``winners`` are the selected project ids in selection order.

MES (Peters & Skowron 2020, "Proportionality and the limits of welfarism";
Peters, Pierczyński & Skowron 2021, "Proportional participatory budgeting with
additive utilities") gives every voter an equal share ``budget / n`` and funds,
round by round, the project whose supporters can pay for it with the lowest
price per unit of utility ``rho``; supporters pay ``rho × utility`` each, or all
they have left. Utilities are the project's cost (``utility="cost"``, what the
cities using MES use) or 1 (``utility="cardinality"``).

Exactness. Decisions are exact, computations are fast: every voter group's
remaining money is ``share - Σ payments of the projects it approved`` or 0 once
it has paid everything, so the money of any set of groups is
``share × (their weight) - Σ_j payment_j × (their weight approving j)``: integer
counts (numpy, exact) times the exact ``Fraction`` payments of the winners so
far. Floats (float64) only propose: each round computes every project's
maximal payment in floats over whole arrays, then the best projects within a
tolerance of 1e-9 × share are recomputed exactly with Fractions (groups whose
float money lies within that tolerance of the payment are resolved exactly),
and the exact values decide. Float rounding over a count is below 1e-12 × share,
so the tolerance cannot exclude the true winner.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ConfigError
from ..kernels import compiled
from ..outcomes import Outcome, Round, TieBreakRecord
from ..profiles import BudgetProfile
from ..registry import method
from ..ties import TieBreaker, break_tie

VERSION = "1"
TOLERANCE = 1e-9
MIN_SLOPE = 1e-9


@compiled
def _price(groups: Any, w: Any, money: Any, slope: Any, cost: float, weight: float) -> Any:
    """Float money of a project's supporters, its maximal payment and that payment's slope.

    The payment ``q`` solves ``Σ w · min(money, q) = cost``: start with nobody capped
    (``q = cost / weight``) and cap, pass after pass, everyone with less than ``q`` (``q``
    only grows) until the set of capped voters stops growing; the first pass also sums
    the money. Returns (total money, q, d q / d share).
    """
    q = cost / weight
    total = 0.0
    previous = 0
    first = True
    while True:
        capped_money = 0.0
        rich = 0.0
        capped = 0
        capped_slope = 0.0
        for k in range(groups.size):
            u = money[groups[k]]
            if first:
                total += w[k] * u
            if u < q:
                capped_money += w[k] * u
                capped_slope += w[k] * slope[groups[k]]
                capped += 1
            else:
                rich += w[k]
        if first and total < cost:
            return total, np.inf, 0.0
        first = False
        if rich == 0.0:
            return total, np.inf, 0.0
        if capped == previous:
            return total, q, -capped_slope / rich
        q = (cost - capped_money) / rich
        previous = capped


@compiled
def _split(groups: Any, w: Any, money: Any, live: Any, pay: float, tol: float, capped: Any) -> Any:
    """Mark the supporters who pay all they have (money clearly below ``pay``).

    Returns how many are within ``tol`` of ``pay`` (to be resolved exactly) and the
    weight of the live supporters who pay ``pay`` itself.
    """
    unsure = 0
    rich = 0
    for k in range(groups.size):
        u = money[groups[k]]
        capped[k] = u < pay - tol
        if not capped[k] and u <= pay + tol:
            unsure += 1
        if not capped[k] and live[groups[k]]:
            rich += w[k]
    return unsure, rich


@compiled
def _pay(
    groups: Any,
    w: Any,
    capped: Any,
    live: Any,
    money: Any,
    slope: Any,
    spent_at: Any,
    paid: Any,
    r: int,
    pay: float,
    q_slope: float,
    tol: float,
) -> Any:
    """Charge the winner's supporters (all they have, or ``pay``) in one pass.

    Returns the weight paying, the weight that paid all it had, and for the add-one
    search the least share increase at which someone would switch between the two
    (``inf`` if none can; ``-1`` if someone is within ``tol`` of switching now).
    """
    paying = 0
    gone = 0
    reach = np.inf
    for k in range(groups.size):
        g = groups[k]
        paid[g] = True
        if not live[g]:
            continue
        paying += w[k]
        if capped[k]:
            margin = pay - money[g]
            dm = q_slope - slope[g]
            money[g] = 0.0
            slope[g] = 0.0
            live[g] = False
            spent_at[g] = r
            gone += w[k]
        else:
            margin = money[g] - pay
            dm = slope[g] - q_slope
            money[g] -= pay
            slope[g] -= q_slope
        if margin <= tol:
            reach = -1.0
        elif reach >= 0.0:
            reach = min(reach, margin / max(-dm, MIN_SLOPE))
    return paying, gone, reach


@compiled
def _column_totals(approved: Any, weights: Any) -> Any:
    """Weighted approvals per column of a groups × projects 0/1 matrix (one pass, exact)."""
    totals = np.zeros(approved.shape[1], dtype=np.int64)
    for g in range(approved.shape[0]):
        w = weights[g]
        for p in range(approved.shape[1]):
            if approved[g, p]:
                totals[p] += w
    return totals


@compiled
def _columns(approved: Any) -> Any:
    """The groups approving each project, as one index array cut at ``starts``."""
    n_groups, n_projects = approved.shape
    counts = np.zeros(n_projects + 1, dtype=np.int64)
    for g in range(n_groups):
        for p in range(n_projects):
            if approved[g, p]:
                counts[p + 1] += 1
    starts = np.cumsum(counts)
    fill = starts[:-1].copy()
    index = np.empty(starts[-1], dtype=np.int64)
    for g in range(n_groups):
        for p in range(n_projects):
            if approved[g, p]:
                index[fill[p]] = g
                fill[p] += 1
    return starts, index


def column_totals(
    approved: npt.NDArray[np.bool_], weights: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Voters approving each option (weighted column sums of a grouped approval matrix)."""
    matrix = np.ascontiguousarray(approved).view(np.uint8)
    return np.asarray(_column_totals(matrix, weights.astype(np.int64)), dtype=np.int64)


@dataclass
class _Ledger:
    """The exact state of a run: who paid for which winner, at what price, who is spent.

    A round decided by floats alone (no supporter's money near the payment, no rival
    near the price) records its payment as pending — its cost, the supporters who paid
    all they had and the weight of those who paid the payment — and the exact payment
    is computed only when needed (``settle``): most add-one runs are never settled.
    """

    share: Fraction
    paid: npt.NDArray[np.bool_]  # rounds × groups: group supported round j's winner
    live: npt.NDArray[np.bool_]  # groups with money left
    spent_at: npt.NDArray[np.int64]  # round in which a group paid all it had left
    weights: npt.NDArray[np.int64]
    payments: list[Fraction | None] = field(default_factory=list)
    pending: dict[int, tuple[int, npt.NDArray[np.intp], int, float]] = field(default_factory=dict)

    def settle(self) -> None:
        """Compute every pending payment exactly, in round order."""
        for r in sorted(self.pending):
            cost, poor, rich_weight, estimate = self.pending.pop(r)
            poor = poor[self.spent_at[poor] >= r]
            w = self.weights[poor]
            money = self.share * int(w.sum())
            if r and poor.size:
                counts = self.paid[:r][:, poor].astype(np.float64) @ w.astype(np.float64)
                for payment, count in zip(self.payments[:r], counts.tolist(), strict=True):
                    if count:
                        assert payment is not None
                        money -= payment * int(count)
            exact = (cost - money) / rich_weight
            if abs(float(exact) - estimate) > TOLERANCE * float(self.share):
                raise _FloatDrift
            self.payments[r] = exact


class _FloatDrift(Exception):
    """Float money drifted beyond the tolerance; the run is redone deciding exactly."""


@dataclass
class EqualSharesRun:
    """What one run of the Method of Equal Shares did, round by round."""

    winners: list[int] = field(default_factory=list)
    payments: list[Fraction] = field(default_factory=list)  # max payment per supporter
    rhos: list[Fraction] = field(default_factory=list)  # price per unit of utility
    paid_by: list[int] = field(default_factory=list)  # voters paying
    exhausted: list[int] = field(default_factory=list)  # voters who paid all they had left
    tie_breaks: list[TieBreakRecord] = field(default_factory=list)
    stable_until: float = math.inf  # the run is unchanged for shares below this (add-one)
    live: npt.NDArray[np.bool_] | None = None
    money: npt.NDArray[np.float64] | None = None  # float money left per group (estimate)
    ledger: _Ledger | None = None
    share: Fraction = Fraction(0)
    # For resuming at a larger share: each step's (winners so far, pool, price bounds) at
    # its start and the share up to which its decisions hold; each round's payers.
    steps: list[tuple[int, list[int], dict[int, tuple[float, float]], float]] = field(
        default_factory=list
    )
    reach: list[float] = field(default_factory=list)
    described: list[tuple[int, Any, int, float, float, float]] = field(default_factory=list)


class EqualShares:
    """The Method of Equal Shares over grouped approval ballots.

    ``approved`` (groups × projects) and ``weights`` are the grouped ballots,
    ``costs`` the integer prices, ``utilities`` each project's utility to a
    supporter (its cost, or 1). ``prefer`` orders exactly tied projects before
    ``tie_break`` is asked (for budgets: lower cost, then more approvals).
    """

    def __init__(
        self,
        approved: npt.NDArray[np.bool_],
        weights: npt.NDArray[np.int64],
        costs: npt.NDArray[np.int64],
        utilities: npt.NDArray[np.int64],
        names: Sequence[str],
        prefer: Callable[[int], tuple[Any, ...]] | None = None,
        tie_break: TieBreaker | None = None,
    ) -> None:
        self.approved = np.ascontiguousarray(approved, dtype=np.bool_)  # no copy if already
        self.weights = weights.astype(np.int64)
        self.costs = costs.astype(np.int64)
        self.utilities = utilities.astype(np.int64)
        self.names = tuple(names)
        self.prefer = prefer
        self.tie_break = tie_break
        self.n_voters = int(self.weights.sum())
        starts, index = _columns(self.approved.view(np.uint8))
        self.supporters = [index[starts[p] : starts[p + 1]] for p in range(len(self.names))]
        self.support_weights = [self.weights[s] for s in self.supporters]
        self.float_weights = [w.astype(np.float64) for w in self.support_weights]
        self.support = np.array([int(w.sum()) for w in self.support_weights], dtype=np.int64)

    # -- exact money ------------------------------------------------------------------

    def _exact_money(self, ledger: _Ledger, groups: npt.NDArray[np.intp]) -> Fraction:
        """Exact money left to ``groups`` (weighted): integer counts × exact payments."""
        groups = groups[ledger.live[groups]]
        if groups.size == 0:
            return Fraction(0)
        w = self.weights[groups]
        total = ledger.share * int(w.sum())
        ledger.settle()
        rounds = len(ledger.payments)
        if rounds:
            # float64 sums of whole numbers below 2**53 are exact.
            counts = ledger.paid[:rounds][:, groups].astype(np.float64) @ w.astype(np.float64)
            for payment, count in zip(ledger.payments, counts.tolist(), strict=True):
                if count:
                    assert payment is not None
                    total -= payment * int(count)
        return total

    def _exact_group(self, ledger: _Ledger, group: int) -> Fraction:
        ledger.settle()
        if not ledger.live[group]:
            return Fraction(0)
        money = ledger.share
        row = ledger.paid[:, group]
        for j, payment in enumerate(ledger.payments):
            if row[j]:
                assert payment is not None
                money -= payment
        return money

    def _exact_payment(
        self,
        p: int,
        ledger: _Ledger,
        money: npt.NDArray[np.float64],
        estimate: float,
        tol: float,
    ) -> tuple[Fraction, npt.NDArray[np.bool_]] | None:
        """The exact maximal payment for project ``p``, and which supporters pay all they have.

        Supporters whose float money is clearly below (above) the float ``estimate`` pay
        all they have (the payment); the few within ``tol`` of it are resolved exactly.
        ``None`` when the supporters cannot afford ``p``.
        """
        groups = self.supporters[p]
        w = self.support_weights[p]
        u = money[groups]
        poor = u < estimate - tol
        rich = u > estimate + tol
        unsure = np.flatnonzero(~(poor | rich))
        capped_money = self._exact_money(ledger, groups[poor])
        uncapped = int(w[rich].sum())
        exact = sorted(
            (self._exact_group(ledger, int(groups[k])), int(w[k]), int(k)) for k in unsure
        )
        uncapped += sum(wg for _, wg, _ in exact)
        cost = int(self.costs[p])
        for j in range(len(exact) + 1):
            if uncapped > 0:
                q = (cost - capped_money) / uncapped
                if (j == 0 or exact[j - 1][0] <= q) and (j == len(exact) or q <= exact[j][0]):
                    if abs(float(q) - estimate) > tol and math.isfinite(tol):
                        # The float estimate was off: classify every supporter exactly.
                        return self._exact_payment(p, ledger, money, estimate, math.inf)
                    capped = poor.copy()
                    capped[[k for value, _, k in exact if value <= q]] = True
                    return q, capped
            if j < len(exact):
                capped_money += exact[j][0] * exact[j][1]
                uncapped -= exact[j][1]
        return None

    # -- one run ----------------------------------------------------------------------

    def run(
        self, share: Fraction, *, sensitivity: bool = False, settle: bool = True
    ) -> EqualSharesRun:
        """Run MES with ``share`` for every voter (Peters & Skowron 2020, Rule X).

        With ``settle`` (the default) every payment and price in the result is exact;
        without, rounds decided by floats alone leave them pending (``settle_run``).

        With ``sensitivity``, also compute ``stable_until``: a share below which the
        run makes exactly the same decisions. Every quantity of a run is affine in the
        share while its decisions stay the same, so each decision's margin and its
        derivative (tracked beside the money, forward mode) give the share at which
        it could first change; the least of these, shrunk by 1e-6 for float safety, is
        ``stable_until``. A rival project's price is bounded below by the affine
        extension of its last computed price (fixing who pays all they have can only
        lower a price), so lazily skipped projects are covered too.
        """
        try:
            result = self._run(share, sensitivity, eager=False)
        except _FloatDrift:
            result = self._run(share, sensitivity, eager=True)
        if settle:
            self.settle_run(result)
        return result

    def settle_run(self, result: EqualSharesRun) -> None:
        """Make every payment and price of ``result`` exact."""
        assert result.ledger is not None
        try:
            result.ledger.settle()
        except _FloatDrift:
            eager = self._run(result.ledger.share, False, eager=True)
            result.__dict__.update(eager.__dict__)
        assert result.ledger is not None
        result.payments = [p for p in result.ledger.payments if p is not None]
        result.rhos = [
            pay / int(self.utilities[w])
            for w, pay in zip(result.winners, result.payments, strict=True)
        ]

    def _run(
        self,
        share: Fraction,
        sensitivity: bool,
        eager: bool,
        resume: tuple[EqualSharesRun, int] | None = None,
    ) -> EqualSharesRun:
        n_groups = self.approved.shape[0]
        n_projects = len(self.names)
        share_f = float(share)
        tol = TOLERANCE * max(share_f, 1e-300)
        util = self.utilities.astype(np.float64)
        positive = util[util > 0]
        tol_rho = 2 * tol / (float(positive.min()) if positive.size else 1.0)
        result = EqualSharesRun()
        # No price is below cost / (supporters × utility), what it is when every supporter
        # can pay an equal part: the first lower bound of the lazy evaluation.
        floor = {
            p: float(self.costs[p]) / float(self.support[p]) / float(util[p])
            for p in range(n_projects)
            if self.costs[p] > 0 and self.support[p] > 0 and self.utilities[p] > 0
        }
        if resume is None:
            money = np.full(n_groups, share_f)
            slope = np.ones(n_groups)  # d money / d share (sensitivity analysis)
            live = np.ones(n_groups, dtype=np.bool_)
            ledger = _Ledger(
                share,
                np.zeros((n_projects, n_groups), dtype=np.bool_),
                live,
                np.full(n_groups, n_projects + 1, dtype=np.int64),
                self.weights,
            )
            # Projects nobody supports, or that cost nothing, are never bought (as the
            # Pabulib checker does).
            pool = list(floor)
            bound = {p: (floor[p], 0.0) for p in pool}  # lower bound on rho: value, slope
            horizon = math.inf
        else:
            money, slope, live, ledger, pool, bound, horizon = self._resume(share, result, *resume)
        round_number = len(result.winners)
        reach_here = math.inf

        def fold(margin: float, dm: float, within: float) -> None:
            # The decision holds while margin + dm * (s - share) > 0; a margin within
            # float noise (``within``) may be a tie, so nothing is skipped past it.
            nonlocal reach_here
            if margin <= within:
                reach_here = share_f
            elif dm < MIN_SLOPE:
                reach_here = min(reach_here, share_f + margin / max(-dm, MIN_SLOPE))

        while pool:
            reach_here = math.inf  # this step's decisions hold for shares below this
            if sensitivity:
                result.steps.append((len(result.winners), list(pool), dict(bound), share_f))
            round_number = len(result.winners) + 1
            best = math.inf
            evaluated: list[tuple[int, float]] = []
            winner = -1
            for p in sorted(pool, key=lambda p: bound[p][0]):
                if bound[p][0] > best + tol_rho:
                    break
                groups = self.supporters[p]
                cost = float(self.costs[p])
                total, q, dq = _price(
                    groups, self.float_weights[p], money, slope, cost, float(self.support[p])
                )
                band = tol * int(self.support[p])
                if total < cost - band or (
                    total <= cost + band and self._exact_money(ledger, groups) < cost
                ):
                    pool.remove(p)
                    fold(cost - total, -float(self.float_weights[p] @ slope[groups]), band)
                    continue
                if not math.isfinite(q):  # affordable only within float noise
                    q = float(self._exact_money(ledger, groups)) / float(self.support[p])
                rho = q / float(util[p])
                bound[p] = (rho, dq / float(util[p]))
                evaluated.append((p, q))
                best = min(best, rho)
            near = [(p, q) for p, q in evaluated if bound[p][0] <= best + tol_rho]
            payment: Fraction | None = None
            exact_rho: dict[int, Fraction] = {}
            if len(near) == 1 and not eager:
                winner, pay_f = near[0]
                capped = np.empty(len(self.supporters[winner]), dtype=np.bool_)
                unsure, rich = _split(
                    self.supporters[winner],
                    self.support_weights[winner],
                    money,
                    live,
                    pay_f,
                    tol,
                    capped,
                )
                if unsure:
                    found = self._exact_payment(winner, ledger, money, pay_f, tol)
                    if found is None:
                        pool.remove(winner)
                        reach_here = share_f
                        winner = -1
                    else:
                        payment, capped = found
                        pay_f = float(payment)
            elif near:
                exact: list[tuple[int, Fraction, Fraction, npt.NDArray[np.bool_]]] = []
                for p, q in near:
                    found = self._exact_payment(p, ledger, money, q, tol)
                    if found is None:
                        pool.remove(p)
                        reach_here = share_f
                        continue
                    exact.append((p, found[0], found[0] / int(self.utilities[p]), found[1]))
                if exact:
                    lowest = min(e[2] for e in exact)
                    tied = [e for e in exact if e[2] == lowest]
                    if len(tied) > 1:
                        tied = self._untie(tied, round_number, result)
                    winner, payment, _, capped = tied[0]
                    pay_f = float(payment)
                    exact_rho = {e[0]: e[2] for e in exact}
            if winner >= 0:
                groups = self.supporters[winner]
                w = self.support_weights[winner]
                if payment is not None:
                    rich = int(w[~capped & live[groups]].sum())
                rho_f = pay_f / float(util[winner])
                rho_slope = bound[winner][1]
                if sensitivity:
                    for p in pool:
                        if p == winner or floor[p] > rho_f + tol_rho:
                            # Prices never fall below cost / supporters, and the winner's
                            # price only falls as the share grows: it can never catch up.
                            continue
                        if p not in exact_rho:
                            fold(bound[p][0] - rho_f, bound[p][1] - rho_slope, tol_rho)
                        elif exact_rho[p] > exact_rho[winner]:
                            fold(
                                float(exact_rho[p] - exact_rho[winner]),
                                bound[p][1] - rho_slope,
                                0.0,
                            )
                        elif bound[p][1] != 0.0 or rho_slope != 0.0:
                            # An exact tie, broken by a fixed order, stays broken the same
                            # way only while both prices stay level: when nobody is capped
                            # (zero slopes; a larger share never caps anyone new).
                            reach_here = share_f
                r = len(ledger.payments)
                q_slope = rho_slope * float(util[winner])
                described = (
                    int(self.costs[winner]),
                    groups[capped],
                    int(rich),
                    pay_f,
                    q_slope,
                    share_f,
                )
                result.described.append(described)
                if payment is None:
                    ledger.pending[r] = described[:4]
                paying, gone, switch = _pay(
                    groups,
                    w,
                    capped,
                    live,
                    money,
                    slope,
                    ledger.spent_at,
                    ledger.paid[r],
                    r,
                    pay_f,
                    q_slope,
                    tol,
                )
                # Who pays all they have must not change: each such switch is a margin.
                if switch < 0:
                    reach_here = share_f
                elif math.isfinite(switch):
                    reach_here = min(reach_here, share_f + switch)
                ledger.payments.append(payment)
                result.winners.append(winner)
                result.paid_by.append(int(paying))
                result.exhausted.append(int(gone))
                pool.remove(winner)
            if not sensitivity:
                reach_here = share_f
            result.reach.append(reach_here)
            horizon = min(horizon, reach_here)
            if not evaluated:
                break
        if math.isfinite(horizon):
            horizon = share_f + (horizon - share_f) * (1 - 1e-6)
        result.stable_until = horizon
        result.share = share
        result.live = live
        result.money = money
        result.ledger = ledger
        return result

    def _resume(
        self, share: Fraction, result: EqualSharesRun, previous: EqualSharesRun, step: int
    ) -> tuple[Any, ...]:
        """The state of a run with ``share`` at the start of ``previous``'s step ``step``.

        Every decision before that step holds for ``share`` (its margins say so), so each
        earlier payment is the same affine function of the share and who paid all they
        had is the same: money and slopes follow from the payments, and the exact
        payments are pending with the same payers.
        """
        assert previous.ledger is not None
        # Steps and payments keep the share they were computed at; each extends from it.
        done, pool, bound, base = previous.steps[step]
        target = float(share)
        n_groups = self.approved.shape[0]
        n_projects = len(self.names)
        paid = np.zeros((n_projects, n_groups), dtype=np.bool_)
        paid[:done] = previous.ledger.paid[:done]
        spent_at = np.where(
            previous.ledger.spent_at < done, previous.ledger.spent_at, n_projects + 1
        )
        live = spent_at > done
        payments = [d[3] + d[4] * (target - d[5]) for d in previous.described[:done]]
        money = np.full(n_groups, target)
        slope = np.ones(n_groups)
        for j, winner in enumerate(previous.winners[:done]):
            supporters = self.supporters[winner]
            money[supporters] -= payments[j]
            slope[supporters] -= previous.described[j][4]
        money[~live] = 0.0
        slope[~live] = 0.0
        ledger = _Ledger(share, paid, live, spent_at, self.weights)
        ledger.payments = [None] * done
        for j, (cost, poor, rich, *_) in enumerate(previous.described[:done]):
            ledger.pending[j] = (cost, poor, rich, payments[j])
        result.winners = previous.winners[:done]
        result.paid_by = previous.paid_by[:done]
        result.exhausted = previous.exhausted[:done]
        result.described = previous.described[:done]
        result.tie_breaks = [t for t in previous.tie_breaks if t.round <= done]
        result.steps = previous.steps[:step]
        result.reach = previous.reach[:step]
        horizon = min(result.reach, default=math.inf)
        return (
            money,
            slope,
            live,
            ledger,
            list(pool),
            {p: (v + dv * (target - base), dv) for p, (v, dv) in bound.items()},
            horizon,
        )

    def rerun(self, previous: EqualSharesRun, share: Fraction) -> EqualSharesRun:
        """MES with ``share``, reusing ``previous`` up to its first decision that may change.

        ``previous`` must come from a run with sensitivity; ``share`` must exceed its share.
        """
        cut = float(previous.share)
        target = float(share)
        step = next(
            (
                i
                for i, reach in enumerate(previous.reach)
                if cut + (reach - cut) * (1 - 1e-6) <= target
            ),
            len(previous.reach) - 1,
        )
        if step <= 0:
            return self.run(share, sensitivity=True, settle=False)
        try:
            return self._run(share, True, eager=False, resume=(previous, step))
        except _FloatDrift:
            return self.run(share, sensitivity=True, settle=False)

    def _untie(self, tied: list[Any], round_number: int, result: EqualSharesRun) -> list[Any]:
        if self.prefer is not None:
            best = min(self.prefer(e[0]) for e in tied)
            tied = [e for e in tied if self.prefer(e[0]) == best]
        if len(tied) == 1:
            return tied
        names = [self.names[e[0]] for e in tied]
        record = break_tie(self.tie_break, names, 1, purpose="election", round=round_number)
        result.tie_breaks.append(record)
        return [e for e in tied if self.names[e[0]] == record.chosen[0]]

    def remaining_money(self, run: EqualSharesRun, groups: npt.NDArray[np.intp]) -> Fraction:
        """Exact money left after ``run`` to the voters of ``groups``."""
        assert run.ledger is not None
        return self._exact_money(run.ledger, groups)

    def remaining_money_by_group(self, share: Fraction, run: EqualSharesRun) -> list[Fraction]:
        """Exact money left to each group after ``run`` (one Fraction per group)."""
        assert run.live is not None
        if not run.winners:
            return [share] * self.approved.shape[0]
        patterns = self.approved[:, run.winners]
        keys, inverse = np.unique(
            np.concatenate([patterns, run.live[:, None]], axis=1), axis=0, return_inverse=True
        )
        values = []
        for key in keys:
            if not key[-1]:
                values.append(Fraction(0))
                continue
            money = share
            for flag, payment in zip(key[:-1].tolist(), run.payments, strict=True):
                if flag:
                    money -= payment
            values.append(money)
        return [values[i] for i in inverse.ravel().tolist()]


# -- shared helpers -------------------------------------------------------------------


def _check_profile(profile: Any) -> BudgetProfile:
    if not isinstance(profile, BudgetProfile):
        raise ConfigError(
            f"budget methods count a BudgetProfile, not {type(profile).__name__}.",
            hint="Read a Pabulib .pb file (communard count FILE --format pabulib).",
        )
    return profile


def _support(profile: BudgetProfile) -> npt.NDArray[np.int64]:
    """Approvals per project (voters listing it)."""
    return column_totals(profile.approved, profile.weights)


def _scores(profile: BudgetProfile) -> npt.NDArray[np.int64]:
    """What greedy ranks by: approvals, or total points for cumulative, scoring, ordinal."""
    if profile.points is None:
        return _support(profile)
    return np.asarray(profile.weights @ profile.points, dtype=np.int64)


def _is_exhaustive(profile: BudgetProfile, chosen: Sequence[int]) -> bool:
    left = profile.budget - int(profile.costs[list(chosen)].sum()) if chosen else profile.budget
    taken = set(chosen)
    return not any(int(c) <= left for p, c in enumerate(profile.costs) if p not in taken)


def _greedy_order(
    profile: BudgetProfile,
    keys: Sequence[Fraction | int],
    tie_break: TieBreaker | None,
    chosen: Sequence[int],
    budget_left: int,
    round_number: int,
    records: list[TieBreakRecord],
    skip: bool,
) -> list[int]:
    """Greedy selection: best key first, each project that fits (or stop at the first that
    does not, without ``skip``). A tie is only broken when it changes what is funded."""
    taken = set(chosen)
    ranked = sorted(
        (p for p in range(len(profile.projects)) if p not in taken), key=lambda p: -keys[p]
    )
    selected: list[int] = []
    left = budget_left
    for _, level in itertools.groupby(ranked, key=lambda p: keys[p]):
        group = list(level)
        costs = [int(profile.costs[p]) for p in group]
        if sum(costs) <= left:
            selected.extend(group)
            left -= sum(costs)
            continue
        fits = [p for p in group if int(profile.costs[p]) <= left]
        if len(group) > 1 and fits:
            names = [profile.projects[p] for p in group]
            if tie_break is None:
                record = TieBreakRecord(
                    round=round_number,
                    purpose="order",
                    tied=tuple(names),
                    chosen=tuple(names),
                    rule="file-order",
                    explanation="Projects with equal support are taken in the order of the "
                    "file's PROJECTS section (as Pabulib's checker does).",
                )
            else:
                record = break_tie(
                    tie_break, names, len(names), purpose="order", round=round_number
                )
            records.append(record)
            order = {name: i for i, name in enumerate(record.chosen)}
            group.sort(key=lambda p: order[profile.projects[p]])
        for p in group:
            if int(profile.costs[p]) <= left:
                selected.append(p)
                left -= int(profile.costs[p])
            elif not skip:
                return selected
    return selected


def _rounds_for_greedy(
    profile: BudgetProfile, selected: Sequence[int], keys: Sequence[Fraction | int], label: str
) -> list[Round]:
    rounds = []
    spent = 0
    for number, p in enumerate(selected, start=1):
        spent += int(profile.costs[p])
        rounds.append(
            Round(
                number=number,
                tallies={profile.projects[p]: keys[p]},
                elected=[profile.projects[p]],
                note=f"{profile.projects[p]} funded ({label} {keys[p]}, cost "
                f"{int(profile.costs[p])}); {profile.budget - spent} left.",
                extra={"cost": int(profile.costs[p]), "spent": spent},
            )
        )
    return rounds


# -- greedy ---------------------------------------------------------------------------


@method(
    "greedy",
    name="Greedy by votes (participatory budgeting)",
    ballot="budget",
    seats="budget",
    aliases=("greedy-pb", "greedy-votes"),
    properties=("exhaustive",),
    reference="Pabulib rules greedy, greedy-no-skip, greedy-threshold (pabulib.org/format); "
    "Faliszewski et al., Participatory Budgeting: Data, Tools and Analysis, IJCAI 2023.",
    version=VERSION,
    options={
        "by": "'votes' (default: approvals, or points for cumulative/scoring/ordinal ballots) "
        "or 'votes-per-cost' (votes divided by cost)",
        "skip": "True (default): skip a project that does not fit and go on; False: stop at "
        "the first that does not fit (greedy-no-skip)",
        "threshold": "minimum votes (or points) a project needs to be funded "
        "(greedy-threshold: min_project_score_threshold)",
        "exclusive": "groups of mutually exclusive project ids: once one is funded, the others "
        "are not (greedy-exclusive)",
    },
)
def greedy(
    profile: BudgetProfile,
    *,
    seats: int = 1,
    tie_break: TieBreaker | None = None,
    by: str = "votes",
    skip: bool = True,
    threshold: int | None = None,
    exclusive: Sequence[Sequence[str]] = (),
    **options: Any,
) -> Outcome:
    """Fund projects from the most voted down, each one that still fits in the budget.

    This is how most cities count (Pabulib ``greedy``). ``skip=False`` stops at the
    first project that does not fit (``greedy-no-skip``); ``threshold`` leaves out
    projects with fewer votes (``greedy-threshold``); ``by="votes-per-cost"`` ranks by
    votes per unit of cost (pabutools' greedy with cardinality satisfaction).
    """
    profile = _check_profile(profile)
    if options:
        raise ConfigError(
            f"greedy has no option {sorted(options)[0]!r}.",
            hint="Options: by, skip, threshold, exclusive.",
        )
    scores = _scores(profile)
    if by == "votes":
        keys: list[Fraction | int] = [int(s) for s in scores]
        label = "votes" if profile.points is None else "points"
    elif by == "votes-per-cost":
        # A project that costs nothing has infinite votes per cost: free projects come
        # first (among themselves by votes), above any ratio the votes can reach.
        above = int(scores.sum()) + 1
        keys = [
            Fraction(int(s), int(c)) if c > 0 else above + int(s)
            for s, c in zip(scores, profile.costs, strict=True)
        ]
        label = "votes per cost"
    else:
        raise ConfigError(f"greedy cannot rank by {by!r}.", hint="Use 'votes' or 'votes-per-cost'.")
    eligible = [
        threshold is None or int(scores[p]) >= threshold for p in range(len(profile.projects))
    ]
    index = {pid: i for i, pid in enumerate(profile.projects)}
    groups = [[index[pid] for pid in group if pid in index] for group in exclusive]
    records: list[TieBreakRecord] = []
    if not groups:
        pool = [p for p in range(len(profile.projects)) if not eligible[p]]
        selected = _greedy_order(profile, keys, tie_break, pool, profile.budget, 1, records, skip)
    else:
        selected = []
        left = profile.budget
        blocked: set[int] = {p for p in range(len(profile.projects)) if not eligible[p]}
        for p in sorted(range(len(profile.projects)), key=lambda p: -keys[p]):
            if p in blocked:
                continue
            if int(profile.costs[p]) <= left:
                selected.append(p)
                left -= int(profile.costs[p])
                for group in groups:
                    if p in group:
                        blocked.update(group)
            elif not skip:
                break
    explanation = [
        f"Budget {profile.budget}; projects ranked by {label}"
        + (f", only those with at least {threshold}" if threshold is not None else "")
        + (
            "; a project that does not fit is skipped."
            if skip
            else "; counting stops at the first project that does not fit."
        ),
        f"Funded {len(selected)} projects for {int(profile.costs[selected].sum())}.",
    ]
    return Outcome(
        method="greedy",
        version=VERSION,
        winners=tuple(profile.projects[p] for p in selected),
        rounds=_rounds_for_greedy(profile, selected, keys, label),
        tie_breaks=records,
        explanation=explanation,
        details={
            "spent": int(profile.costs[selected].sum()) if selected else 0,
            "budget": profile.budget,
        },
    )


# -- Method of Equal Shares ---------------------------------------------------------------

COMPLETIONS = ("none", "add1", "utilitarian", "add1-utilitarian")


def mes_engine(profile: BudgetProfile, utility: str, tie_break: TieBreaker | None) -> EqualShares:
    """The MES engine for a budget profile, with the Pabulib checker's tie order."""
    if utility == "cost":
        utilities = profile.costs
    elif utility == "cardinality":
        utilities = np.ones(len(profile.projects), dtype=np.int64)
    else:
        raise ConfigError(f"MES has no utility {utility!r}.", hint="Use 'cost' or 'cardinality'.")
    costs = profile.costs
    engine = EqualShares(
        profile.approved, profile.weights, costs, utilities, profile.projects, tie_break=tie_break
    )
    support = engine.support
    # Pabulib checker's tie-break for MES: lower cost first, then more approvals.
    engine.prefer = lambda p: (int(costs[p]), -int(support[p]))
    return engine


def _mes_rounds(profile: BudgetProfile, run: EqualSharesRun, utility: str) -> list[Round]:
    rounds = []
    for number, (p, payment, rho, paid, gone) in enumerate(
        zip(run.winners, run.payments, run.rhos, run.paid_by, run.exhausted, strict=True), start=1
    ):
        pid = profile.projects[p]
        rounds.append(
            Round(
                number=number,
                tallies={pid: rho},
                elected=[pid],
                note=f"{pid} (cost {int(profile.costs[p])}) bought by {paid} supporters paying at "
                f"most {payment} each ({gone} paid all they had left); price per unit of "
                f"{utility} utility {rho}.",
                extra={
                    "cost": int(profile.costs[p]),
                    "max_payment": payment,
                    "rho": rho,
                    "paid_by": paid,
                    "exhausted": gone,
                },
            )
        )
    return rounds


ADD1_STOPS = ("over-budget", "exhaustive")


def equal_shares_add1(
    engine: EqualShares,
    profile: BudgetProfile,
    *,
    search: bool = True,
    until: str = "over-budget",
) -> tuple[EqualSharesRun, Fraction, dict[str, Any]]:
    """MES with add-one completion: the run that add-one completion keeps, and its share.

    Add-one (Pabulib ``equalshares/add1``): run MES with the share ``budget / n``; then
    raise every voter's share to ``floor(budget / n) + k`` for k = 1, 2, ... (one unit of
    money per voter at a time), rerunning MES, and keep the last outcome before the first
    one that costs more than the budget. ``until="exhaustive"`` also stops as soon as the
    kept outcome is exhaustive (no further project fits), as equalshares.com's reference
    code does; the default, ``"over-budget"``, is the Pabulib checker's loop, which is
    what Wieliczka 2023 used (its exhaustive MES outcome at a share of 302 was raised
    further, to 315).

    ``search=True`` returns the same run without trying every k: each run reports a
    share below which it makes exactly the same decisions (``stable_until``), and every
    k below it is skipped — those runs would repeat the current outcome, which costs
    no more than the budget (and is not exhaustive), so add-one would go past them too.
    """
    if until not in ADD1_STOPS:
        raise ConfigError(
            f"add-one cannot stop at {until!r}.", hint=f"Use one of {', '.join(ADD1_STOPS)}."
        )
    n = profile.n_voters
    budget = profile.budget
    share = Fraction(budget, n)
    run = engine.run(share, sensitivity=search, settle=False)
    fundable = int((engine.support > 0).sum())
    base = budget // n
    k = 0
    runs = 1
    while base + k < budget and len(run.winners) < fundable:
        if until == "exhaustive" and _is_exhaustive(profile, run.winners):
            break
        k += 1
        if search and run.stable_until > base + k:
            k = max(k, math.ceil(run.stable_until) - base)
        candidate_share = Fraction(base + k)
        if search:
            candidate = engine.rerun(run, candidate_share)
        else:
            candidate = engine.run(candidate_share, settle=False)
        runs += 1
        if int(profile.costs[candidate.winners].sum()) > budget:
            break
        run, share = candidate, candidate_share
    engine.settle_run(run)
    return run, share, {"share": share, "runs": runs, "share_increase_tried": k}


@method(
    "mes",
    name="Method of Equal Shares (participatory budgeting)",
    ballot="budget",
    seats="budget",
    aliases=("equal-shares-pb", "equalshares"),
    properties=("proportional", "EJR-up-to-one", "exact"),
    reference="Peters & Skowron 2020 (Proportionality and the limits of welfarism, EC'20); "
    "Peters, Pierczyński & Skowron 2021 (Proportional participatory budgeting with additive "
    "utilities, NeurIPS'21); equalshares.com.",
    version=VERSION,
    options={
        "utility": "'cost' (default: a funded project is worth its cost to each supporter, as "
        "cities use MES) or 'cardinality' (worth 1)",
        "completion": "'none' (default), 'add1' (raise every voter's share by one unit at a "
        "time while the outcome fits), 'utilitarian' (fill what is left greedily by votes), "
        "'add1-utilitarian' (both)",
        "comparison_step": "True: compare with greedy by votes; if more voters have more of "
        "their approved projects funded by greedy than by MES, greedy's outcome is used "
        "(Wieliczka)",
        "add1_until": "'over-budget' (default: stop at the first share whose outcome costs "
        "more than the budget, as Pabulib's checker) or 'exhaustive' (also stop once the "
        "outcome is exhaustive, as equalshares.com)",
        "search": "True (default): find add-one's result by skipping shares over which MES "
        "provably does not change; False: rerun for every share",
    },
)
def mes(
    profile: BudgetProfile,
    *,
    seats: int = 1,
    tie_break: TieBreaker | None = None,
    utility: str = "cost",
    completion: str | None = None,
    comparison_step: bool = False,
    search: bool = True,
    add1_until: str = "over-budget",
    **options: Any,
) -> Outcome:
    """Fund projects so that every voter controls an equal share of the budget (MES).

    Each voter gets ``budget / n``. Each round funds the project whose supporters can pay
    its cost at the lowest price per unit of utility (``rho``): each supporter pays
    ``rho × utility`` or everything they have left. Exact ties go to the lower cost, then
    to more approvals (the Pabulib checker's rule), then to ``tie_break``. The rule stops
    when no project can be paid for by its supporters.
    """
    profile = _check_profile(profile)
    if options:
        raise ConfigError(
            f"mes has no option {sorted(options)[0]!r}.",
            hint="Options: utility, completion, comparison_step, add1_until, search.",
        )
    completion = completion or "none"
    if completion not in COMPLETIONS:
        raise ConfigError(
            f"MES has no completion {completion!r}.", hint=f"Use one of {', '.join(COMPLETIONS)}."
        )
    if profile.n_voters == 0:
        return Outcome(
            method="mes",
            version=VERSION,
            winners=(),
            explanation=["No ballots: nothing is funded."],
        )
    engine = mes_engine(profile, utility, tie_break)
    details: dict[str, Any] = {
        "budget": profile.budget,
        "utility": utility,
        "completion": completion,
    }
    share = Fraction(profile.budget, profile.n_voters)
    explanation = [
        f"Each of {profile.n_voters} voters controls {share} of the budget {profile.budget}."
    ]
    if completion.startswith("add1"):
        run, share, info = equal_shares_add1(engine, profile, search=search, until=add1_until)
        details.update(info)
        if share != Fraction(profile.budget, profile.n_voters):
            explanation.append(
                f"Add-one completion: MES run with a share of {share} per voter (tried "
                f"{info['runs']} shares), the largest whose outcome fits the budget."
            )
    else:
        run = engine.run(Fraction(profile.budget, profile.n_voters))
    selected = list(run.winners)
    rounds = _mes_rounds(profile, run, utility)
    records = list(run.tie_breaks)
    if completion.endswith("utilitarian"):
        spent = int(profile.costs[selected].sum()) if selected else 0
        extra = _greedy_order(
            profile,
            [int(s) for s in engine.support],
            tie_break,
            selected,
            profile.budget - spent,
            len(rounds) + 1,
            records,
            True,
        )
        for p in extra:
            rounds.append(
                Round(
                    number=len(rounds) + 1,
                    elected=[profile.projects[p]],
                    tallies={profile.projects[p]: int(engine.support[p])},
                    note=f"{profile.projects[p]} added by utilitarian completion "
                    "(greedy by votes over what is left).",
                )
            )
        selected += extra
    if comparison_step:
        selected, compared = _comparison_step(profile, selected, engine.support)
        details["comparison"] = compared
        explanation.append(compared["explanation"])
        if compared["chosen"] == "greedy":
            rounds.append(
                Round(
                    number=len(rounds) + 1,
                    elected=[profile.projects[p] for p in selected],
                    note="Comparison step: greedy's outcome replaces MES's.",
                )
            )
    spent = int(profile.costs[selected].sum()) if selected else 0
    explanation.append(f"Funded {len(selected)} projects for {spent} of {profile.budget}.")
    details["spent"] = spent
    return Outcome(
        method="mes",
        version=VERSION,
        winners=tuple(profile.projects[p] for p in selected),
        rounds=rounds,
        tie_breaks=records,
        explanation=explanation,
        details=details,
    )


def _comparison_step(
    profile: BudgetProfile, selected: list[int], support: npt.NDArray[np.int64]
) -> tuple[list[int], dict[str, Any]]:
    """Wieliczka's comparison step: greedy replaces MES if more voters prefer it.

    A voter prefers the outcome that funds more of the projects they approved (the
    Pabulib checker's "satisfaction" comparison); greedy is by votes, skipping.
    """
    greedy_set = _greedy_order(
        profile, [int(s) for s in support], None, [], profile.budget, 0, [], True
    )
    a = profile.approved.astype(np.int64)
    mes_sat = a[:, selected].sum(axis=1) if selected else np.zeros(len(a), dtype=np.int64)
    greedy_sat = a[:, greedy_set].sum(axis=1) if greedy_set else np.zeros(len(a), np.int64)
    prefer_mes = int(profile.weights[mes_sat > greedy_sat].sum())
    prefer_greedy = int(profile.weights[greedy_sat > mes_sat].sum())
    chosen = "greedy" if prefer_greedy > prefer_mes else "mes"
    info = {
        "prefer_mes": prefer_mes,
        "prefer_greedy": prefer_greedy,
        "greedy": [profile.projects[p] for p in greedy_set],
        "chosen": chosen,
        "explanation": f"Comparison step: {prefer_mes} voters have more approved projects "
        f"funded by MES, {prefer_greedy} by greedy; {'greedy' if chosen == 'greedy' else 'MES'}"
        " is used.",
    }
    return (greedy_set if chosen == "greedy" else selected), info
