"""STV counts: hand-checked stages, ties, and hypothesis properties (conservation,
anonymity, quota) for Scottish STV, PRF WIGM and PRF Meek."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from random import Random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from communard.counting import ConfigError, Outcome, RankedProfile, UnresolvedTieError, count, get
from communard.counting.methods.stv_core import NON_TRANSFERABLE, FileOrder
from communard.counting.methods.stv_meek import BallotPaths, distribute
from communard.counting.profiles import EMPTY, OVERVOTE

METHODS = ["scottish-stv", "wigm", "meek", "minneapolis-stv", "cfer"]
EXACT = [
    *METHODS,
    "meek-rational",
    "wigm-rational",
    "warren",
    "meek-guarded",
    "wigm-guarded",
    "warren-guarded",
]


def example() -> RankedProfile:
    return RankedProfile.from_rankings(
        ["A", "B", "C", "D"],
        [["A", "B"], ["A", "C"], ["B", "C"], ["C"], ["D", "C"]],
        [20, 6, 9, 7, 5],
    )


def test_registry_ids_and_aliases() -> None:
    assert get("scotland").id == get("stv").id == "scottish-stv"
    assert get("gregory").id == get("wigm-prf").id == "wigm"
    assert get("meek-prf").id == "meek"
    assert get("meek").seats == "multi"


def test_scottish_stages_by_hand() -> None:
    """47 ballots, 2 seats: quota 47 // 3 + 1 = 16; A's surplus 10 goes at 10/26."""
    outcome = count("scottish-stv", example(), seats=2)
    first, second = outcome.rounds[0], outcome.rounds[1]
    assert first.threshold == 16 and first.elected == ["A"]
    assert second.surplus == 10
    # 20 papers A>B at 1 × 10/26 = 0.38461 each; 6 papers A>C likewise.
    assert second.transfers["A"] == {
        "B": Decimal("7.69220"),
        "C": Decimal("2.30766"),
        NON_TRANSFERABLE: 0,
    }
    assert second.tallies["A"] == 16
    assert second.extra["rounding_loss"] == Decimal("0.00014")
    assert outcome.winners == ("A", "B")
    json.dumps(outcome.to_json())


def test_overvoted_rank_ends_a_ballot() -> None:
    ranks = np.array([[0, OVERVOTE, 1], [1, EMPTY, EMPTY], [2, EMPTY, EMPTY]], dtype=np.int8)
    profile = RankedProfile(("A", "B", "C"), ranks, np.array([3, 2, 1], dtype=np.int64))
    outcome = count("scottish-stv", profile, seats=1, tie_break=FileOrder(("A", "B", "C")))
    excluded = outcome.rounds[1]
    assert excluded.eliminated == ["C"]
    assert outcome.winners == ("A",)


def test_a_tie_without_a_rule_stops_and_asks() -> None:
    profile = RankedProfile.from_rankings(["A", "B", "C"], [["A"], ["B"], ["C"]], [3, 2, 2])
    with pytest.raises(UnresolvedTieError) as caught:
        count("scottish-stv", profile, seats=1)
    assert set(caught.value.tied) == {"B", "C"}


def test_ties_look_back_to_earlier_stages_and_are_recorded() -> None:
    # Stage 1: A 1, B 2, C 3, D 4, E 5 ... B gets A's vote and ties C at 3; B was lower
    # at stage 1, so B is excluded (rule 51(2)(a)).
    profile = RankedProfile.from_rankings(
        ["A", "B", "C", "D", "E"], [["A", "B"], ["B"], ["C"], ["D"], ["E"]], [1, 2, 3, 4, 5]
    )
    outcome = count("scottish-stv", profile, seats=2)
    tie = outcome.tie_breaks[0]
    assert tie.rule == "previous-stages" and tie.chosen == ("B",)
    assert outcome.rounds[2].eliminated == ["B"]


def test_file_tie_order_is_the_default_when_given() -> None:
    profile = RankedProfile.from_rankings(["A", "B", "C"], [["A"], ["B"], ["C"]], [3, 2, 2])
    profile.meta["tie_order"] = ("C", "B", "A")
    outcome = count("wigm", profile, seats=1)
    assert outcome.tie_breaks[0].chosen == ("C",)
    assert outcome.tie_breaks[0].rule == "file-tie-order"


def test_withdrawn_candidates_take_no_part() -> None:
    outcome = count("meek", example(), seats=2, withdrawn=("A",))
    assert "A" not in outcome.rounds[0].tallies
    assert "A" not in outcome.winners


def test_seats_default_to_the_files_seats() -> None:
    profile = example()
    profile.meta["seats"] = 3
    assert len(count("wigm", profile).winners) == 3


def test_large_count_runs_on_grouped_arrays() -> None:
    rng = np.random.default_rng(11)
    ranks = np.full((200_000, 4), EMPTY, dtype=np.int8)
    util = rng.gumbel(size=(200_000, 10)) + np.linspace(0, 1, 10)
    order = np.argsort(-util, axis=1)[:, :4]
    depth = rng.integers(1, 5, size=200_000)
    for j in range(4):
        ranks[:, j] = np.where(depth > j, order[:, j], EMPTY)
    profile = RankedProfile(
        tuple(f"C{i}" for i in range(10)), ranks, np.ones(200_000, dtype=np.int64)
    ).grouped()
    for method_id in METHODS:
        outcome = count(method_id, profile, seats=5, tie_break=FileOrder(profile.options))
        assert len(outcome.winners) == 5


# --- properties -------------------------------------------------------------------------


@st.composite
def profiles(draw: st.DrawFn) -> tuple[RankedProfile, int]:
    n = draw(st.integers(2, 6))
    names = tuple("ABCDEF"[:n])
    ballots = draw(
        st.lists(
            st.permutations(range(n)).flatmap(
                lambda p: st.integers(1, len(p)).map(lambda k: list(p[:k]))
            ),
            min_size=1,
            max_size=12,
        )
    )
    weights = draw(st.lists(st.integers(1, 40), min_size=len(ballots), max_size=len(ballots)))
    seats = draw(st.integers(1, max(1, n - 1)))
    profile = RankedProfile.from_rankings(names, [[names[i] for i in b] for b in ballots], weights)
    return profile, seats


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _count(method_id: str, profile: RankedProfile, seats: int) -> Outcome:
    """Count by ``method`` or ``method-arithmetic`` (e.g. ``meek-guarded``)."""
    base, _, arithmetic = method_id.partition("-")
    if arithmetic not in ("rational", "guarded"):
        base, arithmetic = method_id, ""
    extra = {"arithmetic": arithmetic} if arithmetic else {}
    try:
        return count(base, profile, seats=seats, tie_break=FileOrder(profile.options), **extra)
    except ConfigError:
        # Exact Meek and Warren refuse counts whose fractions would grow without end.
        assert base in ("meek", "warren") and arithmetic != "guarded"
        reject()


@PROPERTY
@given(profiles(), st.sampled_from(EXACT))
def test_every_stage_conserves_votes(case: tuple[RankedProfile, int], method_id: str) -> None:
    profile, seats = case
    outcome = _count(method_id, profile, seats)
    total = Fraction(profile.n_voters)
    previous = None
    for r in outcome.rounds:
        loss = Fraction(r.extra["rounding_loss"])
        held = sum((Fraction(v) for v in r.tallies.values()), Fraction(0))
        assert held + Fraction(r.exhausted) + loss == total
        assert loss >= 0 and all(v >= 0 for v in r.tallies.values())
        if method_id.startswith(("meek", "warren")):
            # Iterative rules record no transfers; exact ones lose nothing to rounding.
            assert loss == 0 or method_id.endswith("guarded")
        elif previous is not None and r.transfers:
            # Rebuild this stage from the last one and the recorded transfers.
            moved = Fraction(0)
            received: dict[str, Fraction] = {}
            for source, flows in r.transfers.items():
                moved += Fraction(previous.tallies[source]) - Fraction(r.tallies[source])
                for target, amount in flows.items():
                    if target != NON_TRANSFERABLE:
                        received[target] = received.get(target, Fraction(0)) + Fraction(amount)
            for target, amount in received.items():
                # A stage may move several surpluses (CfER): add what each target received.
                assert Fraction(r.tallies[target]) - Fraction(previous.tallies[target]) == amount
            sent = sum(Fraction(v) for f in r.transfers.values() for v in f.values())
            lost = sum(Fraction(f[NON_TRANSFERABLE]) for f in r.transfers.values())
            assert Fraction(r.exhausted) - Fraction(previous.exhausted) == lost
            assert loss - Fraction(previous.extra["rounding_loss"]) == moved - sent
        previous = r


@PROPERTY
@given(
    profiles(),
    st.sampled_from([*EXACT, "qpq"]),
    st.randoms(use_true_random=False),
)
def test_anonymity(case: tuple[RankedProfile, int], method_id: str, random: Random) -> None:
    """Reordering ballots, or splitting a group of identical ballots, changes nothing."""
    profile, seats = case
    order = list(range(profile.n_distinct))
    random.shuffle(order)
    ranks = profile.ranks[order]
    weights = profile.weights[order]
    split = int(np.argmax(weights))
    if weights[split] > 1:
        ranks = np.vstack([ranks, ranks[split : split + 1]])
        weights = np.concatenate([weights, [1]])
        weights[split] -= 1
    shuffled = RankedProfile(profile.options, ranks, weights.astype(np.int64))
    a = _count(method_id, profile, seats)
    b = _count(method_id, shuffled, seats)
    assert a.winners == b.winners
    assert [r.tallies for r in a.rounds] == [r.tallies for r in b.rounds]


@PROPERTY
@given(profiles(), st.sampled_from([*EXACT, "qpq"]))
def test_quota_and_seats(case: tuple[RankedProfile, int], method_id: str) -> None:
    profile, seats = case
    outcome = _count(method_id, profile, seats)
    n = profile.n_voters
    quota = outcome.rounds[0].threshold
    if method_id.endswith("rational") or method_id == "warren":
        assert quota == Fraction(n, seats + 1)
    elif method_id.endswith("guarded"):
        assert quota == Decimal(f"{n * 10**27 // (seats + 1)}E-27")
    elif method_id == "qpq":
        assert quota == Decimal(f"{n * 10**18 // (seats + 1)}E-18")
    elif method_id in ("scottish-stv", "minneapolis-stv"):
        assert quota == n // (seats + 1) + 1
    else:
        digits = {"wigm": 4, "cfer": 5, "meek": 9}[method_id]
        scale = 10**digits
        assert quota == Decimal(f"{n * scale // (seats + 1) + 1}E-{digits}")
    assert len(outcome.winners) == min(seats, len(profile.options))
    assert len(set(outcome.winners)) == len(outcome.winners)
    last = outcome.rounds[-1]
    for r in outcome.rounds:
        for name in r.elected:
            # Elected on reaching the quota, or as the last continuing candidates.
            assert r.tallies[name] >= r.threshold or r is last


@PROPERTY
@given(profiles(), st.data())
def test_meek_merged_paths_distribute_exactly_as_the_ballots(
    case: tuple[RankedProfile, int], data: st.DataObject
) -> None:
    """Merged paths, built afresh or updated after state changes, give the same votes."""
    profile, _ = case
    n = len(profile.options)
    state_names = st.sampled_from(["hopeful", "elected", "excluded"])
    before = data.draw(st.lists(state_names, min_size=n, max_size=n))
    # States only move on: hopeful to elected or excluded.
    after = [s if s != "hopeful" else data.draw(state_names) for s in before]
    scale = 10**9
    keep = np.array(
        [
            scale if s == "hopeful" else 0 if s == "excluded" else data.draw(st.integers(1, scale))
            for s in after
        ],
        dtype=np.int64,
    )
    ranks = profile.ranks.astype(np.int64)
    merged = BallotPaths(ranks, profile.weights, before)
    merged.update(after)
    fresh = BallotPaths(ranks, profile.weights, after)
    assert merged.keys.tolist() == fresh.keys.tolist()
    assert merged.counts.tolist() == fresh.counts.tolist()
    paths, voters = merged.paths()
    held = [i for i, s in enumerate(after) if s != "excluded"]
    direct, direct_residual = distribute(ranks, profile.weights, keep, scale)
    via_paths, path_residual = distribute(paths, voters, keep, scale)
    assert direct[held].tolist() == via_paths[held].tolist()
    assert direct_residual == path_residual


def test_exact_meek_stops_when_fractions_would_grow_without_end() -> None:
    """One ballot E > B, four seats: the keep factors converge forever in exact arithmetic."""
    profile = RankedProfile.from_rankings(list("ABCDE"), [["E", "B"]], [32])
    with pytest.raises(ConfigError, match="ever longer fractions"):
        count("meek", profile, seats=4, arithmetic="rational", tie_break=FileOrder(profile.options))
    assert len(count("meek", profile, seats=4, tie_break=FileOrder(profile.options)).winners) == 4
