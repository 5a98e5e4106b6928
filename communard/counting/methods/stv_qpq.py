"""Quota Preferential by Quotient (QPQ), D. R. Woodall, Voting matters 17 (2003).

Each ballot carries the fraction of a candidate it has elected so far. At
each stage a hopeful candidate's quotient is ``v / (1 + t)``: the ballots for
which it is the top hopeful, over one plus what those ballots have elected.
The quota is ``va / (1 + seats - tx)`` (active ballots; what the inactive ones
elected). The highest quotient above the quota is elected, and its ballots
have now elected ``1 / quotient`` each; otherwise the lowest quotient is
excluded and the count restarts from the first stage without it. Arithmetic is
guarded fixed point with 9 + 9 places, as Droop's reference count uses.
Distinct ballots are read one by one (their fractions differ), so QPQ suits
committee-sized elections.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..outcomes import Number, Outcome, Round, TieBreakRecord
from ..profiles import RankedProfile
from ..registry import method
from ..ties import Ask, TieBreaker
from .stv_core import ELECTED, EXCLUDED, HOPEFUL, WITHDRAWN, choose_one, default_tie_break
from .stv_numbers import guarded

QPQ_REFERENCE = (
    "D. R. Woodall, 'QPQ, a quota-preferential STV-like election rule', Voting matters 17 "
    "(2003), section 2"
)


@method(
    "qpq",
    name="Quota Preferential by Quotient",
    ballot="ranked",
    seats="multi",
    aliases=("quota-preferential-by-quotient",),
    properties=("proportional", "anonymous"),
    reference=QPQ_REFERENCE,
    options={"withdrawn": "names of candidates withdrawn before the count"},
)
def qpq(
    profile: RankedProfile,
    *,
    seats: int | None = None,
    tie_break: TieBreaker | None = None,
    **options: Any,
) -> Outcome:
    """QPQ: elect the highest quotient above the quota, else exclude the lowest and restart.

    Each stage's ``tallies`` are the candidates' quotients (``extra["votes"]`` the
    ballots counting for each). Ties go to ``tie_break`` ("by lot"; the ballot
    file's [tie] order if it has one).
    """
    from .stv import start_count

    num = guarded(9, 9)
    tally, ballots, seats, n_valid = start_count(profile, seats, 0, options)
    breaker = default_tie_break(profile, tie_break) or Ask()
    names = tally.names
    state = list(tally.state)
    mult = ballots.mult.tolist()
    rows = np.flatnonzero(ballots.mult > 0)
    weight = [num.zero] * len(mult)
    quotient = [num.zero] * len(names)
    votes = [0] * len(names)
    rounds: list[Round] = []
    ties: list[TieBreakRecord] = []
    elected: list[int] = []
    just: list[int] = []

    def hopeful() -> list[int]:
        return [i for i, s in enumerate(state) if s == HOPEFUL]

    def hopeful_mask() -> Any:
        return np.array([s == HOPEFUL for s in state])

    def record(note: str, quota: Any, **fields: Any) -> None:
        nonlocal just
        shown = [i for i in range(len(names)) if state[i] != WITHDRAWN]
        tallies: dict[str, Number] = {names[i]: num.record(quotient[i]) for i in shown}
        rounds.append(
            Round(
                number=len(rounds) + 1,
                tallies=tallies,
                elected=[names[i] for i in just],
                threshold=num.record(quota),
                note=note,
                extra={
                    "states": dict(zip(names, state, strict=True)),
                    "votes": {names[i]: votes[i] for i in shown},
                },
                **fields,
            )
        )
        just = []

    def choose(tied: list[int], purpose: str) -> int:
        return choose_one(
            breaker, names, tied, purpose=purpose, round=len(rounds) + 1, records=ties
        )

    # 2.4 at the start: every ballot is active and has elected nobody.
    quota = num.of(n_valid) / (num.of(1 + seats) - num.zero)
    record("Begin: every ballot active, none has elected anyone.", quota)
    restart = True
    while len(hopeful()) > seats - len(elected) > 0:
        if restart:
            restart = False
            for c in elected:
                state[c] = HOPEFUL
            elected.clear()
            ballots.pos[:] = 0
            weight = [num.zero] * len(mult)
            ballots.advance(rows, hopeful_mask())
        # 2.3 and 2.4: quotients of the hopefuls and the quota.
        tx, va = num.zero, 0
        tc = [num.zero] * len(names)
        votes = [0] * len(names)
        for row, top in zip(rows.tolist(), ballots.top[rows].tolist(), strict=True):
            if top < 0:
                tx = tx + weight[row] * mult[row]
            else:
                va += mult[row]
                tc[top] = tc[top] + weight[row] * mult[row]
                votes[top] += mult[row]
        for c in hopeful():
            quotient[c] = num.of(votes[c]) / (num.one + tc[c])
        quota = num.of(va) / (num.of(1 + seats) - tx)
        high = max(quotient[c] for c in hopeful())
        if high > quota:
            # 2.5a: elected; its ballots have now elected 1/q candidates each.
            chosen = choose([c for c in hopeful() if quotient[c] == high], "election")
            state[chosen] = ELECTED
            elected.append(chosen)
            just.append(chosen)
            share = num.one / quotient[chosen]
            moving = ballots.rows_at(chosen)
            for row in moving.tolist():
                weight[row] = share
            ballots.advance(moving, hopeful_mask())
            record(f"{names[chosen]} has the highest quotient, above the quota (2.5a).", quota)
            continue
        # 2.5b: excluded; the count restarts without it.
        low = min(quotient[c] for c in hopeful())
        chosen = choose([c for c in hopeful() if quotient[c] == low], "elimination")
        state[chosen] = EXCLUDED
        ballots.advance(ballots.rows_at(chosen), hopeful_mask())
        record(
            f"{names[chosen]} has the lowest quotient and is excluded; the count restarts (2.5b).",
            quota,
            eliminated=[names[chosen]],
        )
        restart = True
    last = rounds[-1]
    for c in hopeful():
        if len(elected) < seats:
            state[c] = ELECTED
            elected.append(c)
            last.elected.append(names[c])
        else:
            state[c] = EXCLUDED
    last.extra["states"] = dict(zip(names, state, strict=True))
    winners = tuple(names[c] for c in elected)
    return Outcome(
        method="qpq",
        version="1",
        winners=winners,
        rounds=rounds,
        tie_breaks=ties,
        explanation=[
            f"Quota Preferential by Quotient: {seats} seat(s), {n_valid} valid ballots.",
            f"Elected: {', '.join(winners) or 'nobody'}.",
        ],
        details={"seats": seats, "valid_ballots": n_valid, "arithmetic": "guarded 9+9"},
    )
