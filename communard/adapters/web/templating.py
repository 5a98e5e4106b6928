"""The Jinja2 environment of the pages, and the filters that print times and fractions."""

from __future__ import annotations

import difflib
import re
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

TEMPLATES = Path(__file__).parent / "templates"

# The words of a roll-call ballot, in the order the vote form offers them.
CHOICES: list[tuple[str, str]] = [("for", "For"), ("against", "Against"), ("abstain", "Abstain")]
CHOICE_WORDS = dict(CHOICES)


def when(value: Any) -> str:
    """A time as a reader wants it: '25 Nov 2026, 10:21 UTC' (ISO strings accepted)."""
    if value is None or value == "":
        return ""
    moment: Any = value
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return str(moment.astimezone(UTC).strftime("%-d %b %Y, %H:%M UTC"))
    return str(moment)


def day(value: Any) -> str:
    """A date alone, where the hour is noise: '25 Nov 2026'."""
    text = when(value)
    return text.split(",")[0] if text else ""


_URL = re.compile(r"https?://[^\s<>\"']+")


def linkify(text: Any) -> Markup:
    """Plain text, escaped, with its web addresses made into links (invitation mails)."""
    source = str(text or "")
    parts: list[str] = []
    last = 0
    for found in _URL.finditer(source):
        parts.append(str(escape(source[last : found.start()])))
        url = escape(found.group(0))
        parts.append(f'<a href="{url}">{url}</a>')
        last = found.end()
    parts.append(str(escape(source[last:])))
    return Markup("".join(parts))


def word_diff(before: Any, after: Any) -> Markup:
    """What an amendment changes: ``after`` with removed words in <del> and added ones in <ins>.

    Words, not characters, because an assembly reads and votes on wording.
    """
    old, new = str(before or "").split(" "), str(after or "").split(" ")
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(str(escape(" ".join(old[a1:a2]))))
            continue
        if a2 > a1:
            removed = escape(" ".join(old[a1:a2]))
            parts.append(f'<del><span class="visually-hidden">removed: </span>{removed}</del>')
        if b2 > b1:
            added = escape(" ".join(new[b1:b2]))
            parts.append(f'<ins><span class="visually-hidden">added: </span>{added}</ins>')
    return Markup(" ".join(parts))


def duration(value: Any) -> str:
    """A duration in the largest whole units: '3 days', '24 hours', 'none'."""
    seconds = int(value.total_seconds()) if isinstance(value, timedelta) else int(value or 0)
    if seconds == 0:
        return "none"
    for unit, size in (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"


def fraction(value: Any) -> str:
    """A fraction as the charter writes it: '1/2', '2/3', '1'."""
    share = Fraction(value)
    return (
        str(share.numerator) if share.denominator == 1 else f"{share.numerator}/{share.denominator}"
    )


def percent(value: Any) -> str:
    """A share as a percentage when it is a whole one ('20%'), else as a fraction ('1/3')."""
    share = Fraction(value)
    if (share * 100).denominator == 1:
        return f"{share * 100}%"
    return fraction(share)


def make_templates() -> Jinja2Templates:
    """The page templates, autoescaped, with the filters above."""
    templates = Jinja2Templates(directory=str(TEMPLATES))
    env = templates.env
    env.filters["when"] = when
    env.filters["day"] = day
    env.filters["linkify"] = linkify
    env.filters["word_diff"] = word_diff
    env.filters["duration"] = duration
    env.filters["fraction"] = fraction
    env.filters["percent"] = percent
    env.globals["choices"] = CHOICES
    env.globals["choice_words"] = CHOICE_WORDS
    env.trim_blocks = True
    env.lstrip_blocks = True
    return templates


# Payload fields too long or too structured for a one-line summary of a journal entry.
_LONG_FIELDS = {"text", "body", "effect", "details", "explanation", "founder"}
_SHOWN_FIRST = {"name", "member", "motion", "title", "choice"}


def entry_summary(entry: dict[str, Any]) -> str:
    """One line saying what a journal entry records: who did what, to which motion.

    'Louise Michel voted for on motion 9 · previous: against'; fields too long
    for a line (texts, explanations) are left to the entry itself.
    """
    payload = entry.get("payload") or {}
    kind = str(entry.get("type", ""))
    noun, _, rest = kind.partition(".")
    verb = rest.split("/")[0].replace("_", " ")
    if kind.startswith("vote.cast"):
        verb = f"voted {payload.get('choice', '')} on"
    what = ""
    if "motion" in payload:
        what = f"motion {payload['motion']}"
        if payload.get("title"):
            what += f" “{payload['title']}”"
    founder = payload.get("founder")
    if isinstance(founder, dict):
        line = f"{founder.get('name', '')} founded {payload.get('name', '')}"
    elif "member" in payload and payload.get("name"):
        line = " ".join(p for p in (str(payload["name"]), verb, what) if p)
    elif what:
        line = f"{what[0].upper()}{what[1:]} {verb}"
    else:
        line = f"{noun.capitalize()} {verb}"
    parts = [line]
    if payload.get("explanation"):
        # A count explains itself in one sentence; its raw figures stay in the entry's JSON.
        return f"{line} · {payload['explanation']}"
    for key, value in payload.items():
        if key in _SHOWN_FIRST or key in _LONG_FIELDS or key.endswith("_at"):
            continue
        if isinstance(value, bool | int | str) and value != "":
            text = str(value)
            parts.append(f"{key.replace('_', ' ')}: {text if len(text) <= 40 else text[:39] + '…'}")
    return " · ".join(p for p in parts if p)
