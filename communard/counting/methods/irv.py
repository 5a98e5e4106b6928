"""Instant-runoff voting: a fast whole-array count, and the full RCTab rules.

``irv`` counts a ``RankedProfile`` round by round over the distinct ballots with the
compiled kernels (``kernels.first_preferences`` once, then ``kernels.transfer`` for the
ballots of the eliminated candidates only); there is no per-ballot Python loop. A ballot
passes over empty (skipped) ranks and is exhausted at an overvoted rank, as RCTab does by
default ("exhaust immediately", any number of skipped ranks).

``rctab`` runs RCTab's complete rules (``communard.counting.rctab``): every overvote,
skipped-rank and duplicate rule, batch elimination, continue-until-two, thresholds,
multi-seat STV with fractional surplus transfers, bottoms-up and multi-pass modes, and
RCTab's tie-breaks, from an RCTab config file or from a profile plus RCTab rule options.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ConfigError
from ..kernels import first_preferences, transfer
from ..outcomes import Number, Outcome, Round, TieBreakRecord
from ..profiles import OVERVOTE, RankedProfile
from ..rctab import config as rctab_config
from ..rctab import cvr as rctab_cvr
from ..rctab import report as rctab_report
from ..rctab.results import EXHAUSTED_TARGET, TabulationResult
from ..rctab.tabulator import tabulate
from ..registry import method
from ..ties import Ask, Permutation, PreviousRounds, TieBreaker, settle
from .rankings import breaker_of

RCTAB_REFERENCE = (
    "RCTab (Universal RCV Tabulator) 2.0, Ranked Choice Voting Resource Center; "
    "https://github.com/BrightSpots/rcv"
)
IRV_REFERENCE = "Instant-runoff voting (Ware, 1871); RCTab 2.0 ballot rules"


def _moved(amounts: npt.NDArray[np.int64], options: tuple[str, ...]) -> dict[str, Number]:
    """What one eliminated candidate passed on, by receiver (exhausted last), nonzero only."""
    n = len(options)
    return {
        (EXHAUSTED_TARGET if t == n else options[t]): int(amounts[t])
        for t in np.flatnonzero(amounts)
    }


def _batch(tallies: Mapping[str, int]) -> list[str]:
    # RCTab's batch elimination: everyone below the highest point at which the running total
    # of the lowest candidates is still under the next candidate's votes goes at once.
    ordered = sorted(tallies.items(), key=lambda item: item[1])
    running = 0
    cut = 0
    i = 0
    while i < len(ordered):
        votes = ordered[i][1]
        j = i
        while j < len(ordered) and ordered[j][1] == votes:
            j += 1
        if running < votes:
            cut = i
        running += votes * (j - i)
        i = j
    return sorted(name for name, _ in ordered[:cut])


@method(
    "irv",
    name="Instant-runoff voting",
    ballot="ranked",
    seats="single",
    aliases=("instant-runoff", "rcv"),
    properties=("anonymous", "neutral", "majority", "mutual-majority", "later-no-harm"),
    reference=IRV_REFERENCE,
    options={
        "batch_elimination": "eliminate together all candidates who cannot overtake the next",
        "continue_until_two": "keep eliminating until two candidates remain (report only)",
    },
)
def irv(
    profile: RankedProfile,
    *,
    seats: int = 1,
    tie_break: TieBreaker | str | None = None,
    batch_elimination: bool = False,
    continue_until_two: bool = False,
) -> Outcome:
    """Instant-runoff voting: eliminate the last candidate until one has a majority.

    A candidate wins on a majority of the ballots still active in the round. Ties for
    last place are broken by ``tie_break``; with none, the count stops and reports them.
    """
    if not isinstance(profile, RankedProfile):
        raise ConfigError("irv counts ranked ballots.", hint="Give a RankedProfile.")
    if seats != 1:
        raise ConfigError(
            f"irv elects one candidate, not {seats}.",
            hint="Use rctab (multiWinner modes) or an STV method for several seats.",
        )
    breaker = breaker_of(tie_break)
    options = profile.options
    n = len(options)
    ranks = profile.ranks
    weights = profile.weights.astype(np.int64)
    continuing = np.ones(n, dtype=np.bool_)
    rounds: list[Round] = []
    history: list[dict[str, Number]] = []
    records: list[TieBreakRecord] = []
    explanation: list[str] = []
    winner: str | None = None
    state = first_preferences(ranks, weights, continuing)
    total = int(weights.sum())
    counts = [int(v) for v in state.counts]

    for number in range(1, n + 1):
        alive = [i for i in range(n) if continuing[i]]
        tallies: dict[str, Number] = {options[i]: counts[i] for i in alive}
        active = sum(counts[i] for i in alive)
        majority = active // 2 + 1
        current = Round(
            number=number, tallies=dict(tallies), threshold=majority, exhausted=total - active
        )
        rounds.append(current)
        leader_votes = max((counts[i] for i in alive), default=0)
        leaders = [options[i] for i in alive if counts[i] == leader_votes]
        if winner is None and len(alive) >= 1 and leader_votes >= majority and len(leaders) == 1:
            winner = leaders[0]
            current.elected.append(winner)
            explanation.append(
                f"Round {number}: {winner} has a majority ({leader_votes} of {active})."
            )
        if winner is None and len(alive) == 2 and len(leaders) == 2:
            record = settle(breaker, leaders, 1, purpose="election", round=number, history=history)
            if record is None:
                explanation.append(f"Round {number}: {' and '.join(leaders)} are tied.")
                return _irv_outcome(rounds, (), tuple(leaders), records, explanation)
            records.append(record)
            winner = record.chosen[0]
            current.elected.append(winner)
        if winner is not None and not (continue_until_two and len(alive) > 2):
            break
        if len(alive) <= 1:
            break
        history.append(dict(tallies))
        alive_tallies = {options[i]: counts[i] for i in alive if options[i] != winner}
        losers = _batch(alive_tallies) if batch_elimination else []
        if len(losers) <= 1:
            lowest = min(alive_tallies.values())
            tied = [name for name, votes in alive_tallies.items() if votes == lowest]
            if len(tied) > 1:
                record = settle(
                    breaker, tied, 1, purpose="elimination", round=number, history=history[:-1]
                )
                if record is None:
                    explanation.append(
                        f"Round {number}: {', '.join(tied)} are tied for last place "
                        "and no tie-break rule was given."
                    )
                    return _irv_outcome(rounds, (), tuple(tied), records, explanation)
                records.append(record)
                losers = list(record.chosen)
            else:
                losers = tied
        current.eliminated.extend(losers)
        explanation.append(f"Round {number}: eliminated {', '.join(losers)}.")
        gone = sorted(options.index(name) for name in losers)
        continuing[gone] = False
        # Only the ballots of the eliminated candidates move, one source at a time so that
        # each one's transfers are reported apart (the others are already out of the count).
        for loser in gone:
            sources = np.zeros(n, dtype=np.bool_)
            sources[loser] = True
            amounts = transfer(ranks, weights, state, continuing, sources)
            moved = _moved(amounts, options)
            if moved:
                current.transfers[options[loser]] = moved
            for t in range(n):
                counts[t] += int(amounts[t])
            counts[loser] = 0
    winners = (winner,) if winner is not None else ()
    return _irv_outcome(rounds, winners, (), records, explanation)


def _irv_outcome(
    rounds: list[Round],
    winners: tuple[str, ...],
    tied: tuple[str, ...],
    records: list[TieBreakRecord],
    explanation: list[str],
) -> Outcome:
    return Outcome(
        method="irv",
        version="1",
        winners=winners,
        rounds=rounds,
        tied=tied,
        tie_breaks=records,
        explanation=explanation,
    )


# -- RCTab's full rules ----------------------------------------------------------------------

_DEFAULT_RULES: dict[str, Any] = {
    "tiebreakMode": "stopCountingAndAsk",
    "overvoteRule": "exhaustImmediately",
    "randomSeed": "",
    "decimalPlacesForVoteArithmetic": "4",
    "minimumVoteThreshold": "0",
    "maxSkippedRanksAllowed": "unlimited",
    "maxRankingsAllowed": "max",
}


def profile_ballots(profile: RankedProfile) -> rctab_cvr.BallotGroups:
    """A profile's ballots as RCTab reads them: empty ranks are skipped ranks."""
    ballots: list[rctab_cvr.Ballot] = []
    for row in profile.ranks:
        marks: list[tuple[int, str]] = []
        for position, code in enumerate(row.tolist(), start=1):
            if code >= 0:
                marks.append((position, profile.options[code]))
            elif code == OVERVOTE:
                marks.append((position, rctab_config.OVERVOTE))
        ballots.append(rctab_cvr.build_ballot(marks))
    return rctab_cvr.BallotGroups(ballots, [int(w) for w in profile.weights])


def _tie_break_rules(
    breaker: TieBreaker | None, options: tuple[str, ...]
) -> tuple[dict[str, Any], list[str]]:
    """RCTab's tie-break mode (and candidate order) for one of communard's tie-breakers."""
    order = list(options)
    if breaker is None or isinstance(breaker, Ask):
        return {"tiebreakMode": "stopCountingAndAsk"}, order
    if isinstance(breaker, Permutation):
        # useCandidateOrder favours the candidate listed first, as a permutation does.
        listed = [name for name in breaker.order if name in options]
        return {"tiebreakMode": "useCandidateOrder"}, listed + [
            name for name in options if name not in listed
        ]
    if isinstance(breaker, PreviousRounds) and (
        breaker.then is None or isinstance(breaker.then, Ask)
    ):
        return {"tiebreakMode": "previousRoundCountsThenAsk"}, order
    raise ConfigError(
        f"RCTab has no tie-break like {getattr(breaker, 'name', breaker)!r}.",
        hint="Use ask, permutation:A,B,C or previous-rounds, or set rules.tiebreakMode.",
    )


def profile_config(
    profile: RankedProfile,
    seats: int,
    rules: Mapping[str, Any],
    tie_break: TieBreaker | None = None,
) -> rctab_config.RctabConfig:
    """An RCTab config for a profile: its options as candidates, ``rules`` over defaults;
    ``tie_break`` sets the tie-break mode unless ``rules`` names one."""
    mode = "singleWinnerMajority" if seats == 1 else "multiWinnerAllowMultipleWinnersPerRound"
    tie_rules, order = _tie_break_rules(tie_break, profile.options)
    merged = {
        **_DEFAULT_RULES,
        **tie_rules,
        "winnerElectionMode": mode,
        "numberOfWinners": str(seats),
    }
    merged.update(rules)
    raw = {
        "tabulatorVersion": "communard",
        "outputSettings": {"contestName": str(profile.meta.get("name", "RCTab count"))},
        "cvrFileSources": [],
        "candidates": [{"name": name} for name in order],
        "rules": merged,
    }
    return rctab_config.parse_config(raw, Path("profile.json"), require_sources=False)


def rctab_outcome(results: list[TabulationResult]) -> Outcome:
    """An ``Outcome`` explaining an RCTab tabulation (every pass of multi-pass IRV)."""
    rounds: list[Round] = []
    records: list[TieBreakRecord] = []
    explanation: list[str] = []
    winners: list[str] = []
    for result in results:
        offset = len(rounds)
        elected = result.round_to_winners()
        eliminated = result.round_to_eliminated()
        for rnd in result.rounds:
            rounds.append(
                Round(
                    number=offset + rnd.number,
                    tallies=dict(rnd.tally),
                    elected=elected.get(rnd.number, []),
                    eliminated=eliminated.get(rnd.number, []),
                    transfers={
                        k: dict(v) for k, v in result.transfers.get(rnd.number + 1, {}).items()
                    },
                    exhausted=rnd.inactive_sum,
                    threshold=rnd.threshold,
                    surplus=rnd.residual_surplus or None,
                    note=f"pass {result.pass_number}" if result.pass_number else "",
                )
            )
        for tie in result.tie_breaks:
            records.append(
                TieBreakRecord(
                    round=offset + int(str(tie["round"])),
                    purpose=str(tie["purpose"]),
                    tied=tuple(str(t) for t in tie["tied"]),  # type: ignore[attr-defined]
                    chosen=(str(tie["chosen"]),),
                    rule=str(tie["rule"]),
                )
            )
        winners.extend(result.winners)
        explanation.append(
            f"{'Pass ' + str(result.pass_number) + ': ' if result.pass_number else ''}"
            f"elected {', '.join(result.winners) or 'no one'} in {len(result.rounds)} rounds."
        )
    details: dict[str, Any] = {"report": rctab_report.report_json(results[-1])}
    return Outcome(
        method="rctab",
        version="2.0",
        winners=tuple(winners),
        rounds=rounds,
        tie_breaks=records,
        explanation=explanation,
        details=details,
    )


@method(
    "rctab",
    name="Ranked-choice voting as RCTab 2.0 counts it (IRV and multi-seat STV)",
    ballot="ranked",
    seats="any",
    aliases=("urcvt", "rctab-stv"),
    properties=("anonymous", "conserves-votes"),
    reference=RCTAB_REFERENCE,
    version="2.0",
    options={
        "config": "an RCTab contest config file (its CVRs are read too) or RctabConfig",
        "rules": "RCTab rule fields (as in a config's rules object) for a profile",
    },
)
def rctab(
    profile: RankedProfile | str | Path | None = None,
    *,
    seats: int = 1,
    tie_break: TieBreaker | str | None = None,
    config: str | Path | rctab_config.RctabConfig | None = None,
    rules: Mapping[str, Any] | None = None,
) -> Outcome:
    """RCTab's tabulation rules, exactly: from an RCTab config, or a profile plus rules.

    RCTab's own tie-break modes apply: a config's, or ``rules["tiebreakMode"]``; for a
    profile without one, ``tie_break`` (ask, a permutation, previous rounds) picks the
    matching RCTab mode. A config's counts ignore ``tie_break``.
    """
    if isinstance(profile, str | Path) and config is None:
        config, profile = profile, None
    if config is not None:
        loaded = (
            config
            if isinstance(config, rctab_config.RctabConfig)
            else rctab_config.load_config(config)
        )
        groups = rctab_cvr.read_ballots(loaded)
        return rctab_outcome(tabulate(loaded, groups))
    if not isinstance(profile, RankedProfile):
        raise ConfigError(
            "rctab needs an RCTab config or a ranked profile.",
            hint="Pass config=PATH, or a RankedProfile with rules={...}.",
        )
    loaded = profile_config(profile, seats, dict(rules or {}), breaker_of(tie_break))
    return rctab_outcome(tabulate(loaded, profile_ballots(profile)))
