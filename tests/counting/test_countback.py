"""Countback: a vacancy filled from the original ballots, checked against independent recounts."""

from __future__ import annotations

import numpy as np
import pytest

from communard.counting import ConfigError, RankedProfile, count
from communard.counting.countback import countback
from communard.counting.methods.stv_core import FileOrder

NAMES = ("Ann", "Bob", "Cy", "Dee", "Eve")
BALLOTS = [
    (["Ann", "Cy", "Dee"], 30),
    (["Ann", "Dee", "Cy"], 12),
    (["Ann", "Eve"], 8),
    (["Bob", "Cy"], 22),
    (["Bob", "Eve", "Dee"], 9),
    (["Cy", "Bob"], 7),
    (["Dee", "Eve", "Cy"], 6),
    (["Eve", "Dee"], 6),
]


def profile() -> RankedProfile:
    return RankedProfile.from_rankings(NAMES, [b for b, _ in BALLOTS], [w for _, w in BALLOTS])


def test_rerun_equals_a_count_with_the_member_withdrawn() -> None:
    p = profile()
    original = count("scottish-stv", p, seats=2, tie_break=FileOrder(NAMES))
    assert original.winners == ("Ann", "Bob")
    filled = countback(p, original, "Ann", rule="rerun", tie_break=FileOrder(NAMES))
    independent = count("scottish-stv", p, seats=2, withdrawn=("Ann",), tie_break=FileOrder(NAMES))
    newcomer = next(w for w in independent.winners if w != "Bob")
    assert filled.winners == (newcomer,)
    assert filled.method == "countback:rerun"


def test_hare_clark_recounts_the_departed_members_parcel() -> None:
    """Ann was elected on first preferences, so her parcel is her first-preference papers,
    each at the same value: the recount must elect the single-seat STV winner of those
    papers among the unelected candidates."""
    p = profile()
    original = count("scottish-stv", p, seats=2, tie_break=FileOrder(NAMES))
    filled = countback(p, original, "Ann", tie_break=FileOrder(NAMES))
    ann_first = [(b, w) for b, w in BALLOTS if b[0] == "Ann"]
    parcel = RankedProfile.from_rankings(
        NAMES, [b for b, _ in ann_first], [w for _, w in ann_first]
    )
    independent = count(
        "scottish-stv", parcel, seats=1, withdrawn=("Ann", "Bob"), tie_break=FileOrder(NAMES)
    )
    assert filled.winners == independent.winners == ("Cy",)
    assert filled.method == "countback:hare-clark"
    quota = original.rounds[0].threshold
    assert abs(filled.details["parcel_value"] - quota) < 1


def test_consenting_limits_who_contests() -> None:
    p = profile()
    original = count("scottish-stv", p, seats=2, tie_break=FileOrder(NAMES))
    filled = countback(p, original, "Ann", consenting=["Dee", "Eve"], tie_break=FileOrder(NAMES))
    assert filled.winners == ("Dee",)
    assert filled.details["contesting"] == ["Dee", "Eve"]


def test_every_round_of_the_recount_conserves_the_parcel() -> None:
    p = profile()
    original = count("wigm", p, seats=2, tie_break=FileOrder(NAMES))
    filled = countback(p, original, original.winners[0], method="wigm", tie_break=FileOrder(NAMES))
    total = filled.rounds[0].extra["total"]
    for r in filled.rounds:
        assert sum(r.tallies.values()) + r.exhausted + r.extra["rounding_loss"] == total
        assert r.extra["rounding_loss"] == 0


def test_refuses_a_departed_who_was_not_elected_and_unknown_rules() -> None:
    p = profile()
    with pytest.raises(ConfigError, match="was not elected"):
        countback(p, ("Ann", "Bob"), "Cy")
    with pytest.raises(ConfigError, match="No countback rule"):
        countback(p, ("Ann", "Bob"), "Ann", rule="lot")
    with pytest.raises(ConfigError, match="parcels"):
        countback(p, ("Ann", "Bob"), "Ann", method="qpq")


def test_accepts_winner_names_instead_of_an_outcome() -> None:
    p = profile()
    filled = countback(p, ["Ann", "Bob"], "Bob", tie_break=FileOrder(NAMES))
    assert filled.winners[0] in {"Cy", "Dee", "Eve"}
    assert np.isfinite(len(filled.rounds))


def test_meek_parcel_is_what_ballots_give_the_member_at_the_end() -> None:
    p = profile()
    original = count("meek", p, seats=2, tie_break=FileOrder(NAMES))
    departed = original.winners[0]
    filled = countback(p, original, departed, method="meek", tie_break=FileOrder(NAMES))
    held = original.rounds[-1].tallies[departed]
    assert abs(filled.details["parcel_value"] - held) <= held / 100
    assert filled.winners[0] not in original.winners
    total = filled.rounds[0].extra["total"]
    for r in filled.rounds:
        assert sum(r.tallies.values()) + r.exhausted + r.extra["rounding_loss"] == total
