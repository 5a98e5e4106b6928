"""Errors written for people: one hierarchy, stable dotted codes.

::

    CommunardError(code, message, hint, details)
    ├── InvalidInput        a field has a wrong value (names field, value and fix)
    │   └── CharterError    a charter document is invalid (``charter.invalid``)
    ├── NotFound            nothing visible to you has that id (never says whether
    │                       a hidden thing exists)
    ├── Forbidden           you may see it but not do that
    ├── Conflict            it clashes with what is already recorded
    │   └── StateError      the action is out of state (``vote.closed``, ...)
    ├── Unauthenticated     sign in first (or the session/token is no longer valid)
    └── RateLimited         too many attempts; try again after ``retry_after`` seconds

Every error carries a stable ``code`` whose prefix is the noun of the command
vocabulary (``motion.not_found``, ``vote.closed``, ``charter.invalid``), a
``message`` with named fields, a ``hint`` naming the next action where there is
one, and JSON-ready ``details``.

The domain and services know no HTTP status or exit code: each adapter maps
these classes to its own codes in one table.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CharterError",
    "CommunardError",
    "Conflict",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "RateLimited",
    "StateError",
    "Unauthenticated",
]


class CommunardError(Exception):
    """The root of every error communard raises on purpose."""

    default_code = "communard.error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        hint: str = "",
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code or self.default_code
        self.message = message
        self.hint = hint
        self.details: dict[str, Any] = dict(details or {})

    def to_json(self) -> dict[str, Any]:
        """The one JSON error shape: code, message, hint, details."""
        return {
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            "details": self.details,
        }

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class InvalidInput(CommunardError):
    """A value is wrong: the error names the field, the value given and the fix."""

    default_code = "input.invalid"

    def __init__(
        self,
        field: str,
        value: Any,
        fix: str,
        *,
        code: str | None = None,
        message: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        # The message says what is wrong, the hint what to do: the fix is not repeated in both.
        super().__init__(
            message or f"{field} = {_show(value)} is not valid.",
            code=code,
            hint=_sentence(fix),
            details={"field": field, "value": _raw(value), **(details or {})},
        )
        self.field = field
        self.value = value
        self.fix = fix


class CharterError(InvalidInput):
    """A charter document is invalid (the field is a dotted TOML path)."""

    default_code = "charter.invalid"


class NotFound(CommunardError):
    """Nothing visible to the actor has that id; hidden things look exactly like absent ones."""

    default_code = "not_found"


class Forbidden(CommunardError):
    """The actor may see the thing but may not do that to it."""

    default_code = "forbidden"


class Conflict(CommunardError):
    """The request clashes with what is already recorded (a duplicate, a taken name)."""

    default_code = "conflict"


class StateError(Conflict):
    """The action does not fit the current state (a closed vote, a withdrawn motion)."""

    default_code = "state.invalid"


class Unauthenticated(CommunardError):
    """The actor must sign in, or the session or token given is not (or no longer) valid."""

    default_code = "auth.required"


class RateLimited(CommunardError):
    """Too many attempts in a short time; ``retry_after`` says how many seconds to wait."""

    default_code = "auth.throttled"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(
            message,
            code=code,
            hint=f"Wait {retry_after} seconds, then try again.",
            details={"retry_after": retry_after},
        )
        self.retry_after = retry_after


def _raw(value: Any) -> Any:
    """A bad value as given, for details: plain JSON values as they are, others as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return _show(value)


def _sentence(text: str) -> str:
    """``text`` as a sentence of its own: a capital first letter."""
    return text[:1].upper() + text[1:]


def _show(value: Any) -> str:
    """A short, printable rendering of a bad value for an error message."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
