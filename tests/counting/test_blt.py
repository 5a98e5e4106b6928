"""The .blt reader and writer: every part of the format, errors with file and line, speed path."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from communard.counting import BallotFormatError
from communard.counting.formats.blt import read_blt, write_blt
from communard.counting.profiles import EMPTY, OVERVOTE

SIMPLE = b"""3 2
4 1 2 0
2 3 0
1 2 3 1 0
3 1 2 0
0
"Castor"
"Pollux"
"Helen"
"Pollux and Helen"
"""


def rows(profile) -> dict[tuple[int, ...], int]:
    """Ballots as {ranking (option indices): weight}, whatever the row order."""
    out: dict[tuple[int, ...], int] = {}
    for ranks, weight in zip(profile.ranks.tolist(), profile.weights.tolist(), strict=True):
        key = tuple(r for r in ranks if r != EMPTY)
        out[key] = out.get(key, 0) + weight
    return out


def test_reads_header_ballots_names_and_title() -> None:
    profile = read_blt(SIMPLE, name="simple.blt")
    assert profile.options == ("Castor", "Pollux", "Helen")
    assert profile.meta["seats"] == 2
    assert profile.meta["title"] == "Pollux and Helen"
    assert rows(profile) == {(0, 1): 7, (2,): 2, (1, 2, 0): 1}
    assert profile.n_voters == 10
    assert profile.ranks.dtype == np.int8


def test_withdrawn_tie_order_nicknames_and_equal_ranks() -> None:
    data = b"""4 2
-4
[tie 3 2 1 4] [nick a b c d]
5 a b=c 0
2 c 0
0
"A" "B" "C" "D"
"t"
"""
    profile = read_blt(data)
    assert profile.meta["withdrawn"] == ("D",)
    assert profile.meta["tie_order"] == ("C", "B", "A", "D")
    assert profile.meta["nicknames"] == ("a", "b", "c", "d")
    ties = profile.meta["tie_groups"]
    (row, rank), members = next(iter(ties.items()))
    assert profile.ranks[row, rank] == OVERVOTE
    assert members == (1, 2)


def test_bom_utf8_names_and_trailing_comment() -> None:
    data = '\ufeff2 1\n1 1 0\n0\n"Cåstor"\n"Pøllüx"\n"title"\nfree text\n'.encode()
    profile = read_blt(data)
    assert profile.options == ("Cåstor", "Pøllüx")
    assert profile.meta["comment"] == "free text"


def test_round_trip_through_the_writer(tmp_path: Path) -> None:
    profile = read_blt(SIMPLE)
    target = tmp_path / "out.blt"
    write_blt(profile, target)
    again = read_blt(target)
    assert again.options == profile.options
    assert rows(again) == rows(profile)
    assert again.meta["seats"] == 2 and again.meta["title"] == "Pollux and Helen"
    buffer = io.StringIO()
    write_blt(again, buffer, seats=1, title="other")
    assert buffer.getvalue().startswith("3 1\n")


def test_fast_and_line_paths_agree() -> None:
    """A numeric file and the same ballots written with nicknames read the same."""
    rng = np.random.default_rng(3)
    lines = []
    for _ in range(500):
        ranking = rng.permutation(6)[: rng.integers(1, 7)] + 1
        lines.append(f"{rng.integers(1, 4)} " + " ".join(map(str, ranking)) + " 0")
    names = "\n".join(f'"C{i}"' for i in range(1, 7))
    numeric = "6 3\n" + "\n".join(lines) + f'\n0\n{names}\n"t"\n'
    nick = (
        "6 3\n[nick a b c d e f]\n"
        + "\n".join(
            " ".join([line.split()[0], *("abcdef"[int(t) - 1] for t in line.split()[1:-1]), "0"])
            for line in lines
        )
        + f'\n0\n{names}\n"t"\n'
    )
    assert rows(read_blt(numeric.encode())) == rows(read_blt(nick.encode()))


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (b"", None, "empty"),
        (b"three 2\n", 1, "number of candidates"),
        (b'2 1\n1 1 0\n1 3 0\n0\n"A"\n"B"\n', 3, "3 is not a candidate"),
        (b'2 1\n1 1 0\n1 2 0\n"A"\n"B"\n', 4, "end marker"),
        (b'2 1\n1 1 0\n0\n"A"\n', 3, "names 1 candidates"),
        (b'2 1\n1 1 2 1 0\n0\n"A"\n"B"\n', 2, "ranked twice"),
        (b'2 1\n[nick a b]\n1 a x 0\n0\n"A"\n"B"\n', 3, "'x' is not a candidate"),
        (b'2 1\n[nick a b]\n1 a b\n0\n"A"\n"B"\n', 3, "must end with 0"),
        (b'2 1\n-3\n1 1 0\n0\n"A"\n"B"\n', 2, "withdrawn"),
        (b'2 1\n1 1 0\n0\n1 2 0\n"A"\n"B"\n', 4, "after the end marker"),
    ],
)
def test_malformed_files_name_file_line_and_problem(
    data: bytes, line: int | None, words: str
) -> None:
    with pytest.raises(BallotFormatError) as caught:
        read_blt(data, name="bad.blt")
    assert caught.value.path == "bad.blt"
    assert caught.value.line == line
    assert words in str(caught.value)


def test_missing_file_is_a_format_error(tmp_path: Path) -> None:
    with pytest.raises(BallotFormatError, match="cannot read"):
        read_blt(tmp_path / "absent.blt")


def test_large_file_groups_identical_ballots() -> None:
    rng = np.random.default_rng(7)
    n = 200_000
    first = rng.integers(1, 11, size=n)
    second = (first % 10) + 1
    body = "\n".join(f"1 {a} {b} 0" for a, b in zip(first.tolist(), second.tolist(), strict=True))
    names = "\n".join(f'"C{i}"' for i in range(1, 11))
    profile = read_blt(f'10 5\n{body}\n0\n{names}\n"big"\n'.encode())
    assert profile.n_voters == n
    assert profile.n_distinct == 10
    counts = np.bincount(first - 1, minlength=10)
    assert sorted(profile.weights.tolist()) == sorted(counts.tolist())


def test_errors_deep_in_a_large_file_name_the_right_line() -> None:
    """The reader works in blocks of about a megabyte; positions must survive the cuts."""
    lines = ["1 1 2 3 0"] * 300_000
    lines[250_000] = "1 1 9 3 0"
    body = "\n".join(lines)
    data = f'3 1\n{body}\n0\n"A"\n"B"\n"C"\n'.encode()
    with pytest.raises(BallotFormatError) as caught:
        read_blt(data, name="big.blt")
    assert caught.value.line == 250_002
    assert "9 is not a candidate" in str(caught.value)
    lines[250_000] = "1 1 2 2 0"
    data = f'3 1\n{chr(10).join(lines)}\n0\n"A"\n"B"\n"C"\n'.encode()
    with pytest.raises(BallotFormatError, match="ranked twice") as caught:
        read_blt(data, name="big.blt")
    assert caught.value.line == 250_002
