"""Charters: the declarative, versioned TOML document that governs a commune.

A charter names the commune's decision classes (who may propose, how many
seconds admit a motion, how long deliberation and voting last, how votes are
counted, the quorum, the ballot kind), how members are admitted, whether
sections exist, and the class through which the charter itself is amended.
``parse_charter`` reads and validates one; every error names the field (a
dotted TOML path), the value found and the fix. See ``docs/charter.md``.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from communard.errors import CharterError

FORMAT = 1
ADMISSION_MODES = ("open", "sponsors", "assembly")
PROPOSERS = ("members",)
RULES = ("yes-no",)
THRESHOLD_OF = ("cast", "voting", "members")
BALLOTS = ("open",)
RESERVED_BALLOTS = ("secret",)
REQUIRED_CLASSES = ("ordinary",)

_DURATION = re.compile(r"(\d+)\s*([wdhms])")
_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


@dataclass(frozen=True)
class DecisionClass:
    """One class of decision and the procedure the charter sets for it."""

    id: str
    title: str
    proposers: str
    seconds: int
    deliberation: timedelta
    voting: timedelta
    rule: str
    threshold: Fraction
    threshold_of: str
    strict: bool
    quorum: Fraction
    ballot: str
    changeable: bool
    lapses_unless_ratified: timedelta | None = None
    ratified_by: str | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready description (fractions as "n/d", durations as seconds)."""
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "proposers": self.proposers,
            "seconds": self.seconds,
            "deliberation_seconds": int(self.deliberation.total_seconds()),
            "voting_seconds": int(self.voting.total_seconds()),
            "rule": self.rule,
            "threshold": fraction_text(self.threshold),
            "threshold_of": self.threshold_of,
            "strict": self.strict,
            "quorum": fraction_text(self.quorum),
            "ballot": self.ballot,
            "changeable": self.changeable,
        }
        if self.lapses_unless_ratified is not None:
            data["lapses_unless_ratified_seconds"] = int(
                self.lapses_unless_ratified.total_seconds()
            )
            data["ratified_by"] = self.ratified_by
        return data


@dataclass(frozen=True)
class Admission:
    """How a person becomes a member: ``open``, by ``sponsors`` or by ``assembly`` vote."""

    mode: str
    sponsors: int = 1
    decision_class: str = "ordinary"


@dataclass(frozen=True)
class Charter:
    """A validated charter. ``source`` is the TOML text exactly as adopted."""

    name: str
    classes: dict[str, DecisionClass]
    amendment_class: str
    admission: Admission
    sections: bool
    source: str

    def decision_class(self, class_id: str) -> DecisionClass:
        """The decision class ``class_id``, or an error naming the classes that exist."""
        try:
            return self.classes[class_id]
        except KeyError:
            known = ", ".join(sorted(self.classes))
            raise CharterError(
                "decision_class",
                class_id,
                f"use one of the charter's decision classes: {known}.",
                code="motion.unknown_class",
            ) from None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready description of the charter's rules."""
        return {
            "name": self.name,
            "amendment_class": self.amendment_class,
            "admission": {
                "mode": self.admission.mode,
                "sponsors": self.admission.sponsors,
                "decision_class": self.admission.decision_class,
            },
            "sections": self.sections,
            "classes": {k: v.to_json() for k, v in sorted(self.classes.items())},
        }


def fraction_text(value: Fraction) -> str:
    """A fraction as charters write it: ``"1/2"``, ``"0"``, ``"1"``."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def parse_duration(field: str, value: Any) -> timedelta:
    """Read a duration such as ``"7d"``, ``"36h"``, ``"1d 12h"`` or ``"0"``."""
    fix = 'write a duration such as "7d", "36h", "90m", "1d 12h" or "0".'
    if not isinstance(value, str):
        raise CharterError(field, value, fix)
    text = value.strip().lower()
    if text == "0":
        return timedelta(0)
    matches = list(_DURATION.finditer(text))
    if not matches or _DURATION.sub("", text).strip():
        raise CharterError(field, value, fix)
    return timedelta(
        seconds=sum(int(n) * _UNIT_SECONDS[u] for n, u in (m.groups() for m in matches))
    )


def parse_fraction(field: str, value: Any) -> Fraction:
    """Read a share between 0 and 1 written ``"2/3"``, ``"20%"``, ``0`` or ``1``."""
    fix = 'write an exact share between 0 and 1 such as "1/2", "2/3" or "20%" (no decimals).'
    if isinstance(value, bool):
        raise CharterError(field, value, fix)
    if isinstance(value, int):
        result = Fraction(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            if text.endswith("%"):
                result = Fraction(int(text[:-1].strip()), 100)
            elif re.fullmatch(r"\d+\s*/\s*\d+|\d+", text):
                result = Fraction(text.replace(" ", ""))
            else:
                raise ValueError(text)
        except (ValueError, ZeroDivisionError):
            raise CharterError(field, value, fix) from None
    else:
        raise CharterError(field, value, fix)
    if not 0 <= result <= 1:
        raise CharterError(field, value, fix)
    return result


def parse_charter(source: str) -> Charter:
    """Parse and validate a charter's text: TOML, or the same tables as a JSON object.

    Raises ``CharterError`` naming the field, the value and the fix.
    """
    if not isinstance(source, str):
        raise CharterError("charter", source, "give the charter's text (TOML or JSON).")
    if source.lstrip().startswith("{"):
        try:
            data = json.loads(source)
        except ValueError as exc:
            raise CharterError(
                "charter", str(exc), "fix the JSON syntax at the position the message gives."
            ) from None
        if not isinstance(data, dict):
            raise CharterError("charter", data, "write the charter as a JSON object.")
    else:
        try:
            data = tomllib.loads(source)
        except tomllib.TOMLDecodeError as exc:
            raise CharterError(
                "charter", str(exc), "fix the TOML syntax at the position the message gives."
            ) from None
    _known(data, "", {"charter", "membership", "sections", "classes"})
    head = _table(data, "charter")
    _known(head, "charter", {"format", "name", "amendment_class"})
    fmt = head.get("format")
    if fmt != FORMAT:
        raise CharterError("charter.format", fmt, f"set format = {FORMAT}.")
    name = _text(head, "charter", "name")
    classes_table = _table(data, "classes")
    if not classes_table:
        raise CharterError("classes", {}, "define at least [classes.ordinary].")
    classes = {
        class_id: _decision_class(class_id, _table(classes_table, class_id, "classes"))
        for class_id in classes_table
    }
    for required in REQUIRED_CLASSES:
        if required not in classes:
            raise CharterError(
                f"classes.{required}", None, f"define [classes.{required}]; every charter has it."
            )
    amendment_class = head.get("amendment_class", "charter-amendment")
    if amendment_class not in classes:
        raise CharterError(
            "charter.amendment_class",
            amendment_class,
            f"name one of the classes defined ({', '.join(sorted(classes))}), "
            "usually a [classes.charter-amendment] with a higher threshold.",
        )
    for cls in classes.values():
        if cls.ratified_by is not None and cls.ratified_by not in classes:
            raise CharterError(
                f"classes.{cls.id}.ratified_by",
                cls.ratified_by,
                f"name one of the classes defined ({', '.join(sorted(classes))}).",
            )
    membership = data.get("membership", {"admission": "open"})
    if not isinstance(membership, dict):
        raise CharterError("membership", membership, "write a [membership] table.")
    _known(membership, "membership", {"admission", "sponsors", "decision_class"})
    mode = membership.get("admission", "open")
    if mode not in ADMISSION_MODES:
        raise CharterError(
            "membership.admission", mode, f"use one of: {', '.join(ADMISSION_MODES)}."
        )
    sponsors = membership.get("sponsors", 1)
    if isinstance(sponsors, bool) or not isinstance(sponsors, int) or sponsors < 1:
        raise CharterError("membership.sponsors", sponsors, "write a whole number of at least 1.")
    admission_class = membership.get("decision_class", "ordinary")
    if admission_class not in classes:
        raise CharterError(
            "membership.decision_class",
            admission_class,
            f"name one of the classes defined ({', '.join(sorted(classes))}).",
        )
    sections_table = data.get("sections", {"enabled": True})
    if not isinstance(sections_table, dict):
        raise CharterError("sections", sections_table, "write a [sections] table.")
    _known(sections_table, "sections", {"enabled"})
    sections = sections_table.get("enabled", True)
    if not isinstance(sections, bool):
        raise CharterError("sections.enabled", sections, "write true or false.")
    return Charter(
        name=name,
        classes=classes,
        amendment_class=amendment_class,
        admission=Admission(mode=mode, sponsors=sponsors, decision_class=admission_class),
        sections=sections,
        source=source,
    )


_CLASS_KEYS = {
    "title",
    "proposers",
    "seconds",
    "deliberation",
    "voting",
    "rule",
    "threshold",
    "threshold_of",
    "strict",
    "quorum",
    "ballot",
    "changeable",
    "lapses_unless_ratified",
    "ratified_by",
}


def _decision_class(class_id: str, table: dict[str, Any]) -> DecisionClass:
    where = f"classes.{class_id}"
    if not re.fullmatch(r"[a-z][a-z0-9-]*", class_id):
        raise CharterError(
            where, class_id, "name classes with lower-case letters, digits and hyphens."
        )
    _known(table, where, _CLASS_KEYS)
    proposers = table.get("proposers", "members")
    if proposers not in PROPOSERS:
        raise CharterError(f"{where}.proposers", proposers, f"use one of: {', '.join(PROPOSERS)}.")
    seconds = table.get("seconds", 0)
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
        raise CharterError(f"{where}.seconds", seconds, "write a whole number, 0 or more.")
    rule = table.get("rule", "yes-no")
    if rule not in RULES:
        raise CharterError(f"{where}.rule", rule, f"use one of: {', '.join(RULES)}.")
    threshold_of = table.get("threshold_of", "cast")
    if threshold_of not in THRESHOLD_OF:
        raise CharterError(
            f"{where}.threshold_of",
            threshold_of,
            'use "cast" (for and against), "voting" (with abstentions) or "members".',
        )
    strict = table.get("strict", False)
    if not isinstance(strict, bool):
        raise CharterError(f"{where}.strict", strict, "write true (more than) or false (at least).")
    ballot = table.get("ballot", "open")
    if ballot in RESERVED_BALLOTS:
        raise CharterError(
            f"{where}.ballot",
            ballot,
            'secret ballots are not available yet; use "open" (roll call).',
            code="charter.secret_unavailable",
        )
    if ballot not in BALLOTS:
        raise CharterError(f"{where}.ballot", ballot, 'use "open" (roll call).')
    changeable = table.get("changeable", True)
    if not isinstance(changeable, bool):
        raise CharterError(f"{where}.changeable", changeable, "write true or false.")
    voting = parse_duration(f"{where}.voting", table.get("voting", "7d"))
    if voting <= timedelta(0):
        raise CharterError(f"{where}.voting", table.get("voting"), "give a window longer than 0.")
    lapses = table.get("lapses_unless_ratified")
    ratified_by = table.get("ratified_by")
    lapses_after = None
    if lapses is not None:
        lapses_after = parse_duration(f"{where}.lapses_unless_ratified", lapses)
        if ratified_by is None:
            ratified_by = "ordinary"
        if ratified_by == class_id:
            raise CharterError(
                f"{where}.ratified_by", ratified_by, 'name another class, such as "ordinary".'
            )
    elif ratified_by is not None:
        raise CharterError(
            f"{where}.ratified_by",
            ratified_by,
            'also set lapses_unless_ratified (such as "14d"), or remove ratified_by.',
        )
    threshold = parse_fraction(f"{where}.threshold", table.get("threshold", "1/2"))
    if threshold == 0:
        raise CharterError(f"{where}.threshold", table.get("threshold"), "give a share above 0.")
    return DecisionClass(
        id=class_id,
        title=_text(table, where, "title", default=class_id.replace("-", " ").capitalize()),
        proposers=proposers,
        seconds=seconds,
        deliberation=parse_duration(f"{where}.deliberation", table.get("deliberation", "0")),
        voting=voting,
        rule=rule,
        threshold=threshold,
        threshold_of=threshold_of,
        strict=strict,
        quorum=parse_fraction(f"{where}.quorum", table.get("quorum", 0)),
        ballot=ballot,
        changeable=changeable,
        lapses_unless_ratified=lapses_after,
        ratified_by=ratified_by,
    )


def _known(table: dict[str, Any], where: str, keys: set[str]) -> None:
    for key in table:
        if key not in keys:
            field = f"{where}.{key}" if where else key
            raise CharterError(
                field,
                table[key],
                f"remove it or correct its spelling; known keys here: {', '.join(sorted(keys))}.",
            )


def _table(data: dict[str, Any], key: str, where: str = "") -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        field = f"{where}.{key}" if where else key
        raise CharterError(field, value, f"write [{field}] as a table.")
    return value


def _text(table: dict[str, Any], where: str, key: str, default: str | None = None) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise CharterError(f"{where}.{key}", value, "write a non-empty text in quotes.")
    return value.strip()


@dataclass
class CharterVersion:
    """One adopted version of a commune's charter, kept on record for ever."""

    id: int | None
    commune_id: int
    version: int
    source: str
    adopted_at: datetime
    motion_id: int | None = None
