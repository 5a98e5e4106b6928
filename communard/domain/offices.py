"""Offices: the elected seats a charter defines in its ``[offices.<id>]`` tables.

Every office of the Commune is elective, bound by a mandate and revocable:
the Commune "was formed of the municipal councillors, chosen by universal
suffrage in the various wards of the town, responsible and revocable at short
terms" (Marx, *The Civil War in France*, 1871), and the decree of 1 April 1871
capped every official's pay at 6,000 francs a year, a worker's wage.

An office says who elects it (its **constituency**: the whole ``commune``,
each ``section``, a ``commission`` or a ``workshop``), how many seats, by which
counting method, for how long (**term**), for how many consecutive terms at
most, which offices it cannot be held beside (**incompatible**), how its
holders are recalled, how a vacancy is filled and what stipend it may pay.
``parse_offices`` reads and validates the tables; every error names the field
(a dotted path), the value found and the fix. See ``docs/offices.md``.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from fractions import Fraction
from typing import Any

from communard.counting import MethodInfo, UnknownMethodError, get
from communard.counting.ties import TieBreaker, parse_tie_break
from communard.domain.charters import fraction_text, parse_duration, parse_fraction
from communard.errors import CharterError

CONSTITUENCIES = ("commune", "section", "commission", "workshop")
VACANCY_RULES = ("countback", "substitutes", "by-election")
COUNTBACK_RULES = ("hare-clark", "rerun")
RECALL_THEN = ("vote", "immediate")
STIPEND_PERIODS = ("month", "year")
ELECTION_BALLOTS = ("ranked", "approval", "choice")
# Hare-Clark countback needs the parcels of a Gregory count (communard.counting.countback).
HARE_CLARK_METHODS = ("scottish-stv", "wigm")

_ID = re.compile(r"[a-z][a-z0-9-]*")
_OFFICE_KEYS = {
    "title",
    "constituency",
    "body",
    "seats",
    "seats_by_section",
    "method",
    "tie_break",
    "term",
    "consecutive_terms",
    "incompatible",
    "nominations",
    "voting",
    "schedule_before",
    "recall",
    "vacancy",
    "stipend",
}
_RECALL_KEYS = {"threshold", "window", "then", "decision_class"}
_VACANCY_KEYS = {"rule", "countback", "then"}
_STIPEND_KEYS = {"cap_cents", "ratio_to_median", "per"}


@dataclass(frozen=True)
class RecallRule:
    """How the constituency recalls a holder: a petition signed by ``threshold`` of the
    constituency within ``window``, then a recall ``vote`` or the mandate ends ``immediate``ly."""

    threshold: Fraction
    window: timedelta
    then: str
    decision_class: str

    def signatures_needed(self, constituency_size: int) -> int:
        """The whole number of signatures that reach ``threshold`` of the constituency
        (rounded up: a share is reached only when it is met in full; at least one)."""
        share = self.threshold * constituency_size
        return max(1, -(-share.numerator // share.denominator))

    def to_json(self) -> dict[str, Any]:
        return {
            "threshold": fraction_text(self.threshold),
            "window_seconds": int(self.window.total_seconds()),
            "then": self.then,
            "decision_class": self.decision_class,
        }


@dataclass(frozen=True)
class VacancyRule:
    """How a seat that falls vacant is filled: ``countback`` (with the ``countback`` rule
    ``hare-clark`` or ``rerun``), the next on the ``substitutes`` list, or a ``by-election``.
    When countback or the list finds no one, a by-election follows."""

    rule: str
    countback: str = "hare-clark"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"rule": self.rule}
        if self.rule == "countback":
            data["countback"] = self.countback
        return data


@dataclass(frozen=True)
class StipendRule:
    """The most a holder may be paid per ``per`` period: a fixed ``cap_cents``, or
    ``ratio_to_median`` times the median member pay (for the same period), or both (the
    lower applies). Neither set: the office pays no stipend."""

    cap_cents: int | None
    ratio_to_median: Fraction | None
    per: str

    @property
    def unpaid(self) -> bool:
        return self.cap_cents is None and self.ratio_to_median is None

    def to_json(self) -> dict[str, Any]:
        return {
            "cap_cents": self.cap_cents,
            "ratio_to_median": (
                None if self.ratio_to_median is None else fraction_text(self.ratio_to_median)
            ),
            "per": self.per,
        }


@dataclass(frozen=True)
class Office:
    """One office a charter defines (validated)."""

    id: str
    title: str
    constituency: str
    body: str | None
    seats: int
    method: str
    ballot: str
    tie_break: str
    term: timedelta
    consecutive_terms: int | None
    incompatible: frozenset[str]
    nominations: timedelta
    voting: timedelta
    schedule_before: timedelta
    recall: RecallRule
    vacancy: VacancyRule
    stipend: StipendRule
    seats_by_section: Mapping[str, int] = field(default_factory=dict, hash=False)

    def seats_for(self, section: str | None = None) -> int:
        """Seats to fill: the section's own number where the charter gives one (the
        Commune's arrondissements elected one councillor per 20,000 inhabitants), else
        ``seats``."""
        return self.seats_by_section.get(section or "", self.seats)

    def tie_breaker(self, lot: tuple[str, ...] = ()) -> TieBreaker | None:
        """The charter's tie-break rule; ``lot`` is an order drawn by lot (by the caller:
        the domain draws nothing) that settles what the rule leaves tied."""
        base, _, then = self.tie_break.partition(":")
        drawn = f"permutation:{','.join(lot)}" if lot else "ask"
        if base == "lot":
            rule = drawn
        elif base == "previous-rounds":
            rule = f"previous-rounds:{drawn}" if then == "lot" else "previous-rounds"
        else:
            rule = "ask"
        return parse_tie_break(rule)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready description (fractions as "n/d", durations as seconds)."""
        return {
            "id": self.id,
            "title": self.title,
            "constituency": self.constituency,
            "body": self.body,
            "seats": self.seats,
            "seats_by_section": dict(sorted(self.seats_by_section.items())),
            "method": self.method,
            "ballot": self.ballot,
            "tie_break": self.tie_break,
            "term_seconds": int(self.term.total_seconds()),
            "consecutive_terms": self.consecutive_terms,
            "incompatible": sorted(self.incompatible),
            "nominations_seconds": int(self.nominations.total_seconds()),
            "voting_seconds": int(self.voting.total_seconds()),
            "schedule_before_seconds": int(self.schedule_before.total_seconds()),
            "recall": self.recall.to_json(),
            "vacancy": self.vacancy.to_json(),
            "stipend": self.stipend.to_json(),
        }


def load_document(source: str | Mapping[str, Any]) -> dict[str, Any]:
    """A charter's tables, from its TOML or JSON text (or tables already read)."""
    if isinstance(source, Mapping):
        return dict(source)
    if not isinstance(source, str):
        raise CharterError("charter", source, "give the charter's text (TOML or JSON).")
    try:
        data = json.loads(source) if source.lstrip().startswith("{") else tomllib.loads(source)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise CharterError(
            "charter", str(exc), "fix the syntax at the position the message gives."
        ) from None
    if not isinstance(data, dict):
        raise CharterError("charter", data, "write the charter as a table (a JSON object).")
    return data


def parse_offices(
    source: str | Mapping[str, Any],
    *,
    classes: Collection[str] = ("ordinary",),
    commissions: Collection[str] | None = None,
) -> dict[str, Office]:
    """Read and validate the ``[offices.<id>]`` tables of a charter.

    ``classes`` are the charter's decision classes (a recall vote is decided by one);
    ``commissions`` the commission ids a ``commission`` constituency may name (None:
    not checked). Raises ``CharterError`` naming the field, the value and the fix.
    """
    data = load_document(source)
    table = data.get("offices", {})
    if not isinstance(table, dict):
        raise CharterError("offices", table, "write [offices.<id>] tables.")
    offices: dict[str, Office] = {}
    for office_id, body in table.items():
        where = f"offices.{office_id}"
        if not isinstance(body, dict):
            raise CharterError(where, body, f"write [{where}] as a table.")
        offices[office_id] = _office(office_id, body, classes, commissions)
    # Incompatibility is mutual: if the treasurer may not sit on the council, no
    # councillor may be treasurer either, whichever table the charter wrote it in.
    pairs: dict[str, set[str]] = {k: set(o.incompatible) for k, o in offices.items()}
    for office_id, office in offices.items():
        for other in office.incompatible:
            if other not in offices:
                raise CharterError(
                    f"offices.{office_id}.incompatible",
                    other,
                    f"name offices the charter defines ({', '.join(sorted(offices))}).",
                )
            pairs[other].add(office_id)
    return {k: _replace_incompatible(o, frozenset(pairs[k])) for k, o in offices.items()}


def _replace_incompatible(office: Office, incompatible: frozenset[str]) -> Office:
    return replace(office, incompatible=incompatible)


def _office(
    office_id: str,
    table: dict[str, Any],
    classes: Collection[str],
    commissions: Collection[str] | None,
) -> Office:
    where = f"offices.{office_id}"
    if not _ID.fullmatch(office_id):
        raise CharterError(
            where, office_id, "name offices with lower-case letters, digits and hyphens."
        )
    _known(table, where, _OFFICE_KEYS)
    constituency = table.get("constituency", "commune")
    if constituency not in CONSTITUENCIES:
        raise CharterError(
            f"{where}.constituency",
            constituency,
            f"use one of: {', '.join(CONSTITUENCIES)} (who elects the office).",
        )
    body = table.get("body")
    if constituency in ("commission", "workshop"):
        if not isinstance(body, str) or not _ID.fullmatch(body):
            raise CharterError(
                f"{where}.body",
                body,
                f'name the {constituency} that elects this office (its id, such as "finance").',
            )
        if constituency == "commission" and commissions is not None and body not in commissions:
            raise CharterError(
                f"{where}.body",
                body,
                f"name a commission the charter defines ({', '.join(sorted(commissions))}).",
            )
    elif body is not None:
        raise CharterError(
            f"{where}.body",
            body,
            f"remove it: a {constituency} office is elected by "
            + ("each section's own members." if constituency == "section" else "all members."),
        )
    seats = table.get("seats", 1)
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1:
        raise CharterError(
            f"{where}.seats",
            seats,
            "write a whole number of seats, at least 1"
            + (" (per section)." if constituency == "section" else "."),
        )
    by_section = _seats_by_section(
        f"{where}.seats_by_section", table.get("seats_by_section"), constituency
    )
    most = max([seats, *by_section.values()])
    info = _method(
        f"{where}.method", table.get("method", "scottish-stv" if most > 1 else "irv"), most
    )
    tie_break = table.get("tie_break", "previous-rounds:lot")
    _tie_break(f"{where}.tie_break", tie_break)
    term = _positive_duration(f"{where}.term", table.get("term", "365d"))
    limit = table.get("consecutive_terms")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise CharterError(
            f"{where}.consecutive_terms",
            limit,
            "write a whole number of at least 1, or leave it out for no limit.",
        )
    incompatible = table.get("incompatible", [])
    if not isinstance(incompatible, list) or not all(isinstance(i, str) for i in incompatible):
        raise CharterError(
            f"{where}.incompatible", incompatible, 'write a list of office ids: ["treasurer"].'
        )
    if office_id in incompatible:
        raise CharterError(
            f"{where}.incompatible",
            office_id,
            "remove the office itself; holding two seats of one office is refused anyway.",
        )
    nominations = _positive_duration(f"{where}.nominations", table.get("nominations", "7d"))
    voting = _positive_duration(f"{where}.voting", table.get("voting", "7d"))
    schedule_before = parse_duration(
        f"{where}.schedule_before", table.get("schedule_before", "21d")
    )
    if schedule_before < nominations + voting:
        raise CharterError(
            f"{where}.schedule_before",
            table.get("schedule_before", "21d"),
            "give at least the nominations and voting windows together, so the next term's "
            "holders are elected before the term ends.",
        )
    return Office(
        id=office_id,
        title=_text(table, where, "title", default=office_id.replace("-", " ").capitalize()),
        constituency=constituency,
        body=body,
        seats=seats,
        method=info.id,
        ballot=_ballot(info),
        tie_break=tie_break,
        term=term,
        consecutive_terms=limit,
        incompatible=frozenset(incompatible),
        nominations=nominations,
        voting=voting,
        schedule_before=schedule_before,
        recall=_recall(f"{where}.recall", _table(table, "recall", where), classes),
        vacancy=_vacancy(f"{where}.vacancy", _table(table, "vacancy", where), info, most),
        stipend=_stipend(f"{where}.stipend", _table(table, "stipend", where)),
        seats_by_section=by_section,
    )


def _seats_by_section(field: str, value: Any, constituency: str) -> dict[str, int]:
    if value is None:
        return {}
    if constituency != "section":
        raise CharterError(field, value, 'remove it, or set constituency = "section".')
    fix = 'write a table of section slugs and whole numbers of seats: { "11e" = 7, "1er" = 4 }.'
    if not isinstance(value, dict):
        raise CharterError(field, value, fix)
    for slug, n in value.items():
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,62}", slug):
            raise CharterError(
                f"{field}.{slug}",
                slug,
                "use the section's slug (lower-case "
                "letters, digits and hyphens, 2 to 63 characters).",
            )
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise CharterError(f"{field}.{slug}", n, "write a whole number of seats, at least 1.")
    return dict(value)


def _method(field: str, method_id: Any, seats: int) -> MethodInfo:
    if not isinstance(method_id, str):
        raise CharterError(field, method_id, 'name a counting method, such as "scottish-stv".')
    try:
        info = get(method_id)
    except UnknownMethodError as exc:
        raise CharterError(field, method_id, exc.hint) from None
    if _ballot(info) not in ELECTION_BALLOTS:
        raise CharterError(
            field,
            method_id,
            "choose a method that elects people from ranked, approval or single-choice "
            f"ballots (such as scottish-stv, meek, irv, approval, pav, seq-phragmen or "
            f"equal-shares); {info.id} counts {info.ballot} ballots.",
        )
    if seats > 1 and info.seats == "single":
        raise CharterError(
            field,
            method_id,
            f"The method {info.id} elects one person; for {seats} seats choose a proportional "
            "method such as scottish-stv, meek, wigm, pav, seq-phragmen or equal-shares.",
        )
    return info


def _ballot(info: MethodInfo) -> str:
    # Plurality counts first preferences: its ballot is a single choice.
    return {"choice": "choice", "ranked": "ranked", "approval": "approval"}.get(
        info.ballot, info.ballot
    )


def _tie_break(field: str, rule: Any) -> None:
    fix = (
        'write "previous-rounds:lot" (look back through earlier rounds, then draw lots), '
        '"lot" (draw lots) or "ask" (stop and let the assembly decide).'
    )
    if rule not in ("lot", "ask", "previous-rounds", "previous-rounds:lot"):
        raise CharterError(field, rule, fix)


def _recall(where: str, table: dict[str, Any], classes: Collection[str]) -> RecallRule:
    _known(table, where, _RECALL_KEYS)
    threshold = parse_fraction(f"{where}.threshold", table.get("threshold", "1/5"))
    if threshold == 0:
        raise CharterError(
            f"{where}.threshold",
            table.get("threshold"),
            'give a share above 0, such as "1/5" (a fifth of the constituency signs).',
        )
    window = _positive_duration(f"{where}.window", table.get("window", "30d"))
    then = table.get("then", "vote")
    if then not in RECALL_THEN:
        raise CharterError(
            f"{where}.then",
            then,
            'write "vote" (the threshold opens a recall vote) or "immediate" (the mandate '
            "ends as soon as the threshold is reached).",
        )
    decision_class = table.get("decision_class", "ordinary")
    if decision_class not in classes:
        raise CharterError(
            f"{where}.decision_class",
            decision_class,
            f"name one of the charter's decision classes ({', '.join(sorted(classes))}).",
        )
    return RecallRule(threshold=threshold, window=window, then=then, decision_class=decision_class)


def _vacancy(where: str, table: dict[str, Any], info: MethodInfo, seats: int) -> VacancyRule:
    _known(table, where, _VACANCY_KEYS)
    default = "countback" if info.id in HARE_CLARK_METHODS and seats > 1 else "by-election"
    rule = table.get("rule", default)
    if rule not in VACANCY_RULES:
        raise CharterError(f"{where}.rule", rule, f"use one of: {', '.join(VACANCY_RULES)}.")
    countback = table.get("countback", "hare-clark" if info.id in HARE_CLARK_METHODS else "rerun")
    if countback not in COUNTBACK_RULES:
        raise CharterError(
            f"{where}.countback", countback, f"use one of: {', '.join(COUNTBACK_RULES)}."
        )
    if rule == "countback":
        if info.ballot != "ranked":
            raise CharterError(
                f"{where}.rule",
                rule,
                f"countback recounts ranked ballots; {info.id} ballots are {info.ballot}. "
                'Use "substitutes" or "by-election".',
            )
        if countback == "hare-clark" and info.id not in HARE_CLARK_METHODS:
            raise CharterError(
                f"{where}.countback",
                countback,
                f"a Hare-Clark countback needs a Gregory count ({', '.join(HARE_CLARK_METHODS)})"
                f', not {info.id}; write countback = "rerun".',
            )
        if countback == "rerun" and "withdrawn" not in info.options:
            raise CharterError(
                f"{where}.rule",
                rule,
                f"{info.id} cannot recount with a candidate withdrawn; "
                'use "substitutes" or "by-election".',
            )
    elif "countback" in table:
        raise CharterError(f"{where}.countback", countback, 'remove it, or set rule = "countback".')
    return VacancyRule(rule=rule, countback=countback)


def _stipend(where: str, table: dict[str, Any]) -> StipendRule:
    _known(table, where, _STIPEND_KEYS)
    cap = table.get("cap_cents")
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 0):
        raise CharterError(
            f"{where}.cap_cents",
            cap,
            "write the cap as a whole number of cents (6,000.00 a year is 600000), 0 or more.",
        )
    ratio_text = table.get("ratio_to_median")
    ratio = None if ratio_text is None else _ratio(f"{where}.ratio_to_median", ratio_text)
    per = table.get("per", "year")
    if per not in STIPEND_PERIODS:
        raise CharterError(f"{where}.per", per, 'write "month" or "year".')
    return StipendRule(cap_cents=cap, ratio_to_median=ratio, per=per)


def _ratio(field: str, value: Any) -> Fraction:
    """A positive exact ratio: ``"1"``, ``"3/2"``, ``"150%"`` (may exceed 1, unlike shares)."""
    fix = 'write an exact ratio such as "1" (the median itself), "3/2" or "150%" (no decimals).'
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise CharterError(field, value, fix)
    text = str(value).strip()
    try:
        if text.endswith("%") and text[:-1].strip().isdigit():
            result = Fraction(int(text[:-1].strip()), 100)
        elif re.fullmatch(r"\d+\s*/\s*\d+|\d+", text):
            result = Fraction(text.replace(" ", ""))
        else:
            raise ValueError(text)
    except (ValueError, ZeroDivisionError):
        raise CharterError(field, value, fix) from None
    if result <= 0:
        raise CharterError(field, value, "give a ratio above 0.")
    return result


def _positive_duration(field: str, value: Any) -> timedelta:
    duration = parse_duration(field, value)
    if duration <= timedelta(0):
        raise CharterError(field, value, 'give a duration longer than 0, such as "7d".')
    return duration


def _known(table: dict[str, Any], where: str, keys: set[str]) -> None:
    for key in table:
        if key not in keys:
            raise CharterError(
                f"{where}.{key}",
                table[key],
                f"remove it or correct its spelling; known keys here: {', '.join(sorted(keys))}.",
            )


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise CharterError(f"{where}.{key}", value, f"write [{where}.{key}] as a table.")
    return value


def _text(table: dict[str, Any], where: str, key: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise CharterError(f"{where}.{key}", value, "write a non-empty text in quotes.")
    return value.strip()


def lookup(offices: Mapping[str, Office], office_id: str) -> Office:
    """The office ``office_id``, or an error naming the offices that exist."""
    try:
        return offices[office_id]
    except KeyError:
        known = ", ".join(sorted(offices)) or "none yet"
        raise CharterError(
            "office",
            office_id,
            f"use one of the charter's offices: {known}.",
            code="office.unknown",
        ) from None
