"""Synthetic ballot profiles from a seeded ``numpy.random.Generator``.

Used by the benchmark and the tests; never by a real count. Every function takes
the generator as its first argument, so the same seed gives the same profile.

- ``plackett_luce``: ranked ballots drawn from a Plackett-Luce model (the Gumbel
  top-k trick: adding Gumbel noise to log-strengths and sorting draws a
  Plackett-Luce ranking), truncated to a random length (about 4 ranks).
- ``approvals``: approval ballots with candidate-dependent approval rates.
- ``budget_instance``: a participatory-budgeting instance shaped like Pabulib's
  city instances (integer costs, a budget that buys about a quarter of them).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .profiles import EMPTY, ApprovalProfile, BudgetProfile, RankedProfile, rank_dtype

_CHUNK = 250_000


def strengths(rng: np.random.Generator, n_candidates: int) -> npt.NDArray[np.float64]:
    """Plackett-Luce strengths: log-normal, so a few candidates are clearly more popular."""
    return np.exp(rng.normal(0.0, 1.0, n_candidates))


def plackett_luce(
    rng: np.random.Generator,
    n_voters: int,
    n_candidates: int,
    *,
    mean_length: float = 4.0,
    weights: npt.NDArray[np.float64] | None = None,
) -> npt.NDArray[np.signedinteger[Any]]:
    """Raw (ungrouped) ranked ballots: ``n_voters`` rows of option indices, ``-1`` padded.

    Ballot lengths are ``1 + Binomial(n_candidates - 1, p)`` with mean ``mean_length``;
    the width of the matrix is the longest ballot drawn.
    """
    if n_candidates < 1:
        raise ValueError("a profile needs at least one candidate")
    w = strengths(rng, n_candidates) if weights is None else np.asarray(weights, np.float64)
    if n_candidates > 1:
        p = min(1.0, max(0.0, (mean_length - 1.0) / (n_candidates - 1)))
        lengths = 1 + rng.binomial(n_candidates - 1, p, n_voters)
    else:
        lengths = np.ones(n_voters, dtype=np.int64)
    width = int(lengths.max()) if n_voters else 1
    dtype = rank_dtype(n_candidates)
    out = np.full((n_voters, width), EMPTY, dtype=dtype)
    log_w = np.log(w).astype(np.float32)
    columns = np.arange(width)
    for start in range(0, n_voters, _CHUNK):
        stop = min(start + _CHUNK, n_voters)
        keys = log_w - np.log(
            -np.log(rng.random((stop - start, n_candidates), np.float32).clip(1e-30, None))
        )
        if width < n_candidates:
            top = np.argpartition(-keys, width - 1, axis=1)[:, :width]
            order = np.argsort(-np.take_along_axis(keys, top, axis=1), axis=1, kind="stable")
            chosen = np.take_along_axis(top, order, axis=1)
        else:
            chosen = np.argsort(-keys, axis=1, kind="stable")
        block = chosen.astype(dtype)
        block[columns >= lengths[start:stop, None]] = EMPTY
        out[start:stop] = block
    return out


def ranked_profile(
    rng: np.random.Generator,
    n_voters: int,
    n_candidates: int,
    *,
    mean_length: float = 4.0,
) -> RankedProfile:
    """A grouped ``RankedProfile`` of Plackett-Luce ballots (candidates named C0, C1, ...)."""
    from .kernels import group_ranked

    raw = plackett_luce(rng, n_voters, n_candidates, mean_length=mean_length)
    ranks, weights = group_ranked(raw)
    return RankedProfile(candidate_names(n_candidates), ranks, weights)


def candidate_names(n: int) -> tuple[str, ...]:
    return tuple(f"C{i}" for i in range(n))


def approvals(
    rng: np.random.Generator,
    n_voters: int,
    n_candidates: int,
    *,
    mean_approvals: float = 4.0,
) -> npt.NDArray[np.bool_]:
    """Raw approval ballots; every voter approves at least one candidate."""
    w = strengths(rng, n_candidates)
    rate = np.minimum(0.95, w * (mean_approvals / w.sum()))
    approved = rng.random((n_voters, n_candidates), np.float32) < rate.astype(np.float32)
    empty = ~approved.any(axis=1)
    favourite = rng.choice(n_candidates, size=int(empty.sum()), p=w / w.sum())
    approved[np.flatnonzero(empty), favourite] = True
    result: npt.NDArray[np.bool_] = approved
    return result


def approval_profile(
    rng: np.random.Generator,
    n_voters: int,
    n_candidates: int,
    *,
    mean_approvals: float = 4.0,
) -> ApprovalProfile:
    """A grouped ``ApprovalProfile`` (candidates named C0, C1, ...)."""
    from .kernels import group_rows_fast

    raw = approvals(rng, n_voters, n_candidates, mean_approvals=mean_approvals)
    approved, weights = group_rows_fast(raw)
    return ApprovalProfile(candidate_names(n_candidates), approved, weights)


def budget_instance(
    rng: np.random.Generator,
    n_voters: int,
    n_projects: int,
    *,
    mean_approvals: float = 6.0,
    budget_share: float = 0.25,
) -> BudgetProfile:
    """A participatory-budgeting instance: log-normal integer costs, approval ballots.

    The budget is ``budget_share`` of the total cost, rounded down to a whole unit.
    Ballots are grouped (identical approval sets merged).
    """
    from .kernels import group_rows_fast

    costs = np.round(np.exp(rng.normal(11.5, 1.0, n_projects))).astype(np.int64) + 1_000
    budget = int(costs.sum() * budget_share)
    raw = approvals(rng, n_voters, n_projects, mean_approvals=mean_approvals)
    approved, weights = group_rows_fast(raw)
    projects = tuple(f"P{i}" for i in range(n_projects))
    return BudgetProfile(projects, costs, budget, approved, weights)
