"""What an RCTab tabulation produces: rounds, decisions, transfers, per-slice rounds.

Ballot statuses are RCTab's (``CastVoteRecord.StatusForRound``); the report writer turns
them into the report's ``inactiveBallots`` keys, which are the same words.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from ..errors import CountingError
from .config import RctabConfig

ZERO = Decimal(0)
ONE = Decimal(1)

ACTIVE = "active"
DID_NOT_RANK = "didNotRank"
OVERVOTES = "overvotes"
SKIPPED = "skippedRankings"
EXHAUSTED = "exhaustedChoices"
REPEATED = "repeatedRankings"
FINAL_SURPLUS = "finalRoundSurplus"
INACTIVE_STATUSES = (DID_NOT_RANK, OVERVOTES, SKIPPED, EXHAUSTED, REPEATED, FINAL_SURPLUS)

EXHAUSTED_TARGET = "exhausted"
RESIDUAL_TARGET = "residual surplus"


class TabulationAborted(CountingError):
    """RCTab would stop the count here (its TabulationAbortedException)."""

    code = "count.aborted"


@dataclass
class RoundResult:
    """One round as RCTab reports it."""

    number: int
    tally: dict[str, Decimal]
    threshold: Decimal
    inactive: dict[str, Decimal]
    active_sum: Decimal
    residual_surplus: Decimal = ZERO

    @property
    def active_and_locked_in(self) -> Decimal:
        """Votes held by candidates (continuing and elected) plus the final-round surplus."""
        total = ZERO
        for votes in self.tally.values():
            total += votes
        return total + self.inactive[FINAL_SURPLUS]

    @property
    def inactive_sum(self) -> Decimal:
        """Inactive ballots of every kind, except the final-round surplus (still votes)."""
        total = ZERO
        for status in INACTIVE_STATUSES:
            if status != FINAL_SURPLUS:
                total += self.inactive[status]
        return total


@dataclass
class SliceResult:
    """The rounds of one precinct or batch: its own tallies under the contest's decisions."""

    kind: str  # "precinct" or "batch"
    id: str
    rounds: list[RoundResult] = field(default_factory=list)
    transfers: dict[int, dict[str, dict[str, Decimal]]] = field(default_factory=dict)


@dataclass
class TabulationResult:
    """Everything RCTab's results writer needs, for one tabulation (one pass)."""

    config: RctabConfig
    rounds: list[RoundResult]
    winner_to_round: dict[str, int]
    eliminated_to_round: dict[str, int]
    transfers: dict[int, dict[str, dict[str, Decimal]]]
    tie_breaks: list[dict[str, object]] = field(default_factory=list)
    number_of_winners: int = 1
    pass_number: int | None = None
    extra_excluded: frozenset[str] = frozenset()
    slices: dict[tuple[str, str], SliceResult] = field(default_factory=dict)

    @property
    def tie_decided(self) -> set[tuple[int, str]]:
        """(round, candidate) pairs that a tie-break decided (RCTab marks them with *)."""
        return {(int(t["round"]), str(t["chosen"])) for t in self.tie_breaks}  # type: ignore[call-overload]

    @property
    def winners(self) -> list[str]:
        """Winners in election order (rounds ascending, Java HashMap order within a round)."""
        return [name for _, names in sorted(self.round_to_winners().items()) for name in names]

    def round_to_winners(self) -> dict[int, list[str]]:
        return _invert(self.winner_to_round)

    def round_to_eliminated(self) -> dict[int, list[str]]:
        return _invert(self.eliminated_to_round)


def _invert(mapping: dict[str, int]) -> dict[int, list[str]]:
    # RCTab 2.0 reports the candidates decided in one round in alphabetical order.
    result: dict[int, list[str]] = defaultdict(list)
    for name in sorted(mapping):
        result[mapping[name]].append(name)
    return dict(result)
