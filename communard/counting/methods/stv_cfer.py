"""CfER "choice voting": the multi-seat STV of Californians for Electoral Reform's draft bill.

Draft California Elections Code section 10059 (CfER, version 4c for technical
review), as Droop implements it: weighted inclusive Gregory in fixed point with
five decimal places; in a round, *every* surplus is transferred (one candidate
after another), and only when there is none is the lowest candidate defeated;
optionally (``batch=True``) a defeat set is defeated first (10059(k)).
"""

from __future__ import annotations

from typing import Any

from ..outcomes import Outcome
from ..profiles import RankedProfile
from ..registry import method
from ..ties import TieBreaker
from .stv_core import EXCLUDED, HOPEFUL, Tally, default_tie_break, resolve_tie

CFER_REFERENCE = (
    "Californians for Electoral Reform, draft California Elections Code sections 10050-10060 "
    "(v4c, for technical review), section 10059; as implemented by Droop's cfer rule"
)


def _defeat_set(tally: Tally, seats: int) -> list[int]:
    """10059(k): the largest set of lowest continuing candidates that may be defeated at once."""
    surplus = sum(int(tally.votes[c]) - tally.quota for c in tally.pending)
    hopeful = sorted(tally.indices(HOPEFUL), key=lambda c: (int(tally.votes[c]), c))
    elected = tally.seats_filled
    top = int(tally.votes[hopeful[-1]]) if hopeful else 0
    chosen: list[int] = []
    for t in range(len(hopeful) - 1):
        trial = hopeful[: t + 1]
        # (1) leave enough continuing candidates to fill the seats.
        if len(hopeful) - len(trial) + elected < seats:
            break
        votes = sum(int(tally.votes[c]) for c in trial)
        # (2) the set, with every surplus, cannot reach the next candidate.
        if votes + surplus >= int(tally.votes[hopeful[t + 1]]):
            continue
        # (3) (A)-(D): the order of election cannot be disturbed.
        if (
            elected + 1 == seats
            or len(hopeful) - len(trial) + elected == seats
            or votes + surplus < tally.quota - top
            or (surplus == 0 and votes - int(tally.votes[hopeful[t]]) < tally.quota - top)
        ):
            chosen = list(trial)
    return chosen


@method(
    "cfer",
    name="CfER choice voting (WIGM STV, draft California bill)",
    ballot="ranked",
    seats="multi",
    aliases=("cfer-stv",),
    properties=("proportional", "anonymous", "conserves-votes"),
    reference=CFER_REFERENCE,
    options={
        "batch": "defeat the largest defeat set first (10059(f), (k); Droop's cfer-batch)",
        "withdrawn": "names of candidates withdrawn before the count",
    },
)
def cfer(
    profile: RankedProfile,
    *,
    seats: int | None = None,
    tie_break: TieBreaker | None = None,
    batch: bool = False,
    **options: Any,
) -> Outcome:
    """CfER choice voting: threshold votes / (seats + 1) + 0.00001, five decimal places.

    Each round: candidates at the threshold are elected (10059(d)); when the
    seats are full the count ends (e); else, unless a defeat set goes (f, k), every
    surplus is transferred in turn at value × surplus / votes, each product and
    quotient truncated to five places (g); else the lowest is defeated (h), ties
    to ``tie_break`` ("by lot"). After a defeat, if the continuing and elected
    candidates just fill the seats they are all elected and nothing moves (i).
    """
    from .stv import finish, outcome, start_count, transfer_excluded, transfer_surplus

    digits = 5
    tally, ballots, seats, n_valid = start_count(profile, seats, digits, options)
    breaker = default_tie_break(profile, tie_break)
    # Droop reads the threshold as votes / (seats + 1) plus one unit of the last place.
    tally.quota = n_valid * 10**digits // (seats + 1) + 1
    tally.record("First count (10059(a)).")
    first = True
    while True:
        if first:
            first = False
            if len(tally.indices(HOPEFUL)) <= seats:
                # (c): no more candidates than seats.
                for c in tally.indices(HOPEFUL):
                    tally.elect(c, pending=False, into_last=False)
                tally.record("No more candidates than seats: all are elected (10059(c)).")
                break
        reached = [c for c in tally.indices(HOPEFUL) if tally.votes[c] >= tally.quota]
        for c in sorted(reached, key=lambda c: (-int(tally.votes[c]), -c)):
            tally.elect(c, pending=bool(tally.votes[c] > tally.quota), into_last=False)
        if tally.seats_filled >= seats:
            # (e): every seat is filled; the rest are defeated.
            tally.pending.clear()
            for c in tally.indices(HOPEFUL):
                tally.exclude(c)
            tally.record("Every seat is filled (10059(e)).")
            break
        defeats = _defeat_set(tally, seats) if batch else []
        if not defeats and tally.pending:
            flows: dict[str, Any] = {}
            total = 0
            for c in sorted(tally.pending):
                surplus, moved = transfer_surplus(tally, ballots, c, scottish=False)
                flows.update(moved)
                total += surplus
            tally.pending.clear()
            tally.record(
                "Every surplus transferred in turn (10059(g)).", transfers=flows, surplus=total
            )
            continue
        if not defeats:
            hopeful = tally.indices(HOPEFUL)
            low = min(int(tally.votes[c]) for c in hopeful)
            tied = [c for c in hopeful if tally.votes[c] == low]
            defeats = [
                resolve_tie(
                    tally,
                    tied,
                    purpose="elimination",
                    lowest=True,
                    look_back=False,
                    tie_break=breaker,
                )
            ]
        for c in defeats:
            tally.state[c] = EXCLUDED
        names = ", ".join(tally.names[c] for c in defeats)
        if len(tally.indices(HOPEFUL)) + tally.seats_filled <= seats:
            # (i)(1): the continuing candidates fill the seats; nothing moves.
            tally.pending.clear()
            tally.record(
                f"{names} defeated; the continuing candidates fill the seats (10059(i)(1)).",
                eliminated=defeats,
            )
            break
        flows = transfer_excluded(tally, ballots, sorted(defeats))
        tally.record(
            f"{names} defeated; ballots pass on at their current values (10059(h), (i)(2)).",
            eliminated=defeats,
            transfers=flows,
        )
    finish(tally, seats, into_last=True, ballots=ballots)
    rule = "CfER choice voting" + (" with batch defeat" if batch else "")
    return outcome("cfer", tally, seats, n_valid, rule + " (5 decimal places)")
