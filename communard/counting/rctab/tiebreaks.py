"""RCTab's tie-break modes, as the tabulator applies them.

RCTab sorts the tied candidates first; then ``useCandidateOrder`` and
``generatePermutation`` take the first (for election) or last (for elimination) of them in
the permutation, ``random`` draws ``floor(nextDouble() * n)`` from the seeded
``java.util.Random``, ``previousRoundCountsThen…`` looks back round by round for a round
where the tied candidates differ, and ``stopCountingAndAsk`` stops the count.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NoReturn

from ..errors import UnresolvedTieError
from .config import RctabConfig
from .javacompat import JavaRandom, hash_set_order
from .results import RoundResult


def tally_to_candidates(tally: dict[str, Decimal], include: list[str]) -> dict[Decimal, list[str]]:
    """RCTab's buildTallyToCandidates: a map from votes (ascending) to candidates."""
    grouped: dict[Decimal, list[str]] = {}
    for name in include:
        grouped.setdefault(tally[name], []).append(name)
    return {votes: grouped[votes] for votes in sorted(grouped)}


class TieBreaks:
    """The tie-break part of the tabulator (a mixin: it reads the count's state)."""

    config: RctabConfig
    round: int
    rounds: list[RoundResult]
    permutation: list[str]
    random: JavaRandom | None
    tie_breaks: list[dict[str, object]]

    def _break_tie(self, tied: list[str], *, selecting_winner: bool) -> str:
        tied = sorted(tied)  # RCTab sorts the tied candidates for reproducibility
        mode = self.config.tiebreak_mode
        purpose = "election" if selecting_winner else "elimination"
        if mode in ("useCandidateOrder", "generatePermutation"):
            order = self.permutation if selecting_winner else self.permutation[::-1]
            found = next((c for c in order if c in tied), None)
            if found is None:
                raise UnresolvedTieError(
                    f"Round {self.round}: the tie-break order does not name {', '.join(tied)}.",
                    tied=tuple(tied),
                )
            chosen = found
            rule = "permutation"
        elif mode == "random":
            chosen = self._random_choice(tied)
            rule = f"random(seed={self.config.random_seed})"
        elif mode == "stopCountingAndAsk":
            self._ask(tied, purpose)
        else:
            chosen, rule = self._previous_rounds(tied, selecting_winner, purpose)
        self.tie_breaks.append(
            {"round": self.round, "purpose": purpose, "tied": tied, "chosen": chosen, "rule": rule}
        )
        return chosen

    def _random_choice(self, tied: list[str]) -> str:
        assert self.random is not None
        return tied[self.random.random_index(len(tied))]

    def _ask(self, tied: list[str], purpose: str) -> NoReturn:
        raise UnresolvedTieError(
            f"Round {self.round}: {', '.join(tied)} are tied for {purpose}; the configured "
            "tie-break is to stop counting and ask.",
            tied=tuple(tied),
            hint="Decide the tie as the rules require, then set rules.tiebreakMode to "
            "useCandidateOrder with the candidates listed in the decided order.",
        )

    def _previous_rounds(
        self, tied: list[str], selecting_winner: bool, purpose: str
    ) -> tuple[str, str]:
        contention = tied
        for back in range(self.round - 1, 0, -1):
            tally = self.rounds[back - 1].tally
            # RCTab rebuilds the tied group from a java.util.HashSet each round back.
            by_tally = tally_to_candidates(tally, hash_set_order(contention))
            votes = max(by_tally) if selecting_winner else min(by_tally)
            contention = by_tally[votes]
            if len(contention) == 1:
                return contention[0], f"previous-rounds(round {back})"
        if self.config.tiebreak_mode == "previousRoundCountsThenAsk":
            self._ask(contention, purpose)
        return self._random_choice(contention), (
            f"previous-rounds then random(seed={self.config.random_seed})"
        )
