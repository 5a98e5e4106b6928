"""RCTab's rules on small hand-made inputs: readers' errors, vote conservation, Java RNG."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from communard.counting import RankedProfile
from communard.counting.errors import BallotFormatError, ConfigError
from communard.counting.methods.irv import profile_ballots, profile_config
from communard.counting.rctab import report
from communard.counting.rctab.javacompat import JavaRandom
from communard.counting.rctab.results import FINAL_SURPLUS, INACTIVE_STATUSES
from communard.counting.rctab.tabulator import tabulate


def write_case(
    folder: Path, rows: list[str], *, rules: dict[str, Any] | None = None, header: str = ""
) -> Path:
    """An ES&S-style case: the CVR as its sheet dump, and a config pointing at it."""
    (folder / "cvr.xlsx").write_bytes(b"")
    (folder / "cvr.xlsx.sheet1.csv").write_text(
        (header or "Id,Choice 1,Choice 2,Choice 3") + "\n" + "\n".join(rows) + "\n"
    )
    config = {
        "tabulatorVersion": "TEST",
        "outputSettings": {"contestName": "Test"},
        "cvrFileSources": [
            {
                "provider": "ess",
                "filePath": "cvr.xlsx",
                "firstVoteColumnIndex": "2",
                "firstVoteRowIndex": "2",
                "overvoteLabel": "overvote",
                "skippedRankLabel": "undervote",
                "undeclaredWriteInLabel": "UWI",
            }
        ],
        "candidates": [{"name": n} for n in ("A", "B", "C")],
        "rules": {
            "tiebreakMode": "useCandidateOrder",
            "overvoteRule": "alwaysSkipToNextRank",
            "winnerElectionMode": "singleWinnerMajority",
            "numberOfWinners": "1",
            "decimalPlacesForVoteArithmetic": "4",
            "maxSkippedRanksAllowed": "1",
            "maxRankingsAllowed": "3",
            **(rules or {}),
        },
    }
    path = folder / "config.json"
    path.write_text(json.dumps(config))
    return path


def test_an_unknown_candidate_names_the_file_and_line(tmp_path: Path) -> None:
    config = write_case(tmp_path, ["1,A,B", "2,Zed,A"])
    with pytest.raises(BallotFormatError) as caught:
        report.run(config)
    assert caught.value.line == 3
    assert "unrecognized candidate 'Zed'" in str(caught.value)
    assert "alias" in caught.value.hint


def test_a_config_that_is_not_json_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text("{ not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        report.run(path)


def test_a_missing_sheet_dump_says_how_to_provide_one(tmp_path: Path) -> None:
    config = write_case(tmp_path, ["1,A"])
    (tmp_path / "cvr.xlsx.sheet1.csv").unlink()
    with pytest.raises(BallotFormatError, match=r"sheet1\.csv"):
        report.run(config)


def test_overvote_skipped_rank_and_undeclared_write_in_rules(tmp_path: Path) -> None:
    rows = [
        "1,A,B",
        "2,A",
        "3,overvote,B",  # skipped over: counts for B
        "4,undervote,undervote,C",  # two skipped ranks > 1 allowed: inactive
        "5,UWI,B",  # write-ins are eliminated first; this ballot moves to B
        "6,B",
        "7,C,A",
    ]
    data = report.report_json(report.run(write_case(tmp_path, rows))[-1])
    first = data["results"][0]
    assert first["tally"] == {"A": "2", "B": "2", "C": "1", "Undeclared Write-ins": "1"}
    assert first["inactiveBallots"]["skippedRankings"] == "1"
    assert first["tallyResults"] == [
        {"eliminated": "Undeclared Write-ins", "transfers": {"B": "1"}}
    ]
    assert data["results"][-1]["tallyResults"][0]["elected"] in ("A", "B")


def test_minimum_vote_threshold_eliminates_everyone_below_it_at_once(tmp_path: Path) -> None:
    rows = ["1,A", "2,A", "3,A", "4,B", "5,B", "6,C,B"]
    config = write_case(tmp_path, rows, rules={"minimumVoteThreshold": "2"})
    (result,) = report.run(config)
    data = report.report_json(result)
    # C (1 vote) and the write-in pseudo-candidate (0 votes) are under 2 votes.
    assert data["results"][0]["tallyResults"] == [
        {"eliminated": "C", "transfers": {"B": "1"}},
        {"eliminated": "Undeclared Write-ins", "transfers": {}},
    ]
    # A and B are level with 3 each: the last two, so the tie-break (candidate order) elects.
    assert data["results"][1]["tally"] == {"A": "3", "B": "3"}
    assert result.winners == ["A"]
    assert "Elected,,,,A*,," in report.report_csv(result)


@st.composite
def multi_seat_profiles(draw: st.DrawFn) -> RankedProfile:
    options = ["A", "B", "C", "D", "E"]
    ballots = draw(
        st.lists(
            st.permutations(options).flatmap(
                lambda order: st.integers(min_value=1, max_value=5).map(lambda k: list(order[:k]))
            ),
            min_size=5,
            max_size=40,
        )
    )
    return RankedProfile.from_rankings(options, ballots)


@settings(max_examples=60, deadline=None)
@given(multi_seat_profiles(), st.integers(min_value=2, max_value=3))
def test_multi_seat_counts_conserve_every_vote_in_every_round(
    profile: RankedProfile, seats: int
) -> None:
    config = profile_config(profile, seats, {"tiebreakMode": "random", "randomSeed": "7"})
    (result,) = tabulate(config, profile_ballots(profile))
    assert len(result.winners) == seats
    total = Decimal(profile.n_voters)
    for rnd in result.rounds:
        held = sum(rnd.tally.values(), Decimal(0))
        # Votes held by candidates, inactive ballots, the final-round surplus and the
        # residual surplus account for every ballot exactly, in every round.
        assert held + rnd.inactive_sum + rnd.inactive[FINAL_SURPLUS] + rnd.residual_surplus == (
            total
        )


def test_statuses_cover_the_final_round_surplus() -> None:
    assert FINAL_SURPLUS in INACTIVE_STATUSES


def test_java_random_first_int_for_seed_42() -> None:
    # new java.util.Random(42).nextInt() == -1170105035 (a widely quoted value)
    assert JavaRandom(42).next_bits(32) == -1170105035
