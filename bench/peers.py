"""The peer libraries, each driven the way its documentation shows.

Every peer function takes ballots as they sit in memory in plain Python (lists of
option names, most preferred first; or sets of approved names) and returns a
``PeerRun``: the seconds it took to build the peer's own profile from them, the
seconds its count took, and the winners it found. Nothing here is timed twice:
the caller runs each peer once, on a sample when the full profile would take
too long, and says so.
"""

from __future__ import annotations

import resource
import time
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt


@dataclass
class PeerRun:
    """One peer run at the full size: build and count seconds, and how they were had.

    ``build`` and ``count`` are seconds for the full profile; when the peer ran on a
    sample of ``sample`` of the ``full`` ballots, the sample's seconds were scaled
    by ``full / sample`` (the peer's work is linear in ballots) and ``note`` says so.
    """

    peer: str
    build: float
    count: float
    winners: tuple[str, ...]
    note: str = ""

    @property
    def total(self) -> float:
        return self.build + self.count


def _scaled(
    peer: str,
    build: float,
    count: float,
    winners: tuple[str, ...],
    sample: int,
    full: int,
    *,
    count_is_full: bool = False,
) -> PeerRun:
    if sample >= full:
        return PeerRun(peer, build, count, winners)
    factor = full / sample
    if count_is_full:
        note = f"build timed on {sample:,} ballots ×{factor:g}; count on the full grouped votes"
        return PeerRun(peer, build * factor, count, winners, note)
    note = f"timed on {sample:,} of {full:,} ballots, ×{factor:g}"
    return PeerRun(peer, build * factor, count * factor, winners, note)


def clock() -> float:
    """CPU seconds of this process: the machine may be shared, and one core is what counts."""
    return time.process_time()


def clock_wall() -> float:
    return time.monotonic()


def children_clock() -> float:
    """CPU seconds of the finished child processes (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = clock()
    result = fn()
    return clock() - start, result


def name_lists(raw: npt.NDArray[Any], names: Sequence[str]) -> list[list[str]]:
    """Ranked ballots as Python lists of names (the peers' input)."""
    return [[names[c] for c in row if c >= 0] for row in raw.tolist()]


def approval_sets(raw: npt.NDArray[np.bool_], names: Sequence[str]) -> list[list[str]]:
    """Approval ballots as Python lists of approved names."""
    return [[names[c] for c in np.flatnonzero(row)] for row in raw]


# ------------------------------------------------------------------ ranked


def _pyrankvote_build(ballots: list[list[str]], names: Sequence[str]) -> tuple[Any, Any]:
    import pyrankvote

    cands = {n: pyrankvote.Candidate(n) for n in names}
    return list(cands.values()), [
        pyrankvote.Ballot(ranked_candidates=[cands[n] for n in b]) for b in ballots
    ]


def pyrankvote_irv(ballots: list[list[str]], names: Sequence[str], full: int) -> PeerRun:
    import pyrankvote

    t_build, (cands, pballots) = _timed(lambda: _pyrankvote_build(ballots, names))
    t_count, result = _timed(lambda: pyrankvote.instant_runoff_voting(cands, pballots))
    winners = tuple(c.name for c in result.get_winners())
    return _scaled("pyrankvote", t_build, t_count, winners, len(ballots), full)


def pyrankvote_stv(
    ballots: list[list[str]], names: Sequence[str], full: int, seats: int
) -> PeerRun:
    import pyrankvote

    t_build, (cands, pballots) = _timed(lambda: _pyrankvote_build(ballots, names))
    t_count, result = _timed(
        lambda: pyrankvote.single_transferable_vote(cands, pballots, number_of_seats=seats)
    )
    winners = tuple(sorted(c.name for c in result.get_winners()))
    return _scaled("pyrankvote", t_build, t_count, winners, len(ballots), full)


def votelib_votes(ballots: list[list[Any]]) -> dict[tuple[Any, ...], int]:
    """votelib's ranked votes: a dict from ranking tuples to counts."""
    return dict(Counter(tuple(b) for b in ballots if b))


def grouped_votes(
    ranks: npt.NDArray[Any], weights: npt.NDArray[np.int64], names: Sequence[Any]
) -> dict[tuple[Any, ...], int]:
    """The same votes as ``votelib_votes`` of every ballot, made from a grouped profile."""
    votes: dict[tuple[Any, ...], int] = {}
    for row, w in zip(ranks.tolist(), weights.tolist(), strict=True):
        key = tuple(names[c] for c in row if c >= 0)
        if key:
            votes[key] = votes.get(key, 0) + w
    return votes


def _votelib(
    evaluate: Callable[[dict[tuple[Any, ...], int]], Any],
    ballots: list[list[Any]],
    full: int,
    votes_full: dict[tuple[Any, ...], int] | None,
) -> PeerRun:
    t_build, votes = _timed(lambda: votelib_votes(ballots))
    t_count, result = _timed(lambda: evaluate(votes if votes_full is None else votes_full))
    winners = tuple(sorted(map(str, result)))
    return _scaled(
        "votelib",
        t_build,
        t_count,
        winners,
        len(ballots),
        full,
        count_is_full=votes_full is not None,
    )


def votelib_irv(
    ballots: list[list[str]], full: int, votes_full: dict[tuple[Any, ...], int] | None = None
) -> PeerRun:
    from votelib.evaluate.sequential import TransferableVoteSelector

    selector = TransferableVoteSelector()
    return _votelib(lambda v: selector.evaluate(v, 1), ballots, full, votes_full)


def votelib_stv(
    ballots: list[list[str]],
    full: int,
    seats: int,
    votes_full: dict[tuple[Any, ...], int] | None = None,
) -> PeerRun:
    from votelib.evaluate.sequential import TransferableVoteSelector

    selector = TransferableVoteSelector(quota_function="droop", transferer="Gregory")
    return _votelib(lambda v: selector.evaluate(v, seats), ballots, full, votes_full)


def votelib_schulze(
    ballots: list[list[str]], full: int, votes_full: dict[tuple[Any, ...], int] | None = None
) -> PeerRun:
    from votelib.convert import RankedToCondorcetVotes
    from votelib.evaluate.condorcet import Schulze

    def evaluate(votes: dict[tuple[Any, ...], int]) -> Any:
        pairs = RankedToCondorcetVotes(unranked_at_bottom=True).convert(votes)
        return Schulze().evaluate(pairs, 1)

    return _votelib(evaluate, ballots, full, votes_full)


def votelib_borda(
    ballots: list[list[int]], full: int, votes_full: dict[tuple[Any, ...], int] | None = None
) -> PeerRun:
    """votelib Borda (unranked score 0). Options are ints: votelib reads a str as a tie set."""
    from votelib.component.rankscore import Borda
    from votelib.convert import RankedToPositionalVotes
    from votelib.evaluate.core import Plurality, PreConverted

    evaluator = PreConverted(RankedToPositionalVotes(Borda(base=0)), Plurality())
    run = _votelib(lambda v: evaluator.evaluate(v, 1), ballots, full, votes_full)
    run.winners = tuple(f"C{w}" for w in run.winners)
    return run


def pref_voting_schulze(ballots: list[list[str]], names: Sequence[str], full: int) -> PeerRun:
    """pref_voting's Schulze (``beat_path``) on a ``ProfileWithTies`` of every ballot.

    Its profile computes the margins while it is built, so its count is nearly constant
    in the number of ballots: both steps are timed on half the sample and on the whole
    sample, and extrapolated to ``full`` along the line through those two points.
    """
    from pref_voting.margin_based_methods import beat_path as schulze
    from pref_voting.profiles_with_ties import ProfileWithTies

    def run(part: list[list[str]]) -> tuple[float, float, Any]:
        def build() -> Any:
            rankings = [{n: r + 1 for r, n in enumerate(b)} for b in part]
            profile = ProfileWithTies(rankings, candidates=list(names))
            profile.use_extended_strict_preference()
            return profile

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_build, profile = _timed(build)
            t_count, result = _timed(lambda: schulze(profile))
        return t_build, t_count, result

    half = len(ballots) // 2
    b1, c1, _ = run(ballots[:half])
    b2, c2, result = run(ballots)
    winners = tuple(sorted(map(str, result)))
    if len(ballots) >= full:
        return PeerRun("pref_voting", b2, c2, winners)

    def line(t1: float, t2: float) -> float:
        slope = max(0.0, (t2 - t1) / (len(ballots) - half))
        return t2 + slope * (full - len(ballots))

    note = (
        f"timed on {half:,} and {len(ballots):,} of {full:,} ballots, extrapolated along "
        "the line through the two (its count is nearly constant: the margins are built "
        "with the profile)"
    )
    return PeerRun("pref_voting", line(b1, b2), line(c1, c2), winners, note)


# --------------------------------------------------------------- approval


def abcvoting_rule(
    rule: str, ballots: list[list[str]], names: Sequence[str], full: int, committee: int
) -> PeerRun:
    from abcvoting import abcrules
    from abcvoting.preferences import Profile

    index = {n: i for i, n in enumerate(names)}

    def build() -> Any:
        profile = Profile(len(names), cand_names=list(names))
        profile.add_voters([[index[n] for n in b] for b in ballots])
        return profile

    t_build, profile = _timed(build)
    compute = {
        "seq-phragmen": abcrules.compute_seqphragmen,
        "seq-pav": abcrules.compute_seqpav,
        "equal-shares": abcrules.compute_equal_shares,
    }[rule]
    t_count, result = _timed(lambda: compute(profile, committee, resolute=True))
    winners = tuple(sorted(names[c] for c in result[0]))
    return _scaled("abcvoting", t_build, t_count, winners, len(ballots), full)


def _pabutools_build(
    ballots: list[list[str]], projects: Sequence[str], costs: Sequence[int], budget: int
) -> tuple[Any, Any]:
    from pabutools.election import ApprovalBallot, ApprovalProfile, Instance, Project

    objs = {p: Project(p, int(c)) for p, c in zip(projects, costs, strict=True)}
    instance = Instance(objs.values(), budget_limit=int(budget))
    profile = ApprovalProfile([ApprovalBallot(objs[p] for p in b) for b in ballots])
    return instance, profile


def pabutools_mes(
    ballots: list[list[str]],
    projects: Sequence[str],
    costs: Sequence[int],
    budget: int,
    *,
    completion: bool = False,
) -> PeerRun:
    """pabutools MES (cost utilities); with ``completion`` its add-one budget increase."""
    from pabutools.election import Cost_Sat
    from pabutools.rules import exhaustion_by_budget_increase, method_of_equal_shares

    t_build, (instance, profile) = _timed(
        lambda: _pabutools_build(ballots, projects, costs, budget)
    )

    def count() -> Any:
        params = {"sat_class": Cost_Sat}
        if completion:
            return exhaustion_by_budget_increase(
                instance,
                profile,
                method_of_equal_shares,
                params,
                budget_step=profile.num_ballots(),
                exhaustive_stop=False,
            )
        return method_of_equal_shares(instance, profile, **params)

    t_count, result = _timed(count)
    return PeerRun("pabutools", t_build, t_count, tuple(sorted(p.name for p in result)))


def pabutools_greedy(
    ballots: list[list[str]],
    projects: Sequence[str],
    costs: Sequence[int],
    budget: int,
    full: int | None = None,
) -> PeerRun:
    """pabutools greedy by cost satisfaction, on ``ballots`` (a sample of ``full``, if given)."""
    from pabutools.election import Cost_Sat
    from pabutools.rules import greedy_utilitarian_welfare

    t_build, (instance, profile) = _timed(
        lambda: _pabutools_build(ballots, projects, costs, budget)
    )
    t_count, result = _timed(
        lambda: greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    )
    winners = tuple(sorted(p.name for p in result))
    return _scaled("pabutools", t_build, t_count, winners, len(ballots), full or len(ballots))
