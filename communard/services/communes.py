"""Handlers of the commune, section, charter and member commands."""

from __future__ import annotations

import hashlib
import re
import secrets
from importlib import resources
from typing import Any

from communard.domain import communes as commune_rules
from communard.domain import members as rules
from communard.domain import sections as section_rules
from communard.domain.accounts import Account
from communard.domain.charters import CharterVersion, parse_charter
from communard.domain.members import Invitation, Member, Sponsorship
from communard.errors import Conflict, InvalidInput, NotFound, StateError, Unauthenticated
from communard.services import commands as c
from communard.services.access import Context
from communard.services.motions import propose_with_effect
from communard.services.ports import OutboxMail, PasswordHasher


def template(name: str = "default") -> str:
    """The text of a charter template shipped with communard (``default``, ``open``)."""
    try:
        return resources.files("communard.charters").joinpath(f"{name}.toml").read_text("utf-8")
    except FileNotFoundError:
        raise InvalidInput(
            "charter",
            name,
            'use the template "default" or "open".',
            code="charter.unknown_template",
        ) from None


def token_hash(token: str) -> str:
    """Secrets are stored only as their SHA-256 (a leaked table reveals no usable token)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def found_commune(ctx: Context, cmd: c.FoundCommune, hasher: PasswordHasher) -> dict[str, Any]:
    commune = commune_rules.found(slug=cmd.slug, name=cmd.name, now=ctx.now)
    source = cmd.charter if cmd.charter is not None else template("default")
    if isinstance(source, str) and re.fullmatch(r"[a-z][a-z0-9-]*", source.strip()):
        source = template(source.strip())  # a template's name, not a charter's text
    charter = parse_charter(source)
    account = ctx.account()
    if account is None:
        if cmd.founder_email is None:
            raise Unauthenticated(
                "Sign in, or name the founder, to found a commune.",
                code="commune.no_founder",
                hint="Give founder_email and founder_name.",
            )
        if ctx.uow.find(Account, email=rules.check_email(cmd.founder_email)) is not None:
            # Founding in the name of an existing account needs that account's session:
            # otherwise anyone could make another person a commune's founder, and checking
            # a password here would be an unthrottled way to guess it.
            raise Unauthenticated(
                "An account already uses this founder e-mail address.",
                code="commune.founder_exists",
                hint="Sign in with that account first, then found the commune.",
            )
        account = find_or_create_account(
            ctx, cmd.founder_email, cmd.founder_name, cmd.founder_password, hasher
        )
    if ctx.uow.find(type(commune), slug=commune.slug) is not None:
        raise Conflict(
            f"The slug {commune.slug!r} is taken.",
            code="commune.slug_taken",
            hint="Choose another slug.",
        )
    ctx.uow.add(commune)
    assert commune.id is not None and account.id is not None
    ctx.commune = commune
    ctx.head = ctx.uow.create_head(commune.id)
    ctx.uow.add(
        CharterVersion(id=None, commune_id=commune.id, version=1, source=source, adopted_at=ctx.now)
    )
    founder = rules.new_member(
        commune_id=commune.id, account_id=account.id, now=ctx.now, status=rules.ACTIVE
    )
    ctx.uow.add(founder)
    ctx.member = founder
    ctx.charter = charter
    ctx.record(
        "commune.founded/1",
        {"slug": commune.slug, "name": commune.name, "founder": ctx.by(founder)},
    )
    ctx.record("charter.adopted/1", {"version": 1, "text": source})
    return {"commune": commune.slug, "member": founder.id, "account": account.id}


def find_or_create_account(
    ctx: Context, email: str, name: str | None, password: str | None, hasher: PasswordHasher
) -> Account:
    """The account with this e-mail address, or a new one (with the password, if given)."""
    address = rules.check_email(email)
    account = ctx.uow.find(Account, email=address)
    if account is not None:
        return account
    account = Account(
        id=None,
        email=address,
        display_name=rules.check_display_name(name if name is not None else address.split("@")[0]),
        created_at=ctx.now,
        password_hash=None if password is None else hasher.hash(rules.check_password(password)),
    )
    return ctx.uow.add(account)


def create_section(ctx: Context, cmd: c.CreateSection) -> dict[str, Any]:
    rules.require_active(ctx.member, "create sections")
    section = section_rules.create(
        commune_id=ctx.commune_id,
        charter=ctx.the_charter(),
        slug=cmd.slug,
        name=cmd.name,
        now=ctx.now,
    )
    if ctx.uow.find(type(section), commune_id=ctx.commune_id, slug=section.slug):
        raise Conflict(
            f"There is already a section {section.slug!r}.",
            code="section.taken",
            hint="Choose another slug.",
        )
    ctx.uow.add(section)
    ctx.record("section.created/1", {"section": section.slug, "name": section.name, **ctx.by()})
    return {"section": section.slug, "name": section.name}


def join_section(ctx: Context, cmd: c.JoinSection) -> dict[str, Any]:
    member = rules.require_active(ctx.member, "join sections")
    section = None if cmd.section is None else ctx.section(cmd.section)
    member.section_id = None if section is None else section.id
    ctx.uow.update(member)
    ctx.record(
        "section.joined/1", {"section": None if section is None else section.slug, **ctx.by()}
    )
    return {"section": None if section is None else section.slug}


def amend_charter(ctx: Context, cmd: c.AmendCharter) -> dict[str, Any]:
    charter = ctx.the_charter()
    parse_charter(cmd.text)
    if cmd.text == charter.source:
        raise InvalidInput(
            "text",
            "(unchanged)",
            "change the charter text before proposing it.",
            code="charter.unchanged",
        )
    return propose_with_effect(
        ctx,
        class_id=charter.amendment_class,
        title=cmd.title or "Amendment of the charter",
        body=cmd.reason or "The charter is amended as the attached text says.",
        effect={"type": "charter.amend", "text": cmd.text},
    )


def invite_member(ctx: Context, cmd: c.InviteMember, base_url: str) -> dict[str, Any]:
    token = secrets.token_urlsafe(24)
    inviter = rules.require_active(ctx.member, "invite")
    invitation = rules.invite(
        commune_id=ctx.commune_id,
        inviter=inviter,
        email=cmd.email,
        token_hash=token_hash(token),
        now=ctx.now,
    )
    # Inviting an address that already belongs to a member is not refused: a refusal would
    # tell the inviter whose address it is (joining then says "already a member").
    ctx.uow.add(invitation)
    assert ctx.commune is not None
    link = f"{base_url.rstrip('/')}/c/{ctx.commune.slug}/join?token={token}"
    inviter_name = ctx.by().get("name", "A member")
    ctx.uow.add(
        OutboxMail(
            id=None,
            commune_id=ctx.commune_id,
            recipient=invitation.email,
            subject=f"Invitation to {ctx.commune.name}",
            body=(
                f"{inviter_name} invites you to join {ctx.commune.name}.\n\n"
                f"Accept the invitation: {link}\n\n"
                f"Or on the command line: communard member join {ctx.commune.slug} {token}\n\n"
                f"The invitation expires on {invitation.expires_at:%d %B %Y}."
            ),
            created_at=ctx.now,
            sender_id=inviter.id,
        )
    )
    # The address stays private: the record names the invitation, not the person.
    ctx.record("member.invited/1", {"invitation": invitation.id, **ctx.by()})
    return {
        "invitation": invitation.id,
        "token": token,
        "link": link,
        "expires_at": invitation.expires_at.isoformat(),
    }


def join_commune(ctx: Context, cmd: c.JoinCommune, hasher: PasswordHasher) -> dict[str, Any]:
    invitation = None
    if isinstance(cmd.token, str) and cmd.token:
        invitation = ctx.uow.find(
            Invitation, commune_id=ctx.commune_id, token_hash=token_hash(cmd.token)
        )
    if invitation is None:
        raise NotFound(
            "This invitation is not valid.",
            code="member.invitation_not_found",
            hint="Check the link, or ask a member to invite you again.",
        )
    rules.accept(invitation, ctx.now)
    account = ctx.account()
    if account is not None and account.email != invitation.email:
        raise StateError(
            "This invitation was sent to another e-mail address than your account's.",
            code="member.invitation_elsewhere",
            hint="Sign out and accept it without an account, or ask for an invitation to "
            "your own address.",
        )
    if (
        account is None
        and cmd.password is None
        and ctx.uow.find(Account, email=invitation.email) is None
    ):
        raise InvalidInput(
            "password",
            None,
            "choose a password of at least 8 characters: it creates your account.",
            code="account.password_required",
        )
    if account is None:
        account = find_or_create_account(
            ctx, invitation.email, cmd.display_name, cmd.password, hasher
        )
    assert account.id is not None
    active = ctx.uow.count(Member, commune_id=ctx.commune_id, status=rules.ACTIVE)
    status = rules.status_on_joining(ctx.the_charter(), sponsorships=1, active_members=active)
    member = ctx.uow.find(Member, commune_id=ctx.commune_id, account_id=account.id)
    if member is None:
        member = ctx.uow.add(
            rules.new_member(
                commune_id=ctx.commune_id, account_id=account.id, now=ctx.now, status=status
            )
        )
    else:
        rules.rejoin(member, status, ctx.now)
        ctx.uow.update(member)
    ctx.uow.update(invitation)
    assert member.id is not None
    if (
        ctx.the_charter().admission.mode == "sponsors"
        and ctx.uow.find(Sponsorship, member_id=member.id, sponsor_id=invitation.invited_by) is None
    ):
        ctx.uow.add(
            Sponsorship(
                id=None, member_id=member.id, sponsor_id=invitation.invited_by, created_at=ctx.now
            )
        )
    event = "member.joined/1" if status == rules.ACTIVE else "member.applied/1"
    ctx.record(
        event,
        {
            **ctx.by(member),
            "invitation": invitation.id,
            "invited_by": invitation.invited_by,
            "status": status,
        },
    )
    # The e-mail address lets the web sign the newcomer in; it is the invitation's own address.
    return {
        "member": member.id,
        "account": account.id,
        "email": account.email,
        "status": status,
        "commune": ctx.commune.slug if ctx.commune else "",
    }


def admit_member(ctx: Context, cmd: c.AdmitMember) -> dict[str, Any]:
    applicant = ctx.member_by_id(cmd.member)
    charter = ctx.the_charter()
    sponsor = rules.require_active(ctx.member, "admit applicants")
    if charter.admission.mode == "assembly":
        if applicant.status != rules.APPLICANT:
            raise StateError("Only applicants can be admitted.", code="member.not_applicant")
        name = ctx.by(applicant).get("name", f"#{applicant.id}")
        result = propose_with_effect(
            ctx,
            class_id=charter.admission.decision_class,
            title=f"Admission of {name}",
            body=f"The assembly admits {name} as a member.",
            effect={"type": "member.admit", "member": applicant.id},
        )
        return {"member": applicant.id, "status": applicant.status, **result}
    already = ctx.uow.count(Sponsorship, member_id=applicant.id, sponsor_id=sponsor.id) > 0
    rules.sponsor(applicant, sponsor, already)
    assert applicant.id is not None and sponsor.id is not None
    ctx.uow.add(
        Sponsorship(id=None, member_id=applicant.id, sponsor_id=sponsor.id, created_at=ctx.now)
    )
    count = ctx.uow.count(Sponsorship, member_id=applicant.id)
    ctx.record(
        "member.sponsored/1", {**ctx.by(applicant), "sponsor": sponsor.id, "sponsors": count}
    )
    active = ctx.uow.count(Member, commune_id=ctx.commune_id, status=rules.ACTIVE)
    if charter.admission.mode == "open" or count >= rules.sponsors_needed(charter, active):
        rules.activate(applicant, ctx.now)
        ctx.uow.update(applicant)
        ctx.record("member.admitted/1", {**ctx.by(applicant), "sponsors": count})
    return {"member": applicant.id, "status": applicant.status, "sponsors": count}


def leave_commune(ctx: Context, cmd: c.LeaveCommune) -> dict[str, Any]:
    member = ctx.member
    if member is None:
        raise StateError("You are not a member of this commune.", code="member.not_member")
    rules.leave(member, ctx.now)
    ctx.uow.update(member)
    ctx.record("member.left/1", ctx.by(member))
    return {"member": member.id, "status": member.status}


def suspend_member(ctx: Context, cmd: c.SuspendMember) -> dict[str, Any]:
    target = ctx.member_by_id(cmd.member)
    if target.status != rules.ACTIVE:
        raise StateError("Only active members can be suspended.", code="member.not_active")
    name = ctx.by(target).get("name", f"#{target.id}")
    return propose_with_effect(
        ctx,
        class_id="ordinary",
        title=f"Suspension of {name}",
        body=cmd.reason or f"The assembly suspends {name}.",
        effect={"type": "member.suspend", "member": target.id},
    )


def reinstate_member(ctx: Context, cmd: c.ReinstateMember) -> dict[str, Any]:
    target = ctx.member_by_id(cmd.member)
    if target.status != rules.SUSPENDED:
        raise StateError("Only suspended members can be reinstated.", code="member.not_suspended")
    name = ctx.by(target).get("name", f"#{target.id}")
    return propose_with_effect(
        ctx,
        class_id="ordinary",
        title=f"Reinstatement of {name}",
        body=cmd.reason or f"The assembly lifts the suspension of {name}.",
        effect={"type": "member.reinstate", "member": target.id},
    )
