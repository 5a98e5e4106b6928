"""What the methods that end in a ranking share: ranking by score, filling seats, explaining.

``finish`` turns a ranking (tied groups, best first) into an ``Outcome``: it
fills the seats from the top, breaks a tie at the cut with the caller's rule
(recorded) or, with no rule, reports it in ``Outcome.tied``; and it says so in
words. ``bin_count`` and ``weighted_sum`` are the exact weighted sums over
grouped ballots that the tallies are made of.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ConfigError
from ..outcomes import Number, Outcome, Round, TieBreakRecord
from ..ties import TieBreaker, choose_top, parse_tie_break

Ranking = tuple[tuple[str, ...], ...]


def breaker_of(tie_break: TieBreaker | str | None) -> TieBreaker | None:
    """Accept a tie-break rule as an object or as text (``parse_tie_break``)."""
    if tie_break is None or not isinstance(tie_break, str):
        return tie_break
    return parse_tie_break(tie_break)


def expect(profile: Any, kinds: tuple[type, ...], method_id: str) -> None:
    """Refuse a profile of the wrong ballot kind with a clear message."""
    if not isinstance(profile, kinds):
        names = " or ".join(k.__name__ for k in kinds)
        raise ConfigError(
            f"The method {method_id!r} counts {names} ballots, not {type(profile).__name__}.",
            hint="Choose a method for this ballot kind (communard count --list-methods).",
        )


def single_seat(seats: int, method_id: str) -> None:
    if seats != 1:
        raise ConfigError(
            f"The method {method_id!r} elects one winner, not {seats}.",
            hint="Use a multi-winner method (STV, a committee rule) for several seats.",
        )


def ranking_by(
    options: Sequence[str], score: Mapping[str, Any], *, reverse: bool = True
) -> Ranking:
    """Group options by equal score, best first (highest, or lowest with ``reverse=False``)."""
    levels = sorted({score[o] for o in options}, reverse=reverse)
    return tuple(tuple(o for o in options if score[o] == level) for level in levels)


def weighted_sum(
    columns: npt.NDArray[Any], weights: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Sum each column of ``columns`` over distinct ballots, weighted (exact, ``int64``)."""
    return np.asarray(weights, dtype=np.int64) @ np.asarray(columns, dtype=np.int64)


def bin_count(
    keys: npt.NDArray[Any], weights: npt.NDArray[np.int64], size: int
) -> npt.NDArray[np.int64]:
    """Weighted histogram of ``keys`` in ``size`` bins, in exact ``int64`` arithmetic."""
    totals = np.zeros(size, dtype=np.int64)
    flat_keys = np.asarray(keys, dtype=np.intp).ravel()
    np.add.at(totals, flat_keys, np.asarray(weights, dtype=np.int64).ravel())
    return totals


SINGULAR = {
    "votes": "vote",
    "points": "point",
    "approvals": "approval",
    "preferences": "preference",
    "options beaten": "option beaten",
    "pairwise wins": "pairwise win",
}


def amount(value: Any, unit: str) -> str:
    """``"1 vote"``, ``"3 votes"``: a number with its unit, singular for exactly one."""
    return f"{value} {SINGULAR.get(unit, unit) if value == 1 else unit}"


def tie_phrase(tied: Sequence[str]) -> str:
    return (
        f"{', '.join(tied)} are tied and no tie-break rule was given, so the count reports "
        "the tie: decide it by the charter's procedure (e.g. by lot) and count again with "
        "a tie-break (--tie-break permutation:A,B,...)."
    )


def record_phrase(record: TieBreakRecord) -> str:
    return (
        f"Tie between {', '.join(record.tied)} for {record.purpose}: "
        f"{', '.join(record.chosen)} chosen ({record.rule}). {record.explanation}"
    ).strip()


def finish(
    method_id: str,
    info_version: str,
    options: Sequence[str],
    tallies: Mapping[str, Number],
    ranking: Ranking,
    seats: int,
    tie_break: TieBreaker | None,
    *,
    unit: str = "votes",
    note: str = "",
    rounds: list[Round] | None = None,
    explanation: Sequence[str] = (),
    details: dict[str, Any] | None = None,
    records: Sequence[TieBreakRecord] = (),
) -> Outcome:
    """Build the outcome of a method that ends in a ranking: take the top ``seats``."""
    final_round = len(rounds) if rounds else 1
    winners, tied, new_records = choose_top(ranking, seats, tie_break, round=final_round)
    all_records = [*records, *new_records]
    lines = list(explanation)
    if winners and not tied:
        shown = (
            ", ".join(f"{w} ({amount(tallies[w], unit)})" for w in winners)
            if tallies
            else ", ".join(winners)
        )
        lines.append(f"{'Elected' if seats > 1 else 'Winner'}: {shown}.")
    elif winners:
        lines.append(f"Elected before the tie: {', '.join(winners)}.")
    lines.extend(record_phrase(r) for r in new_records)
    if tied:
        lines.append(tie_phrase(tied))
    if rounds is None:
        rounds = [Round(number=1, tallies=dict(tallies), elected=list(winners), note=note)]
    else:
        rounds[-1].elected = list(winners)
    return Outcome(
        method=method_id,
        version=info_version,
        winners=winners,
        rounds=rounds,
        tied=tied,
        ranking=ranking,
        tie_breaks=all_records,
        explanation=lines,
        details=dict(details or {}),
    )


def standings(options: Sequence[str], tallies: Mapping[str, Number], unit: str) -> str:
    ordered = sorted(options, key=lambda o: tallies[o], reverse=True)
    return "; ".join(f"{o} {tallies[o]}" for o in ordered) + f" ({unit})"
