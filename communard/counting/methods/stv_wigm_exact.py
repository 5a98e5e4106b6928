"""Weighted inclusive Gregory STV in exact arithmetic (Droop's ``wigm-rational``, ``-guarded``).

The PRF WIGM steps (``stv.count_wigm``) without any rounding: each paper's value
is multiplied by surplus / votes exactly, the quota is exactly votes / (seats + 1)
and a candidate is elected on votes *above* it. Positions on the ballots move as
whole arrays; values are ``Fraction``s per distinct ballot, so this suits small
elections.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..outcomes import Outcome, Round, TieBreakRecord
from ..profiles import RankedProfile
from ..ties import Ask, TieBreaker
from .stv_core import ELECTED, EXCLUDED, HOPEFUL, NON_TRANSFERABLE, WITHDRAWN, IntArray, choose_one
from .stv_numbers import numbers


def wigm_exact(
    profile: RankedProfile,
    seats: int | None,
    tie_break: TieBreaker | None,
    options: dict[str, Any],
    arithmetic: str = "rational",
) -> Outcome:
    """Count WIGM exactly (see the module docstring); called by ``wigm(arithmetic=...)``."""
    from .stv import start_count
    from .stv_core import default_tie_break

    num = numbers(arithmetic)
    tally, ballots, seats, n_valid = start_count(profile, seats, 0, options)
    breaker = default_tie_break(profile, tie_break) or Ask()
    names = tally.names
    state = list(tally.state)
    mult = ballots.mult.tolist()
    value = [num.one] * len(mult)
    votes = [num.of(int(v)) for v in tally.votes]
    exhausted = num.of(int(tally.exhausted))
    total = num.of(n_valid)
    quota = total / (seats + 1)
    rounds: list[Round] = []
    ties: list[TieBreakRecord] = []
    elected: list[int] = []
    pending: list[int] = []
    just_elected: list[int] = []

    def hopeful() -> list[int]:
        return [i for i, s in enumerate(state) if s == HOPEFUL]

    def record(note: str, **fields: Any) -> Round:
        nonlocal just_elected
        held = sum(votes, num.zero)
        if fields.get("surplus") is not None:
            fields["surplus"] = num.record(fields["surplus"])
        if "transfers" in fields:
            fields["transfers"] = {
                src: {k: num.record(v) for k, v in flows.items()}
                for src, flows in fields["transfers"].items()
            }
        r = Round(
            number=len(rounds) + 1,
            tallies={
                names[i]: num.record(votes[i]) for i in range(len(names)) if state[i] != WITHDRAWN
            },
            elected=[names[i] for i in just_elected],
            exhausted=num.record(exhausted),
            threshold=num.record(quota),
            note=note,
            extra={
                "states": dict(zip(names, state, strict=True)),
                "rounding_loss": num.record(total - held - exhausted),
                "total": num.record(total),
            },
            **fields,
        )
        just_elected = []
        rounds.append(r)
        return r

    def choose(tied: list[int], purpose: str) -> int:
        return choose_one(
            breaker, names, tied, purpose=purpose, round=len(rounds) + 1, records=ties
        )

    def move(rows: IntArray) -> dict[str, Any]:
        nonlocal exhausted
        ballots.advance(rows, np.array([s == HOPEFUL for s in state]))
        flows: dict[str, Any] = {}
        lost = num.zero
        for row, top in zip(rows.tolist(), ballots.top[rows].tolist(), strict=True):
            amount = value[row] * mult[row]
            if top < 0:
                lost += amount
            else:
                votes[top] += amount
                flows[names[top]] = flows.get(names[top], num.zero) + amount
        exhausted += lost
        flows[NON_TRANSFERABLE] = lost
        return dict(flows)

    record("First preferences counted.")
    while len(hopeful()) > seats - len(elected) > 0:
        reached = [c for c in hopeful() if votes[c] > quota]
        for c in sorted(reached, key=lambda c: (-votes[c], -c)):
            state[c] = ELECTED
            elected.append(c)
            pending.append(c)
            just_elected.append(c)
        if pending:
            high = max(votes[c] for c in pending)
            chosen = choose([c for c in pending if votes[c] == high], "surplus")
            pending.remove(chosen)
            surplus = votes[chosen] - quota
            rows = ballots.rows_at(chosen)
            for row in rows.tolist():
                value[row] = value[row] * surplus / votes[chosen]
            flows = move(rows)
            votes[chosen] = quota
            record(
                f"Surplus of {names[chosen]} transferred exactly.",
                transfers={names[chosen]: flows},
                surplus=surplus,
            )
            continue
        low = min(votes[c] for c in hopeful())
        chosen = choose([c for c in hopeful() if votes[c] == low], "elimination")
        state[chosen] = EXCLUDED
        flows = move(ballots.rows_at(chosen))
        votes[chosen] = num.zero
        record(
            f"{names[chosen]} defeated with the fewest votes.",
            eliminated=[names[chosen]],
            transfers={names[chosen]: flows},
        )
    last = rounds[-1]
    last.elected.extend(names[i] for i in just_elected)
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
        method="wigm",
        version="1",
        winners=winners,
        rounds=rounds,
        tie_breaks=ties,
        explanation=[
            f"Weighted inclusive Gregory STV in {num.name} arithmetic: {seats} seat(s), "
            f"{n_valid} valid ballots, quota {num.record(quota)}.",
            f"Elected in order: {', '.join(winners) or 'nobody'}.",
        ],
        details={
            "seats": seats,
            "valid_ballots": n_valid,
            "quota": num.record(quota),
            "arithmetic": num.name,
            "rule": f"WIGM, {num.name} arithmetic",
        },
    )
