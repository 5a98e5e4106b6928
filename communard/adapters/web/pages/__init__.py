"""The pages: server-rendered HTML that works without JavaScript.

Every core action is a form that POSTs with the CSRF token, is performed as a
named command, and redirects back (post/redirect/get) with a short flash
message. Errors render as a readable notice with the same code, message and
hint the JSON API gives. What a visitor or a member of another commune may see
is decided by the services' queries, never here.

- ``rendering``: the layout, flash messages, redirects, the error page
- ``accounts``: sign in and out, founding a commune, the account and API tokens
- ``communes``: a commune's home, members and sections, invitations, charter, journal
- ``motions``: the motion list, the motion page and every action on a motion
- ``reference``: the JSON API's operations, for people, at ``/api``
"""

from __future__ import annotations

from fastapi import APIRouter

from communard.adapters.web.pages import accounts, communes, motions, reference
from communard.adapters.web.pages.rendering import render_error_page

router = APIRouter(include_in_schema=False)
router.include_router(accounts.router)
router.include_router(motions.router)
router.include_router(communes.router)
router.include_router(reference.router)

__all__ = ["render_error_page", "router"]
