"""The Borda family: Borda on complete ballots and its named truncated-ballot variants.

Positional points are summed from integer counts — how many voters put each
option in each place, how many ballots rank how many options — so the points
that are not whole (averaged Borda, Dowdall) are exact ``Fraction``s and
nothing passes through a float. A ballot is read as ``effective_ranks`` reads
it; an option's place is the number of options that count before it.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from ..errors import ConfigError
from ..kernels import place_counts
from ..outcomes import Number, Outcome
from ..profiles import RankedProfile
from ..registry import CountFunction, method
from ..ties import TieBreaker
from .rankings import breaker_of, expect, finish, ranking_by, standings

BORDA_VARIANTS = {
    "borda": "complete ballots; m-1 points for a first place down to 0 for the last",
    "borda-pessimistic": "unranked options score 0",
    "borda-optimistic": "unranked options all score as much as the first unranked place",
    "borda-averaged": "unranked options share the points of the places left, on average",
    "dowdall": "1, 1/2, 1/3, ... for the first, second, third place; unranked score 0",
}


def _borda(variant: str, profile: RankedProfile, seats: int, tie_break: Any) -> Outcome:
    expect(profile, (RankedProfile,), variant)
    options = profile.options
    m = len(options)
    # One compiled pass over the distinct ballots; exact Fractions only on the m sums below.
    at, length, ranked_in = place_counts(profile.ranks, profile.weights, m)
    width = at.shape[1]
    if variant == "borda":
        short = int(length[: max(m - 1, 0)].sum()) if m > 1 else 0
        if short:
            raise ConfigError(
                f"{short} ballots do not rank every option (or all but one); plain Borda "
                "is defined for complete ballots only.",
                hint="Choose a truncated-ballot variant: borda-pessimistic, borda-optimistic, "
                "borda-averaged or dowdall.",
            )
    if variant == "dowdall":
        points: list[Fraction] = [Fraction(1, j + 1) for j in range(width)]
    else:
        points = [Fraction(m - 1 - j) for j in range(width)]
    unranked: list[Fraction] = [Fraction(0)] * (width + 1)
    if variant == "borda-optimistic":
        unranked = [Fraction(max(m - 1 - k, 0)) for k in range(width + 1)]
    elif variant == "borda-averaged":
        unranked = [Fraction(max(m - 1 - k, 0), 2) for k in range(width + 1)]
    totals: dict[str, Number] = {}
    for c, name in enumerate(options):
        total = sum((int(at[c, j]) * points[j] for j in range(width)), Fraction(0))
        total += sum(
            ((int(length[k]) - int(ranked_in[c, k])) * unranked[k] for k in range(width + 1)),
            Fraction(0),
        )
        totals[name] = total.numerator if total.denominator == 1 else total
    note = f"Points ({variant}: {BORDA_VARIANTS[variant]}): {standings(options, totals, 'points')}."
    return finish(
        variant,
        "1",
        options,
        totals,
        ranking_by(options, totals),
        seats,
        breaker_of(tie_break),
        unit="points",
        note=note,
        explanation=[note],
        details={"points_by_place": [points[j] for j in range(min(width, m))]},
    )


BORDA_REFERENCE = (
    "Emerson, 'The original Borda count and partial voting', Social Choice and Welfare 40 "
    "(2013) 353-358; Baumeister et al., 'Campaigns for lazy voters: truncated ballots', "
    "AAMAS 2012."
)


def borda_method(
    id: str, name: str, aliases: tuple[str, ...], properties: tuple[str, ...]
) -> Callable[[CountFunction], CountFunction]:
    """Register a member of the Borda family (ranked ballots, any number of seats)."""
    return method(
        id,
        name=name,
        ballot="ranked",
        seats="any",
        aliases=aliases,
        properties=properties,
        reference=BORDA_REFERENCE,
        options={},
    )


@borda_method(
    "borda",
    name="Borda count",
    aliases=("borda-count",),
    properties=("anonymity", "neutrality", "monotonicity"),
)
def borda(
    profile: RankedProfile, *, seats: int = 1, tie_break: TieBreaker | str | None = None
) -> Outcome:
    """Each ballot gives m-1 points to its first choice, m-2 to the second, ... 0 to the last.

    Defined for complete ballots; a ballot that leaves two or more options
    unranked is refused (choose a named truncated-ballot variant).
    """
    return _borda("borda", profile, seats, tie_break)


@borda_method(
    "borda-pessimistic",
    name="Borda count, unranked score nothing",
    aliases=("borda-truncated", "borda-round-down"),
    properties=("anonymity", "neutrality", "monotonicity"),
)
def borda_pessimistic(
    profile: RankedProfile, *, seats: int = 1, tie_break: TieBreaker | str | None = None
) -> Outcome:
    """Borda on truncated ballots: ranked options score m-1, m-2, ...; unranked options 0."""
    return _borda("borda-pessimistic", profile, seats, tie_break)


@borda_method(
    "borda-optimistic",
    name="Borda count, unranked share the top remaining place",
    aliases=("borda-round-up",),
    properties=("anonymity", "neutrality"),
)
def borda_optimistic(
    profile: RankedProfile, *, seats: int = 1, tie_break: TieBreaker | str | None = None
) -> Outcome:
    """Borda on truncated ballots: each unranked option scores m-1-k (k = options ranked)."""
    return _borda("borda-optimistic", profile, seats, tie_break)


@borda_method(
    "borda-averaged",
    name="Borda count, unranked share the remaining points",
    aliases=("borda-average",),
    properties=("anonymity", "neutrality"),
)
def borda_averaged(
    profile: RankedProfile, *, seats: int = 1, tie_break: TieBreaker | str | None = None
) -> Outcome:
    """Borda on truncated ballots: each unranked option scores (m-1-k)/2, an exact fraction."""
    return _borda("borda-averaged", profile, seats, tie_break)


@borda_method(
    "dowdall",
    name="Dowdall (Nauru) count",
    aliases=("borda-dowdall", "nauru"),
    properties=("anonymity", "neutrality", "monotonicity"),
)
def dowdall(
    profile: RankedProfile, *, seats: int = 1, tie_break: TieBreaker | str | None = None
) -> Outcome:
    """Each ballot gives 1 to its first choice, 1/2 to the second, 1/3 to the third, ...

    Unranked options score 0; the totals are exact fractions.
    """
    return _borda("dowdall", profile, seats, tie_break)
