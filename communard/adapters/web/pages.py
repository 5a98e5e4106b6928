"""The pages: server-rendered HTML that works without JavaScript.

Every core action is a form that POSTs with the CSRF token, is performed as a
named command, and redirects back (post/redirect/get) with a short flash
message. Errors render as a readable notice with the same code, message and
hint the JSON API gives. What a visitor or a member of another commune may see
is decided by the services' queries, never here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from communard import errors
from communard.adapters.web import security
from communard.adapters.web.context import (
    Viewer,
    ask,
    check_csrf,
    perform,
    require_actor,
    resolve_viewer,
)
from communard.adapters.web.problems import status_for
from communard.adapters.web.templating import make_templates

router = APIRouter(include_in_schema=False)
templates = make_templates()

# Flash messages are chosen from this table by a key in a short-lived cookie, so
# a forged cookie can only ever show one of these fixed sentences.
FLASH: dict[str, str] = {
    "signed_in": "You are signed in.",
    "signed_out": "You are signed out.",
    "commune.found": "The commune is founded. Its charter is in force and the journal has begun.",
    "motion.propose": "Your motion is proposed. It needs seconds before the assembly takes it up.",
    "motion.second": "Your second is recorded.",
    "motion.comment": "Your comment is posted.",
    "motion.amend": "Your amendment is moved.",
    "amendment.accept": "The amendment is accepted into the motion.",
    "motion.open_vote": "The vote is open.",
    "motion.withdraw": "The motion is withdrawn.",
    "motion.close": "The vote is closed and counted.",
    "vote.cast": "Your vote is recorded.",
    "member.invite": "The invitation is sent (or waits in the outbox).",
    "member.admit": "Your sponsorship is recorded.",
    "member.join": "Welcome to the commune.",
    "member.leave": "You have left the commune.",
    "section.create": "The section is created.",
    "token.issue": "Your API token is issued.",
    "token.revoke": "The API token is revoked.",
}

STATE_FILTERS: list[tuple[str, str]] = [
    ("", "All"),
    ("draft", "Draft"),
    ("seconding", "Seconding"),
    ("deliberation", "Deliberation"),
    ("voting", "Voting"),
    ("adopted", "Adopted"),
    ("rejected", "Rejected"),
    ("lapsed", "Lapsed"),
    ("withdrawn", "Withdrawn"),
]


# ---- rendering -------------------------------------------------------------------------------


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with the viewer, the flash message and the CSRF cookie it needs."""
    viewer = resolve_viewer(request)
    flash_key = request.cookies.get(security.FLASH_COOKIE)
    context.setdefault("commune", None)
    context.setdefault("problem", None)
    response = templates.TemplateResponse(
        request,
        template,
        {"viewer": viewer, "flash": FLASH.get(flash_key or ""), **context},
        status_code=status_code,
    )
    if flash_key:
        response.delete_cookie(security.FLASH_COOKIE, path="/")
    if viewer.new_visitor_token:
        security.set_visitor_csrf_cookie(response, request, viewer.csrf_token)
    response.headers["Cache-Control"] = "no-store"
    return response


def render_error_page(request: Request, status: int, body: dict[str, Any]) -> Response:
    """The error notice as a page (used by the one error table in ``problems``)."""
    try:
        resolve_viewer(request)
    except errors.CommunardError:
        request.state.viewer = Viewer()
    return render(request, "error.html", status, error=body, status=status, back=_back(request))


def _back(request: Request) -> str:
    """Where 'Go back' leads: the referring page of this site, else the front page."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc != request.url.netloc:
        return "/"
    return (referer.path or "/") + (f"?{referer.query}" if referer.query else "")


def done(request: Request, location: str, flash: str) -> RedirectResponse:
    """Redirect after a successful POST, flashing a fixed message."""
    response = RedirectResponse(location, status_code=303)
    response.set_cookie(
        security.FLASH_COOKIE, flash, max_age=60, httponly=True, samesite="lax", path="/"
    )
    return response


def acting(request: Request, csrf_token: str) -> Viewer:
    """The signed-in viewer of a form POST whose CSRF token matches."""
    viewer = resolve_viewer(request)
    check_csrf(request, viewer, csrf_token)
    require_actor(viewer)
    return viewer


def commune_context(viewer: Viewer, slug: str) -> dict[str, Any]:
    """The commune (public) and whether the viewer is one of its active members."""
    commune = ask(viewer, "commune.get", commune=slug)
    viewer.member = bool(getattr(commune, "viewer_is_member", False))
    return {"commune": commune}


# ---- sign in, sign out, found, account ------------------------------------------------------


@router.get("/")
def index(request: Request) -> Response:
    """The communes on this server."""
    viewer = resolve_viewer(request)
    return render(request, "index.html", communes=ask(viewer, "commune.list"))


def _safe_next(target: str) -> str:
    """Only local paths are followed after sign-in (no open redirect)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/sign-in")
def sign_in_form(request: Request, next: str = "/") -> Response:
    """The sign-in form."""
    return render(request, "sign_in.html", next=_safe_next(next), login="")


@router.post("/sign-in")
def sign_in(
    request: Request,
    login: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
    csrf_token: str = Form(""),
) -> Response:
    """Check the credentials (throttled by the services) and start a session."""
    viewer = resolve_viewer(request)
    check_csrf(request, viewer, csrf_token)
    client = request.client.host if request.client else "unknown"
    try:
        session = request.app.state.application.auth.sign_in(login, password, client)
    except (errors.Unauthenticated, errors.RateLimited, errors.InvalidInput) as exc:
        status = 429 if isinstance(exc, errors.RateLimited) else 401
        return render(
            request, "sign_in.html", status, next=_safe_next(next), login=login, problem=exc
        )
    response = done(request, _safe_next(next), "signed_in")
    security.set_session_cookie(response, request, session.token)
    return response


@router.post("/sign-out")
def sign_out(request: Request, csrf_token: str = Form("")) -> Response:
    """End the session on the server and in the browser."""
    viewer = resolve_viewer(request)
    check_csrf(request, viewer, csrf_token)
    if viewer.session_token:
        request.app.state.application.auth.sign_out(viewer.session_token)
    response = done(request, "/", "signed_out")
    security.clear_session_cookie(response, request)
    return response


@router.get("/found")
def found_form(request: Request) -> Response:
    """The form to found a commune, with the default charter filled in."""
    charter = request.app.state.application.default_charter()
    return render(request, "found.html", form={"charter": charter})


@router.post("/found")
def found(
    request: Request,
    name: str = Form(""),
    slug: str = Form(""),
    charter: str = Form(""),
    founder_name: str = Form(""),
    email: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    """Found a commune (``commune.found``) and sign the founder in."""
    viewer = resolve_viewer(request)
    check_csrf(request, viewer, csrf_token)
    payload = {
        "slug": slug,
        "name": name,
        "charter": charter,
        "founder_name": founder_name,
        "founder_email": email,
        "founder_password": password,
    }
    try:
        perform(viewer, "commune.found", payload)
        client = request.client.host if request.client else "unknown"
        session = request.app.state.application.auth.sign_in(email, password, client)
    except errors.CommunardError as exc:
        form = {**payload, "email": email, "founder_password": ""}
        return render(request, "found.html", status_for(exc), form=form, problem=exc)
    response = done(request, f"/c/{slug}", "commune.found")
    security.set_session_cookie(response, request, session.token)
    return response


@router.get("/account")
def account(request: Request) -> Response:
    """The signed-in person's account: communes and API tokens."""
    viewer = resolve_viewer(request)
    require_actor(viewer)
    data = ask(viewer, "account.get")
    return render(
        request,
        "account.html",
        account=data,
        memberships=getattr(data, "communes", []),
        tokens=ask(viewer, "token.list"),
        new_token=None,
    )


@router.post("/account/tokens")
def issue_token(request: Request, label: str = Form(""), csrf_token: str = Form("")) -> Response:
    """Issue an API token and show it once (never stored in plain text)."""
    viewer = acting(request, csrf_token)
    issued = perform(viewer, "token.issue", {"name": label})
    data = ask(viewer, "account.get")
    return render(
        request,
        "account.html",
        account=data,
        memberships=getattr(data, "communes", []),
        tokens=ask(viewer, "token.list"),
        new_token=issued.token,
    )


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: int, csrf_token: str = Form("")) -> Response:
    """Revoke one of the viewer's API tokens."""
    viewer = acting(request, csrf_token)
    perform(viewer, "token.revoke", {"token": token_id})
    return done(request, "/account#tokens", "token.revoke")


# ---- the commune ------------------------------------------------------------------------------


@router.get("/c/{slug}")
def commune_home(request: Request, slug: str) -> Response:
    """What is open for vote, what needs seconds, recent decisions, overdue items."""
    viewer = resolve_viewer(request)
    context = commune_context(viewer, slug)
    home = ask(viewer, "commune.home", commune=slug)
    return render(request, "commune.html", home=home, **context)


@router.get("/c/{slug}/members")
def members(request: Request, slug: str) -> Response:
    """Members, sections and applicants awaiting admission (members only)."""
    viewer = resolve_viewer(request)
    context = commune_context(viewer, slug)
    roster = ask(viewer, "member.list", commune=slug)
    charter = ask(viewer, "charter.get", commune=slug)
    return render(
        request,
        "members.html",
        members=roster.members,
        candidates=roster.applicants,
        sections=ask(viewer, "section.list", commune=slug),
        charter=charter.charter,
        **context,
    )


@router.post("/c/{slug}/invitations")
def invite(
    request: Request,
    slug: str,
    name: str = Form(""),
    email: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    """Invite someone (``member.invite``); without SMTP the link waits in the outbox."""
    viewer = acting(request, csrf_token)
    perform(viewer, "member.invite", {"commune": slug, "email": email})
    return done(request, f"/c/{slug}/outbox", "member.invite")


@router.get("/c/{slug}/outbox")
def outbox(request: Request, slug: str) -> Response:
    """Messages waiting to be passed on by hand (members only)."""
    viewer = resolve_viewer(request)
    context = commune_context(viewer, slug)
    messages = ask(viewer, "outbox.list", commune=slug)
    return render(request, "outbox.html", messages=messages, **context)


@router.post("/c/{slug}/members/{member_id}/admit")
def admit(request: Request, slug: str, member_id: int, csrf_token: str = Form("")) -> Response:
    """Sponsor an applicant (``member.admit``)."""
    viewer = acting(request, csrf_token)
    perform(viewer, "member.admit", {"commune": slug, "member": member_id})
    return done(request, f"/c/{slug}/members", "member.admit")


@router.post("/c/{slug}/leave")
def leave(request: Request, slug: str, csrf_token: str = Form("")) -> Response:
    """Leave the commune (``member.leave``)."""
    viewer = acting(request, csrf_token)
    perform(viewer, "member.leave", {"commune": slug})
    return done(request, f"/c/{slug}", "member.leave")


@router.post("/c/{slug}/sections")
def create_section(
    request: Request, slug: str, name: str = Form(""), csrf_token: str = Form("")
) -> Response:
    """Create a section (``section.create``)."""
    viewer = acting(request, csrf_token)
    perform(viewer, "section.create", {"commune": slug, "name": name})
    return done(request, f"/c/{slug}/members", "section.create")


@router.get("/c/{slug}/join")
def join_form(request: Request, slug: str, token: str = Query("")) -> Response:
    """The invitation page: choose a name and a password, and join."""
    viewer = resolve_viewer(request)
    context = commune_context(viewer, slug)
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
        perform(viewer, "member.join", payload)
    except (errors.InvalidInput, errors.NotFound, errors.Conflict) as exc:
        context = commune_context(viewer, slug)
        return render(
            request,
            "join.html",
            status_for(exc),
            token=token,
            form={"name": name},
            problem=exc,
            **context,
        )
    if viewer.actor is None:
        return done(request, f"/sign-in?next=/c/{slug}", "member.join")
    return done(request, f"/c/{slug}", "member.join")


# ---- motions ----------------------------------------------------------------------------------


@router.get("/c/{slug}/motions")
def motions(request: Request, slug: str, state: str = Query("")) -> Response:
    """The motions, filtered by state."""
    viewer = resolve_viewer(request)
    context = commune_context(viewer, slug)
    found_motions = ask(viewer, "motion.list", commune=slug, state=state or None)
    return render(
        request, "motions.html", motions=found_motions, states=STATE_FILTERS, state=state, **context
    )


@router.get("/c/{slug}/motions/new")
def new_motion_form(request: Request, slug: str) -> Response:
    """The form to propose a motion, with the charter's decision classes."""
    viewer = resolve_viewer(request)
    require_actor(viewer)
    context = commune_context(viewer, slug)
    return render(
        request,
        "motion_new.html",
        form={},
        decision_classes=_decision_classes(request, viewer, slug),
        **context,
    )


def _decision_classes(request: Request, viewer: Viewer, slug: str) -> list[dict[str, str]]:
    """The charter's decision classes, each with a one-line summary of its procedure."""
    charter = ask(viewer, "charter.get", commune=slug).charter
    from communard.adapters.web.templating import duration, fraction

    return [
        {
            "id": dc.id,
            "name": dc.title,
            "summary": f"{dc.seconds} seconds to admit; deliberation {duration(dc.deliberation)}, "
            f"voting {duration(dc.voting)}; adopted with {fraction(dc.threshold)} of "
            f"{'votes cast' if dc.threshold_of == 'cast' else 'members'}, "
            f"quorum {fraction(dc.quorum)}.",
        }
        for dc in charter.classes.values()
    ]


@router.post("/c/{slug}/motions/new")
def propose(
    request: Request,
    slug: str,
    title: str = Form(""),
    text: str = Form(""),
    decision_class: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    """Propose a motion (``motion.propose``); on error the form comes back filled in."""
    viewer = acting(request, csrf_token)
    payload = {"commune": slug, "title": title, "body": text, "decision_class": decision_class}
    try:
        result = perform(viewer, "motion.propose", payload)
    except (errors.InvalidInput, errors.Forbidden) as exc:
        context = commune_context(viewer, slug)
        return render(
            request,
            "motion_new.html",
            status_for(exc),
            form=payload,
            decision_classes=_decision_classes(request, viewer, slug),
            problem=exc,
            **context,
        )
    return done(request, f"/c/{slug}/motions/{result.motion_id}", "motion.propose")


@router.get("/c/{slug}/motions/{motion_id}")
def motion(request: Request, slug: str, motion_id: int) -> Response:
    """A motion: text, amendments, comments, actions, roll call, outcome and history."""
    viewer = resolve_viewer(request)
    context = commune_context(viewer, slug)
    page = ask(viewer, "motion.get", commune=slug, motion_id=motion_id)
    return render(request, "motion.html", **_motion_context(page), **context)


def _motion_context(page: Any) -> dict[str, Any]:
    """What the motion template needs, from the ``motion.get`` answer."""
    return {
        "motion": page.motion,
        "can": page.can,
        "amendments": page.amendments,
        "comments": page.comments,
        "tally": tally_view(page.tally),
        "my_choice": page.my_choice,
        "history": page.history,
    }


def tally_view(tally: Any) -> dict[str, Any]:
    """Totals, bar widths (out of 1000) and the roll call of a motion's ballots."""
    counts = {c: int(getattr(tally, c, 0)) for c in ("yes", "no", "abstain")}
    total = sum(counts.values())
    bar = {c: (n * 1000 // total if total else 0) for c, n in counts.items()}
    return {
        **counts,
        "total": total,
        "members": getattr(tally, "members", None),
        "bar": bar,
        "ballots": getattr(tally, "ballots", []),
    }


@router.get("/c/{slug}/motions/{motion_id}/tally")
def tally_fragment(request: Request, slug: str, motion_id: int) -> Response:
    """The live roll-call tally as an HTML fragment (polled by communard.js)."""
    viewer = resolve_viewer(request)
    page = ask(viewer, "motion.get", commune=slug, motion_id=motion_id)
    response = templates.TemplateResponse(
        request, "_tally.html", {"viewer": viewer, "tally": tally_view(page.tally)}
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _motion_action(command_id: str, **extra_fields: str) -> Any:
    """A POST handler performing ``command_id`` on a motion, then back to the motion page."""

    def handler(
        request: Request, slug: str, motion_id: int, csrf_token: str = Form("")
    ) -> Response:
        viewer = acting(request, csrf_token)
        perform(viewer, command_id, {"commune": slug, "motion": motion_id})
        return done(request, f"/c/{slug}/motions/{motion_id}", command_id)

    handler.__doc__ = f"Perform ``{command_id}`` on the motion and return to its page."
    return handler


for _path, _command in (
    ("second", "motion.second"),
    ("open-vote", "motion.open_vote"),
    ("close", "motion.close"),
    ("withdraw", "motion.withdraw"),
):
    router.add_api_route(
        f"/c/{{slug}}/motions/{{motion_id}}/{_path}", _motion_action(_command), methods=["POST"]
    )


@router.post("/c/{slug}/motions/{motion_id}/vote")
def vote(
    request: Request,
    slug: str,
    motion_id: int,
    choice: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    """Cast or change a roll-call ballot (``vote.cast``)."""
    viewer = acting(request, csrf_token)
    perform(request, viewer, "vote.cast", {"commune": slug, "motion": motion_id, "choice": choice})
    return done(request, f"/c/{slug}/motions/{motion_id}#h-tally", "vote.cast")


@router.post("/c/{slug}/motions/{motion_id}/comment")
def comment(
    request: Request, slug: str, motion_id: int, text: str = Form(""), csrf_token: str = Form("")
) -> Response:
    """Post a comment in the deliberation (``motion.comment``)."""
    viewer = acting(request, csrf_token)
    perform(request, viewer, "motion.comment", {"commune": slug, "motion": motion_id, "body": text})
    return done(request, f"/c/{slug}/motions/{motion_id}#h-comments", "motion.comment")


@router.post("/c/{slug}/motions/{motion_id}/amend")
def amend(
    request: Request, slug: str, motion_id: int, text: str = Form(""), csrf_token: str = Form("")
) -> Response:
    """Move an amendment (``motion.amend``)."""
    viewer = acting(request, csrf_token)
    perform(request, viewer, "motion.amend", {"commune": slug, "motion": motion_id, "body": text})
    return done(request, f"/c/{slug}/motions/{motion_id}#h-amendments", "motion.amend")


@router.post("/c/{slug}/motions/{motion_id}/amendments/{amendment_id}/accept")
def accept_amendment(
    request: Request, slug: str, motion_id: int, amendment_id: int, csrf_token: str = Form("")
) -> Response:
    """The mover accepts an amendment into the motion (``amendment.accept``)."""
    viewer = acting(request, csrf_token)
    payload = {"commune": slug, "amendment": amendment_id}
    perform(viewer, "amendment.accept", payload)
    return done(request, f"/c/{slug}/motions/{motion_id}#h-amendments", "amendment.accept")


# ---- public record ----------------------------------------------------------------------------


@router.get("/c/{slug}/charter")
def charter(request: Request, slug: str, version: int | None = Query(None)) -> Response:
    """The charter in force (or an older version) and the list of versions."""
    viewer = resolve_viewer(request)
    context = commune_context(viewer, slug)
    answer = ask(viewer, "charter.get", commune=slug, version=version)
    return render(
        request,
        "charter.html",
        charter=answer.charter,
        version=answer.version,
        versions=answer.versions,
        **context,
    )


JOURNAL_PAGE = 50


@router.get("/c/{slug}/journal")
def journal(request: Request, slug: str, before: int | None = Query(None, ge=1)) -> Response:
    """The public journal, newest first, 50 entries a page."""
    viewer = resolve_viewer(request)
    context = commune_context(viewer, slug)
    answer = ask(viewer, "journal.list", commune=slug, before=before, limit=JOURNAL_PAGE)
    entries = list(answer.entries)
    head = answer.head
    older = entries[-1].seq if entries and entries[-1].seq > 1 else None
    newest_shown = entries[0].seq if entries else 0
    newer = newest_shown + JOURNAL_PAGE + 1 if newest_shown < head else None
    if newer is not None and newer > head:
        newer = head + 1
    return render(request, "journal.html", entries=entries, older=older, newer=newer, **context)


@router.get("/c/{slug}/journal.jsonl")
def journal_export(request: Request, slug: str) -> Response:
    """The whole journal as JSON Lines, exactly as stored (for ``journal verify``)."""
    viewer = resolve_viewer(request)
    lines = ask(viewer, "journal.export", commune=slug)
    return Response(
        "".join(line + "\n" for line in lines),
        media_type="application/jsonl",
        headers={"Content-Disposition": f'attachment; filename="{slug}-journal.jsonl"'},
    )
