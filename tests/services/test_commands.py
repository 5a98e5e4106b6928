"""Commands built from JSON (the API's and the CLI's input): fields checked by type."""

from __future__ import annotations

import pytest

from communard.errors import InvalidInput
from communard.services import commands as c


def test_every_command_has_a_unique_dotted_id() -> None:
    ids = [kind.id for kind in c.ALL]
    assert len(ids) == len(set(ids))
    assert all(i == "tick" or "." in i for i in ids)


def test_from_json_builds_and_converts_digit_strings() -> None:
    assert c.from_json("vote.cast", {"commune": "paris", "motion": "3", "choice": "for"}) == (
        c.CastBallot(commune="paris", motion=3, choice="for")
    )
    assert (
        c.from_json(
            "motion.propose", {"commune": "p", "title": "T", "body": "B", "draft": None}
        ).draft
        is None
    )


@pytest.mark.parametrize(
    ("command_id", "data", "field"),
    [
        ("vote.cast", {"commune": "paris", "motion": "three"}, "motion"),
        ("vote.cast", {"commune": "paris", "motion": True}, "motion"),
        ("vote.cast", {"commune": "paris", "choice": 1}, "choice"),
        ("vote.cast", {"commune": "paris", "ballot": "for"}, "ballot"),
        ("vote.cast", {"motion": 1}, "commune"),
        ("vote.cast", ["paris"], "command"),
        ("vote.steal", {}, "command"),
    ],
)
def test_from_json_names_the_wrong_field(command_id: str, data: object, field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        c.from_json(command_id, data)  # type: ignore[arg-type]
    assert error.value.field == field
