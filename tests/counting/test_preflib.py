"""The PrefLib reader: headers, counts, tie groups, errors with file and line."""

from __future__ import annotations

import pytest

from communard.counting import BallotFormatError, count
from communard.counting.formats.preflib import read_preflib
from communard.counting.profiles import EMPTY, OVERVOTE

TOI = b"""# FILE NAME: 00099-00000001.toi
# TITLE: A small election
# DATA TYPE: toi
# NUMBER ALTERNATIVES: 3
# NUMBER VOTERS: 12
# NUMBER UNIQUE ORDERS: 4
# ALTERNATIVE NAME 1: Ann
# ALTERNATIVE NAME 2: Bob
# ALTERNATIVE NAME 3: "Cy"
5: 1,2
4: 3
2: {1,2},3
1: 2,{1,3}
"""


def test_reads_names_counts_and_title() -> None:
    """Names lose the double quotes some PrefLib files put around them."""
    profile = read_preflib(TOI, name="small.toi", seats=2)
    assert profile.options == ("Ann", "Bob", "Cy")
    assert profile.n_voters == 12
    assert profile.meta["title"] == "A small election"
    assert profile.meta["seats"] == 2


def test_tie_groups_become_overvoted_ranks_with_their_members() -> None:
    profile = read_preflib(TOI)
    ties = profile.meta["tie_groups"]
    found = {}
    for (row, rank), members in ties.items():
        assert profile.ranks[row, rank] == OVERVOTE
        found[(int(profile.weights[row]), rank)] = members
    assert found == {(2, 0): (0, 1), (1, 1): (0, 2)}


def test_strict_orders_are_grouped_without_tie_groups() -> None:
    data = TOI.replace(b"2: {1,2},3\n1: 2,{1,3}\n", b"2: 1,2\n1: 2\n")
    profile = read_preflib(data)
    assert "tie_groups" not in profile.meta
    by_ranking = {
        tuple(r for r in ranks if r != EMPTY): w
        for ranks, w in zip(profile.ranks.tolist(), profile.weights.tolist(), strict=True)
    }
    assert by_ranking == {(0, 1): 7, (2,): 4, (1,): 1}


def test_a_tied_rank_ends_the_ballot_in_stv() -> None:
    """STV reads {a,b} as an overvote: the ballot stops counting at that rank, and one
    tied at its first rank marks no single preference, so it is not a valid vote."""
    outcome = count("scottish-stv", read_preflib(TOI), seats=1)
    assert outcome.details["valid_ballots"] == 10
    assert outcome.rounds[0].tallies == {"Ann": 5, "Bob": 1, "Cy": 4}


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        ((b"5: 1,2", b"5: 1,4"), 10, "'4' is not an alternative"),
        ((b"5: 1,2", b"5 1,2"), 10, "expected '<count>: <order>'"),
        ((b"5: 1,2", b"5: 1,1"), 10, "ranked twice"),
        ((b"# NUMBER VOTERS: 12", b"# NUMBER VOTERS: 13"), 1, "13 voters"),
        ((b'# ALTERNATIVE NAME 3: "Cy"\n', b""), 9, "ALTERNATIVE NAME 3"),
    ],
)
def test_malformed_files_name_file_line_and_problem(
    change: tuple[bytes, bytes], line: int, words: str
) -> None:
    with pytest.raises(BallotFormatError) as caught:
        read_preflib(TOI.replace(*change), name="bad.toi")
    assert caught.value.path == "bad.toi"
    assert caught.value.line == line
    assert words in str(caught.value)
