"""Fill a vacancy by countback: recount the original ballots without the member who left.

Two rules, named in the outcome's ``method``:

``countback:hare-clark`` (default), after the recount by which Tasmania fills a
casual vacancy in its House of Assembly (Hare-Clark; Electoral Act 2004 (Tas)). The
rule as implemented here:

1. The count of the original election is run again with the same method to
   find the departed member's *parcel*: the papers credited to them when they
   were elected, each at the value it kept for them. A member whose surplus was
   transferred kept ``quota / votes`` of each paper's value (weighted inclusive
   Gregory), so the parcel is worth one quota; a member elected without a
   surplus transfer kept each paper whole. Under Meek the parcel is what each
   ballot gives the member with the final keep factors (about one quota).
2. Only candidates who were not elected and who consent to contest (the
   ``consenting`` names; by default every unelected, not withdrawn candidate)
   take part. Each paper counts for its highest-ranked contesting candidate, at
   its parcel value.
3. A contesting candidate with more than half of the value still in the recount
   fills the vacancy. Otherwise the candidate with the least value is excluded
   (ties: the most recent recount stage at which they differed, then the
   ``tie_break``) and their papers pass on at the same value; repeat.

``countback:rerun``: count the whole election again with the same method and
seats, the departed member withdrawn; the first candidate it elects who is not
a continuing member fills the vacancy. Continuing members keep their seats even
if the rerun would not elect them (the outcome's explanation says so).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .errors import ConfigError
from .methods.stv import count_scottish, count_wigm
from .methods.stv_core import (
    ELECTED,
    EXCLUDED,
    HOPEFUL,
    WITHDRAWN,
    Ballots,
    Tally,
    default_tie_break,
    resolve_tie,
)
from .methods.stv_meek import count_meek
from .outcomes import Outcome
from .profiles import RankedProfile
from .registry import count as count_method
from .ties import TieBreaker

RULES = ("hare-clark", "rerun")
_PARCEL_COUNTS = {"scottish-stv": count_scottish, "wigm": count_wigm, "meek": count_meek}


def countback(
    profile: RankedProfile,
    original: Outcome | Sequence[str],
    departed: str,
    *,
    method: str = "scottish-stv",
    seats: int | None = None,
    rule: str = "hare-clark",
    consenting: Iterable[str] | None = None,
    tie_break: TieBreaker | None = None,
    **options: Any,
) -> Outcome:
    """Choose who fills ``departed``'s seat from the original ballots (see the module doc)."""
    winners = tuple(original.winners if isinstance(original, Outcome) else original)
    if departed not in winners:
        raise ConfigError(
            f"{departed!r} was not elected, so there is no vacancy to fill.",
            hint=f"The members elected were: {', '.join(winners)}.",
        )
    if rule not in RULES:
        raise ConfigError(
            f"No countback rule is called {rule!r}.", hint=f"Use one of: {', '.join(RULES)}."
        )
    seats = len(winners) if seats is None else seats
    if rule == "rerun":
        return _rerun(profile, winners, departed, method, seats, tie_break, options)
    return _hare_clark(profile, winners, departed, method, seats, consenting, tie_break, options)


def _rerun(
    profile: RankedProfile,
    winners: tuple[str, ...],
    departed: str,
    method: str,
    seats: int,
    tie_break: TieBreaker | None,
    options: dict[str, Any],
) -> Outcome:
    withdrawn = (*options.pop("withdrawn", ()), departed)
    rerun = count_method(
        method, profile, seats=seats, tie_break=tie_break, withdrawn=withdrawn, **options
    )
    staying = [w for w in winners if w != departed]
    newcomers = [w for w in rerun.winners if w not in staying]
    if not newcomers:
        raise ConfigError(
            "The recount elected no one besides the continuing members.",
            hint="Fill the vacancy by a by-election.",
        )
    explanation = [
        f"{departed} left. The election was counted again by {method} with {departed} "
        f"withdrawn; {newcomers[0]} is the first candidate it elects who is not a "
        "continuing member, and fills the vacancy.",
    ]
    unseated = [w for w in staying if w not in rerun.winners]
    if unseated:
        explanation.append(
            f"The recount alone would not elect {', '.join(unseated)}; "
            "continuing members keep their seats."
        )
    return Outcome(
        method="countback:rerun",
        version="1",
        winners=(newcomers[0],),
        rounds=rerun.rounds,
        tie_breaks=rerun.tie_breaks,
        explanation=explanation,
        details={
            "departed": departed,
            "method": method,
            "continuing": staying,
            "rerun_winners": list(rerun.winners),
        },
    )


def _hare_clark(
    profile: RankedProfile,
    winners: tuple[str, ...],
    departed: str,
    method: str,
    seats: int,
    consenting: Iterable[str] | None,
    tie_break: TieBreaker | None,
    options: dict[str, Any],
) -> Outcome:
    if method not in _PARCEL_COUNTS:
        raise ConfigError(
            f"A Hare-Clark countback needs the parcels of a Gregory count, not {method!r}.",
            hint=f"Use method {' or '.join(_PARCEL_COUNTS)}, or rule='rerun'.",
        )
    tally = _PARCEL_COUNTS[method](profile, seats=seats, tie_break=tie_break, **options)[1]
    names = tally.names
    index = {n: i for i, n in enumerate(names)}
    gone = index[departed]
    if gone not in tally.parcels:
        raise ConfigError(
            f"The recount did not elect {departed}; check method and seats.",
            hint="Pass the method and seats of the original election.",
        )
    rows, row_values, votes = tally.parcels[gone]
    # The member kept quota/votes of each paper when a surplus left them (WIGM).
    kept = row_values if votes <= tally.quota else row_values * tally.quota // votes
    eligible = [
        i
        for i, s in enumerate(tally.state)
        if s not in (ELECTED, WITHDRAWN) and names[i] not in winners
    ]
    if consenting is not None:
        wanted = set(consenting)
        unknown = wanted - set(names)
        if unknown:
            raise ConfigError(f"No candidate is called {', '.join(sorted(unknown))}.")
        eligible = [i for i in eligible if names[i] in wanted]
    if not eligible:
        raise ConfigError(
            "No unelected candidate contests the vacancy.",
            hint="Fill the vacancy by a by-election.",
        )
    sub = RankedProfile(
        profile.options, profile.ranks[rows], np.ones(len(rows), np.int64), dict(profile.meta)
    )
    parcel = Ballots(sub, 1)
    parcel.value = kept.astype(np.int64)
    recount = Tally(
        names=names,
        digits=tally.digits,
        total=int(kept.sum()),
        votes=np.zeros(len(names), dtype=np.int64),
        state=[HOPEFUL if i in eligible else WITHDRAWN for i in range(len(names))],
    )
    received, exhausted = parcel.move(np.arange(len(rows)), recount.hopeful_mask())
    recount.votes += received
    recount.exhausted = exhausted
    breaker = default_tie_break(profile, tie_break)
    recount.quota = _majority(recount)
    recount.record(
        f"The {len(rows)} kinds of paper in {departed}'s parcel (worth "
        f"{recount.dec(int(kept.sum()))}) counted for their highest-ranked "
        "contesting candidate."
    )
    while True:
        hopeful = recount.indices(HOPEFUL)
        leader = max(hopeful, key=lambda c: int(recount.votes[c]))
        if recount.votes[leader] >= recount.quota or len(hopeful) == 1:
            recount.elect(leader, pending=False)
            break
        low = min(int(recount.votes[c]) for c in hopeful)
        tied = [c for c in hopeful if int(recount.votes[c]) == low]
        chosen = resolve_tie(
            recount, tied, purpose="elimination", lowest=True, look_back=True, tie_break=breaker
        )
        recount.state[chosen] = EXCLUDED
        moved = parcel.rows_at(chosen)
        received, exhausted = parcel.move(moved, recount.hopeful_mask())
        recount.votes += received
        recount.votes[chosen] = 0
        recount.exhausted += exhausted
        recount.quota = _majority(recount)
        recount.record(
            f"{names[chosen]} excluded with the least value "
            f"({recount.dec(low)}); papers pass on at the same value.",
            eliminated=[chosen],
            transfers=recount.transfer_record(chosen, received, exhausted),
        )
    for i in recount.indices(HOPEFUL):
        recount.state[i] = EXCLUDED
    filled = recount.elected_order[0]
    how = (
        "more than half of the value still in the recount"
        if recount.votes[filled] >= recount.quota
        else "as the last contesting candidate"
    )
    return Outcome(
        method="countback:hare-clark",
        version="1",
        winners=(names[filled],),
        rounds=recount.rounds,
        tie_breaks=recount.tie_breaks,
        explanation=[
            f"{departed} left. Their parcel of papers from the {method} count, worth "
            f"{recount.dec(int(kept.sum()))} votes, was recounted among "
            f"{', '.join(names[i] for i in eligible)}.",
            f"{names[filled]} fills the vacancy, {how}.",
        ],
        details={
            "departed": departed,
            "method": method,
            "parcel_value": recount.dec(int(kept.sum())),
            "contesting": [names[i] for i in eligible],
        },
    )


def _majority(recount: Tally) -> int:
    """More than half of the value still with contesting candidates (the absolute majority)."""
    live = int(sum(int(recount.votes[i]) for i in recount.indices(HOPEFUL)))
    return live // 2 + 1
