"""Handlers of the motion commands, and ``settle``: what time alone requires.

Each handler has one shape: access (through the ``Context``) → check and do
(a domain function) → record (a journal entry in the same transaction). The
bus commits.
"""

from __future__ import annotations

from typing import Any

from communard.domain import members as member_rules
from communard.domain import motions as rules
from communard.domain import votes as vote_rules
from communard.domain.charters import CharterVersion, parse_charter
from communard.domain.members import ACTIVE, Member
from communard.domain.motions import Motion, Second
from communard.domain.votes import Ballot, Tally
from communard.errors import InvalidInput, NotFound, StateError
from communard.services import commands as c
from communard.services.access import Context


def motion_json(motion: Motion) -> dict[str, Any]:
    """The public fields of a motion, for results and the record."""
    return {
        "motion": motion.number,
        "state": motion.state,
        "title": motion.title,
        "decision_class": motion.decision_class,
    }


def draft_motion(ctx: Context, cmd: c.DraftMotion) -> dict[str, Any]:
    motion = rules.new(
        commune_id=ctx.commune_id,
        number=ctx.uow.next_number(ctx.commune_id),
        charter=ctx.the_charter(),
        decision_class=cmd.decision_class,
        title=cmd.title,
        body=cmd.body,
        mover=ctx.member,
        now=ctx.now,
    )
    motion.charter_version = ctx.charter_version()
    ctx.uow.add(motion)
    ctx.record(
        "motion.drafted/1", {**motion_json(motion), "body": motion.body, **ctx.by()}, motion=motion
    )
    return motion_json(motion)


def propose_motion(ctx: Context, cmd: c.ProposeMotion) -> dict[str, Any]:
    charter = ctx.the_charter()
    if cmd.draft is not None:
        motion = ctx.motion(cmd.draft)
        if motion.state != rules.DRAFT:
            raise StateError(
                f"{motion.label()} is {motion.state}, not a draft.", code="motion.wrong_state"
            )
        # A draft goes before the members under the charter in force when it is proposed.
        motion.charter_version = ctx.charter_version()
        charter.decision_class(motion.decision_class)
    else:
        effect = None
        if cmd.ratifies is not None:
            effect = ratification_effect(ctx, cmd.ratifies, cmd.decision_class)
        motion = rules.new(
            commune_id=ctx.commune_id,
            number=ctx.uow.next_number(ctx.commune_id),
            charter=charter,
            decision_class=cmd.decision_class,
            title=cmd.title,
            body=cmd.body,
            mover=ctx.member,
            now=ctx.now,
            effect=effect,
        )
        motion.charter_version = ctx.charter_version()
        ctx.uow.add(motion)
    return submit(ctx, motion)


def ratification_effect(ctx: Context, number: int, class_id: str) -> dict[str, Any]:
    """The effect of a motion that ratifies emergency decision ``number``."""
    emergency = ctx.motion(number)
    cls = ctx.class_of(emergency)
    if emergency.state != rules.ADOPTED or cls.lapses_unless_ratified is None:
        raise StateError(
            f"{emergency.label()} is not an emergency decision awaiting ratification.",
            code="motion.not_ratifiable",
        )
    if class_id != cls.ratified_by:
        raise InvalidInput(
            "decision_class",
            class_id,
            f"ratification goes through the class '{cls.ratified_by}' the charter names.",
            code="motion.wrong_class",
        )
    return {"type": "motion.ratify", "motion": emergency.number}


def submit(ctx: Context, motion: Motion) -> dict[str, Any]:
    """Put a (new or draft) motion before the members and record it."""
    cls = ctx.class_of(motion)
    active = _active_members(ctx)
    rules.submit(motion, cls, ctx.member, ctx.now, active)
    ctx.uow.update(motion)
    payload = {
        **motion_json(motion),
        "body": motion.body,
        **ctx.by(),
        "seconds_needed": rules.seconds_needed(cls, active),
    }
    if motion.effect is not None:
        payload["effect"] = motion.effect
    if motion.deliberation_ends_at is not None:
        payload["deliberation_ends_at"] = motion.deliberation_ends_at.isoformat()
    ctx.record("motion.proposed/1", payload, motion=motion)
    return motion_json(motion)


def propose_with_effect(
    ctx: Context, *, class_id: str, title: str, body: str, effect: dict[str, Any]
) -> dict[str, Any]:
    """Propose a motion whose adoption does something (amend the charter, suspend...)."""
    motion = rules.new(
        commune_id=ctx.commune_id,
        number=ctx.uow.next_number(ctx.commune_id),
        charter=ctx.the_charter(),
        decision_class=class_id,
        title=title,
        body=body,
        mover=ctx.member,
        now=ctx.now,
        effect=effect,
    )
    motion.charter_version = ctx.charter_version()
    ctx.uow.add(motion)
    return submit(ctx, motion)


def second_motion(ctx: Context, cmd: c.SecondMotion) -> dict[str, Any]:
    motion = ctx.motion(cmd.motion)
    cls = ctx.class_of(motion)
    already = (
        ctx.member is not None
        and ctx.uow.count(Second, motion_id=motion.id, member_id=ctx.member.id) > 0
    )
    count = ctx.uow.count(Second, motion_id=motion.id) + 1
    active = _active_members(ctx)
    needed = rules.seconds_needed(cls, active)
    step = rules.second(motion, cls, ctx.member, already, count, ctx.now, active)
    assert ctx.member is not None and ctx.member.id is not None and motion.id is not None
    ctx.uow.add(Second(id=None, motion_id=motion.id, member_id=ctx.member.id, created_at=ctx.now))
    ctx.record(
        "motion.seconded/1",
        {"motion": motion.number, **ctx.by(), "seconds": count, "seconds_needed": needed},
        motion=motion,
    )
    if step is not None:
        ctx.uow.update(motion)
        assert motion.deliberation_ends_at is not None
        ctx.record(
            "motion.admitted/1",
            {
                "motion": motion.number,
                "state": motion.state,
                "deliberation_ends_at": motion.deliberation_ends_at.isoformat(),
            },
            motion=motion,
        )
    return {**motion_json(motion), "seconds": count, "seconds_needed": needed}


def _active_members(ctx: Context) -> int:
    return ctx.uow.count(Member, commune_id=ctx.commune_id, status=ACTIVE)


def comment_on_motion(ctx: Context, cmd: c.CommentOnMotion) -> dict[str, Any]:
    motion = ctx.motion(cmd.motion)
    comment = rules.comment(motion, ctx.member, cmd.body, ctx.now)
    ctx.uow.add(comment)
    ctx.record(
        "motion.commented/1",
        {"motion": motion.number, "comment": comment.id, "body": comment.body, **ctx.by()},
        motion=motion,
    )
    return {"motion": motion.number, "comment": comment.id}


def amend_motion(ctx: Context, cmd: c.AmendMotion) -> dict[str, Any]:
    main = ctx.motion(cmd.motion)
    amendment = rules.amend(
        main=main,
        number=ctx.uow.next_number(ctx.commune_id),
        charter=ctx.the_charter(),
        mover=ctx.member,
        title=cmd.title or f"Amendment to #{main.number}",
        body=cmd.body,
        now=ctx.now,
    )
    amendment.charter_version = main.charter_version
    ctx.uow.add(amendment)
    ctx.record(
        "motion.amended/1",
        {
            "motion": main.number,
            "amendment": amendment.number,
            "title": amendment.title,
            "body": amendment.body,
            **ctx.by(),
        },
        motion=main,
    )
    return {**motion_json(amendment), "amends": main.number}


def accept_amendment(ctx: Context, cmd: c.AcceptAmendment) -> dict[str, Any]:
    amendment = ctx.motion(cmd.amendment)
    main = _main_of(ctx, amendment)
    rules.accept_amendment(amendment, main, ctx.member)
    ctx.uow.update(amendment)
    ctx.uow.update(main)
    ctx.record(
        "amendment.accepted/1",
        {
            "motion": main.number,
            "amendment": amendment.number,
            "body": main.body,
            **ctx.by(),
        },
        motion=main,
    )
    return {**motion_json(amendment), "amends": main.number}


def open_vote(ctx: Context, cmd: c.OpenVote) -> dict[str, Any]:
    motion = ctx.motion(cmd.motion)
    if motion.state == rules.VOTING:
        # Time opens votes on its own (settle); asking again confirms the vote is open.
        return motion_json(motion)
    _open(ctx, motion, ctx.member)
    return motion_json(motion)


def _open(ctx: Context, motion: Motion, member: Member | None) -> None:
    cls = ctx.class_of(motion)
    main = _main_of(ctx, motion) if motion.amends_id is not None else None
    pending = (
        []
        if main is not None
        else [
            m.number
            for m in ctx.uow.find_all(
                Motion, amends_id=motion.id, state=(rules.DELIBERATION, rules.VOTING)
            )
        ]
    )
    rules.open_vote(motion, cls, ctx.now, member=member, pending_amendments=pending, main=main)
    ctx.uow.update(motion)
    assert motion.voting_closes_at is not None
    payload: dict[str, Any] = {
        "motion": motion.number,
        "state": motion.state,
        "voting_closes_at": motion.voting_closes_at.isoformat(),
    }
    if member is not None:
        payload.update(ctx.by(member))
    ctx.record("motion.vote_opened/1", payload, motion=motion)


def withdraw_motion(ctx: Context, cmd: c.WithdrawMotion) -> dict[str, Any]:
    motion = ctx.motion(cmd.motion)
    rules.withdraw(motion, ctx.member, ctx.now)
    ctx.uow.update(motion)
    ctx.record("motion.withdrawn/1", {"motion": motion.number, **ctx.by()}, motion=motion)
    # Amendments still in deliberation have nothing left to amend.
    for amendment in ctx.uow.find_all(Motion, amends_id=motion.id, state=rules.DELIBERATION):
        rules.move(amendment, rules.WITHDRAWN, "main motion withdrawn")
        amendment.closed_at = ctx.now
        ctx.uow.update(amendment)
        ctx.record(
            "motion.withdrawn/1",
            {"motion": amendment.number, "reason": "main motion withdrawn"},
            motion=amendment,
        )
    return motion_json(motion)


def close_motion(ctx: Context, cmd: c.CloseMotion) -> dict[str, Any]:
    motion = ctx.motion(cmd.motion)
    if motion.state == rules.VOTING:
        _close(ctx, motion)
    elif motion.state not in (rules.ADOPTED, rules.REJECTED, rules.LAPSED):
        raise StateError(
            f"{motion.label()} is {motion.state}; it has no vote to close.",
            code="motion.wrong_state",
        )
    return {**motion_json(motion), "outcome": motion.outcome}


def cast_ballot(ctx: Context, cmd: c.CastBallot) -> dict[str, Any]:
    motion, existing = ctx.motion_and_ballot(cmd.motion)
    cls = ctx.class_of(motion)
    previous = existing.choice if existing else None
    ballot = vote_rules.cast(
        motion=motion,
        decision_class=cls,
        member=ctx.member,
        existing=existing,
        choice=cmd.choice,
        now=ctx.now,
    )
    if existing is None:
        ctx.uow.add(ballot)
    else:
        ctx.uow.update(ballot)
    payload: dict[str, Any] = {"motion": motion.number, "choice": ballot.choice, **ctx.by()}
    if previous is not None:
        payload["previous"] = previous
    ctx.record("vote.cast/1", payload, motion=motion)
    return {"motion": motion.number, "choice": ballot.choice, "changed": previous is not None}


def _main_of(ctx: Context, amendment: Motion) -> Motion:
    if amendment.amends_id is None:
        raise NotFound(
            f"There is no amendment #{amendment.number} in this commune.",
            code="amendment.not_found",
        )
    main = ctx.uow.find(Motion, id=amendment.amends_id, commune_id=ctx.commune_id)
    if main is None:
        raise LookupError(f"amendment {amendment.id} amends a missing motion")
    return main


# Closing and what adoption does


def _close(ctx: Context, motion: Motion) -> None:
    cls = ctx.class_of(motion)
    ballots = ctx.uow.find_all(Ballot, motion_id=motion.id)
    tally = Tally.of(ballots)
    electorate = _active_members(ctx)
    decision = vote_rules.decide(cls, tally, electorate)
    assert motion.voting_closes_at is not None
    outcome = {
        "decision": decision.decision,
        "explanation": decision.explanation,
        **decision.details,
        "closed_at": motion.voting_closes_at.isoformat(),
    }
    rules.close(motion, cls, decision.decision, outcome, ctx.now)
    ctx.uow.update(motion)
    payload = {"motion": motion.number, **outcome}
    if motion.lapses_at is not None:
        payload["lapses_at"] = motion.lapses_at.isoformat()
    ctx.record("motion.closed/1", payload, motion=motion)
    if motion.state == rules.ADOPTED:
        _apply(ctx, motion)


def _apply(ctx: Context, motion: Motion) -> None:
    """Do what an adopted motion decided, in the same transaction, on the record."""
    if motion.amends_id is not None:
        main = _main_of(ctx, motion)
        if main.state == rules.DELIBERATION:
            main.body = motion.body
            ctx.uow.update(main)
            ctx.record(
                "amendment.adopted/1",
                {"motion": main.number, "amendment": motion.number, "body": main.body},
                motion=main,
            )
        return
    effect = motion.effect or {}
    kind = effect.get("type")
    if kind == "charter.amend":
        _amend_charter(ctx, motion, effect["text"])
    elif kind in ("member.admit", "member.suspend", "member.reinstate"):
        member = ctx.uow.find(Member, id=effect["member"], commune_id=ctx.commune_id)
        wanted = {
            "member.admit": member_rules.APPLICANT,
            "member.suspend": ACTIVE,
            "member.reinstate": member_rules.SUSPENDED,
        }[kind]
        if member is None or member.status != wanted:
            ctx.record(
                "motion.not_applied/1",
                {
                    "motion": motion.number,
                    "effect": effect,
                    "reason": f"the member is no longer {wanted}",
                },
                motion=motion,
            )
            return
        if kind == "member.admit":
            member_rules.activate(member, ctx.now)
            entry = "member.admitted/1"
        elif kind == "member.suspend":
            member_rules.suspend(member, ctx.now)
            entry = "member.suspended/1"
        else:
            member_rules.reinstate(member, ctx.now)
            entry = "member.reinstated/1"
        ctx.uow.update(member)
        ctx.record(entry, {**ctx.by(member), "motion": motion.number}, motion=motion)
    elif kind == "motion.ratify":
        emergency = ctx.uow.find(Motion, commune_id=ctx.commune_id, number=effect["motion"])
        if emergency is None or emergency.state != rules.ADOPTED or emergency.ratified_at:
            ctx.record(
                "motion.not_applied/1",
                {
                    "motion": motion.number,
                    "effect": effect,
                    "reason": "the emergency decision is no longer awaiting ratification",
                },
                motion=motion,
            )
            return
        rules.ratify(emergency, ctx.now)
        ctx.uow.update(emergency)
        ctx.record(
            "motion.ratified/1",
            {"motion": emergency.number, "by_motion": motion.number},
            motion=emergency,
        )


def _amend_charter(ctx: Context, motion: Motion, text: str) -> None:
    commune = ctx.commune
    assert commune is not None and commune.id is not None
    parse_charter(text)
    commune.charter_version += 1
    ctx.uow.add(
        CharterVersion(
            id=None,
            commune_id=commune.id,
            version=commune.charter_version,
            source=text,
            adopted_at=ctx.now,
            motion_id=motion.id,
        )
    )
    ctx.uow.update(commune)
    ctx.charter = parse_charter(text)
    ctx.record(
        "charter.amended/1",
        {"version": commune.charter_version, "motion": motion.number, "text": text},
        motion=motion,
    )


def settle(ctx: Context) -> int:
    """Open, close and lapse everything due in the entered commune; return how many changed."""
    changed = 0
    while _settle_one(ctx):
        changed += 1
    return changed


def _settle_one(ctx: Context) -> bool:
    """Do the first thing due, if any (motions are reloaded each time: one change may
    alter another motion, as an adopted amendment alters its main motion's text)."""
    due = [m for m in ctx.uow.due_motions(ctx.now, ctx.commune_id) if rules.due(m, ctx.now)]
    # Amendments first: they are settled before their main motion goes to a vote.
    due.sort(key=lambda m: (m.amends_id is None, m.number))
    for motion in due:
        action = rules.due(motion, ctx.now)
        if action == "close":
            _close(ctx, motion)
        elif action == "lapse":
            rules.lapse_unratified(motion, ctx.now)
            ctx.uow.update(motion)
            ctx.record(
                "motion.lapsed/1",
                {"motion": motion.number, "reason": "emergency decision not ratified"},
                motion=motion,
            )
        elif action == "open":
            if motion.amends_id is not None:
                if _main_of(ctx, motion).state != rules.DELIBERATION:
                    continue
            elif ctx.uow.count(
                Motion, amends_id=motion.id, state=(rules.DELIBERATION, rules.VOTING)
            ):
                continue
            _open(ctx, motion, None)
        else:
            continue
        return True
    return False
