"""Offices in the charter: every error names the field, the value and the fix."""

from __future__ import annotations

import json
import tomllib
from datetime import timedelta
from fractions import Fraction
from pathlib import Path

import pytest

from communard.counting.ties import Ask, Permutation, PreviousRounds
from communard.domain.charters import parse_charter
from communard.domain.commissions import parse_commissions
from communard.domain.offices import lookup, parse_offices
from communard.errors import CharterError

COUNCIL = """
[offices.council]
title = "Council of the Commune"
constituency = "section"
seats = 3
method = "stv"
term = "365d"
consecutive_terms = 2
incompatible = ["treasurer"]

[offices.council.recall]
threshold = "1/5"
window = "30d"
then = "vote"
decision_class = "recall"

[offices.council.vacancy]
rule = "countback"

[offices.council.stipend]
cap_cents = 600000
ratio_to_median = "1"
per = "year"

[offices.treasurer]
title = "Treasurer"
method = "irv"
term = "180d"

[offices.treasurer.recall]
threshold = "10%"
then = "immediate"

[offices.finance]
title = "Finance commission"
constituency = "commission"
body = "finance"
seats = 5
method = "equal-shares"

[offices.finance.vacancy]
rule = "substitutes"
"""

CLASSES = ("ordinary", "recall")


def test_a_council_with_every_field() -> None:
    offices = parse_offices(COUNCIL, classes=CLASSES, commissions=("finance",))
    council = offices["council"]
    assert council.method == "scottish-stv"  # "stv" is an alias, stored by its id
    assert council.ballot == "ranked"
    assert council.constituency == "section" and council.seats == 3
    assert council.term == timedelta(days=365) and council.consecutive_terms == 2
    assert council.recall.threshold == Fraction(1, 5)
    assert council.recall.window == timedelta(days=30)
    assert council.recall.decision_class == "recall"
    assert council.vacancy.rule == "countback" and council.vacancy.countback == "hare-clark"
    assert council.stipend.cap_cents == 600000
    assert council.stipend.ratio_to_median == 1
    # Incompatibility is mutual, whichever table names it.
    assert offices["treasurer"].incompatible == frozenset({"council"})
    assert offices["treasurer"].recall.then == "immediate"
    assert offices["treasurer"].stipend.unpaid
    assert offices["treasurer"].vacancy.rule == "by-election"
    assert offices["finance"].ballot == "approval"
    assert offices["finance"].body == "finance"
    json.dumps(council.to_json())  # JSON-ready, no floats


def test_json_charters_read_the_same() -> None:
    data = tomllib.loads(COUNCIL)
    from_json = parse_offices(json.dumps(data), classes=CLASSES)
    assert from_json == parse_offices(COUNCIL, classes=CLASSES)
    assert parse_offices(data, classes=CLASSES) == from_json


def test_defaults_keep_every_office_recallable() -> None:
    offices = parse_offices('[offices.delegate]\ntitle = "Delegate"\n')
    delegate = offices["delegate"]
    assert delegate.method == "irv" and delegate.seats == 1
    assert delegate.recall.threshold == Fraction(1, 5) and delegate.recall.then == "vote"
    assert delegate.consecutive_terms is None


@pytest.mark.parametrize(
    ("old", "new", "field", "fix"),
    [
        (
            'constituency = "section"',
            'constituency = "ward"',
            "offices.council.constituency",
            "commune, section",
        ),
        ("seats = 3", "seats = 0", "offices.council.seats", "at least 1 (per section)"),
        ('method = "stv"', 'method = "dictator"', "offices.council.method", "scottish-stv"),
        ('method = "stv"', 'method = "yes-no"', "offices.council.method", "ranked, approval"),
        ('method = "irv"', 'method = "irv"\nseats = 2', "offices.treasurer.method", "proportional"),
        ('term = "365d"', 'term = "0"', "offices.council.term", "longer than 0"),
        (
            "consecutive_terms = 2",
            "consecutive_terms = 0",
            "offices.council.consecutive_terms",
            "at least 1",
        ),
        (
            'incompatible = ["treasurer"]',
            'incompatible = ["mayor"]',
            "offices.council.incompatible",
            "treasurer",
        ),
        (
            'incompatible = ["treasurer"]',
            'incompatible = ["council"]',
            "offices.council.incompatible",
            "itself",
        ),
        ('threshold = "1/5"', "threshold = 0.2", "offices.council.recall.threshold", "no decimals"),
        ('threshold = "1/5"', 'threshold = "0"', "offices.council.recall.threshold", "above 0"),
        ('then = "vote"', 'then = "duel"', "offices.council.recall.then", "immediate"),
        (
            'decision_class = "recall"',
            'decision_class = "lottery"',
            "offices.council.recall.decision_class",
            "ordinary",
        ),
        ('rule = "countback"', 'rule = "heredity"', "offices.council.vacancy.rule", "by-election"),
        (
            "cap_cents = 600000",
            "cap_cents = 6000.5",
            "offices.council.stipend.cap_cents",
            "whole number of cents",
        ),
        (
            'ratio_to_median = "1"',
            'ratio_to_median = "1.5"',
            "offices.council.stipend.ratio_to_median",
            "3/2",
        ),
        ('per = "year"', 'per = "fortnight"', "offices.council.stipend.per", "month"),
        ('body = "finance"', 'body = "war"', "offices.finance.body", "finance"),
        (
            'rule = "substitutes"',
            'rule = "countback"',
            "offices.finance.vacancy.rule",
            "ranked ballots",
        ),
        (
            'title = "Treasurer"',
            'title = "Treasurer"\nsalary = 1',
            "offices.treasurer.salary",
            "known keys",
        ),
    ],
)
def test_errors_name_the_field_and_the_fix(old: str, new: str, field: str, fix: str) -> None:
    assert old in COUNCIL
    with pytest.raises(CharterError) as error:
        parse_offices(COUNCIL.replace(old, new, 1), classes=CLASSES, commissions=("finance",))
    assert error.value.field == field
    assert fix in error.value.fix
    assert error.value.code == "charter.invalid"


def test_hare_clark_countback_needs_a_gregory_count() -> None:
    meek = COUNCIL.replace('method = "stv"', 'method = "meek"', 1)
    # Without a countback rule, a Meek office recounts by rerunning the count.
    assert parse_offices(meek, classes=CLASSES)["council"].vacancy.countback == "rerun"
    text = meek.replace('rule = "countback"', 'rule = "countback"\ncountback = "hare-clark"', 1)
    with pytest.raises(CharterError) as error:
        parse_offices(text, classes=CLASSES)
    assert error.value.field == "offices.council.vacancy.countback"
    assert "rerun" in error.value.fix


def test_elections_are_scheduled_in_time() -> None:
    text = COUNCIL.replace('term = "365d"', 'term = "365d"\nschedule_before = "10d"', 1)
    with pytest.raises(CharterError) as error:
        parse_offices(text, classes=CLASSES)
    assert error.value.field == "offices.council.schedule_before"


def test_tie_breaks_draw_lots_only_when_given_an_order() -> None:
    council = parse_offices(COUNCIL, classes=CLASSES)["council"]
    assert isinstance(council.tie_breaker(), PreviousRounds)
    breaker = council.tie_breaker(("1", "2"))
    assert isinstance(breaker, PreviousRounds) and isinstance(breaker.then, Permutation)
    lot = parse_offices(
        COUNCIL.replace("seats = 3", 'seats = 3\ntie_break = "lot"', 1), classes=CLASSES
    )["council"]
    assert isinstance(lot.tie_breaker(), Ask)
    assert isinstance(lot.tie_breaker(("2", "1")), Permutation)


def test_lookup_names_the_offices() -> None:
    offices = parse_offices(COUNCIL, classes=CLASSES)
    with pytest.raises(CharterError) as error:
        lookup(offices, "mayor")
    assert error.value.code == "office.unknown"
    assert "council" in error.value.fix


def test_seats_per_section() -> None:
    text = COUNCIL.replace("seats = 3", 'seats = 3\nseats_by_section = { "11e" = 7, "1er" = 4 }', 1)
    council = parse_offices(text, classes=CLASSES)["council"]
    assert council.seats_for("11e") == 7 and council.seats_for("2e") == 3
    assert council.seats_for() == 3
    assert council.to_json()["seats_by_section"] == {"11e": 7, "1er": 4}
    bad = COUNCIL.replace("seats = 3", 'seats = 3\nseats_by_section = { "11e" = 0 }', 1)
    with pytest.raises(CharterError) as error:
        parse_offices(bad, classes=CLASSES)
    assert error.value.field == "offices.council.seats_by_section.11e"
    one = COUNCIL.replace('method = "irv"', 'method = "irv"\nseats_by_section = { "11e" = 2 }')
    with pytest.raises(CharterError) as error:
        parse_offices(one, classes=CLASSES)
    assert error.value.field == "offices.treasurer.seats_by_section"


def test_the_example_in_the_secretarys_guide_is_valid() -> None:
    guide = Path(__file__).resolve().parents[2] / "docs" / "offices.md"
    text = guide.read_text("utf-8").split("```toml\n", 1)[1].split("```", 1)[0]
    data = tomllib.loads(text)
    rest = {k: v for k, v in data.items() if k not in ("offices", "commissions")}
    charter = parse_charter(json.dumps(rest))
    offices = parse_offices(text, classes=charter.classes, commissions=data["commissions"])
    rules = parse_commissions(text, classes=charter.classes, offices=offices)
    assert offices["council"].seats_for("11e") == 7
    assert offices["treasurer"].incompatible == frozenset({"council"})
    assert offices["federal-delegate"].recall.then == "immediate"
    assert rules["labour"].decides == frozenset({"commission"})
