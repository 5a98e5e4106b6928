"""Shared machinery of the single-transferable-vote counts: ballot state, exact sums, records.

Ballots stay grouped (one row per distinct ranking, ``mult`` voters cast it).
Each row carries its current value per voter as a fixed-point ``int64`` scaled
by ``10**d`` and the index of its current preference; a transfer moves only the
rows sitting with one candidate, as whole-array operations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from .. import kernels
from ..errors import ConfigError
from ..outcomes import Number, Round, TieBreakRecord
from ..profiles import OVERVOTE, RankedProfile
from ..ties import Ask, TieBreaker, break_tie

IntArray = npt.NDArray[np.int64]

HOPEFUL, ELECTED, EXCLUDED, WITHDRAWN = "hopeful", "elected", "excluded", "withdrawn"
NON_TRANSFERABLE = "non-transferable"

_LOW_BITS = 26
_LOW_MASK = (1 << _LOW_BITS) - 1


def exact_bincount(labels: IntArray, values: IntArray, n: int) -> IntArray:
    """Sum non-negative int64 ``values`` per label exactly.

    ``np.bincount`` sums in float64; splitting each value into a low 26-bit and a
    high part keeps every partial sum below 2**53, where float64 is exact, so the
    recombined integers are exact. Past those bounds it falls back to ``np.add.at``.
    """
    if len(values) == 0:
        return np.zeros(n, dtype=np.int64)
    total = int(values.sum(dtype=np.int64))
    if len(values) < (1 << 26) and total < (1 << 62):
        low = np.bincount(labels, weights=values & _LOW_MASK, minlength=n)
        high = np.bincount(labels, weights=values >> _LOW_BITS, minlength=n)
        return (high.astype(np.int64) << _LOW_BITS) + low.astype(np.int64)
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, labels, values)
    return out


def muldiv_floor(values: IntArray, numerator: int, denominator: int) -> IntArray:
    """``floor(values * numerator / denominator)`` elementwise, exactly (int64 or Python ints)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    top = int(values.max()) if len(values) else 0
    if top * abs(numerator) < (1 << 62):
        return (values * numerator) // denominator
    exact = values.astype(object) * numerator // denominator
    return exact.astype(np.int64)


def to_decimal(value: int, digits: int) -> Decimal:
    """A fixed-point integer scaled by ``10**digits`` as an exact ``Decimal``."""
    # From a string: exact whatever the length (scaleb would round to the context's 28 digits).
    return Decimal(f"{value}E-{digits}")


class Ballots:
    """Grouped ballots with each row's current value and current preference."""

    def __init__(self, profile: RankedProfile, scale: int) -> None:
        ranks = np.ascontiguousarray(profile.ranks)
        self.ranks = ranks
        self.n_options = len(profile.options)
        self.mult = np.asarray(profile.weights, dtype=np.int64)
        n, k = ranks.shape
        self.width = k
        cols = np.arange(k)
        # A rank with several options marked (OVERVOTE, or equal rankings) ends the
        # ballot there, as RCTab's default overvote rule does (docs/stv.md).
        over = ranks == OVERVOTE
        self.stop = np.where(over.any(axis=1), over.argmax(axis=1), k).astype(np.int64)
        self.cols = cols
        self.pos = np.zeros(n, dtype=np.int64)
        self.top = np.full(n, -1, dtype=np.int64)
        self.value = np.full(n, scale, dtype=np.int64)

    def advance(self, rows: IntArray, hopeful: npt.NDArray[np.bool_]) -> None:
        """Move ``rows`` to their next preference for a hopeful candidate (or exhaust them)."""
        if len(rows) == 0:
            return
        if kernels.HAVE_NUMBA:
            kernels.advance(self.ranks, self.mult, self.value, hopeful, self.top, self.pos, rows)
            return
        sub = self.ranks[rows]
        ok = (sub >= 0) & hopeful[np.maximum(sub, 0)]
        ok &= self.cols[None, :] >= self.pos[rows, None]
        ok &= self.cols[None, :] < self.stop[rows, None]
        found = ok.any(axis=1)
        first = ok.argmax(axis=1)
        self.pos[rows] = np.where(found, first, self.width)
        picked = sub[np.arange(len(rows)), first].astype(np.int64)
        self.top[rows] = np.where(found, picked, -1)

    def votes(self, rows: IntArray) -> IntArray:
        return self.value[rows] * self.mult[rows]

    def move(self, rows: IntArray, hopeful: npt.NDArray[np.bool_]) -> tuple[IntArray, int]:
        """Advance ``rows`` and return the votes each candidate receives and the exhausted votes."""
        if kernels.HAVE_NUMBA and self._fits_int64(rows):
            # One compiled pass finds the next preferences and sums the votes moved.
            moved = kernels.advance(
                self.ranks, self.mult, self.value, hopeful, self.top, self.pos, rows
            )
            return moved[:-1], int(moved[-1])
        self.advance(rows, hopeful)
        v = self.votes(rows)
        t = self.top[rows]
        live = t >= 0
        received = exact_bincount(t[live], v[live], self.n_options)
        return received, int(v[~live].sum())

    def _fits_int64(self, rows: IntArray) -> bool:
        # The compiled sums are int64 and would wrap silently; exact_bincount goes wider.
        if len(rows) == 0:
            return True
        return int(self.value[rows].max()) * int(self.mult[rows].sum()) < (1 << 62)

    def rows_at(self, candidate: int) -> IntArray:
        return np.flatnonzero(self.top == candidate)


@dataclass
class Tally:
    """The state of a count between stages, kept in scaled integers."""

    names: tuple[str, ...]
    digits: int
    total: int  # scaled
    votes: IntArray
    state: list[str]
    quota: int = 0
    exhausted: int = 0
    pending: list[int] = field(default_factory=list)
    elected_order: list[int] = field(default_factory=list)
    history: list[IntArray] = field(default_factory=list)
    rounds: list[Round] = field(default_factory=list)
    tie_breaks: list[TieBreakRecord] = field(default_factory=list)
    just_elected: list[int] = field(default_factory=list)
    # For a countback: each elected candidate's papers when elected (rows, value of each
    # row in all, votes credited then).
    parcels: dict[int, tuple[IntArray, IntArray, int]] = field(default_factory=dict)

    def dec(self, value: int) -> Decimal:
        return to_decimal(value, self.digits)

    def indices(self, status: str) -> list[int]:
        return [i for i, s in enumerate(self.state) if s == status]

    def hopeful_mask(self) -> npt.NDArray[np.bool_]:
        return np.array([s == HOPEFUL for s in self.state], dtype=bool)

    @property
    def seats_filled(self) -> int:
        return len(self.elected_order)

    def elect(self, candidate: int, *, pending: bool = True, into_last: bool = True) -> None:
        """Elect ``candidate``: into the last recorded stage, or into the next one."""
        self.state[candidate] = ELECTED
        self.elected_order.append(candidate)
        if pending:
            self.pending.append(candidate)
        if into_last and self.rounds:
            self.rounds[-1].elected.append(self.names[candidate])
            self.rounds[-1].extra["states"][self.names[candidate]] = ELECTED
        else:
            self.just_elected.append(candidate)

    def exclude(self, candidate: int, *, into_last: bool = False) -> None:
        self.state[candidate] = EXCLUDED
        if into_last and self.rounds:
            self.rounds[-1].eliminated.append(self.names[candidate])
            self.rounds[-1].extra["states"][self.names[candidate]] = EXCLUDED

    def complete(self, seats: int) -> bool:
        left = seats - self.seats_filled
        return left <= 0 or len(self.indices(HOPEFUL)) <= left

    def record(
        self,
        note: str,
        *,
        eliminated: Sequence[int] = (),
        transfers: dict[str, dict[str, Number]] | None = None,
        surplus: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Round:
        """Close a stage: snapshot the tallies and append a ``Round``."""
        tallies: dict[str, Number] = {
            self.names[i]: self.dec(int(self.votes[i]))
            for i in range(len(self.names))
            if self.state[i] != WITHDRAWN
        }
        held = int(sum(int(self.votes[i]) for i in range(len(self.names))))
        loss = self.total - held - self.exhausted
        info: dict[str, Any] = {
            "states": {n: s for n, s in zip(self.names, self.state, strict=True)},
            "rounding_loss": self.dec(loss),
            "total": self.dec(self.total),
        }
        info.update(extra or {})
        round_ = Round(
            number=len(self.rounds) + 1,
            tallies=tallies,
            elected=[self.names[i] for i in self.just_elected],
            eliminated=[self.names[i] for i in eliminated],
            transfers=transfers or {},
            exhausted=self.dec(self.exhausted),
            threshold=self.dec(self.quota),
            surplus=None if surplus is None else self.dec(surplus),
            note=note,
            extra=info,
        )
        self.just_elected = []
        self.rounds.append(round_)
        self.history.append(self.votes.copy())
        return round_

    def transfer_record(
        self, source: int, received: IntArray, exhausted: int
    ) -> dict[str, dict[str, Number]]:
        flows: dict[str, Number] = {
            self.names[i]: self.dec(int(received[i])) for i in np.flatnonzero(received)
        }
        flows[NON_TRANSFERABLE] = self.dec(exhausted)
        return {self.names[source]: flows}


def resolve_tie(
    tally: Tally,
    tied: list[int],
    *,
    purpose: str,
    lowest: bool,
    look_back: bool,
    tie_break: TieBreaker | None,
) -> int:
    """Choose one of ``tied``: by earlier stages if ``look_back``, then by ``tie_break``.

    Looking back follows Scottish rules 49(2) and 51(2): go back stage by stage;
    at each, keep only the candidates with the lowest (``lowest``) or highest
    votes there, until one remains. What is left goes to ``tie_break``.
    """
    if len(tied) == 1:
        return tied[0]
    stage = len(tally.rounds) + 1
    names = [tally.names[i] for i in tied]
    group = np.array(tied, dtype=np.int64)
    if look_back and tally.history:
        table = np.vstack(tally.history)[:, group]  # stages × tied candidates
        alive = np.ones(len(group), dtype=bool)
        back = len(table)
        while True:
            # The most recent earlier stage at which the candidates still tied differ.
            live = table[:back][:, alive]
            differ = np.flatnonzero(live.max(axis=1) != live.min(axis=1))
            if len(differ) == 0:
                break
            back = int(differ[-1])
            row = table[back]
            best = row[alive].min() if lowest else row[alive].max()
            alive &= row == best
            if alive.sum() == 1:
                winner = int(group[np.argmax(alive)])
                tally.tie_breaks.append(
                    TieBreakRecord(
                        round=stage,
                        purpose=purpose,
                        tied=tuple(names),
                        chosen=(tally.names[winner],),
                        rule="previous-stages",
                        explanation=f"{tally.names[winner]} had the "
                        f"{'fewest' if lowest else 'most'} votes at stage {back + 1}, the most "
                        "recent stage at which the tied candidates had unequal votes.",
                    )
                )
                return winner
        group = group[alive]
    left = [int(i) for i in group]
    record = break_tie(
        tie_break or Ask(),
        [tally.names[i] for i in left],
        1,
        purpose=purpose,
        round=stage,
        history=_History(tally, left),
    )
    tally.tie_breaks.append(record)
    return tally.names.index(record.chosen[0])


def choose_one(
    breaker: TieBreaker,
    names: Sequence[str],
    tied: list[int],
    *,
    purpose: str,
    round: int,
    records: list[TieBreakRecord],
) -> int:
    """One of ``tied`` (candidate indices) by ``breaker``; the break goes to ``records``."""
    if len(tied) == 1:
        return tied[0]
    record = break_tie(breaker, [names[i] for i in tied], 1, purpose=purpose, round=round)
    records.append(record)
    return tied[[names[i] for i in tied].index(record.chosen[0])]


class _History(Sequence[dict[str, Number]]):
    """Earlier stages' votes of some candidates, built only when a tie-break reads them."""

    def __init__(self, tally: Tally, candidates: list[int]) -> None:
        self.tally = tally
        self.candidates = candidates

    def __len__(self) -> int:
        return len(self.tally.history)

    @overload
    def __getitem__(self, index: int) -> dict[str, Number]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[dict[str, Number]]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        votes = self.tally.history[index]
        return {self.tally.names[i]: int(votes[i]) for i in self.candidates}


@dataclass
class FileOrder:
    """Break ties by a predetermined order: the earliest listed is chosen, whatever the purpose.

    This is the Droop / PRF reference convention ("the tied candidate who is earliest
    in a predetermined random tie-breaking order"), used for excluding a candidate
    as for choosing a surplus. ``ties.Permutation`` instead excludes the *last*.
    """

    order: tuple[str, ...]
    name: str = "tie-order"

    def choose(
        self,
        tied: Sequence[str],
        k: int,
        *,
        purpose: str,
        round: int,
        history: Sequence[dict[str, Number]] = (),
    ) -> TieBreakRecord:
        position = {c: i for i, c in enumerate(self.order)}
        ranked = sorted(tied, key=lambda c: position.get(c, len(position)))
        return TieBreakRecord(
            round=round,
            purpose=purpose,
            tied=tuple(tied),
            chosen=tuple(ranked[:k]),
            rule=self.name,
            explanation="Broken by the predetermined order " + ", ".join(self.order) + ".",
        )


def default_tie_break(profile: RankedProfile, tie_break: TieBreaker | None) -> TieBreaker | None:
    """The caller's rule, else the ballot file's ``[tie]`` order, else none (stop and ask)."""
    if tie_break is not None:
        return tie_break
    order = profile.meta.get("tie_order")
    return FileOrder(tuple(order), name="file-tie-order") if order else None


def check_seats(profile: RankedProfile, seats: int) -> None:
    if not isinstance(seats, int) or seats < 1:
        raise ConfigError(f"seats must be a positive whole number, not {seats!r}.")
    if not isinstance(profile, RankedProfile):
        raise ConfigError("STV counts ranked ballots; give a RankedProfile.")


def withdrawn_indices(profile: RankedProfile, options: dict[str, Any]) -> set[int]:
    names = set(profile.meta.get("withdrawn", ())) | set(options.get("withdrawn", ()))
    unknown = names - set(profile.options)
    if unknown:
        raise ConfigError(f"withdrawn names no candidate: {', '.join(sorted(unknown))}.")
    return {profile.options.index(n) for n in names}


def sure_losers(
    votes: Sequence[Any], hopeful: list[int], surplus: Any, left: int, zero: Any = 0
) -> list[int]:
    """PRF WIGM B.2: the largest batch of lowest hopefuls that cannot catch the next one."""
    ordered = sorted(hopeful, key=lambda c: (votes[c], c))
    groups: list[list[int]] = []
    group_vote = zero
    for c in ordered:
        if groups and group_vote + surplus >= votes[c]:
            groups[-1].append(c)
        else:
            groups.append([c])
            group_vote = votes[c]
    total, count, best = zero, 0, None
    for g in range(len(groups) - 1):
        count += len(groups[g])
        if count > len(hopeful) - left:
            break
        total += sum((votes[c] for c in groups[g]), zero)
        if total + surplus < votes[groups[g + 1][0]]:
            best = g
    return [] if best is None else sorted(c for g in groups[: best + 1] for c in g)
