"""The synthetic profile generators are deterministic by seed and well formed."""

from __future__ import annotations

import numpy as np

from communard.counting import generate as G
from communard.counting.profiles import EMPTY


def test_plackett_luce_is_deterministic_by_seed() -> None:
    a = G.plackett_luce(np.random.default_rng(7), 5_000, 10)
    b = G.plackett_luce(np.random.default_rng(7), 5_000, 10)
    c = G.plackett_luce(np.random.default_rng(8), 5_000, 10)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_plackett_luce_ballots_are_truncated_rankings() -> None:
    raw = G.plackett_luce(np.random.default_rng(1), 20_000, 10)
    assert raw.dtype == np.int8
    lengths = (raw != EMPTY).sum(axis=1)
    assert 3.7 < lengths.mean() < 4.3
    assert lengths.min() >= 1
    for row, k in zip(raw[:500], lengths[:500], strict=True):
        assert (row[:k] >= 0).all() and (row[k:] == EMPTY).all()
        assert len(set(row[:k].tolist())) == k


def test_profiles_are_grouped_and_deterministic() -> None:
    p = G.ranked_profile(np.random.default_rng(2), 10_000, 6)
    q = G.ranked_profile(np.random.default_rng(2), 10_000, 6)
    assert p.n_voters == 10_000 and p.n_distinct < 10_000
    assert np.array_equal(p.ranks, q.ranks) and np.array_equal(p.weights, q.weights)
    a = G.approval_profile(np.random.default_rng(3), 2_000, 12)
    assert a.n_voters == 2_000 and a.approved.any(axis=1).all()
    b1 = G.budget_instance(np.random.default_rng(4), 1_000, 30)
    b2 = G.budget_instance(np.random.default_rng(4), 1_000, 30)
    assert b1.budget == b2.budget and np.array_equal(b1.costs, b2.costs)
    assert 0 < b1.budget < int(b1.costs.sum())
    assert np.array_equal(b1.approved, b2.approved) and b1.n_voters == 1_000
