"""Queries: what pages, the API and the CLI show. Read-only, JSON-ready dicts.

Everything here goes through ``access_*`` like the handlers. Motions, the
roll call and the journal are public; e-mail addresses, invitations and the
outbox are shown only to those entitled to them. A motion whose window has
ended is settled (its vote opened or closed) before it is shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from communard.domain import journal
from communard.domain import motions as rules
from communard.domain.accounts import Account, ApiToken
from communard.domain.charters import CharterVersion, DecisionClass
from communard.domain.communes import Commune
from communard.domain.journal import JournalEntry, Verification
from communard.domain.members import ACTIVE, APPLICANT, Member, Sponsorship
from communard.domain.motions import Comment, Motion, Second
from communard.domain.sections import Section
from communard.domain.votes import Ballot, Tally
from communard.errors import CharterError, Forbidden, NotFound, Unauthenticated
from communard.services.access import (
    Actor,
    CharterCache,
    access_commune,
    access_member,
    access_motion,
    class_of,
    current_charter,
)
from communard.services.ports import Clock, Database, OutboxMail, UnitOfWork


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


class Queries:
    """Read models for pages, API and CLI."""

    def __init__(self, database: Database, clock: Clock, settle: Callable[[str], Any]) -> None:
        self.database = database
        self.clock = clock
        self.settle = settle
        self.charters = CharterCache()

    def _read(self) -> Any:
        return self.database.unit_of_work(read_only=True)

    def _membership(self, uow: UnitOfWork, commune: Commune, actor: Actor | None) -> Member | None:
        if actor is None:
            return None
        return uow.find(Member, commune_id=commune.id, account_id=actor.account_id)

    def _settle_if_due(self, slug: str) -> None:
        now = self.clock()
        with self._read() as uow:
            commune = access_commune(uow, slug)
            due = bool(uow.due_motions(now, commune.id))
        if due:
            self.settle(slug)

    # Communes

    def communes(self) -> list[dict[str, Any]]:
        """Every commune on this installation: slug, name, number of active members."""
        with self._read() as uow:
            return [
                {
                    "slug": x.slug,
                    "name": x.name,
                    "members": uow.count(Member, commune_id=x.id, status=ACTIVE),
                }
                for x in uow.find_all(Commune, order_by="slug")
            ]

    def commune(self, slug: str, actor: Actor | None = None) -> dict[str, Any]:
        """A commune's home: charter summary, counts, sections, latest motions, your standing."""
        self._settle_if_due(slug)
        with self._read() as uow:
            commune = access_commune(uow, slug)
            assert commune.id is not None
            charter = current_charter(uow, commune, self.charters)
            me = self._membership(uow, commune, actor)
            recent = uow.find_all(
                Motion,
                commune_id=commune.id,
                amends_id=None,
                order_by="number",
                descending=True,
                limit=10,
            )
            head = uow.head(commune.id)
            return {
                "slug": commune.slug,
                "name": commune.name,
                "founded_at": _iso(commune.founded_at),
                "charter": {
                    "version": commune.charter_version,
                    "name": charter.name,
                    **charter.to_json(),
                },
                "members": uow.count(Member, commune_id=commune.id, status=ACTIVE),
                "applicants": uow.count(Member, commune_id=commune.id, status=APPLICANT),
                "sections": [
                    {"slug": s.slug, "name": s.name}
                    for s in sorted(
                        uow.find_all(Section, commune_id=commune.id), key=_natural_order
                    )
                ],
                "motions": [self._motion_row(m) for m in recent],
                "journal": {"seq": head.seq, "hash": head.hash},
                "you": None if me is None else {"member": me.id, "status": me.status},
            }

    def charter(self, slug: str, version: int | None = None) -> dict[str, Any]:
        """A charter version's text (the current one by default) and the list of versions."""
        with self._read() as uow:
            commune = access_commune(uow, slug)
            versions = uow.find_all(CharterVersion, commune_id=commune.id, order_by="version")
            wanted = commune.charter_version if version is None else version
            chosen = next((v for v in versions if v.version == wanted), None)
            if chosen is None:
                raise NotFound(
                    f"There is no charter version {version} in this commune.",
                    code="charter.not_found",
                )
            motions = (
                {
                    m.id: m.number
                    for m in uow.find_all(Motion, id=[v.motion_id for v in versions if v.motion_id])
                }
                if any(v.motion_id for v in versions)
                else {}
            )
            return {
                "version": chosen.version,
                "current": chosen.version == commune.charter_version,
                "text": chosen.source,
                "adopted_at": _iso(chosen.adopted_at),
                "versions": [
                    {
                        "version": v.version,
                        "adopted_at": _iso(v.adopted_at),
                        "motion": motions.get(v.motion_id) if v.motion_id else None,
                    }
                    for v in versions
                ],
            }

    # Members and sections

    def members(self, slug: str, actor: Actor | None = None) -> list[dict[str, Any]]:
        """The members (active, applicants, former), with names and sections; no e-mails."""
        with self._read() as uow:
            commune = access_commune(uow, slug)
            members = uow.find_all(Member, commune_id=commune.id)
            accounts = (
                {a.id: a for a in uow.find_all(Account, id=[m.account_id for m in members])}
                if members
                else {}
            )
            sections = {s.id: s.slug for s in uow.find_all(Section, commune_id=commune.id)}
            rows = []
            for m in members:
                rows.append(
                    {
                        "member": m.id,
                        "name": accounts[m.account_id].display_name
                        if m.account_id in accounts
                        else "",
                        "status": m.status,
                        "section": sections.get(m.section_id) if m.section_id else None,
                        "joined_at": _iso(m.joined_at),
                        "sponsors": uow.count(Sponsorship, member_id=m.id)
                        if m.status == APPLICANT
                        else None,
                    }
                )
            rows.sort(key=lambda r: (r["status"] != ACTIVE, r["name"].lower()))
            return rows

    def member(self, slug: str, member_id: int) -> dict[str, Any]:
        """A member's public record: standing, section, the motions they moved and their
        roll-call votes (no e-mail address)."""
        with self._read() as uow:
            commune = access_commune(uow, slug)
            assert commune.id is not None
            member = access_member(uow, commune.id, member_id)
            account = uow.find(Account, id=member.account_id)
            section = uow.find(Section, id=member.section_id) if member.section_id else None
            moved = uow.find_all(
                Motion, commune_id=commune.id, mover_id=member.id, order_by="number"
            )
            ballots = uow.find_all(Ballot, member_id=member.id)
            voted_on = (
                {m.id: m for m in uow.find_all(Motion, id=[b.motion_id for b in ballots])}
                if ballots
                else {}
            )
            return {
                "member": member.id,
                "name": account.display_name if account else "",
                "status": member.status,
                "section": section.slug if section else None,
                "joined_at": _iso(member.joined_at),
                "left_at": _iso(member.left_at),
                "moved": [self._motion_row(m) for m in moved],
                "votes": sorted(
                    (
                        {
                            "motion": voted_on[b.motion_id].number,
                            "title": voted_on[b.motion_id].title,
                            "choice": b.choice,
                            "decision": (voted_on[b.motion_id].outcome or {}).get("decision"),
                            "cast_at": _iso(b.cast_at),
                        }
                        for b in ballots
                        if b.motion_id in voted_on
                    ),
                    key=lambda row: -int(row["motion"]),
                ),
            }

    def sections(self, slug: str) -> list[dict[str, Any]]:
        """The sections and how many active members each has."""
        with self._read() as uow:
            commune = access_commune(uow, slug)
            return [
                {
                    "section": s.slug,
                    "name": s.name,
                    "members": uow.count(
                        Member, commune_id=commune.id, section_id=s.id, status=ACTIVE
                    ),
                }
                for s in sorted(uow.find_all(Section, commune_id=commune.id), key=_natural_order)
            ]

    # Motions

    def _motion_row(self, m: Motion) -> dict[str, Any]:
        return {
            "motion": m.number,
            "title": m.title,
            "state": m.state,
            "decision_class": m.decision_class,
            "amends": None,
            "created_at": _iso(m.created_at),
            "deliberation_ends_at": _iso(m.deliberation_ends_at),
            "voting_closes_at": _iso(m.voting_closes_at),
            "decision": (m.outcome or {}).get("decision"),
        }

    def motions(self, slug: str, state: str | None = None) -> list[dict[str, Any]]:
        """Motions of a commune, newest first (amendments appear with their main motion)."""
        self._settle_if_due(slug)
        with self._read() as uow:
            commune = access_commune(uow, slug)
            where: dict[str, Any] = {"commune_id": commune.id, "amends_id": None}
            if state is not None:
                where["state"] = state
            return [
                self._motion_row(m)
                for m in uow.find_all(Motion, order_by="number", descending=True, **where)
            ]

    def motion(self, slug: str, number: int, actor: Actor | None = None) -> dict[str, Any]:
        """A motion with everything: text, class rules, seconds, comments, amendments,
        roll call, tally, outcome, history, and what the actor may do now."""
        self._settle_if_due(slug)
        now = self.clock()
        with self._read() as uow:
            commune = access_commune(uow, slug)
            assert commune.id is not None
            me = self._membership(uow, commune, actor)
            motion = access_motion(uow, commune.id, number, me)
            charter = current_charter(uow, commune, self.charters)
            names = uow.member_names(commune.id)
            try:
                cls: DecisionClass | None = class_of(uow, commune, motion, charter, self.charters)
            except CharterError:
                cls = None
            ballots = uow.find_all(Ballot, motion_id=motion.id)
            seconds = uow.find_all(Second, motion_id=motion.id)
            tally = Tally.of(ballots)
            main = uow.find(Motion, id=motion.amends_id) if motion.amends_id else None
            amendments = uow.find_all(Motion, amends_id=motion.id, order_by="number")
            my_ballot = next((b.choice for b in ballots if me and b.member_id == me.id), None)
            active = me is not None and me.status == ACTIVE
            is_mover = me is not None and me.id == motion.mover_id
            seconded = me is not None and any(s.member_id == me.id for s in seconds)
            deliberation_over = (
                motion.deliberation_ends_at is not None and now >= motion.deliberation_ends_at
            )
            pending = [a for a in amendments if a.state in (rules.DELIBERATION, rules.VOTING)]
            electorate = uow.count(Member, commune_id=commune.id, status=ACTIVE)
            return {
                "commune": commune.slug,
                "motion": motion.number,
                "title": motion.title,
                "body": motion.body,
                "state": motion.state,
                "decision_class": cls.to_json() if cls else {"id": motion.decision_class},
                "mover": {"member": motion.mover_id, "name": names.get(motion.mover_id, "")},
                "amends": None if main is None else {"motion": main.number, "title": main.title},
                "effect": motion.effect,
                "created_at": _iso(motion.created_at),
                "submitted_at": _iso(motion.submitted_at),
                "deliberation_ends_at": _iso(motion.deliberation_ends_at),
                "voting_opens_at": _iso(motion.voting_opens_at),
                "voting_closes_at": _iso(motion.voting_closes_at),
                "closed_at": _iso(motion.closed_at),
                "lapses_at": _iso(motion.lapses_at),
                "ratified_at": _iso(motion.ratified_at),
                "seconds": [
                    {"member": s.member_id, "name": names.get(s.member_id, "")} for s in seconds
                ],
                "seconds_needed": rules.seconds_needed(cls, electorate) if cls else None,
                "comments": [
                    {
                        "comment": x.id,
                        "member": x.member_id,
                        "name": names.get(x.member_id, ""),
                        "body": x.body,
                        "created_at": _iso(x.created_at),
                    }
                    for x in uow.find_all(Comment, motion_id=motion.id)
                ],
                "amendments": [
                    {
                        "motion": a.number,
                        "title": a.title,
                        "body": a.body,
                        "state": a.state,
                        "mover": {"member": a.mover_id, "name": names.get(a.mover_id, "")},
                        "decision": (a.outcome or {}).get("decision"),
                    }
                    for a in amendments
                ],
                "roll_call": sorted(
                    (
                        {
                            "member": b.member_id,
                            "name": names.get(b.member_id, ""),
                            "choice": b.choice,
                            "cast_at": _iso(b.cast_at),
                            "changed_at": _iso(b.changed_at),
                        }
                        for b in ballots
                    ),
                    key=lambda r: str(r["name"]).lower(),
                ),
                "tally": {
                    **tally.to_json(),
                    "electorate": electorate,
                },
                "outcome": motion.outcome,
                "history": [e.to_json() for e in uow.entries(commune.id, motion_id=motion.id)],
                "you": None
                if me is None
                else {
                    "member": me.id,
                    "ballot": my_ballot,
                    "may_second": active
                    and motion.state == rules.SECONDING
                    and not is_mover
                    and not seconded,
                    "may_vote": active
                    and motion.state == rules.VOTING
                    and (my_ballot is None or bool(cls and cls.changeable)),
                    "may_comment": active
                    and motion.state in (rules.SECONDING, rules.DELIBERATION, rules.VOTING),
                    "may_amend": active
                    and motion.state == rules.DELIBERATION
                    and motion.amends_id is None,
                    "may_withdraw": is_mover
                    and active
                    and motion.state in (rules.DRAFT, rules.SECONDING, rules.DELIBERATION),
                    "may_propose": is_mover and active and motion.state == rules.DRAFT,
                    "may_open_vote": active
                    and motion.state == rules.DELIBERATION
                    and (
                        (deliberation_over and not pending)
                        if main is None
                        else (deliberation_over or (main is not None and me.id == main.mover_id))
                    ),
                    "may_accept": active
                    and main is not None
                    and me.id == main.mover_id
                    and motion.state == rules.DELIBERATION
                    and main.state == rules.DELIBERATION,
                },
            }

    # Journal

    def journal(
        self,
        slug: str,
        *,
        after: int = 0,
        before: int | None = None,
        limit: int = 100,
        descending: bool = False,
    ) -> dict[str, Any]:
        """A page of the public journal: entries after sequence number ``after`` (oldest
        first), or with ``descending`` the newest first, below ``before`` when given.

        (With ``descending``, a non-zero ``after`` is read as ``before``, as earlier
        callers pass it.)
        """
        limit = max(1, min(int(limit), 1000))
        if descending and before is None and after:
            before, after = after, 0
        with self._read() as uow:
            commune = access_commune(uow, slug)
            assert commune.id is not None
            head = uow.head(commune.id)
            entries = uow.entries(
                commune.id, after_seq=after, before_seq=before, limit=limit, descending=descending
            )
            return {
                "commune": commune.slug,
                "head": {"seq": head.seq, "hash": head.hash},
                "entries": [e.to_json() for e in entries],
            }

    def verify_journal(self, slug: str, *, batch: int = 5000) -> Verification:
        """Check a commune's whole chain, read in batches, against its recorded head."""
        with self._read() as uow:
            commune = access_commune(uow, slug)
            assert commune.id is not None
            head, last = uow.head_and_last_seq(commune.id)
        if last > head.seq:
            # A row past the head was written without a command: the head, moved in the
            # same transaction as every append, is the chain's anchor.
            return Verification(
                False,
                head.seq,
                head.seq + 1,
                head.seq + 1,
                f"entries were added after the recorded head (seq {head.seq}); "
                f"the stored journal runs to seq {last}",
            )
        return journal.verify(
            self._entries_upto(commune.id, head.seq, batch), commune=commune.slug, head=head
        )

    def _entries_upto(self, commune_id: int, last: int, batch: int) -> Iterator[JournalEntry]:
        # Entries recorded after the head was read are not part of this check.
        after = 0
        while after < last:
            with self._read() as uow:
                entries = uow.entries(commune_id, after_seq=after, limit=min(batch, last - after))
            if not entries:
                return
            yield from entries
            after = entries[-1].seq

    def export_journal(self, slug: str, *, batch: int = 1000) -> Iterator[str]:
        """The journal as canonical JSON lines, oldest first (read in batches)."""
        after = 0
        while True:
            with self._read() as uow:
                commune = access_commune(uow, slug)
                assert commune.id is not None
                entries = uow.entries(commune.id, after_seq=after, limit=batch)
            if not entries:
                return
            for entry in entries:
                yield entry.line()
            after = entries[-1].seq

    # Private things

    def outbox(self, slug: str, actor: Actor | None) -> list[dict[str, Any]]:
        """The mails the actor sent in this commune, waiting or sent (newest first).

        An invitation's link is a key to an account, so only the member who sent
        it sees it (to pass it on when no mail server is configured).
        """
        with self._read() as uow:
            commune = access_commune(uow, slug)
            me = self._membership(uow, commune, actor)
            if me is None or me.status != ACTIVE:
                raise Forbidden(
                    "Only active members have an outbox.",
                    code="outbox.forbidden",
                    hint="Sign in as a member of this commune.",
                )
            return [
                {
                    "mail": m.id,
                    "to": m.recipient,
                    "subject": m.subject,
                    "body": m.body,
                    "created_at": _iso(m.created_at),
                    "sent_at": _iso(m.sent_at),
                    "last_error": m.last_error,
                }
                for m in uow.find_all(
                    OutboxMail,
                    commune_id=commune.id,
                    sender_id=me.id,
                    order_by="id",
                    descending=True,
                )
            ]

    def account(self, actor: Actor | None) -> dict[str, Any]:
        """The signed-in person: name, e-mail, memberships, API tokens (never their secrets)."""
        if actor is None:
            raise Unauthenticated("Sign in first.", code="auth.required")
        with self._read() as uow:
            account = uow.find(Account, id=actor.account_id)
            if account is None:
                raise Unauthenticated("Sign in first.", code="auth.required")
            memberships = uow.find_all(Member, account_id=account.id)
            communes = (
                {x.id: x for x in uow.find_all(Commune, id=[m.commune_id for m in memberships])}
                if memberships
                else {}
            )
            return {
                "account": account.id,
                "email": account.email,
                "display_name": account.display_name,
                "has_password": account.password_hash is not None,
                "memberships": [
                    {
                        "commune": communes[m.commune_id].slug,
                        "name": communes[m.commune_id].name,
                        "member": m.id,
                        "status": m.status,
                    }
                    for m in memberships
                    if m.commune_id in communes
                ],
                "tokens": [
                    {
                        "token_id": t.id,
                        "name": t.name,
                        "created_at": _iso(t.created_at),
                        "revoked_at": _iso(t.revoked_at),
                    }
                    for t in uow.find_all(ApiToken, account_id=account.id)
                ],
            }


def _natural_order(section: Section) -> tuple[tuple[int, int | str], ...]:
    """Sort names as people read them: "2e arrondissement" before "10e arrondissement"."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.casefold())
        for part in re.split(r"(\d+)", section.name)
        if part
    )
