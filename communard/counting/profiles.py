"""Ballot profiles: compact arrays of grouped identical ballots.

Every profile holds the option names once and the ballots as a numpy array of
*distinct* ballots with an ``int64`` weight (how many voters cast it). Methods
work on whole arrays; nothing here loops over single ballots in Python.

- ``RankedProfile``: ``ranks[i, j]`` is the option index at rank ``j`` of
  distinct ballot ``i`` (``int8`` up to 127 options, ``int16`` beyond); ``-1``
  marks an empty rank (after the last preference, or a skipped rank where the
  reader keeps skips), ``OVERVOTE`` a rank with several options marked.
- ``ApprovalProfile``: ``approved[i, c]`` is a boolean matrix.
- ``ScoreProfile``: ``scores[i, c]`` integer scores or grades, ``-1`` = no score.
- ``BudgetProfile``: a participatory-budgeting instance (projects with costs,
  a budget, approval or cumulative ballots).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

EMPTY = -1
OVERVOTE = -2

IntArray = npt.NDArray[np.int64]


def rank_dtype(n_options: int) -> type[np.signedinteger[Any]]:
    """The smallest signed integer type that holds every option index and the markers."""
    return np.int8 if n_options <= 127 else np.int16


def group_rows(
    matrix: npt.NDArray[Any], weights: IntArray | None = None
) -> tuple[npt.NDArray[Any], IntArray]:
    """Merge identical rows of ``matrix``, summing their weights."""
    if matrix.shape[0] == 0:
        return matrix, np.zeros(0, dtype=np.int64)
    contiguous = np.ascontiguousarray(matrix)
    row_view = contiguous.view(np.dtype((np.void, contiguous.dtype.itemsize * contiguous.shape[1])))
    _, first, inverse = np.unique(row_view.ravel(), return_index=True, return_inverse=True)
    w = np.ones(matrix.shape[0], dtype=np.int64) if weights is None else weights.astype(np.int64)
    grouped_weights = np.bincount(
        inverse.ravel(), weights=None if weights is None else w, minlength=len(first)
    )
    return contiguous[first], grouped_weights.astype(np.int64)


@dataclass
class RankedProfile:
    """Ranked ballots, grouped: ``ranks`` (distinct ballots × max rank) and ``weights``."""

    options: tuple[str, ...]
    ranks: npt.NDArray[np.signedinteger[Any]]
    weights: IntArray
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def n_voters(self) -> int:
        return int(self.weights.sum())

    @property
    def n_distinct(self) -> int:
        return int(self.ranks.shape[0])

    @classmethod
    def from_rankings(
        cls,
        options: Sequence[str],
        rankings: Iterable[Sequence[str]],
        weights: Iterable[int] | None = None,
    ) -> RankedProfile:
        """Build from ballots given as lists of option names, most preferred first.

        Convenience for tests and small inputs; file readers build arrays directly.
        """
        index = {name: i for i, name in enumerate(options)}
        rows = [[index[name] for name in ballot] for ballot in rankings]
        width = max((len(r) for r in rows), default=0)
        matrix = np.full((len(rows), max(width, 1)), EMPTY, dtype=rank_dtype(len(options)))
        for i, row in enumerate(rows):
            matrix[i, : len(row)] = row
        w = None if weights is None else np.fromiter(weights, dtype=np.int64)
        ranks, grouped = group_rows(matrix, w)
        return cls(tuple(options), ranks, grouped)

    def grouped(self) -> RankedProfile:
        ranks, weights = group_rows(self.ranks, self.weights)
        return RankedProfile(self.options, ranks, weights, dict(self.meta))


@dataclass
class ApprovalProfile:
    """Approval ballots, grouped: boolean ``approved`` (distinct ballots × options)."""

    options: tuple[str, ...]
    approved: npt.NDArray[np.bool_]
    weights: IntArray
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def n_voters(self) -> int:
        return int(self.weights.sum())

    @classmethod
    def from_sets(
        cls,
        options: Sequence[str],
        ballots: Iterable[Iterable[str]],
        weights: Iterable[int] | None = None,
    ) -> ApprovalProfile:
        index = {name: i for i, name in enumerate(options)}
        rows = [sorted(index[n] for n in b) for b in ballots]
        matrix = np.zeros((len(rows), len(options)), dtype=np.bool_)
        for i, row in enumerate(rows):
            matrix[i, row] = True
        w = None if weights is None else np.fromiter(weights, dtype=np.int64)
        approved, grouped = group_rows(matrix, w)
        return cls(tuple(options), approved, grouped)


@dataclass
class ScoreProfile:
    """Score or grade ballots, grouped: ``scores`` (distinct ballots × options), -1 = none.

    ``scale`` names the grades from worst (0) to best for majority judgment, or is
    ``None`` for plain integer scores from ``min_score`` to ``max_score``.
    """

    options: tuple[str, ...]
    scores: npt.NDArray[np.int16]
    weights: IntArray
    min_score: int = 0
    max_score: int = 5
    scale: tuple[str, ...] | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def n_voters(self) -> int:
        return int(self.weights.sum())

    @classmethod
    def from_scores(
        cls,
        options: Sequence[str],
        ballots: Iterable[Mapping[str, int | str]],
        weights: Iterable[int] | None = None,
        *,
        min_score: int = 0,
        max_score: int = 5,
        scale: Sequence[str] | None = None,
    ) -> ScoreProfile:
        """Build from ballots given as ``{option: score}`` (or ``{option: grade name}``).

        An option missing from a ballot gets no score (-1). With a ``scale`` the
        grades may be given by name, worst first, and range over its indices.
        """
        index = {name: i for i, name in enumerate(options)}
        grade = {name: i for i, name in enumerate(scale)} if scale is not None else {}
        rows = list(ballots)
        matrix = np.full((len(rows), len(options)), EMPTY, dtype=np.int16)
        for i, ballot in enumerate(rows):
            for name, value in ballot.items():
                matrix[i, index[name]] = grade[value] if isinstance(value, str) else value
        w = None if weights is None else np.fromiter(weights, dtype=np.int64)
        scores, grouped = group_rows(matrix, w)
        if scale is not None:
            min_score, max_score = 0, len(scale) - 1
        return cls(
            tuple(options),
            scores,
            grouped,
            min_score,
            max_score,
            None if scale is None else tuple(scale),
        )


@dataclass
class YesNoProfile:
    """Counts of a yes/no/abstain (or consent) vote, with the electorate's size.

    ``blocks`` carries the reasons given with each block in a consent vote.
    """

    yes: int
    no: int
    abstain: int = 0
    electorate: int | None = None
    blocks: tuple[str, ...] = ()
    stand_asides: int = 0
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class BudgetProfile:
    """A participatory-budgeting instance (as in Pabulib ``.pb`` files).

    ``costs[p]`` are integer costs in the smallest currency unit; ballots are
    approval (``approved``) or cumulative/scored (``points``) over projects.
    """

    projects: tuple[str, ...]
    costs: IntArray
    budget: int
    approved: npt.NDArray[np.bool_]
    weights: IntArray
    points: IntArray | None = None
    names: dict[str, str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def n_voters(self) -> int:
        return int(self.weights.sum())


def effective_ranks(profile: RankedProfile) -> npt.NDArray[np.intp]:
    """Each distinct ballot's ranks as the methods without RCTab's rules read them.

    A ballot ends at its first empty or overvoted rank, and an option ranked
    again later keeps only its first (highest) rank; every rank that does not
    count holds ``len(profile.options)``, one past the last option, so that a
    whole-array count can put it in a discard bin. Rules with their own ballot
    rules (instant-runoff as RCTab runs it) read ``ranks`` themselves.
    """
    n_options = len(profile.options)
    ranks = profile.ranks.astype(np.intp)
    valid = np.logical_and.accumulate(ranks >= 0, axis=1) if ranks.size else ranks >= 0
    clean = np.where(valid, ranks, n_options)
    if n_options <= 63:
        # One bit per option per ballot: a repeat is found in one pass per rank.
        seen = np.zeros(clean.shape[0], dtype=np.uint64)
        one = np.uint64(1)
        for j in range(clean.shape[1]):
            column = clean[:, j]
            bits = np.left_shift(one, column.astype(np.uint64))
            repeated = ((seen & bits) != 0) & (column < n_options)
            column[repeated] = n_options
            seen |= np.where(column < n_options, bits, np.uint64(0))
        return clean
    for later in range(1, clean.shape[1]):
        column = clean[:, later]
        for earlier in range(later):
            repeated = (column == clean[:, earlier]) & (column < n_options)
            column[repeated] = n_options
    return clean
