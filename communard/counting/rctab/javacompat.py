"""Bit-exact ports of the few pieces of the Java runtime that RCTab's results depend on.

- ``JavaRandom``: ``java.util.Random`` (the 48-bit linear congruential generator whose
  algorithm the Java documentation specifies), with ``next_double``, ``next_int`` and
  ``shuffle`` (``Collections.shuffle(list, random)``).
- ``java_string_hash`` and ``hash_order``: the iteration order of a ``java.util.HashMap``
  (or ``HashSet``) keyed by strings. RCTab lists the candidates elected or eliminated in one
  round, and the round-1 tie order of its CSV report, in that order, so a faithful report
  has to reproduce it.

Nothing here uses binary floating point: ``next_double`` returns the exact 53-bit integer
mantissa, and ``random_index`` rounds ``mantissa * n`` to double precision with integers,
exactly as the JVM multiplies two doubles.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

T = TypeVar("T")

_MULTIPLIER = 0x5DEECE66D
_ADDEND = 0xB
_MASK = (1 << 48) - 1


def _to_int32(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


class JavaRandom:
    """``java.util.Random`` with a given seed."""

    def __init__(self, seed: int) -> None:
        self._seed = (seed ^ _MULTIPLIER) & _MASK

    def next_bits(self, bits: int) -> int:
        """``Random.next(bits)``: the top ``bits`` of the next state, as a signed int."""
        self._seed = (self._seed * _MULTIPLIER + _ADDEND) & _MASK
        return _to_int32(self._seed >> (48 - bits))

    def next_double_mantissa(self) -> int:
        """The 53-bit integer ``m`` such that ``nextDouble() == m / 2**53``."""
        high = self.next_bits(26) & ((1 << 26) - 1)
        low = self.next_bits(27) & ((1 << 27) - 1)
        return (high << 27) + low

    def random_index(self, n: int) -> int:
        """``(int) Math.floor(nextDouble() * (double) n)``, with the double product rounded
        to 53 significant bits (round half to even) as the JVM does."""
        product = self.next_double_mantissa() * n
        excess = product.bit_length() - 53
        if excess > 0:
            quotient, remainder = divmod(product, 1 << excess)
            half = 1 << (excess - 1)
            if remainder > half or (remainder == half and quotient & 1):
                quotient += 1
            product = quotient << excess
        return product >> 53

    def next_int(self, bound: int) -> int:
        """``Random.nextInt(bound)``."""
        if bound <= 0:
            raise ValueError("bound must be positive")
        if bound & (bound - 1) == 0:
            return _to_int32((bound * self.next_bits(31)) >> 31)
        while True:
            bits = self.next_bits(31)
            value = bits % bound
            if _to_int32(bits - value + (bound - 1)) >= 0:
                return value

    def shuffle(self, items: list[T]) -> None:
        """``Collections.shuffle(items, this)``, in place."""
        for i in range(len(items), 1, -1):
            j = self.next_int(i)
            items[i - 1], items[j] = items[j], items[i - 1]


def java_string_hash(text: str) -> int:
    """``String.hashCode()`` (over UTF-16 code units, as a signed 32-bit int)."""
    data = text.encode("utf-16-be")
    h = 0
    for i in range(0, len(data), 2):
        h = (31 * h + (data[i] << 8 | data[i + 1])) & 0xFFFFFFFF
    return _to_int32(h)


def _capacity_for(count: int, initial: int = 16) -> int:
    capacity = initial
    while count > capacity * 3 // 4:
        capacity *= 2
    return capacity


def hash_order(keys: Iterable[str], *, capacity: int | None = None) -> list[str]:
    """The iteration order of a ``java.util.HashMap`` into which ``keys`` were put in order.

    A HashMap iterates bucket by bucket (bucket = spread hash & (capacity - 1)), and within a
    bucket in insertion order (resizing keeps relative order). The capacity is the default
    16 doubled whenever the size passes three quarters of it, unless given.
    """
    unique = list(dict.fromkeys(keys))
    cap = capacity if capacity is not None else _capacity_for(len(unique))

    def bucket(key: str) -> int:
        h = java_string_hash(key) & 0xFFFFFFFF
        return (h ^ (h >> 16)) & (cap - 1)

    return [k for _, _, k in sorted((bucket(k), i, k) for i, k in enumerate(unique))]


def hash_set_order(keys: Sequence[str]) -> list[str]:
    """The iteration order of ``new HashSet<>(collection)`` built from ``keys``."""
    capacity = 1
    needed = max(int(len(keys) / 0.75) + 1, 16)
    while capacity < needed:
        capacity *= 2
    return hash_order(keys, capacity=capacity)
