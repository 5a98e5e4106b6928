"""What a count returns: an ``Outcome`` made of ``Round``s, each explained.

Numbers are exact: ``int``, ``fractions.Fraction`` or ``decimal.Decimal``
(fixed point, as the rule prescribes). ``to_json`` writes integers as JSON
numbers and every other exact number as a decimal string, so nothing is lost
through a binary float.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

Number = int | Fraction | Decimal


def exact_json(value: Any) -> Any:
    """Convert a value to JSON-ready data without binary floats."""
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return value.numerator
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, float):
        raise TypeError("binary floats have no place in a count")
    if isinstance(value, dict):
        return {str(k): exact_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [exact_json(v) for v in value]
    if hasattr(value, "to_json"):
        return value.to_json()
    raise TypeError(f"cannot write {type(value).__name__} as exact JSON")


@dataclass(frozen=True)
class TieBreakRecord:
    """A tie that was broken: who was tied, for what, by which rule, and who was chosen."""

    round: int
    purpose: str  # "elimination", "election", "winner", "order", ...
    tied: tuple[str, ...]
    chosen: tuple[str, ...]
    rule: str  # "previous-rounds", "permutation", "random(seed=…)", "lot", ...
    explanation: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "purpose": self.purpose,
            "tied": list(self.tied),
            "chosen": list(self.chosen),
            "rule": self.rule,
            "explanation": self.explanation,
        }


@dataclass
class Round:
    """One round (stage) of a count.

    ``tallies`` holds each continuing (or just decided) option's votes in this
    round; ``transfers`` maps a source (an eliminated or elected option, or
    "exhausted") to the amounts it sent to each destination.
    """

    number: int
    tallies: dict[str, Number] = field(default_factory=dict)
    elected: list[str] = field(default_factory=list)
    eliminated: list[str] = field(default_factory=list)
    transfers: dict[str, dict[str, Number]] = field(default_factory=dict)
    exhausted: Number = 0
    threshold: Number | None = None
    surplus: Number | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "round": self.number,
            "tallies": exact_json(self.tallies),
            "elected": list(self.elected),
            "eliminated": list(self.eliminated),
            "transfers": exact_json(self.transfers),
            "exhausted": exact_json(self.exhausted),
            "note": self.note,
        }
        if self.threshold is not None:
            data["threshold"] = exact_json(self.threshold)
        if self.surplus is not None:
            data["surplus"] = exact_json(self.surplus)
        if self.extra:
            data["extra"] = exact_json(self.extra)
        return data


@dataclass
class Outcome:
    """The result of a count, with everything needed to explain it.

    ``winners`` are in the order they were elected (or selected, for budgets:
    project ids). ``tied`` is non-empty only when a tie was left unbroken:
    a method whose count ends at a tie and was given no tie-break rule reports
    the tied options here (with ``winners`` holding only those chosen before
    the tie), rather than break it silently. ``ranking`` is a full order with
    ties as groups, where the method defines one.
    """

    method: str
    version: str
    winners: tuple[str, ...]
    rounds: list[Round] = field(default_factory=list)
    tied: tuple[str, ...] = ()
    ranking: tuple[tuple[str, ...], ...] | None = None
    tie_breaks: list[TieBreakRecord] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def winner(self) -> str | None:
        return self.winners[0] if len(self.winners) == 1 else None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "method": self.method,
            "version": self.version,
            "winners": list(self.winners),
            "tied": list(self.tied),
            "rounds": [r.to_json() for r in self.rounds],
            "tie_breaks": [t.to_json() for t in self.tie_breaks],
            "explanation": list(self.explanation),
        }
        if self.ranking is not None:
            data["ranking"] = [list(group) for group in self.ranking]
        if self.details:
            data["details"] = exact_json(self.details)
        return data
