"""The web application: ``create_app(application)`` builds the FastAPI app.

Pages (server-rendered, no JavaScript needed) live in ``pages.py``, the JSON
API under ``/api`` in ``api.py`` with its OpenAPI description at
``/openapi.json``. Both call the same services of the ``application`` built by
``communard.bootstrap``; nothing is created at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from communard import __version__
from communard.adapters.web import api, pages, problems
from communard.adapters.web.security import SecurityHeadersMiddleware

STATIC = Path(__file__).parent / "static"

DESCRIPTION = """\
The JSON API of a communard installation. Every operation's `operationId` is
the id of the command or query it performs (`motion.propose`, `vote.cast`,
`motion.get`, ...), the same word the CLI and the journal use.

Authenticate with an API token (`Authorization: Bearer <token>`, issued on the
account page or by `token.issue`), or with the session cookie plus the
session's CSRF token in the `X-CSRF-Token` header.

Every answer's shape is documented below; later versions may add fields, so
ignore those you do not know. Every error has one shape:
`{"code", "message", "hint", "details"}`. A list of the operations for
people is at `/api`.
"""


def create_app(application: Any) -> FastAPI:
    """Build the web application (pages and JSON API) over ``application``'s services."""
    app = FastAPI(
        title="communard",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        # The interactive docs pages load scripts from a CDN, which the CSP forbids.
        docs_url=None,
        redoc_url=None,
        separate_input_output_schemas=False,
    )
    app.state.application = application
    app.add_middleware(SecurityHeadersMiddleware)
    problems.install(app, pages.render_error_page)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    return app
