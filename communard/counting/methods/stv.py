"""Single transferable vote: Scottish STV (2007) and the PRF reference WIGM.

Both are weighted inclusive Gregory counts in fixed-point decimals: every value
is a Python or numpy integer scaled by ``10**digits``, truncated exactly where
the rule says. Meek's method lives in ``stv_meek.py``. See ``docs/stv.md``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ConfigError
from ..outcomes import Outcome
from ..profiles import RankedProfile
from ..registry import method
from ..ties import TieBreaker
from . import stv_cfer, stv_meek, stv_meek_exact, stv_mpls, stv_qpq  # noqa: F401  (registration)
from .stv_core import (
    EXCLUDED,
    HOPEFUL,
    WITHDRAWN,
    Ballots,
    Tally,
    check_seats,
    default_tie_break,
    muldiv_floor,
    resolve_tie,
    sure_losers,
    withdrawn_indices,
)

SCOTTISH_REFERENCE = (
    "The Scottish Local Government Elections Order 2007 (SSI 2007/42), Schedule 1, rules 45-52"
)
PRF_REFERENCE = "Proportional Representation Foundation, Reference WIGM STV rule (2010)"


def start_count(
    profile: RankedProfile, seats: int | None, digits: int, options: dict[str, Any]
) -> tuple[Tally, Ballots, int, int]:
    """Set up ballots and tallies, count first preferences; return (tally, ballots, seats, N)."""
    seats = int(profile.meta.get("seats", 1)) if seats is None else seats
    check_seats(profile, seats)
    scale = 10**digits
    withdrawn = withdrawn_indices(profile, options)
    names = tuple(profile.options)
    state = [WITHDRAWN if i in withdrawn else HOPEFUL for i in range(len(names))]
    ballots = Ballots(profile, scale)
    # A ballot is valid when it marks a candidate standing (not withdrawn) before any
    # overvoted rank; others take no part and are not in the total that sets the
    # quota (as in the Droop reference counts).
    standing = np.array([s != WITHDRAWN for s in state] + [False])
    marks = np.where(ballots.ranks >= 0, ballots.ranks, len(state))
    ranked = standing[marks] & (ballots.cols[None, :] < ballots.stop[:, None])
    valid = ranked.any(axis=1)
    ballots.mult = np.where(valid, ballots.mult, 0)
    n_valid = int(ballots.mult.sum())
    tally = Tally(
        names=names,
        digits=digits,
        total=n_valid * scale,
        votes=np.zeros(len(names), dtype=np.int64),
        state=state,
    )
    received, exhausted = ballots.move(np.arange(len(ballots.mult)), tally.hopeful_mask())
    tally.votes += received
    tally.exhausted = exhausted
    return tally, ballots, seats, n_valid


def transfer_surplus(
    tally: Tally, ballots: Ballots, candidate: int, scottish: bool
) -> tuple[int, dict[str, Any]]:
    """Transfer ``candidate``'s whole surplus over all its ballots (weighted inclusive Gregory)."""
    votes = int(tally.votes[candidate])
    surplus = votes - tally.quota
    rows = ballots.rows_at(candidate)
    scale = 10**tally.digits
    old = ballots.value[rows]
    tally.parcels[candidate] = (rows, old * ballots.mult[rows], votes)
    if scottish:
        # Rule 48(3): value = surplus × value when received / votes credited, to five
        # decimal places, any remainder ignored: one truncated division.
        ballots.value[rows] = muldiv_floor(old, surplus, votes)
    else:
        # PRF D.4: truncate the product, then the quotient, each to four places.
        product = muldiv_floor(old, surplus, scale)
        ballots.value[rows] = muldiv_floor(product, scale, votes)
    received, exhausted = ballots.move(rows, tally.hopeful_mask())
    tally.votes += received
    tally.votes[candidate] = tally.quota
    tally.exhausted += exhausted
    flows = tally.transfer_record(candidate, received, exhausted)
    return surplus, flows


def transfer_excluded(tally: Tally, ballots: Ballots, excluded: list[int]) -> dict[str, Any]:
    """Transfer every ballot of the ``excluded`` candidates at its current value."""
    flows: dict[str, Any] = {}
    for candidate in excluded:
        rows = ballots.rows_at(candidate)
        received, exhausted = ballots.move(rows, tally.hopeful_mask())
        tally.votes += received
        tally.exhausted += exhausted
        flows.update(tally.transfer_record(candidate, received, exhausted))
    for candidate in excluded:
        tally.votes[candidate] = 0
    return flows


def finish(tally: Tally, seats: int, *, into_last: bool, ballots: Ballots | None = None) -> None:
    """Elect the remaining candidates when they just fill the seats; mark the rest excluded."""
    tally.pending.clear()
    if tally.just_elected and tally.rounds:
        tally.rounds[-1].elected.extend(tally.names[i] for i in tally.just_elected)
        for i in tally.just_elected:
            tally.rounds[-1].extra["states"][tally.names[i]] = "elected"
        tally.just_elected = []
    hopeful = tally.indices(HOPEFUL)
    if len(hopeful) <= seats - tally.seats_filled:
        for candidate in hopeful:
            tally.elect(candidate, pending=False, into_last=into_last)
        if tally.rounds and hopeful:
            tally.rounds[-1].note += " The continuing candidates fill the remaining seats."
    if ballots is not None:
        for candidate in tally.elected_order:
            if candidate not in tally.parcels:
                rows = ballots.rows_at(candidate)
                tally.parcels[candidate] = (rows, ballots.votes(rows), int(tally.votes[candidate]))
    for candidate in tally.indices(HOPEFUL):
        tally.state[candidate] = EXCLUDED
        if tally.rounds:
            tally.rounds[-1].extra["states"][tally.names[candidate]] = EXCLUDED


def outcome(
    method_id: str, tally: Tally, seats: int, n_valid: int, rule: str, version: str = "1"
) -> Outcome:
    winners = tuple(tally.names[i] for i in tally.elected_order)
    explanation = [
        f"{rule}: {seats} seat(s), {n_valid} valid ballots, quota {tally.dec(tally.quota)}.",
        f"Elected in order: {', '.join(winners) or 'nobody'}.",
    ]
    explanation.extend(
        f"Tie at stage {t.round} for {t.purpose} among {', '.join(t.tied)}: "
        f"{', '.join(t.chosen)} ({t.rule}). {t.explanation}"
        for t in tally.tie_breaks
    )
    return Outcome(
        method=method_id,
        version=version,
        winners=winners,
        rounds=tally.rounds,
        tie_breaks=tally.tie_breaks,
        explanation=explanation,
        details={
            "seats": seats,
            "valid_ballots": n_valid,
            "quota": tally.dec(tally.quota),
            "decimal_places": tally.digits,
            "rule": rule,
        },
    )


@method(
    "scottish-stv",
    name="Scottish STV (2007 rules)",
    ballot="ranked",
    seats="multi",
    aliases=("scotland", "stv-scotland", "stv"),
    properties=("proportional", "anonymous", "conserves-votes"),
    reference=SCOTTISH_REFERENCE,
    options={
        "withdrawn": "names of candidates withdrawn before the count",
    },
)
def scottish_stv(
    profile: RankedProfile,
    *,
    seats: int | None = None,
    tie_break: TieBreaker | None = None,
    **options: Any,
) -> Outcome:
    """Scottish STV: Droop quota, weighted inclusive Gregory, values truncated to 5 places.

    Quota floor(valid / (seats + 1)) + 1 (rule 46); the largest surplus is
    transferred first (49); otherwise the lowest candidate is excluded (50), one at
    a time. Ties look back to the most recent stage at which the candidates were
    unequal (49(2), 51(2)), then go to ``tie_break`` ("by lot"; the ballot file's
    [tie] order if it has one; otherwise the count stops and asks). ``seats``
    defaults to the number the ballot file gives.
    """
    return count_scottish(profile, seats=seats, tie_break=tie_break, **options)[0]


def count_scottish(
    profile: RankedProfile,
    *,
    seats: int | None = None,
    tie_break: TieBreaker | None = None,
    **options: Any,
) -> tuple[Outcome, Tally, Ballots]:
    """The Scottish STV count, with its final tally and ballot state (for a countback)."""
    tally, ballots, seats, n_valid = start_count(profile, seats, 5, options)
    breaker = default_tie_break(profile, tie_break)
    # Rule 46: divide, ignore decimals, add one.
    tally.quota = (n_valid // (seats + 1) + 1) * 10**tally.digits
    tally.record("First preferences counted (rule 45).")
    while True:
        # Rule 47: elected on reaching the quota, highest vote first.
        reached = [c for c in tally.indices(HOPEFUL) if tally.votes[c] >= tally.quota]
        for c in sorted(reached, key=lambda c: (-int(tally.votes[c]), -c)):
            tally.elect(c)
        if tally.complete(seats):
            break
        if tally.pending:
            high = max(int(tally.votes[c]) for c in tally.pending)
            tied = [c for c in tally.pending if tally.votes[c] == high]
            chosen = resolve_tie(
                tally, tied, purpose="surplus", lowest=False, look_back=True, tie_break=breaker
            )
            tally.pending.remove(chosen)
            # A candidate exactly at the quota has no surplus (rule 48(1)); its stage is
            # still recorded, with nothing moving, as the reference count does.
            surplus, flows = transfer_surplus(tally, ballots, chosen, scottish=True)
            tally.record(
                f"Surplus of {tally.names[chosen]} ({tally.dec(surplus)}) transferred at "
                f"value {tally.dec(surplus)}/{tally.dec(high)} per paper, truncated to 5 "
                "places (rule 48).",
                transfers=flows,
                surplus=surplus,
                extra={"transferred": tally.names[chosen]},
            )
            continue
        low = min(int(tally.votes[c]) for c in tally.indices(HOPEFUL))
        tied = [c for c in tally.indices(HOPEFUL) if tally.votes[c] == low]
        chosen = resolve_tie(
            tally, tied, purpose="elimination", lowest=True, look_back=True, tie_break=breaker
        )
        tally.exclude(chosen)
        flows = transfer_excluded(tally, ballots, [chosen])
        tally.record(
            f"{tally.names[chosen]} excluded with the fewest votes ({tally.dec(low)}); "
            "papers transferred at their current values (rule 50).",
            eliminated=[chosen],
            transfers=flows,
        )
        if tally.complete(seats):
            break
    finish(tally, seats, into_last=True, ballots=ballots)
    result = outcome(
        "scottish-stv", tally, seats, n_valid, "Scottish STV (SSI 2007/42, 5 decimal places)"
    )
    return result, tally, ballots


@method(
    "wigm",
    name="Weighted inclusive Gregory STV (PRF reference rule)",
    ballot="ranked",
    seats="multi",
    aliases=("wigm-prf", "gregory", "weighted-inclusive-gregory"),
    properties=("proportional", "anonymous", "conserves-votes"),
    reference=PRF_REFERENCE,
    options={
        "batch": "defeat sure losers in a batch (PRF B.2; Droop's wigm-prf-batch)",
        "arithmetic": "'fixed' (the PRF rule, default), 'rational' (exact fractions, "
        "Droop's wigm-rational; small elections) or 'guarded' (18 + 9 places, wigm-guarded)",
        "withdrawn": "names of candidates withdrawn before the count",
    },
)
def wigm(
    profile: RankedProfile,
    *,
    seats: int | None = None,
    tie_break: TieBreaker | None = None,
    batch: bool = False,
    arithmetic: str = "fixed",
    **options: Any,
) -> Outcome:
    """Weighted inclusive Gregory STV as the PRF reference rule defines it, 4 decimal places.

    Quota votes / (seats + 1) + 0.0001; each product and quotient truncated to four
    places (D.4); every surplus, even zero, is transferred before a defeat (B.3);
    ties go to ``tie_break`` (the PRF rule: the earliest in a predetermined order).
    With ``batch=True`` sure losers are defeated together (B.2). This is the
    *inclusive* Gregory method; the last-parcel Gregory of ERS97 is not offered.
    ``arithmetic="rational"`` counts the same steps without rounding: exact quota,
    elected on votes above it (``stv_wigm_exact``).
    """
    if arithmetic in ("rational", "guarded"):
        if batch:
            raise ConfigError("Batch defeat is offered with fixed arithmetic only.")
        from .stv_wigm_exact import wigm_exact

        return wigm_exact(profile, seats, tie_break, options, arithmetic)
    if arithmetic != "fixed":
        raise ConfigError(
            f"WIGM arithmetic is 'fixed', 'rational' or 'guarded', not {arithmetic!r}."
        )
    return count_wigm(profile, seats=seats, tie_break=tie_break, batch=batch, **options)[0]


def count_wigm(
    profile: RankedProfile,
    *,
    seats: int | None = None,
    tie_break: TieBreaker | None = None,
    batch: bool = False,
    **options: Any,
) -> tuple[Outcome, Tally, Ballots]:
    """The PRF WIGM count, with its final tally and ballot state (for a countback)."""
    digits = 4
    tally, ballots, seats, n_valid = start_count(profile, seats, digits, options)
    breaker = default_tie_break(profile, tie_break)
    scale = 10**digits
    # A.1: total / (seats + 1), truncated to four places, plus 0.0001.
    tally.quota = n_valid * scale // (seats + 1) + 1
    tally.record("First preferences counted (A.4-A.5).")
    while len(tally.indices(HOPEFUL)) > seats - tally.seats_filled > 0:
        reached = [c for c in tally.indices(HOPEFUL) if tally.votes[c] >= tally.quota]
        for c in sorted(reached, key=lambda c: (-int(tally.votes[c]), -c)):
            tally.elect(c, into_last=False)
        if batch:
            surplus = sum(int(tally.votes[c]) - tally.quota for c in tally.pending)
            votes = [int(v) for v in tally.votes]
            losers = sure_losers(votes, tally.indices(HOPEFUL), surplus, seats - tally.seats_filled)
            if losers:
                for c in losers:
                    tally.state[c] = EXCLUDED
                names = ", ".join(tally.names[c] for c in losers)
                if len(tally.indices(HOPEFUL)) <= seats - tally.seats_filled:
                    tally.record(f"Sure losers defeated: {names} (B.2).", eliminated=losers)
                    break
                flows = transfer_excluded(tally, ballots, losers)
                tally.record(
                    f"Sure losers defeated and transferred: {names} (B.2).",
                    eliminated=losers,
                    transfers=flows,
                )
                continue
        if tally.pending:
            high = max(int(tally.votes[c]) for c in tally.pending)
            tied = [c for c in tally.pending if tally.votes[c] == high]
            chosen = resolve_tie(
                tally, tied, purpose="surplus", lowest=False, look_back=False, tie_break=breaker
            )
            tally.pending.remove(chosen)
            surplus, flows = transfer_surplus(tally, ballots, chosen, scottish=False)
            tally.record(
                f"Surplus of {tally.names[chosen]} ({tally.dec(surplus)}) transferred (B.3).",
                transfers=flows,
                surplus=surplus,
                extra={"transferred": tally.names[chosen]},
            )
            continue
        hopeful = tally.indices(HOPEFUL)
        low = min(int(tally.votes[c]) for c in hopeful)
        tied = [c for c in hopeful if tally.votes[c] == low]
        chosen = resolve_tie(
            tally, tied, purpose="elimination", lowest=True, look_back=False, tie_break=breaker
        )
        tally.exclude(chosen)
        flows = transfer_excluded(tally, ballots, [chosen])
        tally.record(
            f"{tally.names[chosen]} defeated with the fewest votes ({tally.dec(low)}) (B.4).",
            eliminated=[chosen],
            transfers=flows,
        )
    finish(tally, seats, into_last=True, ballots=ballots)
    rule = "PRF reference WIGM" + (" with batch defeat" if batch else "")
    return outcome("wigm", tally, seats, n_valid, rule + " (4 decimal places)"), tally, ballots
