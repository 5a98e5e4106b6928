"""Tie-breaking rules. A tie is never broken silently: every break is recorded.

A ``TieBreaker`` chooses ``k`` options out of a tied group and returns a
``TieBreakRecord`` that says how. Methods call ``break_tie``; the rule is
chosen by the caller (charter, CLI flag, tabulator configuration).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from .errors import ConfigError, UnresolvedTieError
from .outcomes import Number, TieBreakRecord


class TieBreaker(Protocol):
    """Chooses ``k`` of ``tied`` for ``purpose`` ("elimination" picks who goes)."""

    name: str

    def choose(
        self,
        tied: Sequence[str],
        k: int,
        *,
        purpose: str,
        round: int,
        history: Sequence[dict[str, Number]] = (),
    ) -> TieBreakRecord: ...


@dataclass
class Ask:
    """Stop and ask: raise ``UnresolvedTieError`` so a person decides (e.g. by lot)."""

    name: str = "ask"

    def choose(
        self,
        tied: Sequence[str],
        k: int,
        *,
        purpose: str,
        round: int,
        history: Sequence[dict[str, Number]] = (),
    ) -> TieBreakRecord:
        names = ", ".join(tied)
        raise UnresolvedTieError(
            f"Round {round}: {names} are tied for {purpose}; the rule is to stop and ask.",
            tied=tuple(tied),
            hint="Decide the tie by the charter's procedure (e.g. by lot), then count again "
            "with --tie-break permutation:<order>.",
        )


@dataclass
class Permutation:
    """A fixed order decided beforehand: for elimination the *last* in the order goes first."""

    order: tuple[str, ...]
    name: str = "permutation"

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
        missing = [c for c in tied if c not in position]
        if missing:
            raise UnresolvedTieError(
                f"Round {round}: the tie-break order does not name {', '.join(missing)}.",
                tied=tuple(tied),
                hint="Give a permutation that lists every option.",
            )
        ranked = sorted(tied, key=lambda c: position[c])
        chosen = ranked[-k:] if purpose == "elimination" else ranked[:k]
        return TieBreakRecord(
            round=round,
            purpose=purpose,
            tied=tuple(tied),
            chosen=tuple(chosen),
            rule=self.name,
            explanation=f"Broken by the fixed order {', '.join(self.order)}.",
        )


@dataclass
class PreviousRounds:
    """Look back through earlier rounds for the first one where the tied options differ.

    Falls back to ``then`` (default: ask) when they were level in every round.
    """

    then: TieBreaker | None = None
    name: str = "previous-rounds"

    def choose(
        self,
        tied: Sequence[str],
        k: int,
        *,
        purpose: str,
        round: int,
        history: Sequence[dict[str, Number]] = (),
    ) -> TieBreakRecord:
        for back, tallies in enumerate(reversed(history), start=1):
            values = {c: tallies.get(c, 0) for c in tied}
            if len(set(values.values())) == len(tied):
                ordered = sorted(tied, key=lambda c: values[c])
                chosen = ordered[:k] if purpose == "elimination" else ordered[::-1][:k]
                return TieBreakRecord(
                    round=round,
                    purpose=purpose,
                    tied=tuple(tied),
                    chosen=tuple(chosen),
                    rule=self.name,
                    explanation=f"Broken by the tallies of round {round - back}.",
                )
        fallback = self.then or Ask()
        return fallback.choose(tied, k, purpose=purpose, round=round, history=history)


def break_tie(
    breaker: TieBreaker | None,
    tied: Sequence[str],
    k: int,
    *,
    purpose: str,
    round: int,
    history: Sequence[dict[str, Number]] = (),
) -> TieBreakRecord:
    """Choose ``k`` of ``tied`` with ``breaker`` (``Ask`` when none is given)."""
    return (breaker or Ask()).choose(tied, k, purpose=purpose, round=round, history=history)


def settle(
    breaker: TieBreaker | None,
    tied: Sequence[str],
    k: int,
    *,
    purpose: str,
    round: int,
    history: Sequence[dict[str, Number]] = (),
) -> TieBreakRecord | None:
    """Break a tie with ``breaker``, or return ``None`` when no breaker was given.

    Methods whose count can stop at a tie (single-winner methods, the final
    choice of a ranking) call this and, on ``None``, report the tie in
    ``Outcome.tied`` with no winner instead of raising: the default is to show
    the tie, never to break it silently. An explicit ``Ask`` still raises.
    """
    if breaker is None:
        return None
    return breaker.choose(tied, k, purpose=purpose, round=round, history=history)


def choose_top(
    ranking: Sequence[Sequence[str]],
    seats: int,
    breaker: TieBreaker | None,
    *,
    round: int,
    purpose: str = "election",
    history: Sequence[dict[str, Number]] = (),
) -> tuple[tuple[str, ...], tuple[str, ...], list[TieBreakRecord]]:
    """Take the first ``seats`` options of a ranking given as tied groups, best first.

    Returns ``(winners, tied, records)``. When a group straddles the cut, its
    places are filled by ``breaker`` (recorded) or, with no breaker, left open:
    ``winners`` then holds only the options above the group and ``tied`` the group.
    """
    winners: list[str] = []
    records: list[TieBreakRecord] = []
    for group in ranking:
        room = seats - len(winners)
        if room <= 0:
            break
        if len(group) <= room:
            winners.extend(group)
            continue
        record = settle(breaker, tuple(group), room, purpose=purpose, round=round, history=history)
        if record is None:
            return tuple(winners), tuple(group), records
        records.append(record)
        winners.extend(record.chosen)
    return tuple(winners), (), records


def parse_tie_break(text: str | None) -> TieBreaker | None:
    """Read a tie-break rule as written on the command line or in a charter.

    ``ask`` stops and asks; ``permutation:A,B,C`` is a fixed order (first is
    favoured); ``previous-rounds`` looks back through earlier rounds, then asks;
    ``previous-rounds:permutation:A,B,C`` falls back to that order instead.
    ``None`` or ``""`` means no rule: the count reports ties unbroken.
    """
    if not text:
        return None
    rule, _, rest = text.partition(":")
    rule = rule.strip().lower()
    if rule == "ask" and not rest:
        return Ask()
    if rule == "permutation":
        order = tuple(name.strip() for name in rest.split(",") if name.strip())
        if not order:
            raise ConfigError(
                "The permutation tie-break needs an order of options.",
                hint="Write it as permutation:A,B,C (the first is favoured).",
            )
        return Permutation(order)
    if rule == "previous-rounds":
        return PreviousRounds(then=parse_tie_break(rest) if rest else None)
    raise ConfigError(
        f"Unknown tie-break rule {text!r}.",
        hint="Use ask, permutation:A,B,C or previous-rounds[:permutation:A,B,C].",
    )
