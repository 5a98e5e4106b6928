"""Pages of a commune: home, members and sections, invitations, outbox, charter, journal."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import Response, StreamingResponse

from communard import errors
from communard.adapters.web import security
from communard.adapters.web.context import Viewer, ask, check_csrf, perform, resolve_viewer
from communard.adapters.web.pages.rendering import acting, client_of, done, in_commune, render
from communard.adapters.web.problems import status_for
from communard.adapters.web.templating import entry_summary, when
from communard.domain.charters import parse_charter

router = APIRouter()

JOURNAL_PAGE = 50


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def home_sections(
    viewer: Viewer, slug: str, commune: dict[str, Any], now: datetime
) -> dict[str, list[Any]]:
    """The motions of the home page, grouped by what they need from members.

    "Overdue" holds what waits on people rather than on time: a deliberation
    that has ended with amendments still pending (the vote cannot open), and
    an emergency decision that lapses unless the assembly ratifies it.
    """
    groups: dict[str, list[Any]] = {
        "voting": [],
        "seconding": [],
        "deliberation": [],
        "overdue": [],
        "decided": [],
    }
    lapsing = {
        class_id
        for class_id, rules in commune["charter"]["classes"].items()
        if rules.get("lapses_unless_ratified_seconds")
    }
    for row in ask(viewer, "motion.list", commune=slug):
        state = row["state"]
        ends = _when(row.get("deliberation_ends_at"))
        if state == "deliberation" and ends is not None and ends <= now:
            groups["overdue"].append({**row, "due": "deliberation over; amendments pending"})
        elif state == "voting":
            # The running tally and the viewer's own ballot, so the home says what to do.
            motion = ask(viewer, "motion.get", commune=slug, motion=row["motion"])
            you = motion.get("you") or {}
            groups[state].append(
                {
                    **row,
                    "tally": motion["tally"],
                    "your_ballot": you.get("ballot"),
                    "may_vote": you.get("may_vote", False),
                }
            )
        elif state in ("seconding", "deliberation"):
            groups[state].append(row)
        elif state in ("adopted", "rejected", "lapsed"):
            if state == "adopted" and row["decision_class"] in lapsing:
                motion = ask(viewer, "motion.get", commune=slug, motion=row["motion"])
                if motion.get("lapses_at") and not motion.get("ratified_at"):
                    lapses = when(motion["lapses_at"])
                    groups["overdue"].append({**row, "due": f"lapses {lapses} unless ratified"})
            groups["decided"].append(row)
    groups["decided"] = groups["decided"][:10]
    return groups


@router.get("/c/{slug}")
def commune_home(request: Request, slug: str) -> Response:
    """What is open for vote, what needs seconds, recent decisions, overdue items."""
    viewer = resolve_viewer(request)
    context = in_commune(viewer, slug)
    now = viewer.application.queries.clock()
    home = home_sections(viewer, slug, context["commune"], now)
    return render(request, "commune.html", home=home, **context)


def natural(name: str) -> list[Any]:
    """A sort key putting '2e arrondissement' before '10e arrondissement'."""
    return [
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in re.split(r"(\d+)", name)
    ]


@router.get("/c/{slug}/members")
def members(request: Request, slug: str) -> Response:
    """Members, applicants awaiting admission and sections."""
    viewer = resolve_viewer(request)
    context = in_commune(viewer, slug)
    rows = ask(viewer, "member.list", commune=slug)
    sections = sorted(ask(viewer, "section.list", commune=slug), key=lambda s: natural(s["name"]))
    you = (context["commune"].get("you") or {}).get("member")
    return render(
        request,
        "members.html",
        members=[r for r in rows if r["status"] == "active"],
        applicants=[r for r in rows if r["status"] == "applicant"],
        sections=sections,
        section_names={s["section"]: s["name"] for s in sections},
        my_section=next((r["section"] for r in rows if r["member"] == you), None),
        **context,
    )


@router.post("/c/{slug}/invitations")
def invite(
    request: Request, slug: str, email: str = Form(""), csrf_token: str = Form("")
) -> Response:
    """Invite someone (``member.invite``); without a mail server it waits in the outbox."""
    viewer = acting(request, csrf_token)
    perform(viewer, "member.invite", {"commune": slug, "email": email})
    return done(request, f"/c/{slug}/outbox", "member.invite")


@router.get("/c/{slug}/outbox")
def outbox(request: Request, slug: str) -> Response:
    """Mail waiting to be sent or passed on by hand (active members only)."""
    viewer = resolve_viewer(request)
    context = in_commune(viewer, slug)
    messages = ask(viewer, "outbox.list", commune=slug)
    return render(request, "outbox.html", messages=messages, **context)


@router.post("/c/{slug}/members/{member_id}/admit")
def admit(request: Request, slug: str, member_id: int, csrf_token: str = Form("")) -> Response:
    """Sponsor an applicant, or propose their admission to the assembly (``member.admit``)."""
    viewer = acting(request, csrf_token)
    perform(viewer, "member.admit", {"commune": slug, "member": member_id})
    return done(request, f"/c/{slug}/members", "member.admit")


@router.post("/c/{slug}/leave")
def leave(request: Request, slug: str, csrf_token: str = Form("")) -> Response:
    """Leave the commune (``member.leave``)."""
    viewer = acting(request, csrf_token)
    perform(viewer, "member.leave", {"commune": slug})
    return done(request, f"/c/{slug}", "member.leave")


@router.post("/c/{slug}/suspensions")
def propose_suspension(
    request: Request,
    slug: str,
    member: int = Form(0),
    reason: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    """Propose to the assembly that a member be suspended (``member.suspend``)."""
    viewer = acting(request, csrf_token)
    result = perform(
        viewer, "member.suspend", {"commune": slug, "member": member, "reason": reason}
    )
    return done(request, f"/c/{slug}/motions/{result['motion']}", "member.suspend")


def slug_of(name: str) -> str:
    """A section's slug made from its name ('Section du Louvre' → 'section-du-louvre')."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:63]


@router.post("/c/{slug}/sections")
def create_section(
    request: Request, slug: str, name: str = Form(""), csrf_token: str = Form("")
) -> Response:
    """Create a section (``section.create``)."""
    viewer = acting(request, csrf_token)
    perform(viewer, "section.create", {"commune": slug, "name": name, "slug": slug_of(name)})
    return done(request, f"/c/{slug}/members", "section.create")


@router.post("/c/{slug}/sections/{section}/join")
def join_section(request: Request, slug: str, section: str, csrf_token: str = Form("")) -> Response:
    """Join a section (``section.join``); a member belongs to one section at a time."""
    viewer = acting(request, csrf_token)
    perform(viewer, "section.join", {"commune": slug, "section": section})
    return done(request, f"/c/{slug}/members", "section.join")


@router.get("/c/{slug}/join")
def join_form(request: Request, slug: str, token: str = Query("")) -> Response:
    """The invitation page: choose a name and a password, and join."""
    viewer = resolve_viewer(request)
    context = in_commune(viewer, slug)
    return render(request, "join.html", token=token, form={}, **context)


@router.post("/c/{slug}/join")
def join(
    request: Request,
    slug: str,
    token: str = Form(""),
    name: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    """Accept an invitation (``member.join``); a new member then signs in."""
    viewer = resolve_viewer(request)
    check_csrf(request, viewer, csrf_token)
    payload = {
        "commune": slug,
        "token": token,
        "display_name": name or None,
        "password": password or None,
    }
    try:
        joined = perform(viewer, "member.join", payload)
    except (errors.InvalidInput, errors.NotFound, errors.Conflict) as exc:
        context = in_commune(viewer, slug)
        return render(
            request,
            "join.html",
            status_for(exc),
            token=token,
            form={"name": name},
            problem=exc,
            **context,
        )
    if viewer.actor is not None:
        return done(request, f"/c/{slug}", "member.joined")
    # The newcomer is signed in with the password just chosen; an account that existed keeps
    # its own password, checked as at any sign-in, and otherwise the sign-in form is prefilled.
    email = str(joined["email"])
    sign_in_form = done(
        request, "/sign-in?" + urlencode({"next": f"/c/{slug}", "login": email}), "member.join"
    )
    if not password:
        return sign_in_form
    auth = request.app.state.application.auth
    try:
        signed_in = auth.sign_in(email, password, client=client_of(request))
    except (errors.Unauthenticated, errors.RateLimited):
        return sign_in_form
    response = done(request, f"/c/{slug}", "member.joined")
    security.set_session_cookie(response, request, signed_in.token, signed_in.expires_at)
    return response


@router.get("/c/{slug}/charter")
def charter(request: Request, slug: str, version: int | None = Query(None, ge=1)) -> Response:
    """The charter in force (or an older version), its rules and the list of versions."""
    viewer = resolve_viewer(request)
    context = in_commune(viewer, slug)
    answer = ask(viewer, "charter.get", commune=slug, version=version)
    rules = parse_charter(answer["text"]).to_json()
    return render(request, "charter.html", charter=answer, rules=rules, form={}, **context)


@router.post("/c/{slug}/charter/amend")
def amend_charter(
    request: Request,
    slug: str,
    title: str = Form(""),
    reason: str = Form(""),
    text: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    """Propose a new charter text (``charter.amend``): a motion of the amendment class."""
    viewer = acting(request, csrf_token)
    payload = {"commune": slug, "title": title, "reason": reason, "text": text}
    try:
        result = perform(viewer, "charter.amend", payload)
    except errors.InvalidInput as exc:
        context = in_commune(viewer, slug)
        answer = ask(viewer, "charter.get", commune=slug)
        return render(
            request,
            "charter.html",
            status_for(exc),
            charter=answer,
            rules=parse_charter(answer["text"]).to_json(),
            form={"title": title, "reason": reason, "text": text},
            problem=exc,
            **context,
        )
    return done(request, f"/c/{slug}/motions/{result['motion']}", "charter.amend")


@router.get("/c/{slug}/journal")
def journal(request: Request, slug: str, before: int | None = Query(None, ge=1)) -> Response:
    """The public journal, newest first, a page at a time."""
    viewer = resolve_viewer(request)
    context = in_commune(viewer, slug)
    answer = ask(viewer, "journal.list", commune=slug, before=before, limit=JOURNAL_PAGE)
    entries = [{**e, "summary": entry_summary(e)} for e in answer["entries"]]
    head = answer["head"]["seq"]
    older = entries[-1]["seq"] if entries and entries[-1]["seq"] > 1 else None
    newer = None
    if entries and entries[0]["seq"] < head:
        newer = entries[0]["seq"] + JOURNAL_PAGE + 1
        newer = None if newer > head else newer
    return render(
        request,
        "journal.html",
        entries=entries,
        older=older,
        newer=newer,
        show_newest=bool(entries) and entries[0]["seq"] < head,
        **context,
    )


@router.get("/c/{slug}/journal.jsonl")
def journal_export(request: Request, slug: str) -> Response:
    """The whole journal as JSON Lines, exactly as stored (check it with ``journal verify``)."""
    viewer = resolve_viewer(request)
    ask(viewer, "commune.get", commune=slug)  # an unknown commune is a 404 before streaming
    lines = ask(viewer, "journal.export", commune=slug)
    return StreamingResponse(
        (line + "\n" for line in lines),
        media_type="application/jsonl",
        headers={"Content-Disposition": f'attachment; filename="{slug}-journal.jsonl"'},
    )
