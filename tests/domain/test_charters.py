"""Charter validation: every error names the field, the value and the fix."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction
from importlib import resources

import pytest

from communard.domain.charters import parse_charter, parse_duration, parse_fraction
from communard.errors import CharterError

DEFAULT = resources.files("communard.charters").joinpath("default.toml").read_text("utf-8")


def test_the_shipped_templates_are_valid() -> None:
    for name in ("default", "open"):
        text = resources.files("communard.charters").joinpath(f"{name}.toml").read_text("utf-8")
        charter = parse_charter(text)
        assert {"ordinary", "charter-amendment", "emergency"} <= set(charter.classes)
    charter = parse_charter(DEFAULT)
    ordinary = charter.classes["ordinary"]
    assert ordinary.threshold == Fraction(1, 2) and ordinary.strict
    assert ordinary.quorum == Fraction(1, 5)
    assert ordinary.deliberation == timedelta(days=3)
    emergency = charter.classes["emergency"]
    assert emergency.lapses_unless_ratified == timedelta(days=14)
    assert emergency.ratified_by == "ordinary"
    assert charter.amendment_class == "charter-amendment"
    assert charter.admission.mode == "sponsors" and charter.admission.sponsors == 2


def _error(old: str, new: str) -> CharterError:
    assert old in DEFAULT
    with pytest.raises(CharterError) as error:
        parse_charter(DEFAULT.replace(old, new, 1))
    return error.value


@pytest.mark.parametrize(
    ("old", "new", "field", "fix"),
    [
        ('threshold = "1/2"', "threshold = 0.5", "classes.ordinary.threshold", "no decimals"),
        ('threshold = "1/2"', 'threshold = "3/2"', "classes.ordinary.threshold", "between 0"),
        ('quorum = "20%"', 'quorum = "twenty"', "classes.ordinary.quorum", "20%"),
        ('voting = "3d"', 'voting = "three days"', "classes.ordinary.voting", '"7d"'),
        ('voting = "3d"', 'voting = "0"', "classes.ordinary.voting", "longer than 0"),
        (
            'threshold_of = "cast"',
            'threshold_of = "all"',
            "classes.ordinary.threshold_of",
            '"cast"',
        ),
        ('ballot = "open"', 'ballot = "show-of-hands"', "classes.ordinary.ballot", '"open"'),
        ("seconds = 2", "seconds = -1", "classes.ordinary.seconds", "0 or more"),
        ("strict = true", 'strict = "yes"', "classes.ordinary.strict", "true"),
        ('admission = "sponsors"', 'admission = "lottery"', "membership.admission", "open"),
        (
            'amendment_class = "charter-amendment"',
            'amendment_class = "nope"',
            "charter.amendment_class",
            "charter-amendment",
        ),
        ("format = 1", "format = 2", "charter.format", "format = 1"),
        (
            'ratified_by = "ordinary"',
            'ratified_by = "nothing"',
            "classes.emergency.ratified_by",
            "ordinary",
        ),
        ('rule = "yes-no"', 'rule = "irv"', "classes.ordinary.rule", "yes-no"),
        (
            "[classes.ordinary]",
            "[classes.ordinary]\ntreshold = 1",
            "classes.ordinary.treshold",
            "spelling",
        ),
    ],
)
def test_errors_name_field_value_and_fix(old: str, new: str, field: str, fix: str) -> None:
    error = _error(old, new)
    assert error.field == field
    assert fix in error.fix
    assert error.code == "charter.invalid"
    assert field in error.message


def test_secret_ballots_are_reserved() -> None:
    error = _error('ballot = "open"', 'ballot = "secret"')
    assert error.code == "charter.secret_unavailable"
    assert "not available yet" in error.fix


def test_ordinary_is_required_and_toml_errors_are_explained() -> None:
    with pytest.raises(CharterError) as missing:
        parse_charter(
            DEFAULT.replace("[classes.ordinary]", "[classes.plain]")
            .replace('decision_class = "ordinary"', 'decision_class = "plain"')
            .replace('ratified_by = "ordinary"', 'ratified_by = "plain"')
        )
    assert missing.value.field == "classes.ordinary"
    with pytest.raises(CharterError) as syntax:
        parse_charter("[charter\nformat = 1")
    assert syntax.value.field == "charter"
    assert "TOML syntax" in syntax.value.fix


def test_durations_and_fractions() -> None:
    assert parse_duration("f", "1d 12h") == timedelta(hours=36)
    assert parse_duration("f", "2w") == timedelta(days=14)
    assert parse_duration("f", "90m") == timedelta(minutes=90)
    assert parse_duration("f", "0") == timedelta(0)
    assert parse_fraction("f", "2/3") == Fraction(2, 3)
    assert parse_fraction("f", "20%") == Fraction(1, 5)
    assert parse_fraction("f", 1) == 1
    for bad in ("1/0", "-1/2", "0.5", True, 2):
        with pytest.raises(CharterError):
            parse_fraction("f", bad)
    with pytest.raises(CharterError):
        parse_duration("f", "3 days and a bit")


def test_a_charter_may_be_written_in_json() -> None:
    import json
    import tomllib

    data = tomllib.loads(DEFAULT)
    charter = parse_charter(json.dumps(data))
    assert charter.classes == parse_charter(DEFAULT).classes
    data["classes"]["ordinary"]["quorum"] = 0.2
    with pytest.raises(CharterError) as error:
        parse_charter(json.dumps(data))
    assert error.value.field == "classes.ordinary.quorum"
    with pytest.raises(CharterError) as syntax:
        parse_charter("{not json")
    assert "JSON syntax" in syntax.value.fix
