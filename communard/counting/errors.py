"""Errors of the counting engine.

    CountingError                 base; has code, message, hint
    ├── BallotFormatError         a ballot file cannot be read (names file, line, problem)
    ├── ConfigError               a method option or tabulator configuration is invalid
    ├── UnknownMethodError        no method with that id or alias
    └── UnresolvedTieError        a tie the chosen tie-break refuses to break ("ask")

The engine imports nothing else of communard, so the application maps these to
its own error hierarchy at the service boundary.
"""

from __future__ import annotations

from typing import Any


class CountingError(Exception):
    """Base class: a stable ``code``, a message for people and a hint."""

    code = "count.error"

    def __init__(self, message: str, *, hint: str = "", **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip() if self.hint else self.message


class BallotFormatError(CountingError):
    code = "count.format"

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        hint: str = "",
        **details: Any,
    ) -> None:
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(where + message, hint=hint, path=path, line=line, **details)
        self.path = path
        self.line = line


class ConfigError(CountingError):
    code = "count.config"


class UnknownMethodError(CountingError):
    code = "count.unknown_method"


class UnresolvedTieError(CountingError):
    code = "count.tie"

    def __init__(self, message: str, *, tied: tuple[str, ...], hint: str = "") -> None:
        super().__init__(message, hint=hint, tied=list(tied))
        self.tied = tied
