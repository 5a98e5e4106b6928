"""Rendering pages: the layout's context, flash messages, redirect-after-post, error pages."""

from __future__ import annotations

import contextlib
import re
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from communard import errors
from communard.adapters.web import security
from communard.adapters.web.context import Viewer, ask, check_csrf, require_actor, resolve_viewer
from communard.adapters.web.templating import make_templates

templates = make_templates()

# Flash messages are chosen from this table by a key in a short-lived cookie, so
# a forged cookie can only ever show one of these fixed sentences.
FLASH: dict[str, str] = {
    "signed_in": "You are signed in.",
    "signed_out": "You are signed out.",
    "commune.found": "The commune is founded. Its charter is in force and its journal has begun.",
    "motion.propose": "Your motion is proposed. It needs seconds before the assembly takes it up.",
    "motion.draft": "Your draft is saved. Only you can put it before the assembly.",
    "charter.amend": "The amendment of the charter is proposed as a motion.",
    "motion.second": "Your second is recorded.",
    "motion.comment": "Your comment is posted.",
    "motion.amend": "Your amendment is moved.",
    "amendment.accept": "The amendment is accepted into the motion.",
    "motion.open_vote": "The vote is open.",
    "motion.withdraw": "The motion is withdrawn.",
    "motion.close": "The vote is closed and counted.",
    "vote.cast": "Your vote is recorded.",
    "member.invite": "The invitation is made; it waits in the outbox until it is sent.",
    "member.admit": "Your support for this admission is recorded.",
    "member.join": "Welcome. Your membership is recorded; sign in to take part.",
    "member.joined": "Welcome to the commune.",
    "member.leave": "You have left the commune.",
    "member.suspend": "The suspension is proposed to the assembly as a motion.",
    "section.create": "The section is created.",
    "section.join": "You have joined the section.",
    "token.revoke": "The API token is revoked.",
    "account.set_name": "Your name is changed.",
    "account.set_password": "Your password is changed. Sign in again with the new one.",
}


# Actions that return to a section further down the motion page: their message is shown
# there, where the browser lands, not at the top of the page, out of sight.
FLASH_AT: dict[str, str] = {
    "vote.cast": "roll-call",
    "motion.comment": "deliberation",
    "motion.amend": "amendments",
    "amendment.accept": "amendments",
}


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with the viewer, the flash message and the CSRF cookie it needs."""
    viewer = resolve_viewer(request)
    flash_key = request.cookies.get(security.FLASH_COOKIE)
    context.setdefault("commune", None)
    context.setdefault("problem", None)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "viewer": viewer,
            "flash": FLASH.get(flash_key or ""),
            "flash_at": FLASH_AT.get(flash_key or "") if template == "motion.html" else None,
            **context,
        },
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
        viewer = resolve_viewer(request)
    except errors.CommunardError:
        # A bad token or session still gets a readable page, as a visitor.
        viewer = request.state.viewer = Viewer(application=request.app.state.application)
    context: dict[str, Any] = {}
    inside = re.match(r"/c/([a-z0-9-]+)(/|$)", request.url.path)
    if inside and status != 500:
        # Keep the commune's masthead and navigation around an error inside it.
        with contextlib.suppress(errors.CommunardError):
            context = in_commune(viewer, inside.group(1))
    return render(
        request, "error.html", status, error=body, status=status, back=back(request), **context
    )


def back(request: Request) -> str:
    """Where 'Go back' leads: the referring page of this site, else the front page."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc != request.url.netloc:
        return "/"
    return (referer.path or "/") + (f"?{referer.query}" if referer.query else "")


def done(request: Request, location: str, flash: str) -> RedirectResponse:
    """Redirect after a successful POST (303, so the browser GETs), flashing a fixed message."""
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


def in_commune(viewer: Viewer, slug: str) -> dict[str, Any]:
    """The commune (public) for the layout; notes whether the viewer is an active member."""
    commune = ask(viewer, "commune.get", commune=slug)
    you = commune.get("you") or {}
    viewer.member = you.get("status") == "active"
    return {"commune": commune}


def client_of(request: Request) -> str | None:
    """The client's address, for throttling sign-ins per client as well as per account."""
    return request.client.host if request.client else None


def safe_next(target: str) -> str:
    """Only local paths are followed after sign-in (no open redirect)."""
    if re.fullmatch(r"/(?![/\\])[^\s\\]*", target or ""):
        return target
    return "/"
