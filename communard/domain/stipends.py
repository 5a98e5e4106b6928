"""Stipends: what an office-holder may be paid, capped at a worker's wage.

The decree of 1 April 1871 fixed the highest pay of any official of the
Commune at 6,000 francs a year, "considering that ... the highest salary of
a public servant must not exceed the pay of a worker". A charter caps an
office's stipend by a fixed amount in cents (``cap_cents``), by a ratio to the
median pay of the commune's members (``ratio_to_median``), or both, the lower
applying. Money is whole cents; a ratio's cap is a ``Fraction`` of a cent and
a stipend is within it when it does not exceed it, with no rounding anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import ClassVar

from communard.domain.events import Event
from communard.domain.mandates import Mandate, require_holding
from communard.domain.offices import Office
from communard.errors import InvalidInput, StateError


@dataclass(frozen=True)
class StipendCap:
    """The cap in force for an office, in cents per ``per`` period, and how it was found."""

    office: str
    cents: Fraction
    per: str
    explanation: str


@dataclass(frozen=True)
class StipendSet(Event):
    type: ClassVar[str] = "mandate.stipend_set/1"
    mandate: int | None
    office: str
    holder: int
    cents: int
    per: str
    cap: Fraction
    at: datetime


def median_pay(pays: Sequence[int]) -> Fraction:
    """The median of members' pay in cents, exactly (the mean of the two middle values
    when their number is even)."""
    if not pays:
        raise StateError(
            "No member pay is recorded, so there is no median to cap stipends by.",
            code="stipend.no_reference",
            hint="Record members' pay in the treasury first, or give the office a cap_cents.",
        )
    if any(isinstance(p, bool) or not isinstance(p, int) or p < 0 for p in pays):
        raise InvalidInput(
            "pays",
            list(pays),
            "give each pay as whole cents, 0 or more.",
            code="stipend.invalid_amount",
        )
    ordered = sorted(pays)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Fraction(ordered[middle])
    return Fraction(ordered[middle - 1] + ordered[middle], 2)


def cap(office: Office, median: Fraction | None = None) -> StipendCap:
    """The office's cap in cents (``median``: the median member pay for the same period)."""
    rule = office.stipend
    if rule.unpaid:
        return StipendCap(
            office.id,
            Fraction(0),
            rule.per,
            f"'{office.title}' pays no stipend (the charter sets no cap).",
        )
    caps: list[tuple[Fraction, str]] = []
    if rule.cap_cents is not None:
        caps.append((Fraction(rule.cap_cents), f"the fixed cap of {_money(rule.cap_cents)}"))
    if rule.ratio_to_median is not None:
        if median is None:
            if not caps:
                raise StateError(
                    f"The stipend of '{office.title}' is capped relative to the median member "
                    "pay, which is not known yet.",
                    code="stipend.no_reference",
                    hint="Record members' pay in the treasury first.",
                )
        else:
            ratio = rule.ratio_to_median
            caps.append(
                (ratio * median, f"{_ratio(ratio)}the median member pay ({_money(median)})")
            )
    cents, why = min(caps, key=lambda c: c[0])
    return StipendCap(office.id, cents, rule.per, f"At most {_money(cents)} a {rule.per}: {why}.")


def check_stipend(office: Office, cents: int, median: Fraction | None = None) -> StipendCap:
    """Refuse a stipend above the office's cap (``stipend.over_cap``); return the cap."""
    if isinstance(cents, bool) or not isinstance(cents, int) or cents < 0:
        raise InvalidInput(
            "stipend",
            cents,
            "give the stipend as whole cents, 0 or more.",
            code="stipend.invalid_amount",
        )
    limit = cap(office, median)
    if cents > limit.cents:
        raise InvalidInput(
            "stipend",
            cents,
            f"{limit.explanation} Set it to at most {_money(limit.cents)}, or amend the "
            f"charter's offices.{office.id}.stipend.",
            code="stipend.over_cap",
            message=(
                f"A stipend of {_money(cents)} a {limit.per} for '{office.title}' exceeds its "
                f"cap. {limit.explanation}"
            ),
            details={"cap": _cents(limit.cents), "per": limit.per},
        )
    return limit


def set_stipend(
    mandate: Mandate, office: Office, cents: int, now: datetime, median: Fraction | None = None
) -> StipendSet:
    """Set the holder's stipend, within the cap."""
    require_holding(mandate, now, "paid")
    limit = check_stipend(office, cents, median)
    return StipendSet(
        mandate=mandate.id,
        office=office.id,
        holder=mandate.holder_id,
        cents=cents,
        per=limit.per,
        cap=limit.cents,
        at=now,
    )


def over_cap(
    office: Office, paid_in_period: int, payment: int, median: Fraction | None = None
) -> Fraction:
    """By how many cents a payment would take a holder's pay for the period over the cap
    (0 when within it): the treasury refuses or flags such a payment."""
    excess = Fraction(paid_in_period + payment) - cap(office, median).cents
    return max(Fraction(0), excess)


def _cents(value: Fraction) -> str:
    return (
        str(value.numerator)
        if value.denominator == 1
        else (f"{value.numerator}/{value.denominator}")
    )


def _money(cents: Fraction | int) -> str:
    """Cents as units with two decimals, exactly (a fraction of a cent is rounded down,
    which only ever understates a cap's displayed value by less than a cent)."""
    value = Fraction(cents)
    whole = value.numerator // value.denominator
    exact = "" if value.denominator == 1 else "…"
    return f"{whole // 100:,}.{whole % 100:02d}{exact}"


def _ratio(ratio: Fraction) -> str:
    return "" if ratio == 1 else f"{_cents(ratio)} times "
