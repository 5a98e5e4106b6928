"""Tie-breaking rules. A tie is never broken silently: every break is recorded.

A ``TieBreaker`` chooses ``k`` options out of a tied group and returns a
``TieBreakRecord`` that says how. Methods call ``break_tie``; the rule is
chosen by the caller (charter, CLI flag, tabulator configuration).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from .errors import UnresolvedTieError
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
