"""One error shape for the web: ``{"code", "message", "hint", "details"}``.

The services raise errors from ``communard.errors``; this module is the one
table that turns each class into an HTTP status. The JSON API answers with the
shape above, pages render the same fields as a readable notice. FastAPI's own
validation errors (wrong types, missing fields, bad JSON) are converted to the
same shape, naming each field and the fix. Unexpected exceptions become a plain
500 without a trace; the trace goes to the server log only.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from communard import errors
from communard.adapters.web.security import SECURITY_HEADERS

log = logging.getLogger("communard.web")


class WebError(Exception):
    """An error raised by the web adapter itself (CSRF, authentication, paging)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        hint: str = "",
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.hint = hint
        self.details = details or {}


def csrf_rejected() -> WebError:
    """The error for a state-changing request without a valid CSRF token."""
    return WebError(
        403,
        "request.csrf",
        "This request did not carry a valid CSRF token, so nothing was changed.",
        hint="Reload the page and submit the form again; API clients send the session's "
        "token in the X-CSRF-Token header, or use an API token instead of the cookie.",
    )


def not_signed_in() -> WebError:
    """The error for an action that needs a signed-in member."""
    return WebError(
        401,
        "auth.required",
        "You need to sign in to do this.",
        hint="Sign in, or send 'Authorization: Bearer <API token>'.",
    )


def not_found(what: str = "page") -> WebError:
    """The error for an unknown address; it never says whether something hidden exists."""
    return WebError(
        404,
        "not_found",
        f"There is no such {what}.",
        hint="Check the address; private records are only visible to members.",
    )


# One table: the error classes of the services and the HTTP status each becomes.
# The most specific class wins (the table is searched along the class's MRO).
STATUS_BY_ERROR: dict[type[BaseException], int] = {
    errors.CommunardError: 400,
    errors.InvalidInput: 422,
    errors.NotFound: 404,
    errors.Forbidden: 403,
    errors.Conflict: 409,
    errors.Unauthenticated: 401,
    errors.RateLimited: 429,
}


def status_for(error: BaseException) -> int:
    """The HTTP status for an error of the services (400 when the class is not listed)."""
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400


def body_for(error: Any) -> dict[str, Any]:
    """The JSON error shape for an error of the services or of the web adapter."""
    details = getattr(error, "details", None) or {}
    return {
        "code": str(getattr(error, "code", "error")),
        "message": str(getattr(error, "message", "") or error),
        "hint": str(getattr(error, "hint", "") or ""),
        "details": jsonable(details),
    }


def jsonable(value: Any) -> Any:
    """Details as plain JSON values (ids, numbers, strings), whatever the services put there."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return str(value)


_FIXES = {
    "missing": "add this field",
    "extra_forbidden": "remove this field; it is not part of the request",
    "json_invalid": "send a valid JSON document",
    "int_parsing": "send a whole number",
    "int_type": "send a whole number",
    "string_type": "send a string",
    "bool_parsing": "send true or false",
    "bool_type": "send true or false",
    "enum": "send one of the allowed values",
    "literal_error": "send one of the allowed values",
    "string_too_short": "send a longer string",
    "string_too_long": "send a shorter string",
    "uuid_parsing": "send an id as returned by the API",
    "model_attributes_type": "send a JSON object",
    "dict_type": "send a JSON object",
    "list_type": "send a JSON array",
}


_BOUNDS = {
    "greater_than_equal": "send a number of at least {ge}",
    "greater_than": "send a number greater than {gt}",
    "less_than_equal": "send a number of at most {le}",
    "less_than": "send a number less than {lt}",
}


def validation_body(error: RequestValidationError) -> dict[str, Any]:
    """Convert FastAPI's validation error list to the one shape, naming fields and fixes."""
    fields = []
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ())]
        where = location[0] if location else "body"
        name = ".".join(location[1:]) or where
        kind = str(item.get("type", ""))
        fix = _FIXES.get(kind) or str(item.get("msg", "correct this value"))
        context = item.get("ctx") or {}
        if kind in ("enum", "literal_error") and context.get("expected"):
            fix = f"send one of {context['expected']}"
        elif kind in _BOUNDS and kind.split("_")[-1] in {"equal", "than"}:
            fix = _BOUNDS[kind].format(**{k: context.get(k) for k in ("ge", "gt", "le", "lt")})
        if kind == "json_invalid":
            # The location of a JSON error is a character offset, not a field.
            name = "body"
            fix = f"send a valid JSON document (the error is near character {location[-1]})"
        fields.append({"field": name, "in": where, "problem": str(item.get("msg", "")), "fix": fix})
    first = fields[0] if fields else {"field": "body", "problem": "invalid", "fix": "correct it"}
    more = f" (and {len(fields) - 1} more)" if len(fields) > 1 else ""
    return {
        "code": "request.invalid",
        "message": f"Field '{first['field']}' is invalid: {first['problem']}{more}.",
        "hint": f"Fix '{first['field']}': {first['fix']}.",
        "details": {"fields": fields},
    }


def wants_json(request: Request) -> bool:
    """API requests get JSON errors; page requests get an HTML notice."""
    path = request.url.path
    return path.startswith("/api") or path == "/openapi.json"


def install(app: FastAPI, render_error_page: Any) -> None:
    """Register the handlers that give every error the one shape (JSON or page)."""

    def respond(request: Request, status: int, body: dict[str, Any]) -> Response:
        response: Response
        if wants_json(request):
            response = JSONResponse(body, status_code=status)
            if status == 401:
                response.headers["WWW-Authenticate"] = "Bearer"
            if status == 429 and "retry_after" in body["details"]:
                response.headers["Retry-After"] = str(body["details"]["retry_after"])
        else:
            response = render_error_page(request, status, body)
        # A 500 is answered outside the middleware stack, so the headers are set here too.
        for name, value in SECURITY_HEADERS:
            response.headers.setdefault(name.decode(), value.decode())
        return response

    @app.exception_handler(errors.CommunardError)
    async def on_domain_error(request: Request, exc: errors.CommunardError) -> Response:
        return respond(request, status_for(exc), body_for(exc))

    @app.exception_handler(WebError)
    async def on_web_error(request: Request, exc: WebError) -> Response:
        return respond(request, exc.status, body_for(exc))

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> Response:
        return respond(request, 422, validation_body(exc))

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return respond(request, 404, body_for(not_found()))
        if exc.status_code == 405:
            body = {
                "code": "request.method",
                "message": f"{request.method} is not allowed on {request.url.path}.",
                "hint": "See /openapi.json for the operations this address accepts.",
                "details": {},
            }
            return respond(request, 405, body)
        body = {"code": "request.error", "message": str(exc.detail), "hint": "", "details": {}}
        return respond(request, exc.status_code, body)

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        body = {
            "code": "server.error",
            "message": "Something went wrong on the server; nothing was changed.",
            "hint": "Try again; if it keeps happening, tell the people who run this server.",
            "details": {},
        }
        return respond(request, 500, body)
