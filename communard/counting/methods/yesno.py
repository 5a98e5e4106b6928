"""Decisions on one motion: yes/no/abstain with threshold and quorum, consent, consensus.

Each method counts a ``YesNoProfile`` and returns an ``Outcome`` whose single
"winner" is the decision — ``"adopted"``, ``"rejected"`` or ``"lapsed"`` (the
quorum was not met) — also found in ``Outcome.details["decision"]``, with the
first line of ``Outcome.explanation`` saying why in one sentence::

    Adopted: 41 for, 12 against, 3 abstentions; quorum 56/120 ≥ 20%; threshold 41/53 > 1/2

Thresholds and quorums are exact fractions (``Fraction``, ``int`` or a string
such as ``"2/3"``); a binary float is refused.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from ..errors import ConfigError
from ..outcomes import Outcome, Round
from ..profiles import YesNoProfile
from ..registry import method
from ..ties import TieBreaker

ADOPTED = "adopted"
REJECTED = "rejected"
LAPSED = "lapsed"

THRESHOLD_BASES = {
    "cast": "votes cast (for + against)",
    "voting": "members who voted, abstentions included",
    "members": "the whole electorate",
}


def as_fraction(value: Any, name: str) -> Fraction:
    """Read an exact share (``Fraction``, ``int``, ``Decimal`` or ``"2/3"``) in [0, 1]."""
    if isinstance(value, float):
        raise ConfigError(
            f"{name} must be exact, not the binary float {value!r}.",
            hint=f'Write it as a fraction, e.g. {name}=Fraction(1, 2) or "1/2".',
        )
    try:
        exact = isinstance(value, int | Fraction | Decimal | str) and not isinstance(value, bool)
        share = Fraction(value) if exact else None
    except (ValueError, ZeroDivisionError):
        share = None
    if share is None or not 0 <= share <= 1:
        raise ConfigError(
            f"{name} must be a share between 0 and 1, not {value!r}.",
            hint=f'Write it as a fraction, e.g. {name}="1/2".',
        )
    return share


def format_share(share: Fraction) -> str:
    """Write a share as a whole percentage when it is one ("20%"), else as a fraction ("1/3")."""
    percent = share * 100
    if percent.denominator == 1:
        return f"{percent.numerator}%"
    return str(share)


def _check_counts(profile: YesNoProfile) -> None:
    for name in ("yes", "no", "abstain", "stand_asides"):
        value = getattr(profile, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"The count of {name!r} must be a whole number ≥ 0, not {value!r}.")
    taking_part = profile.yes + profile.no + profile.abstain + profile.stand_asides
    if profile.electorate is not None and profile.electorate < taking_part:
        raise ConfigError(
            f"The electorate ({profile.electorate}) is smaller than the {taking_part} "
            "members who took part.",
            hint="Give the number of members entitled to vote as electorate.",
        )


def _quorum(
    profile: YesNoProfile, quorum: Any, taking_part: int
) -> tuple[Fraction | None, bool, str]:
    """Return (quorum, met, phrase) — the phrase as in "quorum 56/120 ≥ 20%"."""
    if quorum is None:
        return None, True, ""
    share = as_fraction(quorum, "quorum")
    if profile.electorate is None:
        raise ConfigError(
            "A quorum needs the size of the electorate.",
            hint="Give YesNoProfile(..., electorate=N), the number of members entitled to vote.",
        )
    # With no one entitled to vote, only a zero quorum can be met: a required share of
    # nobody is not participation.
    met = (
        share == 0
        if profile.electorate == 0
        else Fraction(taking_part, profile.electorate) >= share
    )
    sign = "≥" if met else "<"
    return share, met, f"quorum {taking_part}/{profile.electorate} {sign} {format_share(share)}"


def _tallies_phrase(profile: YesNoProfile) -> str:
    abstentions = "abstention" if profile.abstain == 1 else "abstentions"
    return f"{profile.yes} for, {profile.no} against, {profile.abstain} {abstentions}"


def _decided(
    method_id: str,
    decision: str,
    headline: str,
    tallies: dict[str, int],
    details: dict[str, Any],
    more: list[str] | None = None,
) -> Outcome:
    return Outcome(
        method=method_id,
        version="1",
        winners=(decision,),
        rounds=[Round(number=1, tallies=dict(tallies), note=headline)],
        explanation=[headline, *(more or [])],
        details={"decision": decision, **details},
    )


@method(
    "yes-no",
    name="Yes/no/abstain with threshold and quorum",
    ballot="yesno",
    aliases=("yesno", "majority-vote", "motion"),
    properties=("anonymity", "monotonicity"),
    reference="Robert's Rules of Order, 12th ed., §44 (bases for determining a voting result); "
    "the Paris Commune's assembly rules.",
    options={
        "threshold": "Share of the base that must vote for (exact fraction; default 1/2).",
        "threshold_of": "Base of the threshold: 'cast' = for + against (default), "
        "'voting' = everyone who voted, abstentions included, 'members' = the electorate.",
        "strict": "True (default): more than the threshold; False: at least the threshold.",
        "quorum": "Share of the electorate that must take part (vote for, against or "
        "abstain); none by default. A vote without quorum lapses.",
    },
)
def yes_no(
    profile: YesNoProfile,
    *,
    seats: int = 1,
    tie_break: TieBreaker | None = None,
    threshold: Any = Fraction(1, 2),
    threshold_of: str = "cast",
    strict: bool = True,
    quorum: Any = None,
) -> Outcome:
    """A motion is adopted when the votes for pass a threshold of a base, if the quorum is met.

    The base is the votes cast (for + against), everyone who voted (abstentions
    included) or the whole electorate. With ``strict`` the share must exceed the
    threshold ("more than half"); otherwise reach it ("at least two thirds").
    The quorum counts everyone who took part, abstentions included. No tie can
    arise: a share exactly at the threshold passes or fails as ``strict`` says.

    The decision — ``"adopted"``, ``"rejected"``, or ``"lapsed"`` when the
    quorum is not met — is the outcome's one winner and
    ``details["decision"]``; the first line of the explanation gives the
    reason, e.g. "Adopted: 41 for, 12 against, 3 abstentions; quorum 56/120 ≥
    20%; threshold 41/53 ≥ 1/2".
    """
    _check_counts(profile)
    share = as_fraction(threshold, "threshold")
    if threshold_of not in THRESHOLD_BASES:
        raise ConfigError(
            f"threshold_of must be one of {', '.join(THRESHOLD_BASES)}, not {threshold_of!r}.",
            hint="'cast' counts for + against; 'voting' adds abstentions; 'members' is everyone.",
        )
    taking_part = profile.yes + profile.no + profile.abstain
    quorum_share, quorum_met, quorum_phrase = _quorum(profile, quorum, taking_part)
    if threshold_of == "members":
        if profile.electorate is None:
            raise ConfigError(
                "A threshold of the members needs the size of the electorate.",
                hint="Give YesNoProfile(..., electorate=N).",
            )
        base = profile.electorate
    elif threshold_of == "voting":
        base = taking_part
    else:
        base = profile.yes + profile.no
    if base == 0:
        passed = False
        threshold_phrase = f"threshold 0/0: no {THRESHOLD_BASES[threshold_of]}"
    else:
        ratio = Fraction(profile.yes, base)
        passed = ratio > share if strict else ratio >= share
        sign = (">" if passed else "≤") if strict else ("≥" if passed else "<")
        threshold_phrase = f"threshold {profile.yes}/{base} {sign} {share}"
    tallies = _tallies_phrase(profile)
    parts = [tallies, *([quorum_phrase] if quorum_phrase else []), threshold_phrase]
    if not quorum_met:
        decision = LAPSED
        headline = f"Lapsed: quorum not met: {'; '.join(parts)}"
    else:
        decision = ADOPTED if passed else REJECTED
        headline = f"{decision.capitalize()}: {'; '.join(parts)}"
    details: dict[str, Any] = {
        "yes": profile.yes,
        "no": profile.no,
        "abstain": profile.abstain,
        "electorate": profile.electorate,
        "taking_part": taking_part,
        "quorum": quorum_share,
        "quorum_met": quorum_met,
        "threshold": share,
        "threshold_of": threshold_of,
        "threshold_base": base,
        "strict": strict,
        "threshold_met": passed,
    }
    return _decided(
        "yes-no",
        decision,
        headline,
        {"yes": profile.yes, "no": profile.no, "abstain": profile.abstain},
        details,
        [
            f"The threshold is {'more than' if strict else 'at least'} {share} of the "
            f"{THRESHOLD_BASES[threshold_of]}."
        ],
    )


def _blocks(profile: YesNoProfile) -> int:
    # A block is counted in ``no``; ``blocks`` lists the reasons given. Reasons
    # never outnumber the blocks, so a caller who only lists reasons is counted right.
    return max(profile.no, len(profile.blocks))


def _reasons(profile: YesNoProfile) -> list[str]:
    return [f"Block {i}: {reason}" for i, reason in enumerate(profile.blocks, start=1)]


def _max_count(value: Any, name: str, taking_part: int) -> int | None:
    """Read a limit given as a whole number of members or as an exact share of those taking part."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ConfigError(f"{name} must be ≥ 0, not {value}.")
        return value
    share = as_fraction(value, name)
    return int(share * taking_part)


@method(
    "consent",
    name="Consent (passes unless blocked)",
    ballot="consent",
    aliases=("sociocratic-consent",),
    properties=("anonymity",),
    reference="Sociocracy 3.0, 'Consent Decision Making'; Endenburg, Sociocracy (1998).",
    options={
        "max_blocks": "Blocks a proposal survives (default 0: any block stops it).",
        "quorum": "Share of the electorate that must take part; none by default.",
    },
)
def consent(
    profile: YesNoProfile,
    *,
    seats: int = 1,
    tie_break: TieBreaker | None = None,
    max_blocks: int = 0,
    quorum: Any = None,
) -> Outcome:
    """A proposal passes unless it is blocked; every block carries its reason.

    ``yes`` counts those who consent, ``no`` the blocks (``blocks`` their reasons),
    ``abstain`` those who take part without a position.
    """
    _check_counts(profile)
    blocks = _blocks(profile)
    taking_part = profile.yes + blocks + profile.abstain + profile.stand_asides
    quorum_share, quorum_met, quorum_phrase = _quorum(profile, quorum, taking_part)
    limit = _max_count(max_blocks, "max_blocks", taking_part) or 0
    counts = f"{profile.yes} consent, {blocks} block{'s' if blocks != 1 else ''}"
    if profile.abstain:
        counts += f", {profile.abstain} abstaining"
    parts = [counts, *([quorum_phrase] if quorum_phrase else [])]
    if not quorum_met:
        decision, headline = LAPSED, f"Lapsed: quorum not met: {'; '.join(parts)}"
    elif blocks > limit:
        decision = REJECTED
        headline = f"Rejected: blocked ({blocks} > {limit} allowed): {'; '.join(parts)}"
    else:
        decision = ADOPTED
        headline = f"Adopted: no block stands ({blocks} ≤ {limit} allowed): {'; '.join(parts)}"
    details = {
        "consent": profile.yes,
        "blocks": blocks,
        "reasons": list(profile.blocks),
        "abstain": profile.abstain,
        "max_blocks": limit,
        "quorum": quorum_share,
        "quorum_met": quorum_met,
    }
    tallies = {"consent": profile.yes, "block": blocks, "abstain": profile.abstain}
    return _decided("consent", decision, headline, tallies, details, _reasons(profile))


@method(
    "consensus",
    name="Consensus with stand-asides",
    ballot="consent",
    aliases=("consensus-stand-aside",),
    properties=("anonymity",),
    reference="Seeds for Change, 'Consensus decision making' (agree, stand aside, block).",
    options={
        "max_blocks": "Blocks a proposal survives (default 0).",
        "max_stand_asides": "Most stand-asides consensus bears: a whole number, or an exact "
        'share of those taking part (e.g. "1/4"); no limit by default.',
        "quorum": "Share of the electorate that must take part; none by default.",
    },
)
def consensus(
    profile: YesNoProfile,
    *,
    seats: int = 1,
    tie_break: TieBreaker | None = None,
    max_blocks: int = 0,
    max_stand_asides: Any = None,
    quorum: Any = None,
) -> Outcome:
    """Consensus: everyone agrees or stands aside, nobody blocks, and stand-asides stay few.

    ``yes`` counts those who agree, ``stand_asides`` those who stand aside,
    ``no`` the blocks (``blocks`` their reasons). Too many stand-asides mean
    there is no consensus even without a block.
    """
    _check_counts(profile)
    blocks = _blocks(profile)
    taking_part = profile.yes + blocks + profile.abstain + profile.stand_asides
    quorum_share, quorum_met, quorum_phrase = _quorum(profile, quorum, taking_part)
    block_limit = _max_count(max_blocks, "max_blocks", taking_part) or 0
    aside_limit = _max_count(max_stand_asides, "max_stand_asides", taking_part)
    counts = (
        f"{profile.yes} agree, {profile.stand_asides} stand aside, "
        f"{blocks} block{'s' if blocks != 1 else ''}"
    )
    parts = [counts, *([quorum_phrase] if quorum_phrase else [])]
    if not quorum_met:
        decision, headline = LAPSED, f"Lapsed: quorum not met: {'; '.join(parts)}"
    elif blocks > block_limit:
        decision = REJECTED
        headline = f"Rejected: blocked ({blocks} > {block_limit} allowed): {'; '.join(parts)}"
    elif aside_limit is not None and profile.stand_asides > aside_limit:
        decision = REJECTED
        headline = (
            f"Rejected: too many stand aside ({profile.stand_asides} > {aside_limit} "
            f"allowed): {'; '.join(parts)}"
        )
    elif profile.yes == 0:
        decision = REJECTED
        headline = f"Rejected: nobody agrees: {'; '.join(parts)}"
    else:
        decision = ADOPTED
        headline = f"Adopted: consensus: {'; '.join(parts)}"
    details = {
        "agree": profile.yes,
        "stand_asides": profile.stand_asides,
        "blocks": blocks,
        "reasons": list(profile.blocks),
        "max_blocks": block_limit,
        "max_stand_asides": aside_limit,
        "quorum": quorum_share,
        "quorum_met": quorum_met,
    }
    tallies = {"agree": profile.yes, "stand aside": profile.stand_asides, "block": blocks}
    return _decided("consensus", decision, headline, tallies, details, _reasons(profile))
