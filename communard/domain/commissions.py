"""Commissions: working bodies of the assembly, with delegated powers, that answer to it.

On 29 March 1871 the Commune divided its work among ten commissions
(Executive, Finance, Military, Justice, Public Safety, Subsistence, Labour
and Exchange, External Relations, Public Services, Education), each drawn
from the council and each answering to it; the council could overrule them.
Here a commission, defined by ``[commissions.<id>]`` in the charter, has:

- members **elected** (the holders of an office the charter names, so they
  have mandates, terms and recall) or **appointed** by an adopted motion;
- **delegated powers**: the decision classes it may decide alone, with the
  same motion and vote machinery, scoped to its members;
- a **reporting schedule**: a report is due every ``reports_every``; one not
  made in time is **overdue** (flagged on the commune's home page);
- **overturn**: each act may be overturned by a motion of ``overturned_by``
  proposed within ``overturn_within`` of the act and adopted.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from communard.domain.charters import parse_duration
from communard.domain.communes import check_text
from communard.domain.events import Event
from communard.domain.mandates import Mandate
from communard.domain.members import Member, require_active
from communard.domain.offices import load_document
from communard.errors import CharterError, Conflict, Forbidden, StateError

ELECTED = "elected"
APPOINTED = "appointed"
MEMBERSHIPS = (ELECTED, APPOINTED)
STANDING = "standing"
OVERTURNED = "overturned"

_ID = re.compile(r"[a-z][a-z0-9-]*")
_KEYS = {
    "title",
    "membership",
    "office",
    "size",
    "decides",
    "reports_every",
    "overturn_within",
    "overturned_by",
}


@dataclass(frozen=True)
class CommissionRule:
    """A commission as the charter defines it (validated)."""

    id: str
    title: str
    membership: str
    office: str | None
    size: int | None
    decides: frozenset[str]
    reports_every: timedelta
    overturn_within: timedelta
    overturned_by: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "membership": self.membership,
            "office": self.office,
            "size": self.size,
            "decides": sorted(self.decides),
            "reports_every_seconds": int(self.reports_every.total_seconds()),
            "overturn_within_seconds": int(self.overturn_within.total_seconds()),
            "overturned_by": self.overturned_by,
        }


@dataclass
class Commission:
    """A commission's record: when it was set up, its last report, its appointed members."""

    id: str
    created_at: datetime
    last_report_at: datetime | None = None
    appointed: set[int] = field(default_factory=set)


@dataclass
class Act:
    """A decision a commission took alone (its motion's number), open to overturn until
    ``overturnable_until``."""

    id: int | None
    commission_id: str
    motion: int
    decision_class: str
    decided_at: datetime
    overturnable_until: datetime
    state: str = STANDING
    overturned_by: int | None = None


@dataclass(frozen=True)
class CommissionReported(Event):
    type: ClassVar[str] = "commission.reported/1"
    commission: str
    by: int
    title: str
    body: str
    at: datetime
    next_due_at: datetime


@dataclass(frozen=True)
class CommissionActed(Event):
    type: ClassVar[str] = "commission.acted/1"
    commission: str
    motion: int
    decision_class: str
    at: datetime
    overturnable_until: datetime


@dataclass(frozen=True)
class CommissionActOverturned(Event):
    type: ClassVar[str] = "commission.act_overturned/1"
    commission: str
    act_motion: int
    overturned_by: int
    at: datetime


@dataclass(frozen=True)
class CommissionMemberChanged(Event):
    """A member appointed to (``appointed``) or removed from (``removed``) a commission."""

    type: ClassVar[str] = "commission.member_changed/1"
    commission: str
    member: int
    change: str
    by_motion: int
    at: datetime


def parse_commissions(
    source: str | Mapping[str, Any],
    *,
    classes: Collection[str] = ("ordinary",),
    offices: Collection[str] = (),
) -> dict[str, CommissionRule]:
    """Read and validate the ``[commissions.<id>]`` tables of a charter; errors name the
    field, the value and the fix."""
    data = load_document(source)
    table = data.get("commissions", {})
    if not isinstance(table, dict):
        raise CharterError("commissions", table, "write [commissions.<id>] tables.")
    rules: dict[str, CommissionRule] = {}
    for commission_id, body in table.items():
        where = f"commissions.{commission_id}"
        if not _ID.fullmatch(commission_id):
            raise CharterError(
                where,
                commission_id,
                "name commissions with lower-case letters, digits and hyphens.",
            )
        if not isinstance(body, dict):
            raise CharterError(where, body, f"write [{where}] as a table.")
        rules[commission_id] = _rule(commission_id, where, body, classes, offices)
    return rules


def _rule(
    commission_id: str,
    where: str,
    table: dict[str, Any],
    classes: Collection[str],
    offices: Collection[str],
) -> CommissionRule:
    for key in table:
        if key not in _KEYS:
            raise CharterError(
                f"{where}.{key}",
                table[key],
                f"remove it or correct its spelling; known keys here: {', '.join(sorted(_KEYS))}.",
            )
    known_classes = ", ".join(sorted(classes))
    membership = table.get("membership", ELECTED)
    if membership not in MEMBERSHIPS:
        raise CharterError(
            f"{where}.membership",
            membership,
            'write "elected" (holders of an office) or "appointed" (by motion).',
        )
    office = table.get("office")
    if membership == ELECTED:
        if office not in offices:
            raise CharterError(
                f"{where}.office",
                office,
                "name the office whose holders are this commission's members "
                f"({', '.join(sorted(offices)) or 'define one in [offices.<id>]'}).",
            )
    elif office is not None:
        raise CharterError(
            f"{where}.office",
            office,
            'remove it: appointed members hold no office (or write membership = "elected").',
        )
    size = table.get("size")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
        raise CharterError(f"{where}.size", size, "write a whole number of at least 1.")
    decides = table.get("decides", [])
    if not isinstance(decides, list) or not all(isinstance(c, str) for c in decides):
        raise CharterError(
            f"{where}.decides", decides, 'write a list of decision classes, such as ["commission"].'
        )
    for cls in decides:
        if cls not in classes:
            raise CharterError(
                f"{where}.decides", cls, f"name the charter's decision classes ({known_classes})."
            )
    reports_every = parse_duration(f"{where}.reports_every", table.get("reports_every", "30d"))
    if reports_every <= timedelta(0):
        raise CharterError(
            f"{where}.reports_every",
            table.get("reports_every"),
            'give a period longer than 0, such as "30d".',
        )
    overturn_within = parse_duration(
        f"{where}.overturn_within", table.get("overturn_within", "14d")
    )
    overturned_by = table.get("overturned_by", "ordinary")
    if overturned_by not in classes:
        raise CharterError(
            f"{where}.overturned_by",
            overturned_by,
            f"name one of the charter's decision classes ({known_classes}).",
        )
    if overturned_by in decides:
        raise CharterError(
            f"{where}.overturned_by",
            overturned_by,
            "name a class of the assembly, not one the commission decides "
            'itself (usually "ordinary").',
        )
    title = table.get("title", commission_id.replace("-", " ").capitalize())
    if not isinstance(title, str) or not title.strip():
        raise CharterError(f"{where}.title", title, "write a non-empty text in quotes.")
    return CommissionRule(
        id=commission_id,
        title=title.strip(),
        membership=membership,
        office=office,
        size=size,
        decides=frozenset(decides),
        reports_every=reports_every,
        overturn_within=overturn_within,
        overturned_by=overturned_by,
    )


def members(
    rule: CommissionRule, commission: Commission, register: Iterable[Mandate], now: datetime
) -> set[int]:
    """Who sits on the commission at ``now``: the office's holders, or the appointed."""
    if rule.membership == ELECTED:
        return {m.holder_id for m in register if m.office_id == rule.office and m.holds_at(now)}
    return set(commission.appointed)


def appoint(
    rule: CommissionRule,
    commission: Commission,
    member: Member | None,
    by_motion: int,
    now: datetime,
) -> CommissionMemberChanged:
    """Appoint a member by an adopted motion (``by_motion``) of the assembly."""
    who = require_active(member, "sit on commissions")
    assert who.id is not None
    if rule.membership != APPOINTED:
        raise StateError(
            f"The members of '{rule.title}' are elected as holders of '{rule.office}'.",
            code="commission.elected",
            hint="Nominate the member in that office's election.",
        )
    if who.id in commission.appointed:
        raise Conflict(
            f"Member {who.id} already sits on '{rule.title}'.", code="commission.already_member"
        )
    if rule.size is not None and len(commission.appointed) >= rule.size:
        raise StateError(
            f"'{rule.title}' has its {rule.size} members already.",
            code="commission.full",
            hint="Remove a member first.",
        )
    commission.appointed.add(who.id)
    return CommissionMemberChanged(
        commission=rule.id, member=who.id, change="appointed", by_motion=by_motion, at=now
    )


def remove(
    rule: CommissionRule, commission: Commission, member_id: int, by_motion: int, now: datetime
) -> CommissionMemberChanged:
    """Remove an appointed member by an adopted motion of the assembly."""
    if member_id not in commission.appointed:
        raise StateError(
            f"Member {member_id} is not an appointed member of '{rule.title}'.",
            code="commission.not_member",
            hint="Elected members leave by recall or resignation.",
        )
    commission.appointed.discard(member_id)
    return CommissionMemberChanged(
        commission=rule.id, member=member_id, change="removed", by_motion=by_motion, at=now
    )


def may_decide(rule: CommissionRule, decision_class: str) -> None:
    """The commission may decide ``decision_class`` alone, or ``commission.not_delegated``."""
    if decision_class not in rule.decides:
        delegated = ", ".join(sorted(rule.decides)) or "none"
        raise Forbidden(
            f"'{rule.title}' may not decide '{decision_class}' decisions alone "
            f"(delegated classes: {delegated}).",
            code="commission.not_delegated",
            hint="Put the motion to the assembly, or amend the charter's "
            f"commissions.{rule.id}.decides.",
        )


def record_act(
    rule: CommissionRule, *, motion: int, decision_class: str, decided_at: datetime
) -> tuple[Act, CommissionActed]:
    """A motion the commission adopted becomes an act, overturnable for the window."""
    may_decide(rule, decision_class)
    act = Act(
        id=None,
        commission_id=rule.id,
        motion=motion,
        decision_class=decision_class,
        decided_at=decided_at,
        overturnable_until=decided_at + rule.overturn_within,
    )
    return act, CommissionActed(
        commission=rule.id,
        motion=motion,
        decision_class=decision_class,
        at=decided_at,
        overturnable_until=act.overturnable_until,
    )


def check_overturn_proposal(
    rule: CommissionRule, act: Act, *, decision_class: str, proposed_at: datetime
) -> None:
    """A motion to overturn ``act`` is of the assembly's class and proposed in the window."""
    if act.state != STANDING:
        raise StateError(
            f"The act of motion #{act.motion} is already {act.state}.",
            code="commission.act_overturned",
        )
    if decision_class != rule.overturned_by:
        raise Forbidden(
            f"An act of '{rule.title}' is overturned by a '{rule.overturned_by}' motion, not "
            f"'{decision_class}'.",
            code="commission.wrong_class",
        )
    if proposed_at > act.overturnable_until:
        raise StateError(
            f"The act of motion #{act.motion} could be overturned until "
            f"{act.overturnable_until.isoformat()}.",
            code="commission.overturn_closed",
            hint="Propose a new ordinary motion to change it from now on.",
        )


def overturn(
    rule: CommissionRule,
    act: Act,
    *,
    motion: int,
    decision_class: str,
    proposed_at: datetime,
    now: datetime,
) -> CommissionActOverturned:
    """An adopted motion of the assembly, proposed in the window, overturns the act."""
    check_overturn_proposal(rule, act, decision_class=decision_class, proposed_at=proposed_at)
    act.state = OVERTURNED
    act.overturned_by = motion
    return CommissionActOverturned(
        commission=rule.id, act_motion=act.motion, overturned_by=motion, at=now
    )


def report_due_at(rule: CommissionRule, commission: Commission) -> datetime:
    """When the next report is due."""
    return (commission.last_report_at or commission.created_at) + rule.reports_every


def overdue(rule: CommissionRule, commission: Commission, now: datetime) -> timedelta | None:
    """How long the report has been overdue at ``now`` (None when it is not)."""
    due = report_due_at(rule, commission)
    return now - due if now >= due else None


def report(
    rule: CommissionRule,
    commission: Commission,
    *,
    member: Member | None,
    sitting: Collection[int],
    title: object,
    body: object,
    now: datetime,
) -> CommissionReported:
    """A member of the commission reports to the assembly; the next report falls due."""
    who = require_active(member, "report for commissions")
    if who.id not in sitting:
        raise Forbidden(
            f"Only members of '{rule.title}' report for it.", code="commission.not_member"
        )
    assert who.id is not None
    commission.last_report_at = now
    return CommissionReported(
        commission=rule.id,
        by=who.id,
        title=check_text("title", title, limit=200, code="commission.invalid_report"),
        body=check_text("body", body, limit=100_000, code="commission.invalid_report"),
        at=now,
        next_due_at=report_due_at(rule, commission),
    )
