"""Events: what a domain command did, in the past tense, ready for the journal.

A command-like domain function checks its rule, changes the state it was
given and returns the events it produced (``MandateRecalled``,
``RecallSigned``, ...). Each event class names its journal entry type
(``mandate.recalled/1``); ``payload()`` is its JSON-ready body with exact
numbers only (fractions as ``"n/d"``, money in integer cents, times in ISO
8601, durations in whole seconds), because the journal refuses binary floats.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any, ClassVar


@dataclasses.dataclass(frozen=True)
class Event:
    """Base of every domain event: ``type`` is the journal entry type it becomes."""

    type: ClassVar[str] = "domain.event/1"

    def payload(self) -> dict[str, Any]:
        """The event's fields as exact, JSON-ready data."""
        return {f.name: exact(getattr(self, f.name)) for f in dataclasses.fields(self)}


def exact(value: Any) -> Any:
    """JSON-ready data without binary floats (the journal's canonical form refuses them)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Fraction):
        return (
            str(value.numerator)
            if value.denominator == 1
            else (f"{value.numerator}/{value.denominator}")
        )
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    if isinstance(value, dict):
        return {str(k): exact(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [exact(v) for v in value]
        return sorted(items) if isinstance(value, set | frozenset) else items
    if hasattr(value, "to_json"):
        return value.to_json()
    raise TypeError(f"an event holds no {type(value).__name__}")
