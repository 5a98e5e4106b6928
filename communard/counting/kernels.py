"""Fast building blocks for counting methods, over grouped ``int8`` ballot matrices.

Every kernel is compiled with numba (``@njit(cache=True)``) and has a plain-numpy
twin (``np_*``) that computes exactly the same integers; the twin is the
reference the tests compare against and the fallback when numba cannot be
imported. Nothing here decides a tie or rounds a number on its own: kernels
return integer tallies, and the drivers (``irv_fast``, ``stv_fast``) stop and
ask a ``break_tie`` callback whenever options are level.

How a ranked row is read: a value ``>= 0`` is an option index, and an option
ranked a second time is ignored after its first mark. The round kernels
(``first_preferences``, ``transfer``) pass over ``EMPTY`` (-1, a skipped rank)
and stop at ``OVERVOTE`` (-2: RCTab's default "exhaust immediately"; a method
with another rule rewrites the rows first). The positional and pairwise kernels
read a ballot as ``profiles.effective_ranks`` does: it ends at its first empty
or overvoted rank.

Contents:

- ``group_rows_fast`` / ``group_ranked``: merge identical rows (exact hash table).
- ``first_preferences``: the round tally of IRV/STV under a ``continuing`` mask.
- ``transfer`` / ``transfer_fixed`` / ``advance``: move the ballots of eliminated or
  elected options to their next continuing preference (whole votes, or fixed-point
  values scaled by 10^d with truncation, as Gregory-style STV rules prescribe).
- ``pairwise``: the pairwise preference matrix (a ranked option beats an unranked one).
- ``position_counts`` / ``borda``: how often each option sits at each rank;
  ``place_counts``: the same by place, with what the truncated-Borda variants need.
- ``irv_fast`` / ``stv_fast``: whole counts built from the above.
- ``read_blt_fast`` / ``read_csv_fast``: bytes of a ``.blt`` or rank-column CSV
  file straight into a grouped ``RankedProfile``.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt

from .errors import BallotFormatError, UnresolvedTieError
from .profiles import EMPTY, OVERVOTE, RankedProfile, rank_dtype

# numba is imported on a kernel's first call, not with the engine: importing it costs
# about half a second, which every command line run and web worker would pay.
HAVE_NUMBA = importlib.util.find_spec("numba") is not None

_F = TypeVar("_F", bound=Callable[..., Any])


@contextmanager
def numpy_twins() -> Iterator[None]:
    """Run the numpy twins instead of the compiled kernels within this block.

    For a short process (one count from the command line) importing numba and
    loading its cached kernels costs about half a second of CPU, more than the
    compiled loops save on a few million ballots. The switch is the module's, so
    this is for a process doing one thing at a time, not for threads.
    """
    global HAVE_NUMBA
    saved = HAVE_NUMBA
    HAVE_NUMBA = False
    try:
        yield
    finally:
        HAVE_NUMBA = saved


def compiled(fn: _F) -> _F:
    """``@njit(cache=True)``, compiled (or loaded from numba's cache) on the first call.

    The result is called from Python; a compiled function that calls another must
    use ``numba.njit`` directly. Without numba the plain function runs.
    """
    if not HAVE_NUMBA:
        return fn  # pragma: no cover
    dispatcher: Callable[..., Any] | None = None

    @functools.wraps(fn)
    def call(*args: Any) -> Any:
        nonlocal dispatcher
        if dispatcher is None:
            try:
                from numba import njit
            except ImportError:  # pragma: no cover - installed but broken
                dispatcher = fn
            else:
                dispatcher = njit(cache=True)(fn)
        return dispatcher(*args)

    return cast(_F, call)


IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
RankArray = npt.NDArray[np.signedinteger[Any]]
TieCallback = Callable[[list[int], int, list[IntArray]], int]

_INT64_MAX = np.iinfo(np.int64).max


def _weights(n: int, weights: IntArray | None) -> IntArray:
    if weights is None:
        return np.ones(n, dtype=np.int64)
    return np.ascontiguousarray(weights, dtype=np.int64)


def _ranks(ranks: RankArray) -> RankArray:
    if ranks.ndim != 2:
        raise ValueError("ranks must be a 2-D matrix (ballots × ranks)")
    return np.ascontiguousarray(ranks)


# ---------------------------------------------------------------- grouping


@compiled
def _nb_group(data: Any, weights: Any, unit: bool) -> Any:  # pragma: no cover - compiled
    # ``unit``: every row weighs 1 (``weights`` is then not read).
    n, nbytes = data.shape
    cap = 1024
    table = np.full(cap, -1, np.int64)
    first = np.empty(cap // 2, np.int64)
    sums = np.zeros(cap // 2, np.int64)
    hashes = np.empty(cap // 2, np.uint64)
    groups = 0
    mult = np.uint64(0x9E3779B97F4A7C15)
    for i in range(n):
        h = np.uint64(0xCBF29CE484222325)
        j = 0
        while j < nbytes:
            word = np.uint64(0)
            stop = min(j + 8, nbytes)
            shift = np.uint64(0)
            for k in range(j, stop):
                word |= np.uint64(data[i, k]) << shift
                shift += np.uint64(8)
            h = (h ^ word) * mult
            h ^= h >> np.uint64(29)
            j = stop
        mask = np.uint64(cap - 1)
        slot = np.int64(h & mask)
        while True:
            g = table[slot]
            if g == -1:
                if groups == cap // 2:
                    # Grow: double every array and rehash the groups found so far.
                    cap *= 2
                    mask = np.uint64(cap - 1)
                    table = np.full(cap, -1, np.int64)
                    first = np.concatenate((first, np.empty(cap // 4, np.int64)))
                    sums = np.concatenate((sums, np.zeros(cap // 4, np.int64)))
                    hashes = np.concatenate((hashes, np.empty(cap // 4, np.uint64)))
                    for q in range(groups):
                        s = np.int64(hashes[q] & mask)
                        while table[s] != -1:
                            s = (s + 1) & (cap - 1)
                        table[s] = q
                    slot = np.int64(h & mask)
                    continue
                table[slot] = groups
                first[groups] = i
                sums[groups] = 1 if unit else weights[i]
                hashes[groups] = h
                groups += 1
                break
            if hashes[g] == h:
                r = first[g]
                same = True
                for k in range(nbytes):
                    if data[r, k] != data[i, k]:
                        same = False
                        break
                if same:
                    sums[g] += 1 if unit else weights[i]
                    break
            slot = (slot + 1) & (cap - 1)
    return first[:groups].copy(), sums[:groups].copy()


def np_group_rows(
    matrix: npt.NDArray[Any], weights: IntArray | None = None
) -> tuple[npt.NDArray[Any], IntArray]:
    """Reference grouping: identical rows merged, in order of first appearance."""
    n = matrix.shape[0]
    w = _weights(n, weights)
    if n == 0:
        return matrix[:0].copy(), np.zeros(0, dtype=np.int64)
    contiguous = np.ascontiguousarray(matrix)
    rows = contiguous.view(np.dtype((np.void, contiguous.dtype.itemsize * contiguous.shape[1])))
    _, first, inverse = np.unique(rows.ravel(), return_index=True, return_inverse=True)
    sums = np.bincount(inverse.ravel(), weights=w, minlength=len(first))
    order = np.argsort(first, kind="stable")
    # bincount's float64 sums are exact below 2**53 ballots.
    return contiguous[first[order]], sums[order].astype(np.int64)


def group_rows_fast(
    matrix: npt.NDArray[Any], weights: IntArray | None = None
) -> tuple[npt.NDArray[Any], IntArray]:
    """Merge identical rows of any matrix, summing weights; groups keep first-appearance order.

    Exact: a hash table whose collisions are resolved by comparing the rows byte by byte.
    """
    n = matrix.shape[0]
    contiguous = np.ascontiguousarray(matrix)
    if n == 0 or not HAVE_NUMBA:
        return np_group_rows(contiguous, weights)
    data = contiguous.view(np.uint8).reshape(n, -1)
    if weights is None:
        first, sums = _nb_group(data, np.zeros(1, np.int64), True)
    else:
        first, sums = _nb_group(data, _weights(n, weights), False)
    return contiguous[first], sums


def group_ranked(ranks: RankArray, weights: IntArray | None = None) -> tuple[RankArray, IntArray]:
    """Group a ranked matrix, after trimming rank columns that no ballot uses."""
    ranks = _ranks(ranks)
    width = ranks.shape[1]
    # Column by column from the right: no temporary as large as the matrix.
    while width > 1 and not (ranks[:, width - 1] != EMPTY).any():
        width -= 1
    return group_rows_fast(ranks[:, :width], weights)


# ------------------------------------------------------- first preferences


@compiled
def _nb_scan(
    ranks: Any,
    weights: Any,
    values: Any,
    continuing: Any,
    top: Any,
    pos: Any,
    rows: Any,
    start_next: bool,
    out: Any,
) -> None:  # pragma: no cover - compiled
    # For each row in ``rows``: find the next continuing option from pos (or pos+1),
    # and add the row's amount to out[option] (out[-1] when the ballot exhausts).
    n_opt = out.shape[0] - 1
    width = ranks.shape[1]
    for t in range(rows.shape[0]):
        i = rows[t]
        j = pos[i] + 1 if start_next else pos[i]
        found = -1
        while j < width:
            c = ranks[i, j]
            if c >= 0:
                if continuing[c]:
                    found = c
                    break
            elif c == -2:
                j = width
                break
            j += 1
        amount = weights[i] * values[i]
        if found >= 0:
            top[i] = found
            pos[i] = j
            out[found] += amount
        else:
            top[i] = -1
            pos[i] = width
            out[n_opt] += amount


@compiled
def _nb_first(
    ranks: Any, weights: Any, values: Any, continuing: Any, top: Any, pos: Any, out: Any
) -> None:  # pragma: no cover - compiled
    n_opt = out.shape[0] - 1
    width = ranks.shape[1]
    for i in range(ranks.shape[0]):
        found = -1
        j = 0
        while j < width:
            c = ranks[i, j]
            if c >= 0:
                if continuing[c]:
                    found = c
                    break
            elif c == -2:
                j = width
                break
            j += 1
        amount = weights[i] * values[i]
        if found >= 0:
            top[i] = found
            pos[i] = j
            out[found] += amount
        else:
            top[i] = -1
            pos[i] = width
            out[n_opt] += amount


@compiled
def _nb_rows_at(top: Any, sources: Any) -> Any:  # pragma: no cover - compiled
    count = 0
    for i in range(top.shape[0]):
        t = top[i]
        if t >= 0 and sources[t]:
            count += 1
    rows = np.empty(count, np.int64)
    count = 0
    for i in range(top.shape[0]):
        t = top[i]
        if t >= 0 and sources[t]:
            rows[count] = i
            count += 1
    return rows


@dataclass
class Tally:
    """A round's tally: ``counts[c]`` per option, ``exhausted``, and where each row stands.

    ``top[i]`` is the option row ``i`` counts for (-1: exhausted) and ``pos[i]`` the
    rank column it was found in (the row width when exhausted). ``counts`` are
    whole votes, or fixed-point amounts when values were given.
    """

    counts: IntArray
    exhausted: int
    top: npt.NDArray[np.int16]
    pos: npt.NDArray[np.int16]


def _np_next(
    ranks: RankArray, continuing: BoolArray, start: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """For each row, the first continuing option at or after ``start`` (numpy, by column)."""
    n, width = ranks.shape
    top = np.full(n, -1, dtype=np.int64)
    pos = np.full(n, width, dtype=np.int64)
    open_ = np.ones(n, dtype=bool)
    for j in range(width):
        c = ranks[:, j].astype(np.int64)
        live = open_ & (start <= j)
        over = live & (c == OVERVOTE)
        hit = live & (c >= 0)
        hit[hit] = continuing[c[hit]]
        top[hit] = c[hit]
        pos[hit] = j
        open_ &= ~(hit | over)
    return top, pos


def np_first_preferences(
    ranks: RankArray,
    weights: IntArray | None,
    continuing: BoolArray,
    values: IntArray | None = None,
) -> Tally:
    """Reference for ``first_preferences``."""
    ranks = _ranks(ranks)
    n = ranks.shape[0]
    amount = _weights(n, weights) * (1 if values is None else np.asarray(values, np.int64))
    top, pos = _np_next(ranks, np.asarray(continuing, bool), np.zeros(n, dtype=np.int64))
    counts = np.zeros(len(continuing), dtype=np.int64)
    live = top >= 0
    np.add.at(counts, top[live], amount[live])
    return Tally(counts, int(amount[~live].sum()), top.astype(np.int16), pos.astype(np.int16))


def first_preferences(
    ranks: RankArray,
    weights: IntArray | None,
    continuing: BoolArray,
    values: IntArray | None = None,
) -> Tally:
    """The first continuing preference of every row, and the weighted tally of them.

    ``continuing[c]`` says whether option ``c`` is still in the count. With ``values``
    (fixed-point value of one ballot of each row) each row counts ``weight × value``.
    """
    if not HAVE_NUMBA:
        return np_first_preferences(ranks, weights, continuing, values)
    ranks = _ranks(ranks)
    n = ranks.shape[0]
    w = _weights(n, weights)
    v = np.ones(n, np.int64) if values is None else np.ascontiguousarray(values, np.int64)
    cont = np.ascontiguousarray(continuing, dtype=np.bool_)
    top = np.empty(n, np.int16)
    pos = np.empty(n, np.int16)
    out = np.zeros(len(cont) + 1, np.int64)
    _nb_first(ranks, w, v, cont, top, pos, out)
    return Tally(out[:-1].copy(), int(out[-1]), top, pos)


# ---------------------------------------------------------------- transfers


def np_transfer(
    ranks: RankArray,
    weights: IntArray | None,
    tally: Tally,
    continuing: BoolArray,
    sources: BoolArray,
    values: IntArray | None = None,
) -> IntArray:
    """Reference for ``transfer`` (updates ``tally.top`` and ``tally.pos`` the same way)."""
    ranks = _ranks(ranks)
    n = ranks.shape[0]
    top = tally.top.astype(np.int64)
    moving = np.flatnonzero((top >= 0) & np.asarray(sources, bool)[np.maximum(top, 0)])
    amount = _weights(n, weights)[moving]
    if values is not None:
        amount = amount * np.asarray(values, np.int64)[moving]
    # Only the moving rows are read again: the others keep their preference.
    new_top, new_pos = _np_next(
        ranks[moving], np.asarray(continuing, bool), tally.pos[moving].astype(np.int64) + 1
    )
    out = np.zeros(len(continuing) + 1, dtype=np.int64)
    dest = np.where(new_top >= 0, new_top, len(continuing))
    np.add.at(out, dest, amount)
    tally.top[moving] = new_top
    tally.pos[moving] = new_pos
    return out


def transfer(
    ranks: RankArray,
    weights: IntArray | None,
    tally: Tally,
    continuing: BoolArray,
    sources: BoolArray,
    values: IntArray | None = None,
) -> IntArray:
    """Move every row that counts for an option in ``sources`` to its next continuing option.

    ``continuing`` must already exclude the sources. Returns the amounts received by
    each option, with the amount that exhausted in the last cell (length n + 1);
    ``tally.top`` and ``tally.pos`` are updated in place (``tally.counts`` is not).
    """
    if not HAVE_NUMBA:
        return np_transfer(ranks, weights, tally, continuing, sources, values)
    ranks = _ranks(ranks)
    n = ranks.shape[0]
    w = _weights(n, weights)
    v = np.ones(n, np.int64) if values is None else np.ascontiguousarray(values, np.int64)
    rows = _nb_rows_at(tally.top, np.ascontiguousarray(sources, np.bool_))
    out = np.zeros(len(continuing) + 1, np.int64)
    _nb_scan(
        ranks,
        w,
        v,
        np.ascontiguousarray(continuing, np.bool_),
        tally.top,
        tally.pos,
        rows,
        True,
        out,
    )
    return out


def advance(
    ranks: RankArray,
    weights: IntArray,
    values: IntArray,
    continuing: BoolArray,
    top: npt.NDArray[np.signedinteger[Any]],
    pos: npt.NDArray[np.signedinteger[Any]],
    rows: npt.NDArray[np.signedinteger[Any]],
) -> IntArray:
    """Move each of ``rows`` to its first continuing option at or after ``pos[row]``.

    The STV counts' step: ``top`` and ``pos`` (the caller's arrays) are updated in
    place, and the ``weight × value`` of the moved rows is returned per option,
    with the exhausted amount in the last cell (length n + 1).
    """
    ranks = _ranks(ranks)
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    cont = np.ascontiguousarray(continuing, dtype=np.bool_)
    out = np.zeros(len(cont) + 1, np.int64)
    if not HAVE_NUMBA:
        new_top, new_pos = _np_next(ranks[rows], cont, pos[rows].astype(np.int64))
        top[rows] = new_top
        pos[rows] = new_pos
        dest = np.where(new_top >= 0, new_top, len(cont))
        np.add.at(out, dest, weights[rows] * values[rows])
        return out
    _nb_scan(ranks, weights, values, cont, top, pos, rows, False, out)
    return out


@compiled
def _nb_revalue(values: Any, rows: Any, numerator: int, denominator: int) -> None:
    for t in range(rows.shape[0]):  # pragma: no cover - compiled
        i = rows[t]
        values[i] = values[i] * numerator // denominator


def transfer_fixed(
    ranks: RankArray,
    weights: IntArray | None,
    values: IntArray,
    tally: Tally,
    continuing: BoolArray,
    source: int,
    numerator: int,
    denominator: int,
) -> IntArray:
    """Transfer the ballots at ``source`` at a reduced value (an STV surplus transfer).

    The value of one ballot of each row becomes ``value × numerator // denominator``
    (fixed point, truncated: e.g. the surplus over the option's total, at 10^d), then
    the rows move as in ``transfer``. ``values`` is updated in place.
    """
    if numerator < 0 or denominator <= 0:
        raise ValueError("a transfer needs numerator >= 0 and denominator > 0")
    top = tally.top
    sources = np.zeros(len(continuing), dtype=np.bool_)
    sources[source] = True
    rows = _nb_rows_at(top, sources) if HAVE_NUMBA else np.flatnonzero(top == source)
    if len(rows):
        peak = int(values[rows].max())
        if peak * numerator > _INT64_MAX:
            raise OverflowError("fixed-point transfer would overflow int64; use fewer decimals")
        if HAVE_NUMBA:
            _nb_revalue(values, rows, numerator, denominator)
        else:
            values[rows] = values[rows] * numerator // denominator
    return transfer(ranks, weights, tally, continuing, sources, values)


# ---------------------------------------------------------------- pairwise


@compiled
def _nb_pairwise(ranks: Any, weights: Any, n_opt: int) -> Any:  # pragma: no cover - compiled
    ranked = np.zeros(n_opt, np.int64)
    before = np.zeros((n_opt, n_opt), np.int64)  # before[a, b]: b ranked above a, a ranked
    stamp = np.full(n_opt, -1, np.int64)
    width = ranks.shape[1]
    buf = np.empty(width, np.int64)
    for i in range(ranks.shape[0]):
        w = weights[i]
        k = 0
        for j in range(width):
            c = ranks[i, j]
            if c < 0:
                break
            if stamp[c] != i:
                stamp[c] = i
                buf[k] = c
                k += 1
        for q in range(k):
            a = buf[q]
            ranked[a] += w
            for p in range(q):
                before[a, buf[p]] += w
    out = np.empty((n_opt, n_opt), np.int64)
    for a in range(n_opt):
        for b in range(n_opt):
            out[a, b] = 0 if a == b else ranked[a] - before[a, b]
    return out


def np_clean(ranks: RankArray) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Rows as the positional and pairwise kernels read them (``profiles.effective_ranks``):
    cut at the first empty or overvoted rank, a repeated option's later marks blanked to
    ``-1`` in place (ranks keep their column). Returns the matrix and each row's count
    of marks that count.
    """
    ranks = _ranks(ranks).astype(np.int64)
    width = ranks.shape[1]
    valid = np.logical_and.accumulate(ranks >= 0, axis=1)
    for j in range(1, width):
        repeat = (ranks[:, :j] == ranks[:, j : j + 1]).any(axis=1)
        valid[:, j] &= ~repeat
    return np.where(valid, ranks, -1), valid.sum(axis=1)


def np_pairwise(ranks: RankArray, weights: IntArray | None, n_options: int) -> IntArray:
    """Reference for ``pairwise``."""
    clean, _ = np_clean(ranks)
    n, width = clean.shape
    w = _weights(n, weights)
    out = np.zeros((n_options, n_options), dtype=np.int64)
    for j in range(width):
        for k in range(j + 1, width):
            both = (clean[:, j] >= 0) & (clean[:, k] >= 0)
            np.add.at(out, (clean[both, j], clean[both, k]), w[both])
    member = np.zeros((n, n_options), dtype=np.int64)
    rows, cols = np.nonzero(clean >= 0)
    member[rows, clean[rows, cols]] = 1
    out += (member * w[:, None]).T @ (1 - member)
    return out


def pairwise(ranks: RankArray, weights: IntArray | None, n_options: int) -> IntArray:
    """``P[a, b]``: the weight of ballots that prefer ``a`` to ``b``.

    A ranked option is preferred to every unranked one; two unranked options are
    not compared. One pass over the rows, O(ranks²) per row (the Schulze,
    Copeland, ranked-pairs and minimax input).
    """
    if not HAVE_NUMBA:
        return np_pairwise(ranks, weights, n_options)
    ranks = _ranks(ranks)
    result: IntArray = _nb_pairwise(ranks, _weights(ranks.shape[0], weights), n_options)
    return result


# ------------------------------------------------------------------- Borda


@compiled
def _nb_positions(ranks: Any, weights: Any, n_opt: int) -> Any:  # pragma: no cover - compiled
    width = ranks.shape[1]
    counts = np.zeros((n_opt, width), np.int64)
    lengths = np.zeros(width + 1, np.int64)
    stamp = np.full(n_opt, -1, np.int64)
    for i in range(ranks.shape[0]):
        w = weights[i]
        k = 0
        for j in range(width):
            c = ranks[i, j]
            if c < 0:
                break
            if stamp[c] != i:
                stamp[c] = i
                counts[c, j] += w
                k += 1
        lengths[k] += w
    return counts, lengths


def np_position_counts(
    ranks: RankArray, weights: IntArray | None, n_options: int
) -> tuple[IntArray, IntArray]:
    """Reference for ``position_counts``."""
    clean, lengths = np_clean(ranks)
    n, width = clean.shape
    w = _weights(n, weights)
    counts = np.zeros((n_options, width), dtype=np.int64)
    for j in range(width):
        live = clean[:, j] >= 0
        np.add.at(counts, (clean[live, j], j), w[live])
    by_length = np.zeros(width + 1, dtype=np.int64)
    np.add.at(by_length, lengths, w)
    return counts, by_length


def position_counts(
    ranks: RankArray, weights: IntArray | None, n_options: int
) -> tuple[IntArray, IntArray]:
    """``counts[c, j]``: weight of ballots that rank ``c`` at rank column ``j``;
    ``lengths[k]``: weight of ballots with ``k`` marks that count.

    Every positional rule (Borda and its truncated-ballot variants, Dowdall,
    plurality, anti-plurality) is a small product of these two arrays.
    """
    if not HAVE_NUMBA:
        return np_position_counts(ranks, weights, n_options)
    ranks = _ranks(ranks)
    counts, lengths = _nb_positions(ranks, _weights(ranks.shape[0], weights), n_options)
    return counts, lengths


@compiled
def _nb_places(ranks: Any, weights: Any, n_opt: int) -> Any:  # pragma: no cover - compiled
    width = ranks.shape[1]
    at = np.zeros((n_opt, width), np.int64)
    lengths = np.zeros(width + 1, np.int64)
    ranked_in = np.zeros((n_opt, width + 1), np.int64)
    stamp = np.full(n_opt, -1, np.int64)
    buf = np.empty(width, np.int64)
    for i in range(ranks.shape[0]):
        w = weights[i]
        k = 0
        for j in range(width):
            c = ranks[i, j]
            if c < 0:
                break
            if stamp[c] != i:
                stamp[c] = i
                at[c, k] += w
                buf[k] = c
                k += 1
        lengths[k] += w
        for q in range(k):
            ranked_in[buf[q], k] += w
    return at, lengths, ranked_in


def np_place_counts(
    ranks: RankArray, weights: IntArray | None, n_options: int
) -> tuple[IntArray, IntArray, IntArray]:
    """Reference for ``place_counts``."""
    clean, lengths = np_clean(ranks)
    n, width = clean.shape
    w = _weights(n, weights)
    counted = clean >= 0
    places = np.cumsum(counted, axis=1) - 1
    at = np.zeros((n_options, width), dtype=np.int64)
    ranked_in = np.zeros((n_options, width + 1), dtype=np.int64)
    for j in range(width):
        live = counted[:, j]
        np.add.at(at, (clean[live, j], places[live, j]), w[live])
        np.add.at(ranked_in, (clean[live, j], lengths[live]), w[live])
    by_length = np.zeros(width + 1, dtype=np.int64)
    np.add.at(by_length, lengths, w)
    return at, by_length, ranked_in


def place_counts(
    ranks: RankArray, weights: IntArray | None, n_options: int
) -> tuple[IntArray, IntArray, IntArray]:
    """Counts by place rather than by rank column, for the Borda family.

    ``at[c, k]``: weight of ballots on which ``c`` is the ``k``-th option that counts
    (a repeated option's later mark leaves no gap); ``lengths[k]``: weight of ballots
    with ``k`` marks that count; ``ranked_in[c, k]``: weight of those ballots of
    length ``k`` that rank ``c`` (what the unranked-option variants need).
    """
    if not HAVE_NUMBA:
        return np_place_counts(ranks, weights, n_options)
    ranks = _ranks(ranks)
    at, lengths, ranked_in = _nb_places(ranks, _weights(ranks.shape[0], weights), n_options)
    return at, lengths, ranked_in


def borda(
    ranks: RankArray,
    weights: IntArray | None,
    n_options: int,
    points: Sequence[int] | None = None,
) -> IntArray:
    """Positional scores: ``points[j]`` for rank ``j`` (default ``n-1, n-2, ...``).

    Unranked options score nothing (the "pessimistic" truncated Borda); other
    variants follow from ``position_counts``.
    """
    counts, _ = position_counts(ranks, weights, n_options)
    width = counts.shape[1]
    if points is None:
        pts = np.arange(n_options - 1, n_options - 1 - width, -1, dtype=np.int64)
    else:
        pts = np.zeros(width, dtype=np.int64)
        given = np.asarray(points, dtype=np.int64)[:width]
        pts[: len(given)] = given
    scores: IntArray = counts @ pts
    return scores


# --------------------------------------------------------------- IRV / STV


@dataclass
class KernelCount:
    """A count by a driver: per-round tallies, what happened, and every tie broken.

    ``tallies[r]`` holds round ``r``'s counts (0 for options out of the count);
    ``transfers[r]`` what the option decided in round ``r`` passed on (last cell:
    exhausted). ``events[r]`` is ``("eliminated" | "elected", option)``.
    """

    tallies: list[IntArray] = field(default_factory=list)
    exhausted: list[int] = field(default_factory=list)
    events: list[tuple[str, int]] = field(default_factory=list)
    transfers: list[IntArray] = field(default_factory=list)
    winners: list[int] = field(default_factory=list)
    ties: list[tuple[int, tuple[int, ...], int]] = field(default_factory=list)
    quota: int | None = None
    scale: int = 1


def _choose(
    tied: list[int],
    round_: int,
    history: list[IntArray],
    purpose: str,
    break_tie: TieCallback | None,
    count: KernelCount,
) -> int:
    if len(tied) == 1:
        return tied[0]
    if break_tie is None:
        raise UnresolvedTieError(
            f"Round {round_}: options {tied} are tied for {purpose}.",
            tied=tuple(str(t) for t in tied),
            hint="Pass break_tie to choose among them.",
        )
    chosen = int(break_tie(tied, round_, history))
    if chosen not in tied:
        raise ValueError(f"break_tie chose {chosen}, which is not among {tied}")
    count.ties.append((round_, tuple(tied), chosen))
    return chosen


def irv_fast(
    ranks: RankArray,
    weights: IntArray | None,
    n_candidates: int,
    *,
    break_tie: TieCallback | None = None,
    until_majority: bool = True,
) -> KernelCount:
    """Plain instant-runoff over a grouped matrix: one elimination per round.

    Stops when an option holds more than half of the continuing (non-exhausted)
    votes, or, with ``until_majority=False``, when one option remains.
    ``break_tie(tied, round, history)`` picks whom to eliminate among level
    options; without it a tie raises ``UnresolvedTieError``.
    """
    ranks = _ranks(ranks)
    w = _weights(ranks.shape[0], weights)
    continuing = np.ones(n_candidates, dtype=np.bool_)
    state = first_preferences(ranks, w, continuing)
    counts = state.counts.copy()
    exhausted = state.exhausted
    result = KernelCount()
    round_ = 1
    while True:
        result.tallies.append(counts.copy())
        result.exhausted.append(exhausted)
        live = np.flatnonzero(continuing)
        active = int(counts[live].sum())
        best = int(counts[live].max())
        if len(live) == 1 or (until_majority and 2 * best > active):
            leaders = [int(c) for c in live if counts[c] == best]
            winner = _choose(leaders, round_, result.tallies, "winner", break_tie, result)
            result.winners.append(winner)
            return result
        low = int(counts[live].min())
        tied = [int(c) for c in live if counts[c] == low]
        loser = _choose(tied, round_, result.tallies, "elimination", break_tie, result)
        continuing[loser] = False
        sources = np.zeros(n_candidates, dtype=np.bool_)
        sources[loser] = True
        moved = transfer(ranks, w, state, continuing, sources)
        result.events.append(("eliminated", loser))
        result.transfers.append(moved)
        counts += moved[:-1]
        counts[loser] = 0
        exhausted += int(moved[-1])
        round_ += 1


def stv_fast(
    ranks: RankArray,
    weights: IntArray | None,
    n_candidates: int,
    seats: int,
    *,
    decimals: int = 5,
    break_tie: TieCallback | None = None,
) -> KernelCount:
    """Single transferable vote, weighted inclusive Gregory, in fixed point (10^decimals).

    Droop quota ``floor(votes / (seats + 1)) + 1`` on whole votes. When options reach
    the quota the one with most votes is elected and all its ballots pass on at
    ``value × surplus // total`` (truncated); otherwise the option with fewest votes
    is eliminated and its ballots pass on at their value. Ends when every seat is
    filled or the continuing options just fill the remaining seats.
    """
    ranks = _ranks(ranks)
    n = ranks.shape[0]
    w = _weights(n, weights)
    scale = 10**decimals
    values = np.full(n, scale, dtype=np.int64)
    continuing = np.ones(n_candidates, dtype=np.bool_)
    state = first_preferences(ranks, w, continuing, values)
    counts = state.counts.copy()
    exhausted = state.exhausted
    total = int(w.sum())
    quota = (total // (seats + 1) + 1) * scale
    result = KernelCount(quota=quota, scale=scale)
    round_ = 1
    while len(result.winners) < seats:
        result.tallies.append(counts.copy())
        result.exhausted.append(exhausted)
        live = [int(c) for c in np.flatnonzero(continuing)]
        if len(live) + len(result.winners) <= seats:
            rest = sorted(live, key=lambda c: -counts[c])
            for c in rest:
                result.events.append(("elected", c))
                result.transfers.append(np.zeros(n_candidates + 1, np.int64))
            result.winners.extend(rest)
            break
        reached = [c for c in live if counts[c] >= quota]
        if reached:
            top = max(counts[c] for c in reached)
            leaders = [c for c in reached if counts[c] == top]
            chosen = _choose(leaders, round_, result.tallies, "election", break_tie, result)
            result.winners.append(chosen)
            continuing[chosen] = False
            surplus = int(counts[chosen]) - quota
            if surplus > 0 and len(result.winners) < seats:
                moved = transfer_fixed(
                    ranks, w, values, state, continuing, chosen, surplus, int(counts[chosen])
                )
            else:
                moved = np.zeros(n_candidates + 1, np.int64)
            result.events.append(("elected", chosen))
        else:
            low = min(counts[c] for c in live)
            tied = [c for c in live if counts[c] == low]
            chosen = _choose(tied, round_, result.tallies, "elimination", break_tie, result)
            continuing[chosen] = False
            sources = np.zeros(n_candidates, dtype=np.bool_)
            sources[chosen] = True
            moved = transfer(ranks, w, state, continuing, sources, values)
            result.events.append(("eliminated", chosen))
        result.transfers.append(moved)
        counts += moved[:-1]
        counts[chosen] = 0
        exhausted += int(moved[-1])
        round_ += 1
    return result


# ------------------------------------------------------------------ ingest

_DIGIT0 = 48


@compiled
def _nb_parse_blt(buf: Any, start: int, n_cand: int, out: Any, wout: Any) -> Any:
    # Returns (rows, end offset, error code, error offset). Codes: 0 ok, 1 unexpected
    # end, 2 bad character, 3 option number out of range, 4 too many ranks.
    i = start
    n = buf.shape[0]
    width = out.shape[1]
    row = 0
    while True:  # pragma: no cover - compiled
        while i < n and (buf[i] == 32 or buf[i] == 9 or buf[i] == 10 or buf[i] == 13):
            i += 1
        if i >= n:
            return row, i, 1, i
        if buf[i] == 40:  # "(id)" before the weight
            while i < n and buf[i] != 41:
                i += 1
            i += 1
            while i < n and (buf[i] == 32 or buf[i] == 9):
                i += 1
        if i >= n or buf[i] < 48 or buf[i] > 57:
            return row, i, 2, i
        weight = 0
        while i < n and 48 <= buf[i] <= 57:
            weight = weight * 10 + (buf[i] - 48)
            i += 1
        if weight == 0:
            return row, i, 0, i
        if row >= out.shape[0]:
            return row, i, 1, i
        k = 0
        equal = False
        done = False
        while not done:
            if i >= n:
                return row, i, 1, i
            c = buf[i]
            if c == 32 or c == 9:
                i += 1
            elif 48 <= c <= 57:
                v = 0
                while i < n and 48 <= buf[i] <= 57:
                    v = v * 10 + (buf[i] - 48)
                    i += 1
                if v == 0:
                    done = True
                elif v > n_cand:
                    return row, i, 3, i
                elif equal:
                    out[row, k - 1] = -2
                    equal = False
                else:
                    if k >= width:
                        return row, i, 4, i
                    out[row, k] = v - 1
                    k += 1
            elif c == 61 and k > 0:  # "=": this mark shares the previous rank
                equal = True
                i += 1
            elif c == 45:  # "-": a skipped rank
                if k >= width:
                    return row, i, 4, i
                out[row, k] = -1
                k += 1
                i += 1
            else:
                return row, i, 2, i
        wout[row] = weight
        row += 1


_BLT_ERRORS = {
    1: "the ballots end before the closing 0 line",
    2: "unexpected character in a ballot line",
    3: "a ballot names an option number larger than the number of candidates",
    4: "a ballot has more ranks than there are candidates",
}
_TOKEN = re.compile(rb'"((?:[^"\\]|\\.)*)"|(\S+)')


def _line_of(buf: bytes | npt.NDArray[np.uint8], offset: int) -> int:
    data = bytes(buf[:offset]) if not isinstance(buf, bytes) else buf[:offset]
    return data.count(b"\n") + 1


def read_blt_fast(path: str | Path, *, plain: bool = False) -> RankedProfile:
    """Read a ``.blt`` file into a grouped ``RankedProfile`` without per-ballot Python work.

    The compiled parser reads the plain numeric format: the header (``candidates
    seats``), withdrawn options (negative numbers), ``(id)`` ballot labels, ``=``
    (equal ranks, read as an overvote at that rank) and ``-`` (a skipped rank).
    Anything else (Droop's ``[option]`` lines and nicknames, a malformed line) goes
    to ``formats.blt.read_blt_complete``, the complete reader, whose result and errors this
    function's equal; ``meta`` is the same as that reader's. With ``plain``, only
    plain numeric ballots are read here (``formats.blt.read_blt`` uses this).
    """
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return _read_blt_complete(path)  # it words the error
    offset = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    buf = np.frombuffer(raw, dtype=np.uint8)
    header_end = raw.find(b"\n", offset)
    try:
        head = raw[offset : header_end if header_end >= 0 else None].split()
        n_cand, seats = (int(x) for x in head)
    except ValueError:
        return _read_blt_complete(path)
    if n_cand < 1 or seats < 1:
        return _read_blt_complete(path)
    start = header_end + 1
    withdrawn: list[int] = []
    line_end = raw.find(b"\n", start)
    line = raw[start : line_end if line_end >= 0 else None].split()
    if line and line[0].startswith(b"-"):
        try:
            withdrawn = [-int(x) - 1 for x in line]
        except ValueError:
            return _read_blt_complete(path)
        start = line_end + 1
    elif line and line[0].startswith(b"["):
        return _read_blt_complete(path)
    dtype = rank_dtype(n_cand)
    n_lines = int(np.count_nonzero(buf[start:] == 10)) + 1
    out = np.full((n_lines, max(n_cand, 1)), EMPTY, dtype=dtype)
    wout = np.empty(n_lines, dtype=np.int64)
    rows, end, code, _ = _nb_parse_blt(buf, start, n_cand, out, wout)
    tokens = [
        m.group(1) if m.group(1) is not None else m.group(2) for m in _TOKEN.finditer(raw, end)
    ]
    if code or not n_cand <= len(tokens) <= n_cand + 1 or any(t.startswith(b"[") for t in tokens):
        # Malformed, Droop's options, or a comment after the title: the complete reader.
        return _read_blt_complete(path)
    names = tuple(t.decode("utf-8") for t in tokens[:n_cand])
    title = tokens[n_cand].decode("utf-8") if len(tokens) > n_cand else ""
    if any(not 0 <= w < n_cand for w in withdrawn):
        return _read_blt_complete(path)
    if plain and any(raw.find(mark, start, end) >= 0 for mark in (b"=", b"-", b"(")):
        # Equal ranks (``meta["tie_groups"]``), skipped ranks and ballot labels: the
        # complete reader records them its own way (or refuses them).
        return _read_blt_complete(path)
    ranks, weights = group_ranked(out[:rows], wout[:rows])
    if ranks.shape[1] > 1:
        ordered = np.sort(ranks, axis=1)
        if ((ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] >= 0)).any():
            return _read_blt_complete(path)  # a candidate ranked twice: it names the line
    # The complete reader's row order (lexicographic), so that both give equal profiles.
    order = np.lexsort(ranks.T[::-1])
    ranks, weights = ranks[order], weights[order]
    meta: dict[str, Any] = {
        "format": "blt",
        "path": name,
        "seats": seats,
        "title": title,
        "withdrawn": tuple(names[w] for w in withdrawn),
        "nicknames": (),
    }
    return RankedProfile(names, ranks, weights, meta)


def _read_blt_complete(path: str | Path) -> RankedProfile:
    from .formats.blt import read_blt_complete

    return read_blt_complete(path)


@compiled
def _nb_parse_csv(
    buf: Any, start: int, out: Any, name_start: Any, name_len: Any, table: Any
) -> Any:  # pragma: no cover - compiled
    # Returns (rows, names, error code, error offset). Codes: 0 ok, 2 a quote (use the
    # csv module), 4 too many cells, 5 too many distinct names.
    n = buf.shape[0]
    width = out.shape[1]
    mask = table.shape[0] - 1
    names = 0
    row = 0
    i = start
    while i < n:
        if buf[i] == 10 or buf[i] == 13:
            i += 1
            continue
        if row >= out.shape[0]:
            return row, names, 1, i
        col = 0
        while True:
            s = i
            h = np.uint64(0xCBF29CE484222325)
            while i < n and buf[i] != 44 and buf[i] != 10 and buf[i] != 13:
                if buf[i] == 34:
                    return row, names, 2, i
                h = (h ^ np.uint64(buf[i])) * np.uint64(0x100000001B3)
                i += 1
            e = i
            if e > s:
                if col >= width:
                    return row, names, 4, s
                slot = np.int64(h & np.uint64(mask))
                while True:
                    g = table[slot]
                    if g == -1:
                        if names >= name_start.shape[0]:
                            return row, names, 5, s
                        table[slot] = names
                        name_start[names] = s
                        name_len[names] = e - s
                        out[row, col] = names
                        names += 1
                        break
                    if name_len[g] == e - s:
                        same = True
                        b = name_start[g]
                        for q in range(e - s):
                            if buf[b + q] != buf[s + q]:
                                same = False
                                break
                        if same:
                            out[row, col] = g
                            break
                    slot = (slot + 1) & mask
            col += 1
            if i >= n or buf[i] != 44:
                break
            i += 1
        row += 1
        while i < n and buf[i] == 13:
            i += 1
    return row, names, 0, i


def read_csv_fast(path: str | Path) -> RankedProfile:
    """Read a rank-column CSV (a header, then one ballot a line: option names by rank).

    Empty cells are unused ranks. Options are sorted by name. A file with quoted
    cells is read with the ``csv`` module instead (slower, same result).
    """
    name = str(path)
    raw = Path(path).read_bytes()
    if not HAVE_NUMBA:
        return _read_csv_slow(name, raw)
    header_end = raw.find(b"\n")
    if header_end < 0:
        return _read_csv_slow(name, raw)
    parsed = csv_rank_codes(raw, header_end + 1, len(raw[:header_end].split(b",")))
    if parsed.code == 2:
        return _read_csv_slow(name, raw)
    if parsed.code:
        raise BallotFormatError(
            "a ballot line has more cells than the header",
            path=name,
            line=_line_of(raw, parsed.where),
        )
    found = parsed.names
    n_names = len(found)
    order = sorted(range(n_names), key=lambda g: found[g])
    lut = np.empty(n_names, dtype=np.int16)
    lut[order] = np.arange(n_names, dtype=np.int16)
    ranks = parsed.ranks
    mapped = np.where(ranks >= 0, lut[np.maximum(ranks, 0)], ranks)
    options = tuple(found[g] for g in order)
    return RankedProfile(options, mapped.astype(rank_dtype(n_names)), parsed.weights)


@dataclass
class CsvCodes:
    """Rank-column CSV ballots, grouped: option codes in order of first appearance.

    ``code`` is 0 when the bytes were read, 2 when a quote needs the ``csv`` module,
    4 when a line has more cells than the header, 5 past 32,000 distinct names;
    ``where`` is the byte offset of the problem.
    """

    code: int
    where: int
    names: list[str] = field(default_factory=list)
    ranks: RankArray = field(default_factory=lambda: np.zeros((0, 1), np.int16))
    weights: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))


def csv_rank_codes(raw: bytes, start: int, width: int) -> CsvCodes:
    """The ballot lines of a rank-column CSV from byte ``start``, ``width`` cells a line.

    Cells are taken as they are (not stripped, ``=`` not split): callers with other
    rules check ``names``. Needs numba.
    """
    buf = np.frombuffer(raw, dtype=np.uint8)
    n_lines = int(np.count_nonzero(buf[start:] == 10)) + 1
    out = np.full((n_lines, max(width, 1)), EMPTY, dtype=np.int16)
    limit = 32_000
    name_start = np.zeros(limit, np.int64)
    name_len = np.zeros(limit, np.int64)
    table = np.full(1 << 16, -1, np.int64)
    rows, n_names, code, where = _nb_parse_csv(buf, start, out, name_start, name_len, table)
    if code:
        return CsvCodes(int(code), int(where))
    names = [
        raw[s : s + ln].decode("utf-8")
        for s, ln in zip(name_start[:n_names], name_len[:n_names], strict=True)
    ]
    ranks, weights = group_ranked(out[:rows])
    return CsvCodes(0, int(where), names, ranks, weights)


def _read_csv_slow(name: str, raw: bytes) -> RankedProfile:
    import csv
    import io

    reader = csv.reader(io.StringIO(raw.decode("utf-8")))
    next(reader, None)
    ballots = [[cell.strip() for cell in row] for row in reader if row]
    options = sorted({c for row in ballots for c in row if c})
    index = {o: i for i, o in enumerate(options)}
    width = max((len(r) for r in ballots), default=1)
    matrix = np.full((len(ballots), max(width, 1)), EMPTY, dtype=rank_dtype(len(options)))
    for i, row in enumerate(ballots):
        for j, cell in enumerate(row):
            if cell:
                matrix[i, j] = index[cell]
    ranks, weights = group_ranked(matrix)
    return RankedProfile(tuple(options), ranks, weights)
