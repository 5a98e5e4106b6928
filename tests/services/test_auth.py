"""Sign-in, sessions, CSRF, throttling in the database, API tokens, passwords."""

from __future__ import annotations

import pytest

from communard.bootstrap import Application
from communard.errors import Forbidden, InvalidInput, NotFound, RateLimited, Unauthenticated
from communard.services import commands as c
from tests.services.conftest import Commune
from tests.storage.fixtures import FakeClock

EMAIL = "founder@paris.example"
PASSWORD = "correct horse battery"


def test_sign_in_session_and_sign_out(app: Application, commune: Commune) -> None:
    signed = app.auth.sign_in(" Founder@Paris.example ", PASSWORD)
    info = app.auth.session(signed.token)
    assert info is not None and info.actor == commune.founder
    assert info.display_name == "Louise Michel"
    app.auth.check_csrf(signed.token, signed.csrf_token)
    with pytest.raises(Forbidden) as csrf:
        app.auth.check_csrf(signed.token, "forged")
    assert csrf.value.code == "auth.csrf"
    with app.database.engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT token_hash FROM sessions").scalars().all()
    assert signed.token not in stored
    app.auth.sign_out(signed.token)
    assert app.auth.session(signed.token) is None
    with pytest.raises(Unauthenticated):
        app.auth.require_session(signed.token)


def test_sessions_expire(app: Application, commune: Commune, clock: FakeClock) -> None:
    signed = app.auth.sign_in(EMAIL, PASSWORD)
    clock.advance(days=15)
    assert app.auth.session(signed.token) is None


def test_wrong_passwords_are_throttled(
    app: Application, commune: Commune, clock: FakeClock
) -> None:
    for _ in range(5):
        with pytest.raises(Unauthenticated) as wrong:
            app.auth.sign_in(EMAIL, "wrong password")
        assert wrong.value.code == "auth.bad_credentials"
    with pytest.raises(RateLimited) as throttled:
        app.auth.sign_in(EMAIL, PASSWORD)
    assert 0 < throttled.value.retry_after <= 15 * 60 + 1
    clock.advance(minutes=16)
    assert app.auth.sign_in(EMAIL, PASSWORD).account_id == commune.founder.account_id


def test_unknown_accounts_look_like_wrong_passwords(app: Application, commune: Commune) -> None:
    with pytest.raises(Unauthenticated) as unknown:
        app.auth.sign_in("nobody@example.org", PASSWORD)
    assert unknown.value.code == "auth.bad_credentials"


def test_api_tokens(app: Application, commune: Commune) -> None:
    issued = app.handle(c.IssueToken(name="bot"), commune.founder)
    assert app.auth.actor_for_api_token(issued["token"]) == commune.founder
    listed = app.queries.account(commune.founder)["tokens"]
    assert listed[0]["name"] == "bot" and "token" not in listed[0]
    app.handle(c.RevokeToken(token=issued["token_id"]), commune.founder)
    with pytest.raises(Unauthenticated):
        app.auth.actor_for_api_token(issued["token"])
    with pytest.raises(NotFound) as other:
        app.handle(c.RevokeToken(token=issued["token_id"]), commune.members[0])
    assert other.value.code == "token.not_found"


def test_set_password(app: Application, commune: Commune) -> None:
    with pytest.raises(InvalidInput) as wrong:
        app.handle(c.SetPassword(password="new password 1", current="nope"), commune.founder)
    assert wrong.value.code == "account.wrong_password"
    with pytest.raises(InvalidInput) as weak:
        app.handle(c.SetPassword(password="short", current=PASSWORD), commune.founder)
    assert weak.value.code == "account.weak_password"
    app.handle(c.SetPassword(password="new password 1", current=PASSWORD), commune.founder)
    assert app.auth.sign_in(EMAIL, "new password 1").account_id == commune.founder.account_id
    with pytest.raises(Unauthenticated):
        app.handle(c.SetPassword(password="new password 2"), None)


def test_set_display_name(app: Application, commune: Commune) -> None:
    app.handle(c.SetDisplayName(display_name="Louise"), commune.founder)
    assert app.queries.account(commune.founder)["display_name"] == "Louise"
    with pytest.raises(InvalidInput):
        app.handle(c.SetDisplayName(display_name=" "), commune.founder)


def test_api_tokens_are_stored_hashed(app: Application, commune: Commune) -> None:
    issued = app.handle(c.IssueToken(name="bot"), commune.founder)
    with app.database.engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT token_hash FROM api_tokens").scalars().all()
    assert issued["token"] not in stored and len(stored[0]) == 64
