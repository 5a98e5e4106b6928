"""The Method of Equal Shares, computed exactly and fast over grouped approval ballots.

``EqualShares`` runs MES (Peters & Skowron 2020, "Proportionality and the limits of
welfarism"; Peters, Pierczyński & Skowron 2021, "Proportional participatory budgeting
with additive utilities") for the budget methods (``budgets.py``) and for committees
(``committees.py``, where every seat costs the same): every voter holds an equal share,
and each round buys the project whose supporters can pay for it at the lowest price per
unit of utility ``rho``; supporters pay ``rho × utility`` each, or all they have left.

Exactness. Decisions are exact, computations are fast: every voter group's
remaining money is ``share - Σ payments of the projects it approved`` or 0 once
it has paid everything, so the money of any set of groups is
``share × (their weight) - Σ_j payment_j × (their weight approving j)``: integer
counts (numpy, exact) times the exact ``Fraction`` payments of the winners so
far. Floats (float64) only propose: each round computes candidate projects'
maximal payments in floats (compiled passes over their supporters); the best
projects within a tolerance of 1e-9 × share are recomputed exactly with Fractions
(groups whose float money lies within that tolerance of the payment are resolved
exactly), and the exact values decide. Float rounding over a count is below
1e-12 × share, so the tolerance cannot exclude the true winner. A round decided
by floats alone leaves its exact payment pending until someone needs it.

Sensitivity. Runs can also report up to which share their decisions provably hold
(``stable_until``, per step in ``reach``), which the add-one completion uses to skip
shares and to resume runs part-way (``rerun``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from ..kernels import compiled
from ..outcomes import TieBreakRecord
from ..ties import TieBreaker, break_tie

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
