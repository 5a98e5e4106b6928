"""Who is asking, and the two doors into the services: ``perform`` and ``ask``.

Every request resolves a ``Viewer``: a visitor, a member signed in with the
session cookie, or a script with an API token. Pages and the JSON API then call
the services only through ``perform`` (a named command, e.g. ``vote.cast``) and
``ask`` (a named query, e.g. ``motion.get``), passing the viewer's actor; the
services decide what the actor may see and do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from communard.adapters.web import security
from communard.adapters.web.problems import csrf_rejected, not_signed_in
from communard.services import commands
from communard.services.access import Actor


@dataclass
class Viewer:
    """The person behind a request, as far as the web knows."""

    application: Any = None  # communard.bootstrap.Application (the layer above this one)
    actor: Actor | None = None
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
        # A bad token is an error (401), never a silent fall-back to visitor access.
        viewer = Viewer(actor=application.auth.actor_for_api_token(token), via="token")
    else:
        session_token = request.cookies.get(security.SESSION_COOKIE)
        session = application.auth.session(session_token) if session_token else None
        if session is not None:
            viewer = Viewer(
                actor=session.actor,
                name=session.display_name,
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


def require_actor(viewer: Viewer) -> Actor:
    """The viewer's actor, or a 401 error when nobody is signed in."""
    if viewer.actor is None:
        raise not_signed_in()
    return viewer.actor


def perform(viewer: Viewer, command_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Perform the named command as the viewer's actor (one transaction, one journal entry)."""
    command = commands.from_json(command_id, payload)
    return viewer.application.handle(command, viewer.actor)  # type: ignore[no-any-return]


def journal_page(
    queries: Any,
    actor: Any,
    commune: str,
    before: int | None = None,
    after: int | None = None,
    limit: int = 50,
) -> Any:
    """A page of the journal: newest first below ``before``, or oldest first above ``after``."""
    if after is not None:
        return queries.journal(commune, after=after, limit=limit)
    return queries.journal(commune, after=before or 0, limit=limit, descending=True)


# The named queries: each id (also the API's operationId) and how the services answer it.
QUERIES: dict[str, Callable[..., Any]] = {
    "commune.list": lambda q, actor: q.communes(),
    "commune.get": lambda q, actor, commune: q.commune(commune, actor),
    "member.list": lambda q, actor, commune: q.members(commune, actor),
    "section.list": lambda q, actor, commune: q.sections(commune),
    "motion.list": lambda q, actor, commune, state=None: q.motions(commune, state),
    "motion.get": lambda q, actor, commune, motion: q.motion(commune, motion, actor),
    "charter.get": lambda q, actor, commune, version=None: q.charter(commune, version),
    "journal.list": journal_page,
    "journal.export": lambda q, actor, commune: q.export_journal(commune),
    "outbox.list": lambda q, actor, commune: q.outbox(commune, actor),
    "account.get": lambda q, actor: q.account(actor),
}


def ask(viewer: Viewer, query_id: str, **params: Any) -> Any:
    """Answer the named query as the viewer's actor (visitors see public records only)."""
    return QUERIES[query_id](viewer.application.queries, viewer.actor, **params)
