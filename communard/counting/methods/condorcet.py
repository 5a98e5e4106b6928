"""Condorcet methods over the pairwise table: Schulze, ranked pairs, Copeland, minimax.

``pairwise(profile)`` builds the table ``P[a, b]`` (how many voters rank ``a``
above ``b``) from grouped ballots: with the compiled kernel of ``kernels.py``
in one pass, or in whole-array numpy with one weighted histogram for each pair
of rank positions (``pairwise_numpy``); no Python loop runs per ballot. A
ranked option beats every unranked one; two unranked options are not compared.
Everything after the table works on the m × m matrix alone.

Every outcome shows the table in ``Outcome.details["pairwise"]`` (``{a: {b: P[a, b]}}``)
and names the Condorcet winner when there is one.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ConfigError
from ..outcomes import Number, Outcome, Round, TieBreakRecord
from ..profiles import RankedProfile, effective_ranks
from ..registry import method
from ..ties import TieBreaker
from .rankings import (
    bin_count,
    breaker_of,
    expect,
    finish,
    ranking_by,
    record_phrase,
    single_seat,
    tie_phrase,
)

Matrix = npt.NDArray[np.int64]

# Rank-pair histograms above which the compiled kernel beats numpy even counting
# the second or so numba needs to load it.
KERNEL_WORK = 5_000_000

CONDORCET_PROPERTIES = ("anonymity", "neutrality", "condorcet-winner", "majority")


def pairwise(profile: RankedProfile) -> Matrix:
    """``P[a, b]``: the number of voters who rank ``a`` above ``b`` (exact ``int64``).

    Large or wide profiles go to the compiled kernel (``kernels.pairwise``, one
    pass over the distinct ballots) when the kernels module provides it; small
    ones to ``pairwise_numpy``, which needs no compiler start-up. Both read
    ballots as ``effective_ranks`` does and give the same table.
    """
    width = profile.ranks.shape[1]
    if profile.ranks.shape[0] * width * (width - 1) // 2 < KERNEL_WORK:
        return pairwise_numpy(profile)
    try:
        from .. import kernels
    except ImportError:
        return pairwise_numpy(profile)
    kernel = getattr(kernels, "pairwise", None)
    if kernel is None:
        return pairwise_numpy(profile)
    table: Matrix = np.asarray(
        kernel(profile.ranks, profile.weights, len(profile.options)), dtype=np.int64
    )
    return table


def pairwise_numpy(profile: RankedProfile) -> Matrix:
    """The pairwise table in whole-array numpy, one weighted histogram per pair of ranks.

    ``P[a, b] = ranked(a) - before(b, a)``: every ballot that ranks ``a`` prefers
    it to ``b`` unless it ranks ``b`` higher still, so only the pairs both ranked
    need counting. Fast for the usual few ranks; wide ballots favour the kernel.
    """
    m = len(profile.options)
    ranks = effective_ranks(profile)
    weights = profile.weights.astype(np.int64)
    size = m + 1
    ranked = bin_count(ranks, np.broadcast_to(weights[:, None], ranks.shape), size)[:m]
    before = np.zeros(size * size, dtype=np.int64)
    width = ranks.shape[1]
    for j in range(width):
        live = ranks[:, j] < m
        if not live.any():
            break
        # Ballots still ranking at position j: a smaller slice for every later pair.
        upper = ranks[live, j] * size
        live_weights = weights[live]
        for k in range(j + 1, width):
            np.add.at(before, upper + ranks[live, k], live_weights)
    before_matrix = before.reshape(size, size)[:m, :m]
    table = ranked[:, None] - before_matrix.T
    np.fill_diagonal(table, 0)
    return table


def table_of(options: Sequence[str], matrix: npt.NDArray[Any]) -> dict[str, dict[str, int]]:
    """A matrix as ``{a: {b: value}}`` over distinct options."""
    return {
        a: {b: int(matrix[i, j]) for j, b in enumerate(options) if j != i}
        for i, a in enumerate(options)
    }


def condorcet_winner(options: Sequence[str], table: Matrix) -> str | None:
    """The option that beats every other head to head, if there is one."""
    beats = table > table.T
    for i, name in enumerate(options):
        if beats[i].sum() == len(options) - 1:
            return name
    return None


def _common(
    profile: RankedProfile, method_id: str, seats: int
) -> tuple[Matrix, list[str], dict[str, Any]]:
    expect(profile, (RankedProfile,), method_id)
    single_seat(seats, method_id)
    table = pairwise(profile)
    options = profile.options
    winner = condorcet_winner(options, table)
    lines = [
        f"Pairwise table of {profile.n_voters} voters over {len(options)} options "
        "(details.pairwise: how many rank each option above each other)."
    ]
    if winner is not None:
        lines.append(
            f"{winner} is the Condorcet winner: preferred head to head to every other option."
        )
    elif len(options) > 1:
        lines.append("No option beats every other head to head (no Condorcet winner).")
    details: dict[str, Any] = {"pairwise": table_of(options, table), "condorcet_winner": winner}
    return table, lines, details


def _layers(
    options: Sequence[str], beaten_by: npt.NDArray[np.bool_]
) -> tuple[tuple[str, ...], ...]:
    """Rank options by how many others beat them under a transitive relation, fewest first."""
    counts = {o: int(beaten_by[:, i].sum()) for i, o in enumerate(options)}
    return ranking_by(options, counts, reverse=False)


def _check_choice(value: str, allowed: dict[str, str], name: str) -> None:
    if value not in allowed:
        raise ConfigError(
            f"{name} must be one of {', '.join(allowed)}, not {value!r}.",
            hint="; ".join(f"{k}: {v}" for k, v in allowed.items()),
        )


STRENGTHS = {
    "winning": "winning votes: a defeat is as strong as the votes for the winner of the pair",
    "margin": "margins: a defeat is as strong as the difference between the two",
}


def _defeats(table: Matrix, strength: str) -> Matrix:
    wins = table > table.T
    if strength == "winning":
        return np.where(wins, table, 0)
    return np.where(wins, table - table.T, 0)


# --- Schulze ------------------------------------------------------------------


def strongest_paths(defeats: Matrix) -> Matrix:
    """Widest paths between all pairs (Floyd–Warshall over (max, min)), whole-row numpy."""
    paths = defeats.copy()
    for k in range(paths.shape[0]):
        paths = np.maximum(paths, np.minimum(paths[:, k : k + 1], paths[k : k + 1, :]))
    np.fill_diagonal(paths, 0)
    return paths


@method(
    "schulze",
    name="Schulze (beatpath)",
    ballot="ranked",
    aliases=("beatpath", "beat-path", "schwartz-sequential-dropping"),
    properties=(*CONDORCET_PROPERTIES, "monotonicity", "smith"),
    reference="Schulze, 'A new monotonic, clone-independent, reversal symmetric, and "
    "Condorcet-consistent single-winner election method', Social Choice and Welfare 36 "
    "(2011) 267-303.",
    options={"strength": "How strong a defeat is: 'winning' votes (default) or 'margin'."},
)
def schulze(
    profile: RankedProfile,
    *,
    seats: int = 1,
    tie_break: TieBreaker | str | None = None,
    strength: str = "winning",
) -> Outcome:
    """The winner beats every other option by a stronger path of pairwise defeats than back.

    A path's strength is its weakest defeat; ``a`` beats ``b`` when the strongest
    path from ``a`` to ``b`` is stronger than the strongest from ``b`` to ``a``.
    That relation is transitive, so it also ranks the options.
    """
    _check_choice(strength, STRENGTHS, "strength")
    table, lines, details = _common(profile, "schulze", seats)
    options = profile.options
    paths = strongest_paths(_defeats(table, strength))
    beats = paths > paths.T
    ranking = _layers(options, beats)
    details["strongest_paths"] = table_of(options, paths)
    wins = {o: int(beats[i].sum()) for i, o in enumerate(options)}
    lines.append(
        f"Strongest paths ({STRENGTHS[strength]}): "
        + "; ".join(f"{o} beats {wins[o]}" for o in sorted(options, key=lambda o: -wins[o]))
        + " (options beaten by stronger paths)."
    )
    note = (
        "Options ranked by strongest paths: "
        + " > ".join("=".join(group) for group in ranking)
        + "."
    )
    lines.append(note)
    tallies: dict[str, Number] = dict(wins)
    return finish(
        "schulze",
        "1",
        options,
        tallies,
        ranking,
        1,
        breaker_of(tie_break),
        unit="options beaten",
        note=note,
        explanation=lines,
        details=details,
    )


# --- ranked pairs -------------------------------------------------------------


class _Locks:
    """Locked defeats as a transitive closure, so that a cycle is seen in one lookup."""

    def __init__(self, m: int) -> None:
        self.reach = np.zeros((m, m), dtype=np.bool_)

    def copy(self) -> _Locks:
        twin = _Locks(0)
        twin.reach = self.reach.copy()
        return twin

    def allows(self, a: int, b: int) -> bool:
        return not self.reach[b, a]

    def lock(self, a: int, b: int) -> None:
        sources = self.reach[:, a].copy()
        sources[a] = True
        targets = self.reach[b, :].copy()
        targets[b] = True
        self.reach |= np.outer(sources, targets)

    def key(self) -> bytes:
        return self.reach.tobytes()


def _lock_in_order(
    locks: _Locks, pairs: Sequence[tuple[int, int]]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    locked, skipped = [], []
    for a, b in pairs:
        if locks.allows(a, b):
            locks.lock(a, b)
            locked.append((a, b))
        else:
            skipped.append((a, b))
    return locked, skipped


def _order_free(locks: _Locks, group: Sequence[tuple[int, int]]) -> bool:
    """Whether every order of ``group`` locks the same defeats: all of them fit together."""
    trial = locks.copy()
    for a, b in group:
        if not trial.allows(a, b):
            return False
        trial.lock(a, b)
    return True


def _orders_matter(groups: Sequence[Sequence[tuple[int, int]]], m: int) -> bool:
    """Whether some group of equal margins locks differently in different orders."""
    locks = _Locks(m)
    for g in groups:
        live = [p for p in g if locks.allows(*p)]
        if not _order_free(locks, live):
            return True
        _lock_in_order(locks, live)
    return False


RANKED_PAIRS_SEARCH_LIMIT = 20_000


@method(
    "ranked-pairs",
    name="Ranked pairs (Tideman)",
    ballot="ranked",
    aliases=("tideman", "rp"),
    properties=(*CONDORCET_PROPERTIES, "monotonicity", "smith"),
    reference="Tideman, 'Independence of clones as a criterion for voting rules', Social "
    "Choice and Welfare 4 (1987) 185-206; Zavist & Tideman, 'Complete independence of "
    "clones in the ranked pairs rule', Social Choice and Welfare 6 (1989) 167-173.",
    options={},
)
def ranked_pairs(
    profile: RankedProfile, *, seats: int = 1, tie_break: TieBreaker | str | None = None
) -> Outcome:
    """Lock in pairwise defeats from the largest margin down, skipping any that closes a cycle.

    When defeats with equal margins conflict (locking one forbids another), the
    order matters. With a tie-break rule, the rule ranks the options and equal
    margins are taken in Zavist and Tideman's order (the defeat whose winner
    ranks higher first; for the same winner, the defeat of the lower-ranked
    loser first), recorded as a tie-break. Without one, every order is tried:
    if all give the same winner it wins, otherwise the possible winners are
    reported as tied.
    """
    table, lines, details = _common(profile, "ranked-pairs", seats)
    options = profile.options
    m = len(options)
    breaker = breaker_of(tie_break)
    margins = table - table.T
    pairs = [(a, b) for a in range(m) for b in range(m) if margins[a, b] > 0]
    pairs.sort(key=lambda p: -int(margins[p]))
    groups = [list(g) for _, g in itertools.groupby(pairs, key=lambda p: int(margins[p]))]
    details["margins"] = table_of(options, margins)
    records: list[TieBreakRecord] = []

    def show(p: tuple[int, int]) -> str:
        return f"{options[p[0]]}>{options[p[1]]} ({int(margins[p])})"

    conflicts = [g for g in groups if len(g) > 1]
    if breaker is not None and _orders_matter(groups, m):
        record = breaker.choose(options, m, purpose="order", round=1)
        position = {name: i for i, name in enumerate(record.chosen)}
        for g in groups:
            g.sort(key=lambda p: (position[options[p[0]]], -position[options[p[1]]]))
        records.append(
            TieBreakRecord(
                round=1,
                purpose="order of equal margins",
                tied=record.tied,
                chosen=record.chosen,
                rule=record.rule,
                explanation="Defeats with equal margins are locked in the order of this ranking "
                "of the options (Zavist & Tideman). " + record.explanation,
            )
        )
    finals: dict[bytes, _Locks] = {}
    undecided = False
    if breaker is None and conflicts:
        states: dict[bytes, _Locks] = {_Locks(m).key(): _Locks(m)}
        explored = 0
        for g in groups:
            following: dict[bytes, _Locks] = {}
            for state in states.values():
                # A defeat that would close a cycle now is skipped in every order.
                live = [p for p in g if state.allows(*p)]
                orders: Any = [live] if _order_free(state, live) else itertools.permutations(live)
                for order in orders:
                    explored += 1
                    if explored > RANKED_PAIRS_SEARCH_LIMIT:
                        undecided = True
                        break
                    nxt = state.copy()
                    _lock_in_order(nxt, order)
                    following[nxt.key()] = nxt
                if undecided:
                    break
            if undecided:
                break
            states = following
        finals = states
    if not undecided and len(finals) <= 1:
        # One outcome whatever the order: lock in the listed order to say what happened.
        locks = _Locks(m)
        locked, skipped = _lock_in_order(locks, [p for g in groups for p in g])
        finals = {locks.key(): locks}
        lines.append(
            "Locked: " + ", ".join(show(p) for p in locked) + "."
            if locked
            else "No defeat to lock."
        )
        if skipped:
            lines.append(
                "Skipped, because each would close a cycle: "
                + ", ".join(show(p) for p in skipped)
                + "."
            )
    if undecided:
        involved = tuple(
            sorted({options[i] for g in conflicts for p in g for i in p}, key=options.index)
        )
        lines.append(
            "Defeats with equal margins conflict in too many ways to try every "
            "order; " + tie_phrase(involved)
        )
        return Outcome(
            "ranked-pairs",
            "1",
            (),
            [Round(1, note=lines[-1])],
            tied=involved,
            explanation=lines,
            details=details,
        )
    rankings = {key: _layers(options, state.reach) for key, state in finals.items()}
    possible = sorted({o for r in rankings.values() if r for o in r[0]}, key=options.index)
    if len(finals) == 1:
        ranking = next(iter(rankings.values()))
    elif len(possible) == 1:
        rest = tuple(o for o in options if o != possible[0])
        ranking = ((possible[0],), rest) if rest else ((possible[0],),)
        lines.append(
            f"Defeats with equal margins conflict, but {possible[0]} wins in every "
            "order of them; the order of the others depends on that choice."
        )
    else:
        ranking = (tuple(possible), tuple(o for o in options if o not in possible))
        ranking = tuple(g for g in ranking if g)
        lines.append(
            "Defeats with equal margins conflict, and different orders of them give "
            f"different winners: {', '.join(possible)}."
        )
    note = "Locked order: " + " > ".join("=".join(group) for group in ranking) + "."
    lines.append(note)
    lines.extend(record_phrase(r) for r in records)
    tallies = {o: int((margins[i] > 0).sum()) for i, o in enumerate(options)}
    return finish(
        "ranked-pairs",
        "1",
        options,
        tallies,
        ranking,
        1,
        breaker,
        unit="pairwise wins",
        note=note,
        explanation=lines,
        details=details,
        records=records,
    )


# --- Copeland -----------------------------------------------------------------


@method(
    "copeland",
    name="Copeland",
    ballot="ranked",
    aliases=("copeland-1/2",),
    properties=CONDORCET_PROPERTIES,
    reference="Copeland, 'A reasonable social welfare function', University of Michigan "
    "seminar (1951); Saari & Merlin, Economic Theory 8 (1996) 51-76.",
    options={},
)
def copeland(
    profile: RankedProfile, *, seats: int = 1, tie_break: TieBreaker | str | None = None
) -> Outcome:
    """Each option scores 1 for every option it beats head to head and 1/2 for every draw.

    The highest score wins; scores are exact fractions.
    """
    table, lines, details = _common(profile, "copeland", seats)
    options = profile.options
    wins = (table > table.T).sum(axis=1)
    draws = (table == table.T).sum(axis=1) - 1
    scores: dict[str, Number] = {}
    for i, o in enumerate(options):
        value = Fraction(int(wins[i])) + Fraction(int(draws[i]), 2)
        scores[o] = value.numerator if value.denominator == 1 else value
    note = (
        "Copeland scores (1 a win, 1/2 a draw): "
        + "; ".join(f"{o} {scores[o]}" for o in sorted(options, key=lambda o: -scores[o]))
        + "."
    )
    lines.append(note)
    return finish(
        "copeland",
        "1",
        options,
        scores,
        ranking_by(options, scores),
        1,
        breaker_of(tie_break),
        unit="points",
        note=note,
        explanation=lines,
        details=details,
    )


# --- minimax ------------------------------------------------------------------

MINIMAX_SCORES = {
    "margin": "the largest margin by which another option beats it (default)",
    "winning": "the most votes of another option that beats it (0 when unbeaten)",
    "opposition": "the most votes for another option against it, beaten or not "
    "(not Condorcet-consistent)",
}


@method(
    "minimax",
    name="Minimax (Simpson–Kramer)",
    ballot="ranked",
    aliases=("simpson-kramer", "simpson"),
    properties=("anonymity", "neutrality", "condorcet-winner", "monotonicity"),
    reference="Simpson, 'On defining areas of voter choice', Quarterly Journal of Economics "
    "83 (1969) 478-490; Kramer, Journal of Economic Theory 16 (1977) 310-334.",
    options={
        "score": "How bad each option's worst defeat is: "
        + "; ".join(f"'{k}' = {v}" for k, v in MINIMAX_SCORES.items())
        + "."
    },
)
def minimax(
    profile: RankedProfile,
    *,
    seats: int = 1,
    tie_break: TieBreaker | str | None = None,
    score: str = "margin",
) -> Outcome:
    """The winner's worst pairwise defeat is the mildest.

    Condorcet's winner criterion holds with margins and winning votes, not
    with pairwise opposition (which is named for completeness).
    """
    _check_choice(score, MINIMAX_SCORES, "score")
    table, lines, details = _common(profile, "minimax", seats)
    options = profile.options
    m = len(options)
    against = table.T  # against[a, b] = voters preferring b to a
    if score == "margin":
        worst_matrix = against - table
    elif score == "winning":
        worst_matrix = np.where(against > table, against, 0)
    else:
        worst_matrix = against.copy()
    off_diagonal = ~np.eye(m, dtype=np.bool_)
    low = np.iinfo(np.int64).min
    worst = (
        np.where(off_diagonal, worst_matrix, low).max(axis=1) if m > 1 else np.zeros(m, np.int64)
    )
    scores: dict[str, Number] = {o: int(worst[i]) for i, o in enumerate(options)}
    note = (
        f"Worst defeats ({MINIMAX_SCORES[score]}): "
        + "; ".join(f"{o} {scores[o]}" for o in sorted(options, key=lambda o: scores[o]))
        + "."
    )
    lines.append(note)
    return finish(
        "minimax",
        "1",
        options,
        scores,
        ranking_by(options, scores, reverse=False),
        1,
        breaker_of(tie_break),
        unit="against",
        note=note,
        explanation=lines,
        details=details,
    )
