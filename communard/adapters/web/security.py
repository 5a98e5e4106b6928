"""Security of the web adapter: the session cookie, CSRF tokens and response headers.

- The session cookie carries the raw session token; the services store only its
  hash. It is HttpOnly, SameSite=Lax, and Secure whenever the request came over
  https (behind a proxy, run uvicorn with ``--proxy-headers``).
- Every state-changing form carries a CSRF token: a signed-in member's comes
  from their server-side session; a visitor's (sign in, found a commune) is a
  double-submit token kept in its own cookie.
- Every response carries a Content-Security-Policy without inline scripts,
  frame-ancestors 'none', a strict Referrer-Policy and nosniff.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "communard_session"
VISITOR_CSRF_COOKIE = "communard_csrf"
FLASH_COOKIE = "communard_flash"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]


class SecurityHeadersMiddleware:
    """Add the security headers to every HTTP response (pages, API, static files, errors)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                if scope.get("scheme") == "https":
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def is_https(request: Request) -> bool:
    """Whether the request came over https (cookies are then marked Secure)."""
    return request.url.scheme == "https"


def set_session_cookie(
    response: Response, request: Request, token: str, expires_at: datetime | None = None
) -> None:
    """Hand the browser its session token: HttpOnly, SameSite=Lax, Secure over https.

    The cookie lasts as long as the server-side session (``expires_at``).
    """
    response.set_cookie(
        SESSION_COOKIE,
        token,
        expires=expires_at,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    """Forget the session token in the browser."""
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=is_https(request)
    )


def visitor_csrf_token(request: Request) -> tuple[str, bool]:
    """A visitor's double-submit CSRF token, and whether it is new (needs setting)."""
    token = request.cookies.get(VISITOR_CSRF_COOKIE, "")
    if len(token) >= 32:
        return token, False
    return secrets.token_urlsafe(32), True


def set_visitor_csrf_cookie(response: Response, request: Request, token: str) -> None:
    """Store a visitor's CSRF token in its own strict cookie."""
    response.set_cookie(
        VISITOR_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
        path="/",
    )


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Compare two CSRF tokens in constant time; empty never matches."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())
