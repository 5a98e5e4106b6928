"""Minneapolis multi-seat STV (Minneapolis Code of Ordinances, Title 8.5, Chapter 167).

Weighted inclusive Gregory in fixed point with four decimal places, with the
city's own order of steps (167.70(1)): after each count, candidates who cannot
be elected are defeated together (c); otherwise the candidate with the largest
surplus is declared elected and its surplus transferred (d); otherwise the
lowest candidate is defeated (e). A candidate at the threshold is elected only
when its surplus is transferred, and keeps receiving votes until then.
"""

from __future__ import annotations

from typing import Any

from ..outcomes import Outcome
from ..profiles import RankedProfile
from ..registry import method
from ..ties import TieBreaker
from .stv_core import (
    EXCLUDED,
    HOPEFUL,
    Ballots,
    Tally,
    default_tie_break,
    muldiv_floor,
    resolve_tie,
)

MPLS_REFERENCE = (
    "Minneapolis Code of Ordinances, Title 8.5, Chapter 167 (167.20, 167.70), as of 2009; "
    "ties by lot per Minneapolis Charter Chapter 2, Section 12"
)


def _certain_losers(tally: Tally, seats: int, surplus: int) -> list[int]:
    """167.20: hopefuls below the threshold who cannot catch the next higher group.

    Candidates with equal votes stay together; the candidates' votes plus every
    surplus must stay *below* the next group's vote (Droop's correction of the
    ordinance, which would also defeat a candidate who could still tie).
    """
    below = sorted(
        (c for c in tally.indices(HOPEFUL) if tally.votes[c] < tally.quota),
        key=lambda c: (int(tally.votes[c]), c),
    )
    groups: list[list[int]] = []
    for c in below:
        if groups and tally.votes[groups[-1][0]] == tally.votes[c]:
            groups[-1].append(c)
        else:
            groups.append([c])
    limit = len(tally.indices(HOPEFUL)) - (seats - tally.seats_filled)
    total = 0
    maybe: list[int] = []
    losers: list[int] = []
    for g in range(len(groups) - 1):
        maybe = maybe + groups[g]
        if len(maybe) > limit:
            break
        total += int(tally.votes[groups[g][0]]) * len(groups[g])
        if total + surplus < int(tally.votes[groups[g + 1][0]]):
            losers = list(maybe)
    return sorted(losers)


def _move(tally: Tally, ballots: Ballots, candidates: list[int]) -> dict[str, Any]:
    flows: dict[str, Any] = {}
    for candidate in candidates:
        rows = ballots.rows_at(candidate)
        received, exhausted = ballots.move(rows, tally.hopeful_mask())
        tally.votes += received
        tally.exhausted += exhausted
        flows.update(tally.transfer_record(candidate, received, exhausted))
    for candidate in candidates:
        tally.votes[candidate] = 0 if tally.state[candidate] == EXCLUDED else tally.quota
    return flows


@method(
    "minneapolis-stv",
    name="Minneapolis multi-seat STV",
    ballot="ranked",
    seats="multi",
    aliases=("mpls", "mpls-stv"),
    properties=("proportional", "anonymous", "conserves-votes"),
    reference=MPLS_REFERENCE,
    options={
        "undeclared": "names of undeclared write-ins, defeated before anyone else",
        "withdrawn": "names of candidates withdrawn before the count",
    },
)
def minneapolis_stv(
    profile: RankedProfile,
    *,
    seats: int | None = None,
    tie_break: TieBreaker | None = None,
    **options: Any,
) -> Outcome:
    """Minneapolis multi-seat STV: threshold floor(votes / (seats + 1)) + 1, four places.

    Each round: when the continuing candidates just fill the open seats they are
    elected (167.70(1)(f)); else certain losers are defeated together (c); else
    the largest surplus is elected and transferred at surplus / votes, each product
    and quotient truncated to four places (d, 167.20); else the lowest candidate is
    defeated (e). After each count, if as many candidates hold the threshold as
    there are seats, they are elected (a). Ties go to ``tie_break`` ("by lot";
    the ballot file's [tie] order if it has one, as Droop does). ``undeclared``
    write-ins (a ``.blt`` file's ``[undeclared ...]``) are defeated in round 2.
    """
    from .stv import finish, outcome, start_count

    undeclared_names = set(options.pop("undeclared", ()))
    digits = 4
    scale = 10**digits
    tally, ballots, seats, n_valid = start_count(profile, seats, digits, options)
    names = tally.names
    for token in str(profile.meta.get("options", {}).get("undeclared", "")).split():
        if token.isdigit() and 1 <= int(token) <= len(names):
            undeclared_names.add(names[int(token) - 1])
    undeclared = [names.index(n) for n in sorted(undeclared_names, key=names.index)]
    breaker = default_tie_break(profile, tie_break)
    tally.quota = (n_valid // (seats + 1) + 1) * scale
    tally.record("First count (167.70(1)(a)).")

    def at_threshold() -> list[int]:
        return [c for c in tally.indices(HOPEFUL) if tally.votes[c] >= tally.quota]

    def after_count() -> bool:
        # 167.70(1)(a): as many at the threshold as seats: they are elected.
        if tally.seats_filled + len(at_threshold()) >= seats:
            for c in sorted(at_threshold(), key=lambda c: (-int(tally.votes[c]), c)):
                tally.elect(c, pending=False)
            return True
        return False

    def defeat(losers: list[int], note: str, *, may_finish: bool) -> bool:
        for c in losers:
            tally.exclude(c)
        if may_finish and len(tally.indices(HOPEFUL)) <= seats - tally.seats_filled:
            # 167.70(1)(f): the continuing candidates fill the seats; nothing moves.
            tally.record(note, eliminated=losers)
            return True
        flows = _move(tally, ballots, losers)
        tally.record(
            note + " Their ballots pass on at their current values.",
            eliminated=losers,
            transfers=flows,
        )
        return after_count()

    done = after_count()
    if not done and undeclared:
        done = defeat(
            undeclared,
            f"Undeclared write-ins defeated: {', '.join(names[c] for c in undeclared)}.",
            may_finish=False,
        )
    while not done:
        # (c) before (d): certain losers go while surpluses are computed, not yet moved.
        surplus = sum(int(tally.votes[c]) - tally.quota for c in at_threshold())
        losers = _certain_losers(tally, seats, surplus)
        if losers:
            done = defeat(
                losers,
                "Mathematically impossible to be elected, defeated together: "
                f"{', '.join(names[c] for c in losers)} (167.70(1)(c)).",
                may_finish=False,
            )
            continue
        reached = at_threshold()
        if reached:
            high = max(int(tally.votes[c]) for c in reached)
            tied = [c for c in reached if tally.votes[c] == high]
            chosen = resolve_tie(
                tally, tied, purpose="surplus", lowest=False, look_back=False, tie_break=breaker
            )
            tally.elect(chosen, pending=False, into_last=False)
            votes = int(tally.votes[chosen])
            gain = votes - tally.quota
            rows = ballots.rows_at(chosen)
            # 167.20: surplus fraction and transfer value, each to four places, truncated.
            product = muldiv_floor(ballots.value[rows], gain, scale)
            ballots.value[rows] = muldiv_floor(product, scale, votes)
            flows = _move(tally, ballots, [chosen])
            tally.record(
                f"{names[chosen]} elected; surplus {tally.dec(gain)} transferred (167.70(1)(d)).",
                transfers=flows,
                surplus=gain,
            )
            done = after_count()
            continue
        hopeful = tally.indices(HOPEFUL)
        if len(hopeful) <= seats - tally.seats_filled:
            tally.record("The continuing candidates fill the remaining seats (167.70(1)(f)).")
            break
        low = min(int(tally.votes[c]) for c in hopeful)
        tied = [c for c in hopeful if tally.votes[c] == low]
        chosen = resolve_tie(
            tally, tied, purpose="elimination", lowest=True, look_back=False, tie_break=breaker
        )
        done = defeat(
            [chosen],
            f"{names[chosen]} defeated with the fewest votes ({tally.dec(low)}) (167.70(1)(e)).",
            may_finish=True,
        )
    finish(tally, seats, into_last=True, ballots=ballots)
    return outcome(
        "minneapolis-stv", tally, seats, n_valid, "Minneapolis STV (Chapter 167, 4 decimal places)"
    )
