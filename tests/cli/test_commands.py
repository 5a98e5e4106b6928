"""The CLI end to end: found, invite, propose, second, vote; errors and exit codes."""

from __future__ import annotations

import itertools

import pytest

from communard.adapters.cli import exit_codes
from tests.cli.conftest import Invoke, data

LOUISE = ("--as", "louise@oberkampf.example")
EUGENE = ("--as", "eugene@oberkampf.example")


def test_every_command_has_help(communard: Invoke) -> None:
    for args in (
        [],
        ["init"],
        ["demo"],
        ["serve"],
        ["tick"],
        ["member"],
        ["member", "list"],
        ["member", "invite"],
        ["member", "admit"],
        ["member", "leave"],
        ["member", "suspend"],
        ["member", "show"],
        ["motion"],
        ["motion", "propose"],
        ["motion", "second"],
        ["motion", "open-vote"],
        ["motion", "close"],
        ["vote", "cast"],
        ["vote", "tally"],
        ["journal", "verify"],
        ["journal", "export"],
    ):
        result = communard(*args, "--help")
        assert result.exit_code == 0, (args, result.output)
        assert "Usage:" in result.output


def test_init_founds_a_commune_and_lists_its_founder(founded: Invoke) -> None:
    listed = founded("--json", "member", "list")
    assert listed.exit_code == 0, listed.output
    names = sorted(m["name"] for m in data(listed))
    assert names == ["Eugène", "Louise", "Nathalie"]
    human = founded("member", "list")
    assert "Louise" in human.stdout and "active" in human.stdout


def test_init_prompts_for_the_password(communard: Invoke) -> None:
    result = communard(
        "init",
        "--name",
        "Prompted",
        "--slug",
        "prompted",
        "--founder-email",
        "a@b.example",
        "--founder-name",
        "A",
        input="a-long-password\na-long-password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Founded" in result.stdout


def test_a_motion_from_proposal_to_ballots(founded: Invoke) -> None:
    proposed = founded(
        "--json",
        "motion",
        "propose",
        *LOUISE,
        "--title",
        "A shared laundry",
        "--text",
        "The commune opens a shared laundry in the courtyard.",
    )
    assert proposed.exit_code == 0, proposed.output
    number = str(data(proposed)["motion"])
    assert data(proposed)["state"] == "seconding"

    seconded = founded("motion", "second", number, *EUGENE)
    assert seconded.exit_code == 0, seconded.output
    assert "deliberation" in seconded.stdout

    commented = founded("motion", "comment", number, "Yes, with a drying room.", *EUGENE)
    assert commented.exit_code == 0, commented.output

    shown = founded("--json", "motion", "show", number)
    assert data(shown)["state"] == "deliberation"
    assert data(shown)["comments"][0]["body"] == "Yes, with a drying room."

    # Deliberation lasts three days: the vote cannot open yet, and says so.
    early = founded("motion", "open-vote", number, *LOUISE)
    assert early.exit_code == exit_codes.OUT_OF_STATE, early.output
    assert "Deliberation" in early.stderr
    assert "Hint:" in early.stderr
    assert "Traceback" not in early.output

    listed = founded("motion", "list", "--state", "deliberation")
    assert "A shared laundry" in listed.stdout


def test_errors_have_distinct_exit_codes_and_no_traceback(founded: Invoke) -> None:
    unknown_motion = founded("motion", "second", "99", *EUGENE)
    assert unknown_motion.exit_code == exit_codes.NOT_FOUND
    assert "motion.not_found" in unknown_motion.stderr

    stranger = founded("motion", "second", "1", "--as", "nobody@example.org")
    assert stranger.exit_code == exit_codes.UNAUTHENTICATED
    assert "nobody@example.org" in stranger.stderr

    bad_slug = founded(
        "init",
        "--name",
        "X",
        "--slug",
        "Not A Slug!",
        "--founder-email",
        "x@y.example",
        "--founder-name",
        "X",
        "--password",
        "a-long-password",
    )
    assert bad_slug.exit_code == exit_codes.INVALID_INPUT, bad_slug.output

    taken = founded(
        "init",
        "--name",
        "X",
        "--slug",
        "oberkampf",
        "--founder-email",
        "x@y.example",
        "--founder-name",
        "X",
        "--password",
        "a-long-password",
    )
    assert taken.exit_code == exit_codes.CONFLICT, taken.output

    codes = {unknown_motion.exit_code, stranger.exit_code, bad_slug.exit_code, taken.exit_code}
    assert len(codes) == 4
    for result in (unknown_motion, stranger, bad_slug, taken):
        assert "Traceback" not in result.output


def test_errors_as_json(founded: Invoke) -> None:
    result = founded("--json", "motion", "second", "99", *EUGENE)
    assert result.exit_code == exit_codes.NOT_FOUND
    import json

    error = json.loads(result.stderr)["error"]
    assert error["code"] == "motion.not_found"
    assert set(error) == {"code", "message", "hint", "details"}


def test_a_bad_charter_file_names_the_field(communard: Invoke, tmp_path: object) -> None:
    from pathlib import Path

    charter = Path(str(tmp_path)) / "charter.toml"
    charter.write_text('[charter]\nformat = 1\nname = "x"\n[classes.ordinary]\nquorum = "150%"\n')
    result = communard(
        "init",
        "--name",
        "X",
        "--slug",
        "xx",
        "--founder-email",
        "x@y.example",
        "--founder-name",
        "X",
        "--password",
        "a-long-password",
        "--charter",
        str(charter),
    )
    assert result.exit_code == exit_codes.CHARTER, result.output
    assert "charter" in result.stderr


def test_several_communes_need_commune_option(founded: Invoke) -> None:
    second = founded(
        "init",
        "--name",
        "Other",
        "--slug",
        "other",
        "--founder-email",
        "o@o.example",
        "--founder-name",
        "O",
        "--password",
        "a-long-password",
    )
    assert second.exit_code == 0, second.output
    ambiguous = founded("member", "list")
    assert ambiguous.exit_code == exit_codes.USAGE
    assert "--commune" in ambiguous.stderr
    chosen = founded("member", "list", "--commune", "other")
    assert chosen.exit_code == 0 and "O" in chosen.stdout


def test_unreachable_database_is_reported(tmp_path: object) -> None:
    from click.testing import CliRunner

    from communard.adapters.cli import main

    result = CliRunner().invoke(
        main, ["--db", "sqlite:////nonexistent-dir/x/y.db", "member", "list"]
    )
    assert result.exit_code == exit_codes.DATABASE, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("output", [False, True], ids=["stdout", "file"])
def test_journal_verify_and_export(founded: Invoke, tmp_path: object, output: bool) -> None:
    import json
    from pathlib import Path

    verified = founded("journal", "verify")
    assert verified.exit_code == 0
    assert "chain intact" in verified.stdout
    if output:
        path = Path(str(tmp_path)) / "journal.jsonl"
        exported = founded("journal", "export", "--output", str(path))
        assert exported.exit_code == 0, exported.output
        lines = path.read_text(encoding="utf-8").splitlines()
    else:
        exported = founded("journal", "export")
        assert exported.exit_code == 0, exported.output
        lines = exported.stdout.splitlines()
    entries = [json.loads(line) for line in lines]
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0]["type"] == "commune.founded/1"
    assert all(e["prev"] == p["hash"] for p, e in itertools.pairwise(entries))


def test_tick_reports_what_it_settled(founded: Invoke) -> None:
    result = founded("tick")
    assert result.exit_code == 0, result.output
    assert "Nothing was due" in result.stdout
    as_json = founded("--json", "tick")
    assert data(as_json)["communes"] == 1


def test_member_leave_and_show(founded: Invoke) -> None:
    left = founded("member", "leave", *EUGENE)
    assert left.exit_code == 0, left.output
    again = founded("member", "leave", *EUGENE)
    assert again.exit_code in (exit_codes.OUT_OF_STATE, exit_codes.CONFLICT), again.output
    listed = data(founded("--json", "member", "list"))
    eugene = next(m for m in listed if m["name"] == "Eugène")
    shown = founded("member", "show", str(eugene["member"]))
    assert "left" in shown.stdout


def test_join_takes_a_token_that_begins_with_a_dash(communard: Invoke) -> None:
    founded = communard(
        "init",
        "--name",
        "Dash",
        "--slug",
        "dash",
        "--founder-email",
        "d@dash.example",
        "--founder-name",
        "D",
        "--password",
        "a-long-password",
        "--charter",
        "open",
    )
    assert founded.exit_code == 0, founded.output
    # A token of the right shape that was never issued: the services, not click, refuse it.
    result = communard("member", "join", "dash", "-iNotAToken", "--password", "another-pass")
    assert result.exit_code == exit_codes.NOT_FOUND, result.output
    assert "invitation" in result.stderr
