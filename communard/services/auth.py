"""Signing in: argon2id passwords, server-side sessions, CSRF tokens, throttling, API tokens.

Only SHA-256 hashes of session and API tokens are stored, so reading the
database gives no usable token. Failed sign-ins are counted in the database,
so throttling holds across several processes. Account commands
(``account.set_password``, ``token.issue``, ``token.revoke``) change no
commune and are not journaled: a person's credentials are not public acts.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2.exceptions import InvalidHashError, VerificationError

from communard.domain import members as member_rules
from communard.domain.accounts import Account, ApiToken, LoginAttempt, Session
from communard.errors import Forbidden, InvalidInput, NotFound, RateLimited, Unauthenticated
from communard.services import commands as c
from communard.services.access import Actor, Context
from communard.services.communes import token_hash
from communard.services.ports import Clock, Database, PasswordHasher

SESSION_LIFETIME = timedelta(days=14)
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_CLIENT = 20


@dataclass(frozen=True)
class SignedIn:
    """A new session: give ``token`` to the browser (cookie) and ``csrf_token`` to forms."""

    token: str
    csrf_token: str
    account_id: int
    expires_at: datetime


@dataclass(frozen=True)
class SessionInfo:
    """Who a session token belongs to, and the CSRF token forms must carry."""

    actor: Actor
    csrf_token: str
    display_name: str
    email: str


class Auth:
    """Sign in and out, resolve sessions and API tokens to an ``Actor``, check CSRF tokens."""

    def __init__(self, database: Database, clock: Clock, hasher: PasswordHasher) -> None:
        self.database = database
        self.clock = clock
        self.hasher = hasher
        self._dummy: str | None = None

    @property
    def _dummy_hash(self) -> str:
        # Made on first use: hashing costs time every CLI start would otherwise pay.
        if self._dummy is None:
            self._dummy = self.hasher.hash(secrets.token_urlsafe(16))
        return self._dummy

    def sign_in(self, email: str, password: str, *, client: str | None = None) -> SignedIn:
        """Check the password and open a session, or raise (throttled after repeated failures)."""
        now = self.clock()
        key = email.strip().lower() if isinstance(email, str) else ""
        keys = [f"account:{key}"] + ([f"client:{client}"] if client else [])
        with self.database.unit_of_work() as uow:
            self._throttle(uow, key=keys[0], now=now, limit=MAX_FAILURES_PER_ACCOUNT)
            if client:
                self._throttle(uow, key=keys[1], now=now, limit=MAX_FAILURES_PER_CLIENT)
            account = uow.find(Account, email=key) if key else None
            stored = account.password_hash if account and account.password_hash else None
            # Verify against a dummy hash for unknown accounts so timing reveals nothing.
            ok = self._verify(stored or self._dummy_hash, password) and stored is not None
            if not ok or account is None or account.id is None:
                for k in keys:
                    uow.add(LoginAttempt(id=None, key=k, at=now))
                uow.commit()
                raise Unauthenticated(
                    "The e-mail address or the password is wrong.",
                    code="auth.bad_credentials",
                    hint="Check both and try again; after 5 failures, wait 15 minutes.",
                )
            if stored is not None and self.hasher.check_needs_rehash(stored):
                account.password_hash = self.hasher.hash(password)
                uow.update(account)
            uow.delete(LoginAttempt, key=keys[0])
            # Expired sessions of this account go when it signs in again.
            for old in uow.find_all(Session, account_id=account.id):
                if old.expires_at <= now:
                    uow.delete(Session, id=old.id)
            token = secrets.token_urlsafe(32)
            session = Session(
                id=None,
                account_id=account.id,
                token_hash=token_hash(token),
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                expires_at=now + SESSION_LIFETIME,
            )
            uow.add(session)
            uow.commit()
        return SignedIn(token, session.csrf_token, account.id, session.expires_at)

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return bool(self.hasher.verify(stored, password))
        except (VerificationError, InvalidHashError):
            return False

    def _throttle(self, uow: Any, *, key: str, now: datetime, limit: int) -> None:
        attempts = uow.find_all(LoginAttempt, key=key, order_by="at")
        stale = [a.id for a in attempts if a.at <= now - THROTTLE_WINDOW]
        if stale:
            uow.delete(LoginAttempt, id=stale)
        recent = [a for a in attempts if a.at > now - THROTTLE_WINDOW]
        if len(recent) >= limit:
            wait = recent[-limit].at + THROTTLE_WINDOW - now
            raise RateLimited(
                "Too many failed sign-ins.", retry_after=max(1, int(wait.total_seconds()) + 1)
            )

    def session(self, token: str | None) -> SessionInfo | None:
        """The session for a token, or None when it is unknown or expired."""
        if not token or not isinstance(token, str):
            return None
        now = self.clock()
        with self.database.unit_of_work(read_only=True, single=True) as uow:
            found = uow.session_and_account(token_hash(token))
        if found is None:
            return None
        session, account = found
        if session.expires_at <= now or account.id is None:
            return None
        return SessionInfo(
            Actor(account.id), session.csrf_token, account.display_name, account.email
        )

    def require_session(self, token: str | None) -> SessionInfo:
        """Like ``session`` but raises ``Unauthenticated`` when there is none."""
        info = self.session(token)
        if info is None:
            raise Unauthenticated(
                "Sign in first.",
                code="auth.required",
                hint="Your session may have expired; sign in again.",
            )
        return info

    def sign_out(self, token: str | None) -> None:
        """End a session (nothing happens for an unknown token)."""
        if not token:
            return
        with self.database.unit_of_work() as uow:
            uow.delete(Session, token_hash=token_hash(token))
            uow.commit()

    def check_csrf(self, token: str | None, csrf_token: str | None) -> None:
        """Refuse a form post whose CSRF token does not match its session's."""
        info = self.require_session(token)
        if not csrf_token or not hmac.compare_digest(info.csrf_token, str(csrf_token)):
            raise Forbidden(
                "This form has expired or did not come from communard.",
                code="auth.csrf",
                hint="Reload the page and submit it again.",
            )

    def actor_for_api_token(self, token: str | None) -> Actor:
        """The account an API token (``Authorization: Bearer ...``) acts for."""
        if token and isinstance(token, str):
            with self.database.unit_of_work(read_only=True, single=True) as uow:
                found = uow.find(ApiToken, token_hash=token_hash(token), revoked_at=None)
                if found is not None:
                    return Actor(found.account_id)
        raise Unauthenticated(
            "This API token is not valid.",
            code="auth.bad_token",
            hint="Issue a new token with `communard token issue`.",
        )

    def account_for_email(self, email: str) -> Actor | None:
        """The actor for an e-mail address (for the CLI, which acts as a named person)."""
        with self.database.unit_of_work(read_only=True) as uow:
            account = uow.find(Account, email=email.strip().lower())
            return None if account is None or account.id is None else Actor(account.id)


# Account commands (run by the bus)


def _account(ctx: Context) -> Account:
    account = ctx.account()
    if account is None:
        raise Unauthenticated("Sign in first.", code="auth.required")
    return account


def set_password(ctx: Context, cmd: c.SetPassword, hasher: PasswordHasher) -> dict[str, Any]:
    account = _account(ctx)
    if account.password_hash is not None:
        try:
            ok = bool(hasher.verify(account.password_hash, cmd.current or ""))
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            raise InvalidInput(
                "current", "…", "give your current password.", code="account.wrong_password"
            )
    account.password_hash = hasher.hash(member_rules.check_password(cmd.password))
    ctx.uow.update(account)
    # Changing the password ends every session but the one that will sign in again.
    ctx.uow.delete(Session, account_id=account.id)
    return {"account": account.id}


def set_display_name(ctx: Context, cmd: c.SetDisplayName) -> dict[str, Any]:
    account = _account(ctx)
    account.display_name = member_rules.check_display_name(cmd.display_name)
    ctx.uow.update(account)
    return {"account": account.id, "display_name": account.display_name}


def issue_token(ctx: Context, cmd: c.IssueToken) -> dict[str, Any]:
    account = _account(ctx)
    assert account.id is not None
    name = cmd.name.strip() if isinstance(cmd.name, str) else ""
    if not name or len(name) > 100:
        raise InvalidInput(
            "name",
            cmd.name,
            "name the token (1 to 100 characters), e.g. 'bot'.",
            code="token.invalid_name",
        )
    raw = "cmd_" + secrets.token_urlsafe(32)
    token = ctx.uow.add(
        ApiToken(
            id=None,
            account_id=account.id,
            name=name,
            token_hash=token_hash(raw),
            created_at=ctx.now,
        )
    )
    return {"token_id": token.id, "token": raw, "name": name}


def revoke_token(ctx: Context, cmd: c.RevokeToken) -> dict[str, Any]:
    account = _account(ctx)
    token = (
        ctx.uow.find(ApiToken, id=cmd.token, account_id=account.id)
        if isinstance(cmd.token, int)
        else None
    )
    if token is None:
        raise NotFound(f"You have no API token #{cmd.token}.", code="token.not_found")
    if token.revoked_at is None:
        token.revoked_at = ctx.now
        ctx.uow.update(token)
    return {"token_id": token.id, "revoked_at": token.revoked_at.isoformat()}


__all__ = ["Auth", "SessionInfo", "SignedIn"]
