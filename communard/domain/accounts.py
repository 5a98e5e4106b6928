"""Accounts: people, global across communes (a person may belong to several communes).

Also the records that let an account sign in: sessions and API tokens (only
hashes of their secrets are kept) and login attempts (for throttling).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class Account:
    """A person: e-mail address, display name and (once set) an argon2id password hash."""

    id: int | None
    email: str
    display_name: str
    created_at: datetime
    password_hash: str | None = None


@dataclass
class Session:
    """A signed-in browser session; the token itself is never stored, only its SHA-256."""

    id: int | None
    account_id: int
    token_hash: str
    csrf_token: str
    created_at: datetime
    expires_at: datetime


@dataclass
class ApiToken:
    """A named token a script uses instead of a session; only its SHA-256 is stored."""

    id: int | None
    account_id: int
    name: str
    token_hash: str
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass
class LoginAttempt:
    """One failed sign-in for a key (an e-mail address), for throttling across processes."""

    id: int | None
    key: str
    at: datetime
