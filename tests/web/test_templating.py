"""The filters that print the record for people: times, durations, fractions, journal lines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

from communard.adapters.web.templating import duration, entry_summary, fraction, percent, when


def test_when_prints_utc_times_from_datetimes_and_iso_strings() -> None:
    assert when(datetime(2026, 11, 25, 9, 5, tzinfo=UTC)) == "25 Nov 2026, 09:05 UTC"
    assert when("2026-11-25T10:05:00+01:00") == "25 Nov 2026, 09:05 UTC"
    assert when(None) == "" and when("not a time") == "not a time"


def test_duration_uses_the_largest_whole_unit() -> None:
    assert duration(timedelta(days=14)) == "2 weeks"
    assert duration(86400 * 3) == "3 days"
    assert duration(3600 * 24 + 3600) == "25 hours"
    assert duration(0) == "none"


def test_fractions_and_percentages() -> None:
    assert fraction("2/3") == "2/3"
    assert fraction(Fraction(1, 2)) == "1/2"
    assert fraction("1") == "1"
    assert percent("1/5") == "20%" and percent("1/2") == "50%" and percent("1/3") == "1/3"


def test_journal_lines_say_who_did_what_to_which_motion() -> None:
    cast = {
        "type": "vote.cast/1",
        "payload": {
            "motion": 9,
            "choice": "for",
            "member": 3,
            "name": "Louise Michel",
            "previous": "against",
        },
    }
    assert entry_summary(cast) == "Louise Michel voted for on motion 9 · previous: against"
    founded = {
        "type": "commune.founded/1",
        "payload": {
            "slug": "paris",
            "name": "Commune de Paris",
            "founder": {"member": 1, "name": "Louise"},
        },
    }
    assert entry_summary(founded).startswith("Louise founded Commune de Paris")
    closed = {
        "type": "motion.closed/1",
        "payload": {
            "motion": 3,
            "decision": "adopted",
            "explanation": "Adopted: 19 for",
            "closed_at": "2026-11-25T09:00:00+00:00",
        },
    }
    assert entry_summary(closed) == "Motion 3 closed · Adopted: 19 for"
    charter = {"type": "charter.adopted/1", "payload": {"version": 1, "text": "[charter]..."}}
    assert entry_summary(charter) == "Charter adopted · version: 1"


def test_day_prints_the_date_alone() -> None:
    from communard.adapters.web.templating import day

    assert day("2026-11-25T10:21:00+00:00") == "25 Nov 2026"
    assert day(None) == ""


def test_linkify_escapes_and_links_addresses() -> None:
    from communard.adapters.web.templating import linkify

    text = "Accept: http://x.example/c/p/join?token=a&b=1\n<script>"
    assert str(linkify(text)) == (
        'Accept: <a href="http://x.example/c/p/join?token=a&amp;b=1">'
        "http://x.example/c/p/join?token=a&amp;b=1</a>\n&lt;script&gt;"
    )


def test_word_diff_marks_removed_and_added_words() -> None:
    from communard.adapters.web.templating import word_diff

    out = str(word_diff("Rents are frozen <now>.", "Rents are halved <now>."))
    assert out == (
        'Rents are <del><span class="visually-hidden">removed: </span>frozen</del> '
        '<ins><span class="visually-hidden">added: </span>halved</ins> &lt;now&gt;.'
    )
