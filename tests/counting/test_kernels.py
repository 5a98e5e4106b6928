"""The compiled kernels equal their plain-numpy references exactly, on random small inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from communard.counting import kernels as K
from communard.counting.errors import BallotFormatError, UnresolvedTieError
from communard.counting.profiles import EMPTY, OVERVOTE, RankedProfile, effective_ranks


@st.composite
def ballots(draw: st.DrawFn, max_options: int = 7) -> tuple[np.ndarray, np.ndarray, int]:
    """Small ranked matrices with skips, overvotes, repeats, and weights."""
    n_options = draw(st.integers(1, max_options))
    n_rows = draw(st.integers(0, 25))
    width = draw(st.integers(1, n_options + 2))
    cell = st.one_of(
        st.integers(0, n_options - 1),
        st.integers(0, n_options - 1),
        st.just(EMPTY),
        st.just(OVERVOTE),
    )
    rows = draw(
        st.lists(st.lists(cell, min_size=width, max_size=width), min_size=n_rows, max_size=n_rows)
    )
    ranks = np.array(rows, dtype=np.int8).reshape(n_rows, width)
    weights = np.array(
        draw(st.lists(st.integers(1, 1000), min_size=n_rows, max_size=n_rows)), dtype=np.int64
    )
    return ranks, weights, n_options


def sorted_groups(rows: np.ndarray, weights: np.ndarray) -> list[tuple[tuple[int, ...], int]]:
    return sorted((tuple(int(x) for x in r), int(w)) for r, w in zip(rows, weights, strict=True))


@settings(max_examples=150, deadline=None)
@given(ballots())
def test_grouping_equals_reference(case: tuple[np.ndarray, np.ndarray, int]) -> None:
    ranks, weights, _ = case
    fast = K.group_rows_fast(ranks, weights)
    ref = K.np_group_rows(ranks, weights)
    assert np.array_equal(fast[0], ref[0])
    assert np.array_equal(fast[1], ref[1])
    assert int(fast[1].sum()) == int(weights.sum())


def test_grouping_grows_past_its_first_table() -> None:
    rng = np.random.default_rng(3)
    ranks = rng.integers(-1, 20, size=(20_000, 6), dtype=np.int8)
    fast = K.group_rows_fast(ranks)
    ref = K.np_group_rows(ranks)
    assert np.array_equal(fast[0], ref[0]) and np.array_equal(fast[1], ref[1])


def test_group_ranked_matches_profiles_group_rows() -> None:
    rng = np.random.default_rng(4)
    ranks = rng.integers(-1, 5, size=(500, 4), dtype=np.int8)
    ranks[:, 3] = EMPTY
    rows, weights = K.group_ranked(ranks)
    assert rows.shape[1] == 3
    from communard.counting.profiles import group_rows

    ref_rows, ref_weights = group_rows(ranks[:, :3])
    assert sorted_groups(rows, weights) == sorted_groups(ref_rows, ref_weights)


@settings(max_examples=150, deadline=None)
@given(ballots(), st.data())
def test_first_preferences_and_transfer_equal_reference(
    case: tuple[np.ndarray, np.ndarray, int], data: st.DataObject
) -> None:
    ranks, weights, n = case
    continuing = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    values = np.array(
        data.draw(st.lists(st.integers(0, 10**5), min_size=len(weights), max_size=len(weights))),
        dtype=np.int64,
    )
    for vals in (None, values):
        fast = K.first_preferences(ranks, weights, continuing, vals)
        ref = K.np_first_preferences(ranks, weights, continuing, vals)
        assert np.array_equal(fast.counts, ref.counts)
        assert fast.exhausted == ref.exhausted
        assert np.array_equal(fast.top, ref.top) and np.array_equal(fast.pos, ref.pos)
        sources = continuing & np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
        after = continuing & ~sources
        moved = K.transfer(ranks, weights, fast, after, sources, vals)
        moved_ref = K.np_transfer(ranks, weights, ref, after, sources, vals)
        assert np.array_equal(moved, moved_ref)
        assert np.array_equal(fast.top, ref.top) and np.array_equal(fast.pos, ref.pos)
        # Conservation: what left the sources arrived somewhere or exhausted.
        assert int(moved.sum()) == int(fast.counts[sources].sum())


@settings(max_examples=150, deadline=None)
@given(ballots())
def test_pairwise_and_positions_equal_reference(case: tuple[np.ndarray, np.ndarray, int]) -> None:
    ranks, weights, n = case
    assert np.array_equal(K.pairwise(ranks, weights, n), K.np_pairwise(ranks, weights, n))
    counts, lengths = K.position_counts(ranks, weights, n)
    ref_counts, ref_lengths = K.np_position_counts(ranks, weights, n)
    assert np.array_equal(counts, ref_counts) and np.array_equal(lengths, ref_lengths)
    assert int(lengths.sum()) == int(weights.sum())


@settings(max_examples=150, deadline=None)
@given(ballots())
def test_place_counts_equal_reference(case: tuple[np.ndarray, np.ndarray, int]) -> None:
    ranks, weights, n = case
    fast = K.place_counts(ranks, weights, n)
    ref = K.np_place_counts(ranks, weights, n)
    assert all(np.array_equal(a, b) for a, b in zip(fast, ref, strict=True))
    at, lengths, ranked_in = fast
    # Every counted mark has one place and one ballot length.
    assert int(at.sum()) == int(ranked_in.sum()) == int((lengths * np.arange(len(lengths))).sum())


@settings(max_examples=100, deadline=None)
@given(ballots())
def test_kernels_read_ballots_as_effective_ranks(case: tuple[np.ndarray, np.ndarray, int]) -> None:
    ranks, weights, n = case
    profile = RankedProfile(tuple(f"C{i}" for i in range(n)), ranks, weights)
    clean = effective_ranks(profile)
    scores = np.zeros(n + 1, dtype=np.int64)
    for j in range(clean.shape[1]):
        np.add.at(scores, clean[:, j], weights * (n - 1 - j))
    assert np.array_equal(K.borda(ranks, weights, n), scores[:n])


def test_pairwise_counts_ranked_over_unranked() -> None:
    ranks = np.array([[0, 1, EMPTY], [2, EMPTY, EMPTY]], dtype=np.int8)
    p = K.pairwise(ranks, np.array([3, 2]), 3)
    assert p.tolist() == [[0, 3, 3], [0, 0, 3], [2, 2, 0]]


def test_transfer_fixed_truncates_and_conserves() -> None:
    ranks = np.array([[0, 1], [0, 2], [0, EMPTY]], dtype=np.int8)
    weights = np.array([1, 2, 4], dtype=np.int64)
    values = np.full(3, 10**5, dtype=np.int64)
    continuing = np.ones(3, dtype=bool)
    tally = K.first_preferences(ranks, weights, continuing, values)
    continuing[0] = False
    moved = K.transfer_fixed(ranks, weights, values, tally, continuing, 0, 1, 3)
    assert values.tolist() == [33333, 33333, 33333]
    assert moved.tolist() == [0, 33333, 66666, 133332]


def irv_plain(ranks: np.ndarray, weights: np.ndarray, n: int) -> tuple[list[int], int]:
    """A slow IRV by rows, for the drivers to agree with (lowest index goes on ties)."""
    continuing = set(range(n))
    order = []
    while True:
        counts = dict.fromkeys(continuing, 0)
        for row, w in zip(ranks.tolist(), weights.tolist(), strict=True):
            for c in row:
                if c == OVERVOTE:
                    break
                if c in continuing:
                    counts[c] += w
                    break
        active = sum(counts.values())
        best = max(counts.values())
        if len(continuing) == 1 or 2 * best > active:
            return order, min(c for c in continuing if counts[c] == best)
        low = min(counts.values())
        loser = min(c for c in continuing if counts[c] == low)
        order.append(loser)
        continuing.remove(loser)


@settings(max_examples=100, deadline=None)
@given(ballots())
def test_irv_fast_equals_a_plain_count(case: tuple[np.ndarray, np.ndarray, int]) -> None:
    ranks, weights, n = case
    count = K.irv_fast(ranks, weights, n, break_tie=lambda tied, r, h: min(tied))
    order, winner = irv_plain(ranks, weights, n)
    assert [c for _, c in count.events] == order
    assert count.winners == [winner]
    for tally, exhausted in zip(count.tallies, count.exhausted, strict=True):
        assert int(tally.sum()) + exhausted == int(weights.sum())


def test_irv_fast_asks_when_tied() -> None:
    ranks = np.array([[0], [1]], dtype=np.int8)
    with pytest.raises(UnresolvedTieError):
        K.irv_fast(ranks, np.array([1, 1]), 2)


@settings(max_examples=100, deadline=None)
@given(ballots(), st.integers(1, 3))
def test_stv_fast_conserves_value(case: tuple[np.ndarray, np.ndarray, int], seats: int) -> None:
    ranks, weights, n = case
    count = K.stv_fast(ranks, weights, n, seats, break_tie=lambda tied, r, h: min(tied))
    assert len(count.winners) == min(seats, n)
    total = int(weights.sum()) * count.scale
    for tally, exhausted in zip(count.tallies, count.exhausted, strict=True):
        # Truncation may lose at most one unit per row and transfer; never gain.
        assert int(tally.sum()) + exhausted <= total


def test_stv_fast_elects_by_quota() -> None:
    ranks = np.array([[0, 1], [1, EMPTY], [2, EMPTY]], dtype=np.int8)
    count = K.stv_fast(ranks, np.array([60, 25, 15]), 3, 2)
    assert count.winners == [0, 1]
    assert count.quota == 34 * 10**5


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_read_blt_fast(tmp_path: Path) -> None:
    blt = write(
        tmp_path / "e.blt",
        '3 2\n-3\n2 1 2 0\n(b7) 1 2 0\n1 3=1 2 0\n1 - 2 0\n0\n"Ann" "Bo"\n"Cy"\n"Title x"\n',
    )
    profile = K.read_blt_fast(blt)
    assert profile.options == ("Ann", "Bo", "Cy")
    assert profile.meta == {
        "format": "blt",
        "path": str(blt),
        "seats": 2,
        "title": "Title x",
        "withdrawn": ("Cy",),
        "nicknames": (),
    }
    got = sorted_groups(profile.ranks, profile.weights)
    assert got == [((-2, 1), 1), ((-1, 1), 1), ((0, 1), 2), ((1, -1), 1)]


def test_read_blt_fast_names_the_line_of_a_bad_ballot(tmp_path: Path) -> None:
    blt = write(tmp_path / "bad.blt", '2 1\n1 1 2 0\n1 1 5 0\n0\n"A" "B"\n"t"\n')
    with pytest.raises(BallotFormatError) as error:
        K.read_blt_fast(blt)
    assert error.value.line == 3


def test_read_csv_fast_equals_the_csv_module(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    names = ["Zoe", "Ann", "Bo b", "Cy"]
    lines = ["rank1,rank2,rank3"]
    for _ in range(300):
        k = int(rng.integers(0, 4))
        picks = list(rng.permutation(4)[:k])
        lines.append(",".join([names[i] for i in picks] + [""] * (3 - min(k, 3)))[:200])
    text = "\n".join(lines) + "\n"
    fast = K.read_csv_fast(write(tmp_path / "a.csv", text))
    slow = K._read_csv_slow("a.csv", text.encode())
    assert fast.options == slow.options
    assert sorted_groups(fast.ranks, fast.weights) == sorted_groups(slow.ranks, slow.weights)
    quoted = K.read_csv_fast(write(tmp_path / "q.csv", 'r1,r2\n"Ann",Bo\nBo,\n'))
    assert quoted.options == ("Ann", "Bo")


@pytest.mark.conformance
def test_read_blt_fast_equals_the_complete_reader(conformance_dir: Path) -> None:
    from communard.counting.formats.blt import read_blt_complete

    files = sorted(conformance_dir.rglob("*.blt"))
    assert files
    for path in files:
        fast, full = K.read_blt_fast(path), read_blt_complete(path)
        assert fast.options == full.options, path
        assert fast.meta == full.meta, path
        assert groups_of(fast) == groups_of(full), path
        assert np.array_equal(fast.ranks, full.ranks), path
        assert np.array_equal(fast.weights, full.weights), path


def groups_of(profile: RankedProfile) -> dict[tuple[int, ...], int]:
    """Distinct ballots without trailing empty ranks, so that widths may differ."""
    out: dict[tuple[int, ...], int] = {}
    for row, w in zip(profile.ranks.tolist(), profile.weights.tolist(), strict=True):
        while row and row[-1] == EMPTY:
            row.pop()
        out[tuple(row)] = out.get(tuple(row), 0) + w
    return out


@pytest.mark.parametrize(
    "text",
    [
        "rank1,rank2,rank3\nZoe,Ann,\nAnn,,\n\nBo,Zoe,Ann\nAnn,,\r\n,,\n",
        "\ufeffrank1,rank2\nAnn,Bo\nBo,Ann\nAnn,Bo\n",
        "rank1,rank2\nAnn , Bo\nBo=Ann,\n",  # stripped and equal-ranked cells
        "rank1,rank2,count\nAnn,Bo,3\n",  # a count column
        'rank1,rank2\n"Ann",Bo\n',
        "rank1,rank2\nAnn,Bo,Cy\n",  # too many cells: the full reader's error
    ],
)
def test_read_csv_is_the_same_with_or_without_the_compiled_parser(
    tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from communard.counting.formats.simple import read_csv

    path = tmp_path / "b.csv"
    path.write_bytes(text.encode())

    def read() -> object:
        try:
            return read_csv(path)
        except BallotFormatError as error:
            return (error.message, error.details)

    fast = read()
    monkeypatch.setattr(K, "HAVE_NUMBA", False)
    full = read()
    if isinstance(full, RankedProfile):
        assert isinstance(fast, RankedProfile)
        assert (fast.options, fast.meta) == (full.options, full.meta)
        assert np.array_equal(fast.ranks, full.ranks) and fast.ranks.dtype == full.ranks.dtype
        assert np.array_equal(fast.weights, full.weights)
    else:
        assert fast == full
