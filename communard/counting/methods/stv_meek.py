"""Meek STV as the Proportional Representation Foundation's reference rule defines it.

Every elected candidate keeps a fraction (its keep factor) of each vote that
reaches it and passes the rest on; keep factors are iterated until the total
surplus is below omega. Arithmetic is fixed point, 9 decimal places, with the
rounding the rule prescribes (products and quotients rounded *up*), in
integers. Each round iterates over the grouped ballots as whole arrays: one
pass per rank column, never one per ballot.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ConfigError
from ..outcomes import Outcome
from ..profiles import RankedProfile
from ..registry import method
from ..ties import TieBreaker
from .stv_core import (
    ELECTED,
    HOPEFUL,
    WITHDRAWN,
    Ballots,
    IntArray,
    Tally,
    default_tie_break,
    exact_bincount,
    resolve_tie,
)

MEEK_REFERENCE = (
    "Proportional Representation Foundation, Reference Meek Rule (2010); "
    "I. D. Hill, B. A. Wichmann, D. R. Woodall, 'Algorithm 123: Single Transferable Vote by "
    "Meek's method', Computer Journal 30 (1987)"
)


def _ceil_div(a: IntArray | int, b: int) -> Any:
    return -((-a) // b)


def distribute(ranks: IntArray, mult: IntArray, keep: IntArray, scale: int) -> tuple[IntArray, int]:
    """PRF Meek B.2.a over all ballots at once: votes per candidate and the residual.

    Along each ballot the weight ``w`` starts at 1; each ranked candidate keeps
    ``w × kf`` rounded up to 9 places and ``w`` falls by as much, until it is spent.
    """
    n_options = len(keep)
    weight = np.full(len(mult), scale, dtype=np.int64)
    votes = np.zeros(n_options, dtype=np.int64)
    for j in range(ranks.shape[1]):
        column = ranks[:, j]
        present = column >= 0
        idx = np.where(present, column, 0)
        kf = np.where(present, keep[idx], 0)
        kept = np.where(weight > 0, _ceil_div(weight * kf, scale), 0)
        votes += exact_bincount(idx, kept * mult, n_options)
        weight = weight - kept
    residual = int((np.maximum(weight, 0) * mult).sum())
    return votes, residual


class BallotPaths:
    """The ballots as a round of iterations sees them, merged, and kept up to date.

    Within a round only elected candidates' keep factors change: excluded and
    withdrawn candidates keep nothing (passed over) and the first hopeful
    candidate on a ballot keeps all that is left (its keep factor is 1). So each
    ballot reduces to its *path*: the elected candidates it ranks before its
    first hopeful one, then that one. Ballots with the same path are merged,
    summing voters; distributing over the paths gives exactly the votes of
    distributing over the ballots. Each path is an integer key (Horner's rule in
    base ``n + 1`` over ``option + 1``, so keys of any length are unique); when a
    candidate's state changes only the ballots whose path ends at it are redone.
    """

    def __init__(self, ranks: IntArray, mult: IntArray, states: list[str]) -> None:
        self.ranks = ranks
        self.mult = mult
        self.n_options = len(states)
        self.base = len(states) + 1
        self.width = ranks.shape[1]
        self.ref = np.where(ranks >= 0, ranks, len(states))
        self.cols = np.arange(self.width)[None, :]
        rows = len(ranks)
        self.end = np.zeros(rows, dtype=np.int64)
        self.key = np.zeros(rows, dtype=np.int64)
        self.states = list(states)
        self._extend(np.arange(rows), np.zeros(rows, dtype=np.int64))
        self.keys, self.counts = self._merge(self.key, self.mult)

    def fits(self, states: list[str]) -> bool:
        """Whether every path key still fits in 63 bits (a path holds the elected + 1)."""
        elected = sum(1 for st in states if st == ELECTED)
        return bool(min(elected + 1, self.width) * np.log2(self.base) < 62)

    def _masks(self) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        active = np.array([st in (HOPEFUL, ELECTED) for st in self.states] + [False])
        hopeful = np.array([st == HOPEFUL for st in self.states] + [False])
        return active, hopeful

    def _extend(self, rows: IntArray, start: IntArray) -> None:
        active, hopeful = self._masks()
        ref = self.ref[rows]
        later = self.cols >= start[:, None]
        is_hopeful = hopeful[ref] & later
        end = np.where(is_hopeful.any(axis=1), is_hopeful.argmax(axis=1), self.width)
        add = active[ref] & later & (self.cols <= end[:, None])
        key = self.key[rows]
        sub = self.ranks[rows]
        for j in range(self.width):
            key = np.where(add[:, j], key * self.base + (sub[:, j] + 1), key)
        self.key[rows] = key
        self.end[rows] = end

    def _merge(self, keys: IntArray, weights: IntArray) -> tuple[IntArray, IntArray]:
        unique, inverse = np.unique(keys, return_inverse=True)
        inverse = inverse.ravel()
        plus = exact_bincount(inverse, np.maximum(weights, 0), len(unique))
        minus = exact_bincount(inverse, np.maximum(-weights, 0), len(unique))
        summed = plus - minus
        kept = summed != 0
        return unique[kept], summed[kept]

    def update(self, states: list[str]) -> None:
        """Redo the paths that ended at a candidate whose state changed."""
        changed = [c for c in range(self.n_options) if states[c] != self.states[c]]
        self.states = list(states)
        if not changed:
            return
        reached = self.end < self.width
        end_option = np.full(len(self.end), -1, dtype=np.int64)
        rows_reached = np.flatnonzero(reached)
        end_option[rows_reached] = self.ranks[rows_reached, self.end[rows_reached]]
        rows = np.flatnonzero(np.isin(end_option, changed))
        if len(rows) == 0:
            return
        old = self.key[rows].copy()
        gone = np.array([st not in (HOPEFUL, ELECTED) for st in states])
        # A path ends at a candidate that was hopeful; drop that last place if it is gone.
        self.key[rows] = np.where(gone[end_option[rows]], old // self.base, old)
        self._extend(rows, self.end[rows] + 1)
        self.keys, self.counts = self._merge(
            np.concatenate([self.keys, old, self.key[rows]]),
            np.concatenate([self.counts, -self.mult[rows], self.mult[rows]]),
        )

    def paths(self) -> tuple[IntArray, IntArray]:
        """The merged paths as rows of option indices (right-aligned, -1 before) and voters."""
        length = 1
        top = int(self.keys.max()) if len(self.keys) else 0
        while top >= self.base**length:
            length += 1
        paths = np.empty((len(self.keys), length), dtype=np.int64)
        rest = self.keys.copy()
        for j in range(length - 1, -1, -1):
            paths[:, j] = rest % self.base - 1
            rest //= self.base
        return paths, self.counts


@method(
    "meek",
    name="Meek STV (PRF reference rule)",
    ballot="ranked",
    seats="multi",
    aliases=("meek-prf", "meek-stv"),
    properties=("proportional", "anonymous", "conserves-votes"),
    reference=MEEK_REFERENCE,
    options={
        "omega_digits": "iteration stops when the total surplus is below 10**-omega_digits "
        "(6; 10 with rational, 9 with guarded arithmetic)",
        "arithmetic": "'fixed' (the PRF rule, default), 'rational' (exact fractions, "
        "Droop's meek-o10-rational: batch defeat of sure losers; small elections) or "
        "'guarded' (the same rule in 18 + 9 guarded places, Droop's meek-o9-guarded)",
        "withdrawn": "names of candidates withdrawn before the count",
    },
)
def meek(
    profile: RankedProfile,
    *,
    seats: int | None = None,
    tie_break: TieBreaker | None = None,
    omega_digits: int | None = None,
    arithmetic: str = "fixed",
    **options: Any,
) -> Outcome:
    """Meek STV, PRF reference rule: 9 decimal places rounded up, omega 10^-6.

    Each round iterates keep factors (B.2) until a candidate reaches the quota or
    the total surplus is under omega (or stops falling); then the lowest hopeful
    is defeated (B.3), every hopeful within the total surplus of the lowest vote
    counting as tied, and ties go to ``tie_break`` (the PRF rule: earliest in a
    predetermined order). The quota is recomputed each iteration from the votes
    still held: total / (seats + 1), truncated, plus 10^-9.
    """
    if arithmetic in ("rational", "guarded"):
        from .stv_meek_exact import meek_exact

        omega = omega_digits or (9 if arithmetic == "guarded" else 10)
        return meek_exact(profile, seats, tie_break, omega, options, arithmetic=arithmetic)
    if arithmetic != "fixed":
        raise ConfigError(
            f"Meek arithmetic is 'fixed', 'rational' or 'guarded', not {arithmetic!r}."
        )
    return count_meek(
        profile, seats=seats, tie_break=tie_break, omega_digits=omega_digits, **options
    )[0]


def count_meek(
    profile: RankedProfile,
    *,
    seats: int | None = None,
    tie_break: TieBreaker | None = None,
    omega_digits: int | None = None,
    **options: Any,
) -> tuple[Outcome, Tally, Ballots]:
    """The PRF Meek count, with its final tally (holding each member's parcel) and ballots."""
    from .stv import finish, outcome, start_count

    omega_digits = 6 if omega_digits is None else omega_digits
    digits = 9
    scale = 10**digits
    tally, ballots, seats, n_valid = start_count(profile, seats, digits, options)
    breaker = default_tie_break(profile, tie_break)
    ranks = np.where(
        ballots.cols[None, :] < ballots.stop[:, None], ballots.ranks.astype(np.int64), -1
    )
    mult = ballots.mult
    keep = np.array([0 if s == WITHDRAWN else scale for s in tally.state], dtype=np.int64)
    omega = 10 ** (digits - omega_digits)
    merged: BallotPaths | None = BallotPaths(ranks, mult, tally.state)
    tally.quota = n_valid * scale // (seats + 1) + 1
    tally.record(
        "First preferences counted; every keep factor is 1 (A).",
        surplus=0,
        extra=_keep_info(tally, keep),
    )
    while len(tally.indices(HOPEFUL)) > seats - tally.seats_filled > 0:
        status, last_surplus, iterations = "iterate", n_valid * scale, 0
        if merged is not None and merged.fits(tally.state):
            merged.update(tally.state)
            paths, path_mult = merged.paths()
        else:
            # Keys would overflow: distribute over the ballots themselves.
            merged = None
            paths, path_mult = ranks, mult
        newly: list[int] = []
        while True:
            iterations += 1
            votes, residual = distribute(paths, path_mult, keep, scale)
            held = [i for i, s in enumerate(tally.state) if s in (HOPEFUL, ELECTED)]
            total = int(votes[held].sum())
            # B.2.b: quota = votes / (seats + 1), truncated to 9 places, plus 10^-9.
            quota = total // (seats + 1) + 1
            tally.votes = votes
            tally.quota = quota
            tally.exhausted = residual
            for c in tally.indices(HOPEFUL):
                if votes[c] >= quota:
                    tally.elect(c, pending=False, into_last=False)
                    newly.append(c)
                    status = "elected"
            surplus = max(0, sum(int(votes[c]) - quota for c in tally.indices(ELECTED)))
            if status != "elected":
                if surplus < omega:
                    status = "omega"
                elif surplus >= last_surplus:
                    status = "stable"
            if status != "iterate":
                break
            last_surplus = surplus
            for c in tally.indices(ELECTED):
                # B.2.f: kf × quota rounded up, then ÷ vote rounded up.
                product = _ceil_div(int(keep[c]) * quota, scale)
                keep[c] = _ceil_div(product * scale, int(votes[c]))
        info = _keep_info(tally, keep)
        info["iterations"] = iterations
        info["stopped_because"] = status
        if status == "elected":
            names = ", ".join(tally.names[c] for c in newly)
            tally.record(
                f"{names} reached the quota after {iterations} iteration(s) (B.2.c).",
                surplus=surplus,
                extra=info,
            )
            continue
        hopeful = tally.indices(HOPEFUL)
        low = min(int(votes[c]) for c in hopeful)
        # B.3: a hopeful within the total surplus of the lowest vote counts as tied.
        tied = [c for c in hopeful if int(votes[c]) <= low + surplus]
        chosen = resolve_tie(
            tally, tied, purpose="elimination", lowest=True, look_back=False, tie_break=breaker
        )
        tally.exclude(chosen)
        why = "surplus below omega" if status == "omega" else "surplus no longer falling"
        tally.record(
            f"{tally.names[chosen]} defeated with the lowest vote "
            f"({tally.dec(int(votes[chosen]))}) after {iterations} iteration(s), {why} (B.3).",
            eliminated=[chosen],
            surplus=surplus,
            extra=info,
        )
        keep[chosen] = 0
        tally.votes[chosen] = 0
    finish(tally, seats, into_last=True)
    for member in tally.elected_order:
        # A member's parcel: what each ballot gave them with the final keep factors.
        rows, kept = kept_by(ranks, keep, scale, member)
        tally.parcels[member] = (rows, kept * mult[rows], tally.quota)
    result = outcome(
        "meek",
        tally,
        seats,
        n_valid,
        f"PRF reference Meek (9 decimal places, omega 10^-{omega_digits})",
    )
    return result, tally, ballots


def kept_by(ranks: IntArray, keep: IntArray, scale: int, member: int) -> tuple[IntArray, IntArray]:
    """The rows whose weight ``member`` keeps part of, and that part per voter (B.2.a)."""
    weight = np.full(len(ranks), scale, dtype=np.int64)
    kept_total = np.zeros(len(ranks), dtype=np.int64)
    for j in range(ranks.shape[1]):
        column = ranks[:, j]
        present = column >= 0
        kf = np.where(present, keep[np.where(present, column, 0)], 0)
        kept = np.where(weight > 0, _ceil_div(weight * kf, scale), 0)
        kept_total += np.where(column == member, kept, 0)
        weight = weight - kept
    rows = np.flatnonzero(kept_total > 0)
    return rows, kept_total[rows]


def _keep_info(tally: Tally, keep: IntArray) -> dict[str, Any]:
    return {
        "keep_factors": {
            tally.names[i]: tally.dec(int(keep[i]))
            for i in range(len(tally.names))
            if tally.state[i] != WITHDRAWN
        }
    }
