"""The registry of counting methods.

Every method registers with ``@method(...)``, which records its metadata and
gives it one signature::

    fn(profile, *, seats: int = 1, tie_break: TieBreaker | None = None, **options) -> Outcome

``count(method_id, profile, ...)`` looks a method up by id or alias and runs it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import ConfigError, UnknownMethodError
from .outcomes import Outcome

BALLOT_KINDS = ("yesno", "consent", "choice", "ranked", "approval", "score", "grades", "budget")

CountFunction = Callable[..., Outcome]


@dataclass(frozen=True)
class MethodInfo:
    """What a method is: its id, names, ballot kind, seats, claimed properties and source."""

    id: str
    name: str
    ballot: str
    seats: str  # "single" | "multi" | "any" | "budget"
    function: CountFunction = field(repr=False, compare=False)
    aliases: tuple[str, ...] = ()
    properties: frozenset[str] = frozenset()
    reference: str = ""
    version: str = "1"
    summary: str = ""
    options: dict[str, str] = field(default_factory=dict)


_REGISTRY: dict[str, MethodInfo] = {}
_ALIASES: dict[str, str] = {}


def method(
    id: str,
    *,
    name: str,
    ballot: str,
    seats: str = "single",
    aliases: tuple[str, ...] = (),
    properties: tuple[str, ...] = (),
    reference: str = "",
    version: str = "1",
    options: dict[str, str] | None = None,
) -> Callable[[CountFunction], CountFunction]:
    """Register a counting method. ``options`` documents its keyword options."""
    if ballot not in BALLOT_KINDS:
        raise ValueError(f"unknown ballot kind {ballot!r}; expected one of {BALLOT_KINDS}")

    def register(fn: CountFunction) -> CountFunction:
        for taken in (id, *aliases):
            if taken in _REGISTRY or taken in _ALIASES:
                raise ValueError(f"counting method name {taken!r} registered twice")
        doc = (fn.__doc__ or "").strip()
        info = MethodInfo(
            id=id,
            name=name,
            ballot=ballot,
            seats=seats,
            function=fn,
            aliases=aliases,
            properties=frozenset(properties),
            reference=reference,
            version=version,
            summary=doc.split("\n\n")[0].replace("\n", " ") if doc else "",
            options=dict(options or {}),
        )
        _REGISTRY[id] = info
        for alias in aliases:
            _ALIASES[alias] = id
        fn.method_info = info  # type: ignore[attr-defined]
        return fn

    return register


def _load_all() -> None:
    # Importing the methods package runs every @method decorator.
    from . import methods  # noqa: F401


def get(method_id: str) -> MethodInfo:
    """Look up a method by id or alias."""
    _load_all()
    key = _ALIASES.get(method_id, method_id)
    try:
        return _REGISTRY[key]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise UnknownMethodError(
            f"No counting method is called {method_id!r}.",
            hint=f"Use one of: {known} (communard count --list-methods).",
        ) from None


def all_methods() -> list[MethodInfo]:
    _load_all()
    return sorted(_REGISTRY.values(), key=lambda m: m.id)


def count(method_id: str, profile: Any, **options: Any) -> Outcome:
    """Count ``profile`` with the method ``method_id`` (id or alias)."""
    info = get(method_id)
    seats = options.get("seats", 1)
    if not isinstance(seats, int) or seats < 1:
        raise ConfigError(
            f"seats must be a positive whole number, not {seats!r}.",
            hint="Pass seats=1 for a single winner.",
        )
    return info.function(profile, **options)
