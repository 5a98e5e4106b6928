"""Meek and Warren STV in exact arithmetic (Hill, Wichmann and Woodall's rule, no rounding).

The variants Droop calls ``meek-o10-rational`` and ``meek-o9-guarded`` (and the
same for Warren): every value is a ``Fraction``, or a guarded fixed-point number
(``stv_numbers``) that behaves as one;
the quota is exactly votes / (seats + 1) and a candidate is elected on votes
*above* it; an iteration stops when the total surplus is at most omega
(10^-10), stops falling, or lets a batch of sure losers be defeated. Exact
fractions grow with every iteration (each multiplies their length), so a count
that needs many iterations stops with ``ConfigError`` once a keep factor passes
``MAX_BITS``; the fixed-point PRF rule (``meek``) always finishes.
Ballots are merged into paths as in ``stv_meek.BallotPaths``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import ConfigError
from ..outcomes import Number, Outcome, Round, TieBreakRecord
from ..profiles import RankedProfile
from ..registry import method
from ..ties import Ask, TieBreaker
from .stv_core import ELECTED, EXCLUDED, HOPEFUL, WITHDRAWN, IntArray, choose_one, sure_losers
from .stv_numbers import Numbers, numbers

# Keep factors past this many bits cost more than a count should: each iteration
# multiplies their length, so the count stops and says so instead of running on.
MAX_BITS = 4096


def distribute_exact(
    paths: IntArray, voters: IntArray, keep: list[Any], num: Numbers, *, warren: bool = False
) -> tuple[list[Any], Any]:
    """Each path's weight 1 passes down its candidates, each keeping ``weight × kf``.

    The weight left is ``weight × (1 - kf)`` (equal to weight minus what was kept
    in exact arithmetic; in guarded arithmetic each product is truncated, as
    OpenSTV's MeekSTV does). Warren's rule instead has each candidate keep ``kf``
    itself (all that is left if less): every voter pays each the same price.
    """
    votes = [num.zero] * len(keep)
    residual = num.zero
    one = num.one
    for row, count in zip(paths.tolist(), voters.tolist(), strict=True):
        weight = one
        for option in row:
            if option < 0 or not keep[option]:
                continue
            kf = keep[option]
            if warren:
                kept = kf if kf < weight else weight
                weight = weight - kept
            else:
                kept = weight * kf
                weight = weight * (one - kf)
            votes[option] += kept * count
            if weight <= 0:
                break
        residual += weight * count
    return votes, residual


def _equal_rows(profile: RankedProfile) -> list[tuple[int, list[tuple[int, ...]]]]:
    """Rows that rank some candidates equal, as lists of groups (rank by rank)."""
    ties = profile.meta.get("tie_groups") or {}
    rows = sorted({row for row, _ in ties})
    out = []
    for row in rows:
        ranking: list[tuple[int, ...]] = []
        for col, option in enumerate(profile.ranks[row].tolist()):
            if option >= 0:
                ranking.append((option,))
            elif (row, col) in ties:
                ranking.append(tuple(ties[(row, col)]))
        out.append((row, ranking))
    return out


def _standing(group: tuple[int, ...], state: list[str]) -> tuple[int, ...]:
    return tuple(c for c in group if state[c] != WITHDRAWN)


def distribute_equal(
    equal: list[tuple[list[tuple[int, ...]], int]],
    state: list[str],
    keep: list[Any],
    votes: list[Any],
    num: Numbers,
    *,
    warren: bool = False,
) -> Any:
    """Distribute ballots with equal rankings (adding to ``votes``); return their residual.

    As in Droop's Meek: at each rank the weight reaching it is split equally among
    the continuing (hopeful or elected) candidates ranked there; each keeps its
    part of that share by the usual rule and passes the rest down the ballot on
    its own. A rank with no continuing candidate is passed over.
    """
    live = {i for i, s in enumerate(state) if s in (HOPEFUL, ELECTED)}
    residual = num.zero

    def descend(groups: list[tuple[int, ...]], at: int, weight: Any, count: int) -> Any:
        kept_total = num.zero
        while at < len(groups):
            here = [c for c in groups[at] if c in live]
            if here:
                break
            at += 1
        else:
            return kept_total
        share = weight / num.of(len(here))
        for option in here:
            kf = keep[option]
            if warren:
                kept = kf if kf < share else share
                rest = share - kept
            else:
                kept = share * kf
                rest = share * (num.one - kf)
            votes[option] += kept * count
            kept_total += kept * count
            if rest and at + 1 < len(groups):
                kept_total += descend(groups, at + 1, rest, count)
        return kept_total

    for groups, count in equal:
        residual += num.of(count) - descend(groups, 0, num.one, count)
    return residual


def meek_exact(
    profile: RankedProfile,
    seats: int | None,
    tie_break: TieBreaker | None,
    omega_digits: int,
    options: dict[str, Any],
    *,
    warren: bool = False,
    arithmetic: str = "rational",
) -> Outcome:
    """Count Meek (or Warren) STV exactly; called by ``meek(arithmetic=...)`` and ``warren``."""
    from .stv import start_count
    from .stv_core import default_tie_break
    from .stv_meek import BallotPaths

    num = numbers(arithmetic)
    equal_rows = _equal_rows(profile)
    if equal_rows:
        # Ballots with equal rankings are distributed on their own (distribute_equal);
        # the rest go through the merged paths.
        weights = profile.weights.copy()
        weights[[row for row, _ in equal_rows]] = 0
        strict = RankedProfile(profile.options, profile.ranks, weights, dict(profile.meta))
    else:
        strict = profile
    tally, ballots, seats, n_valid = start_count(strict, seats, 0, options)
    breaker = default_tie_break(profile, tie_break) or Ask()
    names = tally.names
    state = list(tally.state)
    equal = [
        (groups, int(profile.weights[row]))
        for row, ranking in equal_rows
        if (groups := [g for g in (_standing(grp, state) for grp in ranking) if g])
    ]
    n_valid += sum(count for _, count in equal)
    ranks = np.where(
        ballots.cols[None, :] < ballots.stop[:, None], ballots.ranks.astype(np.int64), -1
    )
    merged = BallotPaths(ranks, ballots.mult, state)
    keep = [num.zero if s == WITHDRAWN else num.one for s in state]
    votes = [num.of(int(v)) for v in tally.votes]
    for groups, count in equal:
        # The first count splits a ballot equally among its equal first choices.
        share = num.one / num.of(len(groups[0]))
        for option in groups[0]:
            votes[option] += share * count
    total = num.of(n_valid)
    omega = num.one / num.of(10**omega_digits)
    quota = total / (seats + 1)
    rounds: list[Round] = []
    ties: list[TieBreakRecord] = []
    elected: list[int] = []

    def record(note: str, surplus: Any, residual: Any, **extra: Any) -> Round:
        shown = [i for i in range(len(names)) if state[i] != WITHDRAWN]
        tallies: dict[str, Number] = {names[i]: num.record(votes[i]) for i in shown}
        held = sum((votes[i] for i in range(len(names))), num.zero)
        info: dict[str, Any] = {
            "states": dict(zip(names, state, strict=True)),
            "keep_factors": {names[i]: num.record(keep[i]) for i in shown},
            "rounding_loss": num.record(total - held - residual),
            "total": num.record(total),
        }
        info.update(extra)
        r = Round(
            number=len(rounds) + 1,
            tallies=tallies,
            exhausted=num.record(residual),
            threshold=num.record(quota),
            surplus=num.record(surplus),
            note=note,
            extra=info,
        )
        rounds.append(r)
        return r

    def choose(tied: list[int], purpose: str) -> int:
        return choose_one(
            breaker, names, tied, purpose=purpose, round=len(rounds) + 1, records=ties
        )

    def left() -> int:
        return seats - len(elected)

    def hopeful() -> list[int]:
        return [i for i, s in enumerate(state) if s == HOPEFUL]

    residual = num.of(int(tally.exhausted))
    record("First preferences counted; every keep factor is 1.", num.zero, residual)
    while len(hopeful()) > left() > 0:
        merged.update(state)
        paths, voters = merged.paths()
        last, iterations, batch = total, 0, []
        newly: list[int] = []
        while True:
            iterations += 1
            votes, residual = distribute_exact(paths, voters, keep, num, warren=warren)
            if equal:
                residual += distribute_equal(equal, state, keep, votes, num, warren=warren)
            held = sum((votes[i] for i, s in enumerate(state) if s in (HOPEFUL, ELECTED)), num.zero)
            quota = held / (seats + 1)
            for c in hopeful():
                if votes[c] > quota:
                    state[c] = ELECTED
                    elected.append(c)
                    newly.append(c)
            surplus = sum((votes[c] - quota for c in elected), num.zero)
            if newly:
                status = "elected"
                break
            if surplus <= omega:
                status = "omega"
                break
            if surplus >= last:
                status = "stable"
                break
            batch = sure_losers(votes, hopeful(), surplus, left(), num.zero)
            if batch:
                status = "batch"
                break
            last = surplus
            for c in elected:
                keep[c] = keep[c] * quota / votes[c]
                if isinstance(keep[c], Fraction) and keep[c].denominator.bit_length() > MAX_BITS:
                    raise ConfigError(
                        f"Exact Meek needs ever longer fractions here (round {len(rounds)}, "
                        f"iteration {iterations}); it would not finish.",
                        hint="Count with arithmetic='fixed' (the PRF rule).",
                    )
        if status == "elected":
            r = record(
                f"{', '.join(names[c] for c in newly)} passed the quota after "
                f"{iterations} iteration(s).",
                surplus,
                residual,
                iterations=iterations,
            )
            r.elected.extend(names[c] for c in newly)
            continue
        if status != "batch":
            low = num.smallest(votes[c] for c in hopeful())
            tied = [c for c in hopeful() if votes[c] <= low + surplus]
            batch = [choose(tied, "elimination")]
        for c in batch:
            state[c] = EXCLUDED
        why = {
            "batch": "sure losers",
            "omega": "surplus at most omega",
            "stable": "surplus no longer falling",
        }[status]
        r = record(
            f"{', '.join(names[c] for c in batch)} defeated ({why}) after "
            f"{iterations} iteration(s).",
            surplus,
            residual,
            iterations=iterations,
        )
        r.eliminated.extend(names[c] for c in batch)
        for c in batch:
            keep[c] = num.zero
    if rounds:
        last_round = rounds[-1]
        for c in hopeful():
            if len(elected) < seats:
                state[c] = ELECTED
                elected.append(c)
                last_round.elected.append(names[c])
            else:
                state[c] = EXCLUDED
            last_round.extra["states"][names[c]] = state[c]
    winners = tuple(names[c] for c in elected)
    return Outcome(
        method="warren" if warren else "meek",
        version="1",
        winners=winners,
        rounds=rounds,
        tie_breaks=ties,
        explanation=[
            f"{'Warren' if warren else 'Meek'} STV in {num.name} arithmetic "
            f"(omega 10^-{omega_digits}): {seats} "
            f"seat(s), {n_valid} valid ballots.",
            f"Elected in order: {', '.join(winners) or 'nobody'}.",
        ],
        details={
            "seats": seats,
            "valid_ballots": n_valid,
            "arithmetic": num.name,
            "rule": f"{'Warren' if warren else 'Meek'}, {num.name} arithmetic",
        },
    )


@method(
    "warren",
    name="Warren STV (exact or guarded arithmetic)",
    ballot="ranked",
    seats="multi",
    aliases=("warren-stv",),
    properties=("proportional", "anonymous", "conserves-votes"),
    reference=(
        "C. H. E. Warren, 'Counting in STV elections', Voting matters 1 (1994); exact "
        "or guarded arithmetic as in Droop's warren-o10-rational and warren-o9-guarded"
    ),
    options={
        "omega_digits": "iteration stops when the total surplus is at most 10**-omega_digits "
        "(10; 9 with guarded arithmetic)",
        "arithmetic": "'rational' (exact fractions, default) or 'guarded' (18 + 9 places)",
        "withdrawn": "names of candidates withdrawn before the count",
    },
)
def warren(
    profile: RankedProfile,
    *,
    seats: int | None = None,
    tie_break: TieBreaker | None = None,
    omega_digits: int | None = None,
    arithmetic: str = "rational",
    **options: Any,
) -> Outcome:
    """Warren STV: Meek's iteration, but each voter pays every candidate the same price.

    A candidate with keep value ``kf`` keeps ``kf`` of every vote that reaches it
    (or what is left of the vote, if less), where Meek keeps the fraction ``kf``
    of what is left. Exact fractions, the quota votes / (seats + 1), sure losers
    defeated in a batch; as exact Meek, a count whose fractions would run away
    stops with ``ConfigError``.
    """
    omega = omega_digits or (9 if arithmetic == "guarded" else 10)
    return meek_exact(profile, seats, tie_break, omega, options, warren=True, arithmetic=arithmetic)
