"""Who is asking, and the two doors into the services: ``perform`` and ``ask``.

Every request resolves a ``Viewer``: a visitor, a member signed in with the
session cookie, or a script with an API token. Pages and the JSON API then call
the services only through ``perform`` (a named command, e.g. ``vote.cast``) and
``ask`` (a named query, e.g. ``motion.get``), passing the viewer's actor; the
services decide what the actor may see and do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from communard.adapters.web import security
from communard.adapters.web.problems import csrf_rejected, not_signed_in


@dataclass
class Viewer:
    """The person behind a request, as far as the web knows."""

    application: Any = None
    actor: Any = None
    name: str = ""
    csrf_token: str = ""
    session_token: str = ""
    via: str = "visitor"  # "visitor", "session" or "token"
    new_visitor_token: bool = False
    member: bool = False

    @property
    def signed_in(self) -> bool:
        return self.actor is not None


def application_of(request: Request) -> Any:
    """The ``Application`` the app was created with."""
    return request.app.state.application


def bearer_token(request: Request) -> str | None:
    """The API token of an ``Authorization: Bearer`` header, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def resolve_viewer(request: Request) -> Viewer:
    """Find who is asking: API token first, then the session cookie, else a visitor."""
    cached = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    application = application_of(request)
    token = bearer_token(request)
    if token is not None:
        # A bad token is an error, never a silent fall-back to visitor access.
        actor = application.auth.authenticate_token(token)
        viewer = Viewer(actor=actor, name=actor.name, via="token")
    else:
        viewer = Viewer()
        session_token = request.cookies.get(security.SESSION_COOKIE)
        session = application.auth.session(session_token) if session_token else None
        if session is not None:
            viewer = Viewer(
                actor=session.actor,
                name=session.actor.name,
                csrf_token=session.csrf_token,
                session_token=session_token or "",
                via="session",
            )
        else:
            csrf, new = security.visitor_csrf_token(request)
            viewer = Viewer(csrf_token=csrf, new_visitor_token=new)
    viewer.application = application
    request.state.viewer = viewer
    return viewer


def check_csrf(request: Request, viewer: Viewer, given: str | None) -> None:
    """Refuse a state-changing request whose CSRF token does not match the viewer's.

    API-token requests need none: a browser never attaches an Authorization
    header on its own, so a forged cross-site request cannot carry one.
    """
    if viewer.via == "token":
        return
    if not security.tokens_match(viewer.csrf_token, given):
        raise csrf_rejected()


def require_actor(viewer: Viewer) -> Any:
    """The viewer's actor, or a 401 error when nobody is signed in."""
    if viewer.actor is None:
        raise not_signed_in()
    return viewer.actor


def perform(viewer: Viewer, command_id: str, payload: dict[str, Any]) -> Any:
    """Perform the named command as the viewer's actor (one transaction, one journal entry)."""
    return viewer.application.execute(command_id, viewer.actor, payload)


def ask(viewer: Viewer, query_id: str, **params: Any) -> Any:
    """Answer the named query as the viewer's actor (visitors see public records only)."""
    return viewer.application.query(query_id, viewer.actor, **params)
