"""RCTab's tabulation rules, reimplemented over grouped ballots.

The count follows RCTab 2.0 (``Tabulator.java``) step by step, because the point is to
reproduce its reports exactly:

- each round, every ballot whose current candidate is still continuing stays put; every
  other active ballot is read again from its first rank, applying in this order the
  final-round-surplus check, the skipped-rank limit, the duplicate rule and the overvote
  rule, and goes to the first continuing candidate or becomes inactive for a named reason;
- the threshold is recomputed each round for one seat (unless the first round fixes it) and
  computed once, in round 1, for several seats;
- winners are looked for first; otherwise candidates are eliminated: undeclared write-ins,
  then those under the minimum vote threshold, then a batch, then the last one (tie-break);
- in multi-seat STV every ballot of a winner moves on at ``value × truncate_d(surplus /
  votes)``, truncated to ``decimalPlacesForVoteArithmetic``; the winner keeps the rest, and
  what truncation leaves above the threshold is the residual surplus.

Identical ballots share one state (recipient, value, status), so every step is done once
per distinct ballot and multiplied by its count: exact, since ``Decimal`` sums of ``n``
equal values equal ``n`` times the value, scale included (as Java ``BigDecimal`` sums do).
All vote arithmetic is ``Decimal``; nothing that decides is a binary float.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_UP, Context, Decimal, localcontext

from ..errors import ConfigError
from .config import OVERVOTE, UNLIMITED, UWI, RctabConfig
from .cvr import BallotGroups
from .javacompat import JavaRandom, hash_order, hash_set_order
from .results import (
    ACTIVE,
    DID_NOT_RANK,
    EXHAUSTED,
    EXHAUSTED_TARGET,
    FINAL_SURPLUS,
    INACTIVE_STATUSES,
    ONE,
    OVERVOTES,
    REPEATED,
    RESIDUAL_TARGET,
    SKIPPED,
    ZERO,
    RoundResult,
    SliceResult,
    TabulationAborted,
    TabulationResult,
)
from .tiebreaks import TieBreaks, tally_to_candidates

# Java BigDecimal arithmetic is exact for + - ×; this context keeps Python's exact too.
_EXACT = Context(prec=200, Emax=999_999, Emin=-999_999)


class Tabulator(TieBreaks):
    """One RCTab tabulation over grouped ballots."""

    def __init__(
        self,
        config: RctabConfig,
        groups: BallotGroups,
        *,
        number_of_winners: int | None = None,
        extra_excluded: frozenset[str] = frozenset(),
        winner_mode: str | None = None,
    ) -> None:
        self.config = config
        self.groups = groups
        self.winner_mode = winner_mode or config.winner_mode
        self.seats = config.number_of_winners if number_of_winners is None else number_of_winners
        self.excluded = config.excluded | extra_excluded
        self.candidate_names = config.candidate_names
        # RCTab's getNumCandidates counts the candidates that take part (not excluded).
        self.num_candidates = sum(1 for c in self.candidate_names if c not in self.excluded)
        self.num_declared = config.num_declared
        self.places = Decimal(1).scaleb(-config.decimal_places)
        self.permutation = self._permutation()
        self.random: JavaRandom | None = None

        n = len(groups.ballots)
        self.weights = [Decimal(w) for w in groups.weights]
        self.recipient: list[str | None] = [None] * n
        self.status: list[str] = [ACTIVE] * n
        self.allocated: list[dict[str, Decimal]] = [{} for _ in range(n)]
        self.value: list[Decimal] = [ONE] * n
        self.max_rank = [ballot[-1][0] if ballot else 0 for ballot in groups.ballots]
        # Tabulate by precinct / batch: which slices each distinct ballot belongs to.
        self.slices: dict[tuple[str, str], SliceResult] = {}
        self._slice_keys: list[list[tuple[str, str]]] = [[] for _ in range(n)]
        for kind, ids, enabled in (
            ("precinct", groups.precincts, config.tabulate_by_precinct),
            ("batch", groups.batches, config.tabulate_by_batch),
        ):
            if not enabled:
                continue
            present = [i for i in ids or [] if i is not None]
            if not present:
                raise TabulationAborted(
                    f'"Tabulate by {kind}" is enabled, but the CVRs list no {kind}s.',
                    hint=f"Set outputSettings.tabulateBy{kind.title()} to false, or give the "
                    f"CVR source a {kind}ColumnIndex.",
                )
            assert ids is not None
            for g, slice_id in enumerate(ids):
                if slice_id is not None:
                    key = (kind, slice_id)
                    self._slice_keys[g].append(key)
                    if key not in self.slices:
                        self.slices[key] = SliceResult(kind, slice_id)
        # Which distinct ballots each candidate holds, and the inactive sums so far.
        self._holders: dict[str, list[int]] = {}
        self._inactive_running = {status: ZERO for status in INACTIVE_STATUSES}
        self._slice_inactive = {
            key: {status: ZERO for status in INACTIVE_STATUSES} for key in self.slices
        }

        self.round = 0
        self.rounds: list[RoundResult] = []
        self.winner_to_round: dict[str, int] = {}
        self.eliminated_to_round: dict[str, int] = {}
        self.transfers: dict[int, dict[str, dict[str, Decimal]]] = {}
        self.tie_breaks: list[dict[str, object]] = []

    # -- configuration-derived rules ------------------------------------------------------

    @property
    def uses_surpluses(self) -> bool:
        return self.seats > 1 and self.winner_mode in (
            "multiWinnerAllowOnlyOneWinnerPerRound",
            "multiWinnerAllowMultipleWinnersPerRound",
        )

    @property
    def bottoms_up(self) -> bool:
        return self.winner_mode == "bottomsUp"

    @property
    def bottoms_up_threshold(self) -> bool:
        return self.winner_mode == "bottomsUpUsingPercentageThreshold"

    def _permutation(self) -> list[str]:
        order = list(self.config.declared_names)
        if self.config.has_uwi:
            order.append(UWI)
        return order

    def divide(self, a: Decimal, b: Decimal) -> Decimal:
        """RCTab's config.divide: quotient truncated to the configured decimal places."""
        with localcontext(_EXACT):
            return (a / b).quantize(self.places, rounding=ROUND_DOWN)

    def multiply(self, a: Decimal, b: Decimal) -> Decimal:
        """RCTab's config.multiply: product truncated to the configured decimal places."""
        with localcontext(_EXACT):
            return (a * b).quantize(self.places, rounding=ROUND_DOWN)

    # -- candidate status -------------------------------------------------------------------

    def continuing(self, name: str) -> bool:
        # RCTab's isCandidateContinuing: winners stay in the count only when the count
        # continues until two candidates remain.
        if name in self.excluded or name == OVERVOTE:
            return False
        if name in self.winner_to_round:
            return self.config.continue_until_two
        return name not in self.eliminated_to_round

    # -- the count ----------------------------------------------------------------------------

    def tabulate(self) -> TabulationResult:
        """Run rounds until RCTab would stop; return every round and decision."""
        config = self.config
        if config.tiebreak_mode in (
            "random",
            "previousRoundCountsThenRandom",
            "generatePermutation",
        ):
            if config.random_seed is None:
                raise ConfigError(
                    "rules.randomSeed is required for this tiebreakMode.",
                    hint="Set rules.randomSeed to a whole number.",
                )
            self.random = JavaRandom(config.random_seed)
            if config.tiebreak_mode == "generatePermutation":
                # RCTab sorts the permutation, then shuffles it once with the seeded generator.
                self.permutation.sort()
                self.random.shuffle(self.permutation)

        with localcontext(_EXACT):
            while self._should_continue():
                self.round += 1
                self._one_round()
        return TabulationResult(
            config=config,
            rounds=self.rounds,
            winner_to_round=self.winner_to_round,
            eliminated_to_round=self.eliminated_to_round,
            transfers=self.transfers,
            tie_breaks=self.tie_breaks,
            number_of_winners=self.seats,
            extra_excluded=self.excluded - self.config.excluded,
            slices=self.slices,
        )

    def _should_continue(self) -> bool:
        stop = self.config.stop_tabulation_early_after
        n_winners = len(self.winner_to_round)
        if stop is not None and self.round >= stop:
            return False
        if n_winners == self.num_declared and self.seats > self.num_candidates:
            # More seats than candidates: everyone has been elected.
            return False
        if self.config.continue_until_two:
            return (
                len(self.eliminated_to_round) + n_winners + 1 < self.num_candidates
                or self.round in self.eliminated_to_round.values()
            )
        if self.bottoms_up_threshold:
            return n_winners == 0
        return n_winners < self.seats or (
            self.uses_surpluses and self.round in self.winner_to_round.values()
        )

    def _one_round(self) -> None:
        result = self._compute_tallies()
        self.rounds.append(result)
        if len(self.rounds) > 1:
            result.residual_surplus = self.rounds[-2].residual_surplus

        first = self.round == 1
        recompute = (
            first if self.seats > 1 else (first or not self.config.first_round_determines_threshold)
        )
        if self.config.continue_until_two and self.winner_to_round:
            # Once the winner is known, the rounds that continue until two candidates remain
            # keep the threshold of the round that elected them.
            recompute = False
        if recompute:
            result.threshold = self._threshold(result.active_sum)
        else:
            result.threshold = self.rounds[-2].threshold
        for piece in self.slices.values():
            piece.rounds[-1].threshold = result.threshold

        by_tally = tally_to_candidates(result.tally, list(result.tally))
        winners = self._identify_winners(result, by_tally)
        if winners:
            for winner in winners:
                self.winner_to_round[winner] = self.round
            if self.uses_surpluses:
                for winner in winners:
                    self._distribute_surplus(winner, result)
        elif (
            len(self.winner_to_round) < self.seats
            or (
                self.config.continue_until_two
                and len(self.eliminated_to_round) < self.num_candidates - 2
            )
            or self.bottoms_up_threshold
        ):
            eliminated = self._drop_uwi(result.tally)
            if not eliminated:
                eliminated = self._drop_below_minimum(by_tally)
                if len(eliminated) == self.num_declared:
                    raise TabulationAborted(
                        "Every declared candidate is below the minimum vote threshold.",
                        hint="Lower rules.minimumVoteThreshold.",
                    )
            if not eliminated and self.bottoms_up_threshold and self.config.cutoff_elimination:
                # Cutoff: everyone not over the percentage threshold goes in one round.
                eliminated = [
                    n
                    for votes, names in by_tally.items()
                    if votes <= result.threshold
                    for n in names
                ]
            if not eliminated and self.config.batch_elimination:
                eliminated = self._batch_elimination(by_tally)
                if len(eliminated) <= 1:
                    eliminated = []
            if not eliminated:
                eliminated = self._regular_elimination(by_tally)
            for loser in eliminated:
                self.eliminated_to_round[loser] = self.round
        if self.seats > 1:
            self._update_winner_tallies(result)

    # -- tallying -----------------------------------------------------------------------------

    def _compute_tallies(self) -> RoundResult:
        """One round's tallies, as RCTab's computeTalliesForRound finds them.

        RCTab re-reads every ballot each round; a ballot whose candidate is still continuing
        just counts for them again, and an inactive one stays inactive with its value. So
        only the ballots of candidates who left the count are read here, and the other
        sums are carried forward: the same exact ``Decimal`` values, scale included.
        """
        names = [c for c in self.candidate_names if self.continuing(c)]
        previous = self.rounds[-1] if self.rounds else None
        # RoundTally keeps candidates in a java.util.HashMap: iterate in its order.
        tally = {
            name: previous.tally.get(name, ZERO) if previous else ZERO for name in hash_order(names)
        }
        inactive = dict(self._inactive_running)
        # Each precinct's or batch's round, carried forward the same way.
        slice_tallies = {
            key: {
                name: piece.rounds[-1].tally.get(name, ZERO) if piece.rounds else ZERO
                for name in tally
            }
            for key, piece in self.slices.items()
        }
        slice_inactive = {key: dict(self._slice_inactive[key]) for key in self.slices}
        transfers = self.transfers.setdefault(self.round, {})
        final_surplus = self.uses_surpluses and len(self.winner_to_round) == self.seats
        max_skipped = self.config.max_skipped_ranks
        exhaust_duplicates = self.config.exhaust_on_duplicate
        rule = self.config.overvote_rule
        continuing = self.continuing
        holders = self._holders

        def record(g: int, selected: str | None, status: str, votes: Decimal) -> None:
            # RCTab's recordSelectionForCastVoteRecord: log the transfer (only when the
            # ballot still carries value), move the ballot, mark why it became inactive.
            if self.value[g] > 0:
                source = self.recipient[g]
                if source is not None:
                    target = selected if selected is not None else EXHAUSTED_TARGET
                    row = transfers.setdefault(source, {})
                    row[target] = row.get(target, ZERO) + votes
                    for key in self._slice_keys[g]:
                        moved = self.slices[key].transfers.setdefault(self.round, {})
                        slice_row = moved.setdefault(source, {})
                        slice_row[target] = slice_row.get(target, ZERO) + votes
            self.recipient[g] = selected
            if selected is None:
                self.status[g] = status
                inactive[status] += votes
                for key in self._slice_keys[g]:
                    slice_inactive[key][status] += votes
            else:
                holders.setdefault(selected, []).append(g)
                for key in self._slice_keys[g]:
                    slice_tallies[key][selected] += votes

        if previous is None:
            pending = list(range(len(self.groups.ballots)))
        else:
            pending = []
            for holder in [h for h in holders if not continuing(h)]:
                pending.extend(holders.pop(holder))
            pending.sort()
        for g in pending:
            ballot = self.groups.ballots[g]
            votes = self.weights[g] * self.value[g]
            if not ballot:
                record(g, None, DID_NOT_RANK, votes)
                continue
            last_rank = 0
            seen: set[str] = set()
            for rank, candidates in ballot:
                if final_surplus:
                    record(g, None, FINAL_SURPLUS, votes)
                    break
                if max_skipped != UNLIMITED and rank - last_rank > max_skipped + 1:
                    record(g, None, SKIPPED, votes)
                    break
                last_rank = rank
                if exhaust_duplicates:
                    duplicate = False
                    for candidate in candidates:
                        if candidate in seen:
                            duplicate = True
                            break
                        seen.add(candidate)
                    if duplicate:
                        record(g, None, REPEATED, votes)
                        break
                decision = self._overvote_decision(candidates, rule)
                if decision == "exhaust":
                    record(g, None, OVERVOTES, votes)
                    break
                if decision == "skip":
                    # An overvote on the ballot's last rank leaves no choice: RCTab counts it
                    # as exhausted choices, not as an overvote.
                    if rank == self.max_rank[g]:
                        record(g, None, EXHAUSTED, votes)
                    continue
                selected = next((c for c in candidates if continuing(c)), None)
                if selected is not None:
                    record(g, selected, ACTIVE, votes)
                    tally[selected] += votes
                    break
                if rank == self.max_rank[g]:
                    record(g, None, EXHAUSTED, votes)
        self._inactive_running = dict(inactive)
        for key, piece in self.slices.items():
            self._slice_inactive[key] = dict(slice_inactive[key])
            held = ZERO
            for votes in slice_tallies[key].values():
                held += votes
            piece.rounds.append(
                RoundResult(self.round, slice_tallies[key], ZERO, slice_inactive[key], held)
            )
        active = ZERO
        for votes in tally.values():
            active += votes
        return RoundResult(self.round, tally, ZERO, inactive, active)

    def _overvote_decision(self, candidates: tuple[str, ...], rule: str) -> str:
        if OVERVOTE in candidates:
            if len(candidates) != 1:
                raise TabulationAborted(
                    "A ranking holds the overvote label together with candidates.",
                    hint="Correct the CVR: an overvote cell names no candidate.",
                )
            if rule == "exhaustIfMultipleContinuing":
                raise TabulationAborted(
                    "exhaustIfMultipleContinuing cannot be applied to an explicit overvote label.",
                    hint="Use overvoteDelimiter, or another overvoteRule.",
                )
            return "exhaust" if rule == "exhaustImmediately" else "skip"
        if len(candidates) <= 1:
            return "none"
        if rule == "exhaustImmediately":
            return "exhaust"
        if rule == "alwaysSkipToNextRank":
            return "skip"
        count = sum(1 for c in candidates if self.continuing(c))
        return "exhaust" if count >= 2 else "none"

    def _threshold(self, active: Decimal) -> Decimal:
        config = self.config
        if self.bottoms_up_threshold:
            assert config.bottoms_up_percentage is not None
            threshold = active * config.bottoms_up_percentage
        else:
            divisor = Decimal(self.seats if config.hare_quota else self.seats + 1)
            decimals = config.decimal_places if config.non_integer_threshold else 0
            unit = Decimal(1).scaleb(-decimals)
            if config.hare_quota:
                # Hare: ceiling(votes / seats); rounding up stands for "at least".
                threshold = (active / divisor).quantize(unit, rounding=ROUND_UP)
            else:
                # Droop: floor(votes / (seats + 1)) plus the smallest unit, i.e. "more than".
                threshold = (active / divisor).quantize(unit, rounding=ROUND_DOWN) + unit
        minimum = config.minimum_vote_threshold
        if minimum > 0 and minimum > threshold:
            threshold = minimum
        return threshold

    # -- winners --------------------------------------------------------------------------------

    def _identify_winners(
        self, result: RoundResult, by_tally: dict[Decimal, list[str]]
    ) -> list[str]:
        tally = result.tally
        if tally.get(UWI, ZERO) != 0:
            # No one can be elected while undeclared write-ins are still in the count.
            return []
        selected: list[str] = []
        if self.bottoms_up_threshold:
            meeting = [c for c in tally if tally[c] > result.threshold]
            if len(meeting) == len(tally):
                selected = list(tally)
            return selected
        config = self.config
        unfilled = self.seats - len(self.winner_to_round)
        if unfilled > 0:
            if len(tally) <= unfilled:
                selected = list(tally)
            elif config.first_round_determines_threshold and len(tally) - 1 == self.seats:
                selected = list(by_tally[max(by_tally)])
            elif not self.bottoms_up:
                for votes, names in by_tally.items():
                    if votes >= result.threshold:
                        selected.extend(n for n in names if n != UWI)
        multiple = len(selected) > 1 and (
            self.winner_mode == "multiWinnerAllowOnlyOneWinnerPerRound"
            or config.first_round_determines_threshold
        )
        none_of_two = (
            self.seats == 1
            and not selected
            and len(tally) == 2
            and unfilled == 1
            and all(v >= config.minimum_vote_threshold for v in by_tally)
        )
        if multiple or none_of_two:
            top = max(by_tally)
            selected = list(by_tally[top])
            if len(selected) > 1:
                selected = [self._break_tie(selected, selecting_winner=True)]
        return selected

    def _distribute_surplus(self, winner: str, result: RoundResult) -> None:
        votes = result.tally[winner]
        extra = votes - result.threshold
        fraction = self.divide(extra, votes) if extra > 0 else ZERO
        for g in self._holders.get(winner, []):
            if self.recipient[g] == winner and self.status[g] == ACTIVE:
                value = self.value[g]
                # Truncate what moves on, so the winner never drops below the threshold.
                moving = self.multiply(value, fraction)
                self.allocated[g][winner] = value - moving
                remaining = ONE
                for kept in self.allocated[g].values():
                    remaining -= kept
                self.value[g] = remaining

    def _update_winner_tallies(self, result: RoundResult) -> None:
        previous = self.rounds[-2] if len(self.rounds) > 1 else None
        earlier = [w for w, r in self.winner_to_round.items() if r != self.round]
        fresh = {w for w in earlier if self.winner_to_round[w] == self.round - 1}
        for winner in earlier:
            if winner in fresh:
                result.tally[winner] = ZERO
            else:
                assert previous is not None
                result.tally[winner] = previous.tally[winner]
        for piece in self.slices.values():
            # Slices take the winners' kept votes too, but have no residual surplus.
            now, before = piece.rounds[-1], piece.rounds[-2] if len(piece.rounds) > 1 else None
            for winner in earlier:
                if winner in fresh:
                    now.tally[winner] = ZERO
                else:
                    assert before is not None
                    now.tally[winner] = before.tally[winner]
        if not fresh:
            return
        for g, kept in enumerate(self.allocated):
            for winner, value in kept.items():
                if winner in fresh:
                    result.tally[winner] += self.weights[g] * value
                    for key in self._slice_keys[g]:
                        self.slices[key].rounds[-1].tally[winner] += self.weights[g] * value
        transfers = self.transfers.setdefault(self.round, {})
        for winner in hash_set_order(sorted(fresh)):
            residual = result.tally[winner] - result.threshold
            if residual > 0:
                result.residual_surplus += residual
                result.tally[winner] = result.threshold
                row = transfers.setdefault(winner, {})
                row[RESIDUAL_TARGET] = row.get(RESIDUAL_TARGET, ZERO) + residual

    # -- eliminations ---------------------------------------------------------------------------

    def _drop_uwi(self, tally: dict[str, Decimal]) -> list[str]:
        return [UWI] if tally.get(UWI, ZERO) > 0 else []

    def _drop_below_minimum(self, by_tally: dict[Decimal, list[str]]) -> list[str]:
        minimum = self.config.minimum_vote_threshold
        if minimum <= 0 or min(by_tally) >= minimum:
            return []
        return [n for votes, names in by_tally.items() if votes < minimum for n in names]

    def _batch_elimination(self, by_tally: dict[Decimal, list[str]]) -> list[str]:
        # Eliminate together everyone below the highest point at which the running total of
        # the lowest candidates is still under the next candidate's tally (RCTab's rule).
        running = ZERO
        seen: list[str] = []
        done: set[str] = set()
        eliminations: list[str] = []
        previous: list[str] = []
        for votes, names in by_tally.items():
            fresh = list(eliminations)
            if running < votes:
                for name in seen:
                    if name not in done:
                        done.add(name)
                        fresh.append(name)
            running += self.multiply(votes, Decimal(len(names)))
            seen.extend(names)
            if len(fresh) > len(eliminations):
                previous, eliminations = eliminations, fresh
        if (
            self.config.continue_until_two
            and len(eliminations) + len(self.eliminated_to_round) == self.num_candidates - 1
        ):
            eliminations = previous
        return eliminations

    def _regular_elimination(self, by_tally: dict[Decimal, list[str]]) -> list[str]:
        if not by_tally:
            raise TabulationAborted("No candidate is left to eliminate.")
        lowest = by_tally[min(by_tally)]
        if len(lowest) > 1:
            return [self._break_tie(list(lowest), selecting_winner=False)]
        return [lowest[0]]


def tabulate(config: RctabConfig, groups: BallotGroups) -> list[TabulationResult]:
    """Run the count the config describes: one result, or one per pass for multi-pass IRV."""
    if config.winner_mode != "multiPassIrv":
        return [Tabulator(config, groups).tabulate()]
    # Multi-pass (sequential) IRV: one single-winner count per seat, each one excluding the
    # winners of the passes before it.
    results: list[TabulationResult] = []
    won: list[str] = []
    for seat in range(1, config.number_of_winners + 1):
        tabulator = Tabulator(
            config,
            groups,
            number_of_winners=1,
            extra_excluded=frozenset(won),
            winner_mode="singleWinnerMajority",
        )
        result = tabulator.tabulate()
        result.pass_number = seat
        results.append(result)
        won.extend(result.winners)
        if not result.winners:
            break
    return results
