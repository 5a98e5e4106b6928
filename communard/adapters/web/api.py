"""The JSON API under ``/api``: one operation per command and query.

Each operation's ``operationId`` is the id of the command (``motion.propose``,
``vote.cast``, ...) or query (``motion.get``, ``journal.list``, ...) it
performs, so the API, the CLI and the journal share one vocabulary. Requests
authenticate with an API token (``Authorization: Bearer``) or with the session
cookie plus the ``X-CSRF-Token`` header on every state-changing call. Errors
have one shape (``Problem``); bodies reject unknown fields.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal, get_type_hints

from fastapi import APIRouter, Depends, Path, Query, Request, Security
from fastapi.security import APIKeyCookie, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, create_model

from communard.adapters.web import schemas
from communard.adapters.web.context import (
    Viewer,
    ask,
    check_csrf,
    perform,
    require_actor,
    resolve_viewer,
)
from communard.adapters.web.problems import WebError, jsonable
from communard.adapters.web.security import CSRF_HEADER, SESSION_COOKIE
from communard.services import commands


class Problem(BaseModel):
    """The one error shape of the API."""

    code: str = Field(examples=["vote.closed"])
    message: str = Field(examples=["The vote on motion 12 closed at 18:00 UTC."])
    hint: str = Field(examples=["Ballots are no longer accepted; see the outcome."])
    details: dict[str, Any] = Field(default_factory=dict)


PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": text}
    for status, text in (
        (400, "Refused for another reason; the message says why"),
        (401, "Not signed in, or the token is not valid"),
        (403, "Not allowed (or no valid CSRF token)"),
        (404, "Nothing visible to you has that id"),
        (409, "Out of state, or clashes with the record"),
        (422, "A field is invalid; details name the field and the fix"),
        (429, "Too many attempts; wait Retry-After seconds"),
        (500, "A fault of the server; nothing was changed"),
    )
}


def ok(model: Any, description: str) -> dict[int | str, dict[str, Any]]:
    """The documented 200 answer of an operation: a schema for clients, not a filter."""
    return {200: {"model": model, "description": description}}


def reader(request: Request) -> Viewer:
    """The viewer of a read-only call (a visitor sees public records only)."""
    return resolve_viewer(request)


def actor(request: Request) -> Viewer:
    """The signed-in viewer of a state-changing call; cookie sessions need the CSRF header."""
    viewer = resolve_viewer(request)
    require_actor(viewer)
    check_csrf(request, viewer, request.headers.get(CSRF_HEADER))
    return viewer


def visitor(request: Request) -> Viewer:
    """The viewer of a state-changing call open to visitors (founding, joining)."""
    viewer = resolve_viewer(request)
    if viewer.via == "session":
        check_csrf(request, viewer, request.headers.get(CSRF_HEADER))
    return viewer


# Declared so that /openapi.json documents how to authenticate; ``context`` does the checking.
SCHEMES = [
    Security(HTTPBearer(auto_error=False, description="An API token from /account")),
    Security(
        APIKeyCookie(
            name=SESSION_COOKIE,
            auto_error=False,
            description="A browser session; state-changing calls also need X-CSRF-Token",
        )
    ),
]

router = APIRouter(prefix="/api", responses=PROBLEMS, dependencies=SCHEMES)

MotionState = Literal[
    "draft", "seconding", "deliberation", "voting", "adopted", "rejected", "lapsed", "withdrawn"
]
Slug = Annotated[str, Path(description="The commune's short address", examples=["paris-1871"])]
MotionId = Annotated[int, Path(description="The motion's number in its commune", ge=1)]
Reader = Annotated[Viewer, Depends(reader)]
Actor = Annotated[Viewer, Depends(actor)]
Visitor = Annotated[Viewer, Depends(visitor)]


def out(value: Any) -> Any:
    """A service answer as JSON (dataclasses and objects with ``to_json`` included)."""
    if hasattr(value, "to_json"):
        return jsonable(value.to_json())
    if hasattr(value, "__dataclass_fields__"):
        return {name: out(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, dict):
        return {str(k): out(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [out(v) for v in value]
    return jsonable(value)


# ---- communes, members, sections ---------------------------------------------------------------


@router.get(
    "/communes", operation_id="commune.list", responses=ok(list[schemas.CommuneRow], "The communes")
)
def list_communes(viewer: Reader) -> Any:
    """The communes on this server (public)."""
    return out(ask(viewer, "commune.list"))


@router.get(
    "/communes/{slug}", operation_id="commune.get", responses=ok(schemas.Commune, "The commune")
)
def get_commune(slug: Slug, viewer: Reader) -> Any:
    """A commune's public description."""
    return out(ask(viewer, "commune.get", commune=slug))


@router.get(
    "/communes/{slug}/members",
    operation_id="member.list",
    responses=ok(list[schemas.MemberRow], "The members"),
)
def list_members(slug: Slug, viewer: Reader) -> Any:
    """Members, applicants and former members: names, status, section (never e-mails)."""
    return out(ask(viewer, "member.list", commune=slug))


@router.get(
    "/communes/{slug}/sections",
    operation_id="section.list",
    responses=ok(list[schemas.SectionRow], "The sections"),
)
def list_sections(slug: Slug, viewer: Reader) -> Any:
    """The sections of a commune and their numbers of active members."""
    return out(ask(viewer, "section.list", commune=slug))


# ---- motions and votes ------------------------------------------------------------------------


@router.get(
    "/communes/{slug}/motions",
    operation_id="motion.list",
    responses=ok(list[schemas.MotionRow], "The motions"),
)
def list_motions(
    slug: Slug,
    viewer: Reader,
    state: Annotated[MotionState | None, Query(description="Only motions in this state")] = None,
) -> Any:
    """The motions of a commune, newest first (public, as the journal that records them)."""
    return out(ask(viewer, "motion.list", commune=slug, state=state))


@router.get(
    "/communes/{slug}/motions/{number}",
    operation_id="motion.get",
    responses=ok(schemas.Motion, "The motion"),
)
def get_motion(slug: Slug, number: MotionId, viewer: Reader) -> Any:
    """A motion with its amendments, comments, roll call, outcome and history."""
    return out(ask(viewer, "motion.get", commune=slug, motion=number))


# ---- the public record ------------------------------------------------------------------------


@router.get(
    "/communes/{slug}/charter",
    operation_id="charter.get",
    responses=ok(schemas.Charter, "The charter"),
)
def get_charter(
    slug: Slug,
    viewer: Reader,
    version: Annotated[int | None, Query(ge=1, description="An older version")] = None,
) -> Any:
    """The charter in force (or an older version), with its rules and text (public)."""
    return out(ask(viewer, "charter.get", commune=slug, version=version))


@router.get(
    "/communes/{slug}/journal",
    operation_id="journal.list",
    responses=ok(schemas.JournalPage, "A page of the journal"),
)
def list_journal(
    slug: Slug,
    viewer: Reader,
    before: Annotated[
        int | None, Query(ge=1, description="Newest first: entries numbered below this")
    ] = None,
    after: Annotated[
        int | None, Query(ge=0, description="Oldest first: entries numbered above this")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Any:
    """Journal entries (public): newest first, or oldest first from ``after`` (to follow it)."""
    if after is not None and before is not None:
        raise WebError(
            422,
            "request.invalid",
            "Give either 'before' or 'after', not both.",
            hint="Use 'after' to read the journal forward, 'before' to page back from the newest.",
            details={
                "fields": [
                    {
                        "field": "after",
                        "in": "query",
                        "problem": "with before",
                        "fix": "remove one of them",
                    }
                ]
            },
        )
    params = {"before": before} if after is None else {"after": after}
    return out(ask(viewer, "journal.list", commune=slug, limit=limit, **params))


# ---- private records ------------------------------------------------------------------------


@router.get(
    "/communes/{slug}/outbox",
    operation_id="outbox.list",
    responses=ok(list[schemas.Mail], "The mail"),
)
def list_outbox(slug: Slug, viewer: Reader) -> Any:
    """Mail of the commune waiting or sent (active members only)."""
    return out(ask(viewer, "outbox.list", commune=slug))


@router.get("/account", operation_id="account.get", responses=ok(schemas.Account, "The account"))
def get_account(viewer: Reader) -> Any:
    """The signed-in person: name, e-mail, memberships and API tokens (never their secrets)."""
    require_actor(viewer)
    return out(ask(viewer, "account.get"))


# ---- commands: one POST operation per command, generated from the command registry ------------

# Commands the API does not offer: ``tick`` is run by a scheduler through the CLI.
NOT_IN_API = frozenset({"tick"})


def body_model(kind: type[commands.Command]) -> type[BaseModel]:
    """The request body of a command: its fields (less the commune, taken from the path).

    Unknown fields are refused. Fields the commands default to 0 address a
    record (a motion's number, a member's id) and so are required here.
    """
    hints = get_type_hints(kind)
    fields: dict[str, Any] = {}
    for field in dataclasses.fields(kind):
        if field.name == "commune" and issubclass(kind, commands.CommuneCommand):
            continue
        annotation = hints[field.name]
        if field.default is dataclasses.MISSING or (annotation is int and field.default == 0):
            fields[field.name] = (annotation, Field(ge=1) if annotation is int else ...)
        else:
            fields[field.name] = (annotation, field.default)
    name = "".join(part.title() for part in kind.id.replace(".", "_").split("_"))
    model: type[BaseModel] = create_model(
        name, __config__=ConfigDict(extra="forbid"), __doc__=kind.__doc__, **fields
    )
    return model


def _command_operation(kind: type[commands.Command]) -> Any:
    """The endpoint performing one command for the viewer and returning its result as JSON."""
    model = body_model(kind)
    in_commune = issubclass(kind, commands.CommuneCommand)
    # Founding and joining are for people who have no account yet.
    open_to_visitors = kind.id in ("commune.found", "member.join")
    dependency = visitor if open_to_visitors else actor

    if in_commune:

        def operation(slug: str, body: Any, viewer: Viewer) -> Any:
            return out(perform(viewer, kind.id, {"commune": slug, **body.model_dump()}))

    else:

        def operation(body: Any, viewer: Viewer) -> Any:  # type: ignore[misc]
            return out(perform(viewer, kind.id, body.model_dump()))

    # The body's model is made at run time, so the annotations are set here, not written.
    operation.__annotations__ = {
        "body": model,
        "viewer": Annotated[Viewer, Depends(dependency)],
        "return": Any,
    }
    if in_commune:
        operation.__annotations__["slug"] = Slug
    operation.__doc__ = (kind.__doc__ or kind.id).strip()
    return operation


for _kind in commands.ALL:
    if _kind.id in NOT_IN_API:
        continue
    _in_commune = issubclass(_kind, commands.CommuneCommand)
    router.add_api_route(
        f"/communes/{{slug}}/{_kind.id}" if _in_commune else f"/{_kind.id}",
        _command_operation(_kind),
        methods=["POST"],
        operation_id=_kind.id,
        summary=_kind.id,
        responses=ok(
            schemas.COMMAND_RESULTS.get(_kind.id, schemas.CommandResult),
            "Done and recorded on the journal; the command's result",
        ),
        tags=[_kind.id.split(".")[0]],
    )
