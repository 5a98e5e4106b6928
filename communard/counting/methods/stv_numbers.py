"""The number systems of the iterative STV counts: exact fractions, and guarded fixed point.

*Guarded* arithmetic (Droop's ``guarded``) keeps ``precision + guard`` decimal
places, truncating every product and quotient, and treats two values closer
than half a unit of the last *guard* digit as equal. With 18 + 9 places it
gives the outcomes of exact arithmetic at a fraction of the cost, so exact
rules (quota votes / (seats + 1), elected above it) can run on it. Every value
converts exactly to a ``Decimal`` for the record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ..errors import ConfigError

PRECISION = 18
GUARD = 9


class Guarded:
    """A fixed-point number with 18 + 9 decimal places and guard-tolerant comparison.

    ``guarded(precision, guard)`` makes the same type with other numbers of places.
    """

    __slots__ = ("raw",)
    PLACES = PRECISION + GUARD
    SCALE = 10**PLACES
    EPS = 10**GUARD // 2

    def __init__(self, raw: int) -> None:
        self.raw = raw

    @classmethod
    def of(cls, n: int) -> Guarded:
        return cls(n * cls.SCALE)

    def _other(self, other: Guarded | int) -> int:
        return other.raw if isinstance(other, Guarded) else other * self.SCALE

    def __add__(self, other: Guarded | int) -> Guarded:
        return type(self)(self.raw + self._other(other))

    __radd__ = __add__

    def __sub__(self, other: Guarded | int) -> Guarded:
        return type(self)(self.raw - self._other(other))

    def __rsub__(self, other: Guarded | int) -> Guarded:
        return type(self)(self._other(other) - self.raw)

    def __neg__(self) -> Guarded:
        return type(self)(-self.raw)

    def __mul__(self, other: Guarded | int) -> Guarded:
        if isinstance(other, int):
            return type(self)(self.raw * other)
        return type(self)(self.raw * other.raw // self.SCALE)

    __rmul__ = __mul__

    def __truediv__(self, other: Guarded | int) -> Guarded:
        if isinstance(other, int):
            return type(self)(self.raw // other)
        return type(self)(self.raw * self.SCALE // other.raw)

    def _cmp(self, other: Guarded | int) -> int:
        diff = self.raw - self._other(other)
        if abs(diff) < self.EPS:
            return 0
        return 1 if diff > 0 else -1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Guarded | int) and self._cmp(other) == 0

    def __lt__(self, other: Guarded | int) -> bool:
        return self._cmp(other) < 0

    def __le__(self, other: Guarded | int) -> bool:
        return self._cmp(other) <= 0

    def __gt__(self, other: Guarded | int) -> bool:
        return self._cmp(other) > 0

    def __ge__(self, other: Guarded | int) -> bool:
        return self._cmp(other) >= 0

    def __bool__(self) -> bool:
        return self.raw != 0

    __hash__ = None  # type: ignore[assignment]  # equality is approximate

    def exact(self) -> Decimal:
        # From a string: exact whatever the length (scaleb rounds to 28 digits).
        return Decimal(f"{self.raw}E-{self.PLACES}")


@dataclass(frozen=True)
class Numbers:
    """One number system: how to make 0, 1 and integers, and how to record a value."""

    name: str
    of: Callable[[int], Any]
    record: Callable[[Any], Any]
    smallest: Callable[[Iterable[Any]], Any]

    @property
    def zero(self) -> Any:
        return self.of(0)

    @property
    def one(self) -> Any:
        return self.of(1)


def guarded(precision: int = PRECISION, guard: int = GUARD) -> Numbers:
    """Guarded arithmetic with ``precision`` + ``guard`` decimal places."""
    kind: type[Guarded] = Guarded
    if (precision, guard) != (PRECISION, GUARD):
        kind = type(
            f"Guarded{precision}x{guard}",
            (Guarded,),
            {
                "__slots__": (),
                "PLACES": precision + guard,
                "SCALE": 10 ** (precision + guard),
                "EPS": max(10**guard // 2, 1),
            },
        )
    return Numbers("guarded", kind.of, lambda v: v.exact(), lambda vs: min(vs, key=lambda v: v.raw))


RATIONAL = Numbers("rational", Fraction, lambda v: v, min)
GUARDED = guarded()


def numbers(arithmetic: str) -> Numbers:
    """The number system called ``arithmetic`` ("rational" or "guarded")."""
    if arithmetic == "rational":
        return RATIONAL
    if arithmetic == "guarded":
        return GUARDED
    raise ConfigError(
        f"No exact arithmetic is called {arithmetic!r}.",
        hint="Use 'fixed', 'rational' or 'guarded'.",
    )
