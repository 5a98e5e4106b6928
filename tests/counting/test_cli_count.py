"""``communard count`` through click's CliRunner: tables, JSON, charts, errors and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communard.adapters.cli import main
from communard.counting.formats.detect import detect_format, read_ballots
from communard.counting.formats.simple import KINDS, read_csv, read_json, write_csv, write_json

RANKED_CSV = "rank1,rank2,count\nVarlin,Vallès,5\nVallès,Louise Michel,4\nLouise Michel,Vallès,3\n"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def ranked_csv(tmp_path: Path) -> Path:
    path = tmp_path / "commune.csv"
    path.write_text(RANKED_CSV, encoding="utf-8")
    return path


def test_table_by_default(runner: CliRunner, ranked_csv: Path) -> None:
    result = runner.invoke(main, ["count", str(ranked_csv), "--method", "schulze"])
    assert result.exit_code == 0, result.output
    assert "Vallès" in result.output
    assert "Winners: Vallès" in result.output
    assert "Pairwise" in result.output


def test_json_output(runner: CliRunner, ranked_csv: Path) -> None:
    result = runner.invoke(
        main, ["count", str(ranked_csv), "--method", "borda-pessimistic", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["method"] == "borda-pessimistic"
    assert data["winners"] == ["Vallès"]
    assert data["tied"] == []
    assert data["rounds"][0]["tallies"] == {"Varlin": 10, "Vallès": 16, "Louise Michel": 10}


def test_group_json_flag_is_honoured(runner: CliRunner, ranked_csv: Path) -> None:
    result = runner.invoke(main, ["--json", "count", str(ranked_csv), "-m", "plurality"])
    assert json.loads(result.output)["winners"] == ["Varlin"]


def test_default_method_for_a_ranked_file_is_instant_runoff(
    runner: CliRunner, ranked_csv: Path
) -> None:
    result = runner.invoke(main, ["count", str(ranked_csv), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["method"] == "irv"


def test_yes_no_json_file_with_options(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "motion.json"
    path.write_text(json.dumps({"yes": 41, "no": 12, "abstain": 3, "electorate": 120}))
    result = runner.invoke(main, ["count", str(path), "-o", "quorum=1/5", "-o", "strict=false"])
    assert result.exit_code == 0, result.output
    assert (
        "Adopted: 41 for, 12 against, 3 abstentions; quorum 56/120 ≥ 20%; threshold 41/53 ≥ 1/2"
    ) in result.output


def test_tie_reported_then_broken(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "tie.csv"
    path.write_text("rank1\nA\nB\n")
    reported = runner.invoke(main, ["count", str(path), "-m", "plurality", "--json"])
    assert reported.exit_code == 0
    assert json.loads(reported.output)["tied"] == ["A", "B"]
    broken = runner.invoke(
        main, ["count", str(path), "-m", "plurality", "--json", "--tie-break", "permutation:B,A"]
    )
    data = json.loads(broken.output)
    assert data["winners"] == ["B"]
    assert data["tie_breaks"][0]["rule"] == "permutation"


def test_asking_at_a_tie_exits_5(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "tie.csv"
    path.write_text("rank1\nA\nB\n")
    result = runner.invoke(main, ["count", str(path), "-m", "plurality", "--tie-break", "ask"])
    assert result.exit_code == 5
    assert "tied" in result.output
    assert "Traceback" not in result.output


def test_bad_file_exits_3_naming_file_and_line(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("A,B\n1,2\n1,x\n")
    result = runner.invoke(main, ["count", str(path)])
    assert result.exit_code == 3
    assert "bad.csv:3:" in result.output
    assert "Traceback" not in result.output


def test_missing_file_exits_3(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["count", str(tmp_path / "nowhere.csv")])
    assert result.exit_code == 3
    assert "no such file" in result.output


def test_unknown_method_exits_4_with_a_hint(runner: CliRunner, ranked_csv: Path) -> None:
    result = runner.invoke(main, ["count", str(ranked_csv), "--method", "coin-toss"])
    assert result.exit_code == 4
    assert "--list-methods" in result.output


def test_bad_option_value_exits_4(runner: CliRunner, ranked_csv: Path) -> None:
    result = runner.invoke(
        main, ["count", str(ranked_csv), "-m", "schulze", "-o", "strength=loudest"]
    )
    assert result.exit_code == 4


def test_usage_errors_exit_2(runner: CliRunner, ranked_csv: Path) -> None:
    assert runner.invoke(main, ["count"]).exit_code == 2
    assert runner.invoke(main, ["count", str(ranked_csv), "--seats", "0"]).exit_code == 2
    assert runner.invoke(main, ["count", str(ranked_csv), "-o", "novalue"]).exit_code == 2


def test_list_methods(runner: CliRunner) -> None:
    table = runner.invoke(main, ["count", "--list-methods"])
    assert table.exit_code == 0
    assert "schulze" in table.output
    listed = json.loads(runner.invoke(main, ["count", "--list-methods", "--json"]).output)
    ids = {m["id"] for m in listed}
    assert {
        "yes-no",
        "consent",
        "consensus",
        "plurality",
        "approval",
        "score",
        "star",
        "majority-judgment",
        "borda",
        "schulze",
        "ranked-pairs",
        "copeland",
        "minimax",
    } <= ids


def test_report_rctab_needs_a_contest_config(runner: CliRunner, ranked_csv: Path) -> None:
    result = runner.invoke(main, ["count", str(ranked_csv), "--report", "rctab"])
    assert result.exit_code == 4
    assert "RCTab" in result.output


@pytest.mark.parametrize("suffix", [".svg", ".html"])
def test_chart(runner: CliRunner, ranked_csv: Path, tmp_path: Path, suffix: str) -> None:
    chart = tmp_path / f"rounds{suffix}"
    result = runner.invoke(main, ["count", str(ranked_csv), "--chart", str(chart)])
    assert result.exit_code == 0, result.output
    text = chart.read_text(encoding="utf-8")
    assert "<svg" in text
    assert "Round 2" in text


def test_chart_of_another_kind_is_refused(
    runner: CliRunner, ranked_csv: Path, tmp_path: Path
) -> None:
    result = runner.invoke(main, ["count", str(ranked_csv), "--chart", str(tmp_path / "x.png")])
    assert result.exit_code == 4


def test_approval_csv_with_kind_from_the_method(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "approval.csv"
    path.write_text("Varlin,Vallès,Louise Michel\n1,0,1\n0,1,1\n1,0,0\n")
    result = runner.invoke(main, ["count", str(path), "-m", "approval", "--json"])
    data = json.loads(result.output)
    assert data["tied"] == ["Varlin", "Louise Michel"]
    assert data["rounds"][0]["tallies"] == {"Varlin": 2, "Vallès": 1, "Louise Michel": 2}


def test_score_csv(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text("A,B,C,count\n5,3,0,2\n0,4,5,1\n")
    result = runner.invoke(main, ["count", str(path), "-m", "star", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["winners"] == ["A"]


def test_simple_formats_round_trip(ranked_csv: Path, tmp_path: Path) -> None:
    profile = read_csv(ranked_csv)
    write_json(profile, tmp_path / "again.json")
    again = read_json(tmp_path / "again.json")
    write_csv(again, tmp_path / "again.csv")
    third = read_csv(tmp_path / "again.csv")
    for p in (again, third):
        assert p.options == profile.options
        assert (p.ranks == profile.ranks).all()
        assert (p.weights == profile.weights).all()


def test_option_layout_ranks_and_overvotes(tmp_path: Path) -> None:
    path = tmp_path / "ranks.csv"
    path.write_text("A,B,C\n1,2,\n1,1,2\n")
    profile = read_csv(path)
    assert profile.options == ("A", "B", "C")
    assert sorted(profile.ranks.tolist()) == [[-2, 2], [0, 1]]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"options": ["A"], "ballots": [{"ranking": ["Z"]}]}', "ballot 1: 'Z'"),
        ('{"options": ["A"], "ballots": [{"ranking": ["A"], "count": -1}]}', "count"),
        ('{"options": ["A"], "ballots": [', "not valid JSON"),
        ("[1, 2]", "top level"),
        ('{"yes": null}', '"yes"'),
        ('{"options": ["A"], "kind": "score", "max_score": "ten", "ballots": []}', "max_score"),
    ],
)
def test_malformed_json_is_named(tmp_path: Path, content: str, problem: str) -> None:
    from communard.counting import BallotFormatError

    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(BallotFormatError) as error:
        read_json(path)
    assert problem in str(error.value)
    assert "bad.json" in str(error.value)


def test_format_detection(tmp_path: Path) -> None:
    blt = tmp_path / "ward"
    blt.write_text('2 1\n1 1 2 0\n0\n"A"\n"B"\n"Ward"\n')
    assert detect_format(blt) == "blt"
    config = tmp_path / "contest.json"
    config.write_text('{"tabulatorVersion": "1.3.0", "cvrFileSources": []}')
    assert detect_format(config) == "rctab"
    simple = tmp_path / "ballots.json"
    simple.write_text('{"options": ["A"], "ballots": []}')
    assert detect_format(simple) == "json"
    preflib = tmp_path / "x.toi"
    preflib.write_text("# FILE NAME: x.toi\n")
    assert detect_format(preflib) == "preflib"
    assert read_ballots(blt).profile.options == ("A", "B")


def test_unknown_format_is_a_format_error(tmp_path: Path) -> None:
    from communard.counting import BallotFormatError

    path = tmp_path / "notes.txt"
    path.write_text("hello\n")
    with pytest.raises(BallotFormatError, match="--format"):
        detect_format(path)


def test_charts_escape_names_and_draw_budgets_and_bars() -> None:
    from communard.counting import Outcome, Round
    from communard.counting.charts import render_chart, render_svg

    bars = Outcome(
        "approval", "1", ("<Rosa & co>",), [Round(1, tallies={"<Rosa & co>": 3, "B": 1})]
    )
    svg = render_svg(bars)
    assert "&lt;Rosa &amp; co&gt;" in svg
    assert "<Rosa" not in svg
    budget = Outcome(
        "greedy",
        "1",
        ("p1", "p2"),
        [
            Round(1, tallies={"p1": 40}, elected=["p1"], extra={"cost": 600}),
            Round(2, tallies={"p2": 30}, elected=["p2"], extra={"cost": 300}),
        ],
        details={"budget": 1000, "spent": 900},
    )
    drawn = render_svg(budget)
    assert "Budget 1000, spent 900" in drawn
    assert "cost 600, votes 40" in drawn
    assert render_chart(budget, ".html").startswith("<!doctype html>")


def test_rctab_report_of_a_profile_counted_by_rctab(runner: CliRunner, ranked_csv: Path) -> None:
    result = runner.invoke(main, ["count", str(ranked_csv), "-m", "rctab", "--report", "rctab"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"config", "results"} <= set(data)


def test_a_missing_reader_is_a_format_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from communard.counting import BallotFormatError
    from communard.counting.formats import detect

    monkeypatch.setitem(detect.READERS, "blt", ("communard.counting.formats.nowhere", "read"))
    with pytest.raises(BallotFormatError, match="not part of this installation"):
        detect.reader("blt")


def test_grades_by_name_in_json(tmp_path: Path) -> None:
    path = tmp_path / "grades.json"
    path.write_text(
        json.dumps(
            {
                "options": ["A", "B"],
                "kind": "score",
                "scale": ["poor", "fair", "good"],
                "ballots": [{"scores": {"A": "good", "B": "fair"}, "count": 2}],
            }
        )
    )
    profile = read_json(path)
    assert profile.scale == ("poor", "fair", "good")
    assert profile.scores.tolist() == [[2, 1]]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(alphabet='AB,="\n 120x-', max_size=40), kind=st.sampled_from(KINDS))
def test_any_csv_text_is_read_or_refused_by_name(tmp_path: Path, text: str, kind: str) -> None:
    from communard.counting import BallotFormatError

    path = tmp_path / "fuzz.csv"
    path.write_text(text, encoding="utf-8")
    try:
        read_csv(path, kind=kind)
    except BallotFormatError as error:
        assert "fuzz.csv" in str(error)
