"""Pages for people: sign in and out, founding a commune, the account and its API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from communard import errors
from communard.adapters.web import security
from communard.adapters.web.context import (
    ask,
    check_csrf,
    perform,
    require_actor,
    resolve_viewer,
)
from communard.adapters.web.pages.rendering import (
    acting,
    client_of,
    done,
    render,
    safe_next,
)
from communard.adapters.web.problems import status_for
from communard.services.communes import template as charter_template

router = APIRouter()


@router.get("/")
def index(request: Request) -> Response:
    """The communes on this server."""
    viewer = resolve_viewer(request)
    return render(request, "index.html", communes=ask(viewer, "commune.list"))


@router.get("/sign-in")
def sign_in_form(request: Request, next: str = "/", login: str = "") -> Response:
    """The sign-in form (``login`` prefills the e-mail address, e.g. after joining)."""
    return render(request, "sign_in.html", next=safe_next(next), login=login)


@router.post("/sign-in")
def sign_in(
    request: Request,
    login: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
    csrf_token: str = Form(""),
) -> Response:
    """Check the credentials (throttled by the services) and start a session.

    Failures re-render the form with the services' one generic message, so the
    page never tells whether an address has an account.
    """
    viewer = resolve_viewer(request)
    check_csrf(request, viewer, csrf_token)
    auth = request.app.state.application.auth
    try:
        signed_in = auth.sign_in(login, password, client=client_of(request))
    except (errors.Unauthenticated, errors.RateLimited) as exc:
        return render(
            request,
            "sign_in.html",
            status_for(exc),
            next=safe_next(next),
            login=login,
            problem=exc,
        )
    response = done(request, safe_next(next), "signed_in")
    security.set_session_cookie(response, request, signed_in.token, signed_in.expires_at)
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
    return render(request, "found.html", form={"charter": charter_template("default")})


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
    """Found a commune (``commune.found``); a new founder is signed in at once."""
    viewer = resolve_viewer(request)
    check_csrf(request, viewer, csrf_token)
    payload: dict[str, object] = {"slug": slug, "name": name, "charter": charter or None}
    if viewer.actor is None:
        payload |= {
            "founder_name": founder_name,
            "founder_email": email,
            "founder_password": password,
        }
    try:
        perform(viewer, "commune.found", payload)
    except errors.CommunardError as exc:
        form = {"name": name, "slug": slug, "charter": charter, "founder_name": founder_name}
        return render(
            request, "found.html", status_for(exc), form=form | {"email": email}, problem=exc
        )
    response = done(request, f"/c/{slug}", "commune.found")
    if viewer.actor is None:
        auth = request.app.state.application.auth
        signed_in = auth.sign_in(email, password, client=client_of(request))
        security.set_session_cookie(response, request, signed_in.token, signed_in.expires_at)
    return response


def _account_page(request: Request, new_token: str | None = None) -> Response:
    viewer = resolve_viewer(request)
    require_actor(viewer)
    return render(request, "account.html", account=ask(viewer, "account.get"), new_token=new_token)


@router.get("/account")
def account(request: Request) -> Response:
    """The signed-in person's account: communes and API tokens."""
    return _account_page(request)


@router.post("/account/tokens")
def issue_token(request: Request, name: str = Form(""), csrf_token: str = Form("")) -> Response:
    """Issue an API token and show its secret once, on this response only (never redirected)."""
    viewer = acting(request, csrf_token)
    issued = perform(viewer, "token.issue", {"name": name})
    return _account_page(request, new_token=issued["token"])


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: int, csrf_token: str = Form("")) -> Response:
    """Revoke one of the viewer's API tokens."""
    viewer = acting(request, csrf_token)
    perform(viewer, "token.revoke", {"token": token_id})
    return done(request, "/account#tokens", "token.revoke")


@router.post("/account/password")
def set_password(
    request: Request,
    password: str = Form(""),
    current: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    """Change the password (``account.set_password``), which ends every session; sign in again."""
    viewer = acting(request, csrf_token)
    perform(viewer, "account.set_password", {"password": password, "current": current or None})
    response = done(request, "/sign-in?next=/account", "account.set_password")
    security.clear_session_cookie(response, request)
    return response


@router.post("/account/name")
def set_name(
    request: Request, display_name: str = Form(""), csrf_token: str = Form("")
) -> Response:
    """Change the name shown on the record (``account.set_name``)."""
    viewer = acting(request, csrf_token)
    perform(viewer, "account.set_name", {"display_name": display_name})
    return done(request, "/account", "account.set_name")
