"""The exit-code table: one distinct code per error class, documented."""

from __future__ import annotations

import re
from pathlib import Path

from communard import errors
from communard.adapters.cli import exit_codes

ROOT = Path(__file__).resolve().parents[2]


def test_every_error_class_has_its_own_code() -> None:
    classes = [getattr(errors, name) for name in errors.__all__]
    assert set(classes) <= set(exit_codes.EXIT_CODE_BY_ERROR)
    codes = list(exit_codes.EXIT_CODE_BY_ERROR.values())
    assert len(codes) == len(set(codes))
    reserved = {exit_codes.OK, exit_codes.USAGE, exit_codes.JOURNAL_BROKEN, exit_codes.DATABASE}
    assert not reserved & set(codes)


def test_the_most_specific_class_wins() -> None:
    closed = errors.StateError("The vote is closed.", code="vote.closed")
    assert exit_codes.exit_code_for(closed) == exit_codes.OUT_OF_STATE
    taken = errors.Conflict("Taken.")
    assert exit_codes.exit_code_for(taken) == exit_codes.CONFLICT


def test_the_documented_tables_match() -> None:
    for document in (ROOT / "README.md", ROOT / "docs" / "cli.md"):
        text = document.read_text(encoding="utf-8")
        documented = {int(code) for code in re.findall(r"^\| +(\d+) \|", text, re.MULTILINE)}
        assert documented == set(exit_codes.DESCRIPTIONS), document.name
