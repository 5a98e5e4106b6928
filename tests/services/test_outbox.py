"""Invitation mails: sent through the mailer after commit, kept in the outbox otherwise."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from communard.bootstrap import Application, bootstrap
from communard.services import commands as c
from tests.services.conftest import found
from tests.storage.fixtures import FakeClock, fast_hasher


class Mailer:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[tuple[str, str, str]] = []
        self.fail = fail

    def send(self, recipient: str, subject: str, body: str) -> None:
        if self.fail:
            raise ConnectionRefusedError("mail server down")
        self.sent.append((recipient, subject, body))


@pytest.fixture
def mailer() -> Mailer:
    return Mailer()


@pytest.fixture
def mailing_app(database_url: str, clock: FakeClock, mailer: Mailer) -> Iterator[Application]:
    application = bootstrap(
        database_url,
        clock=clock,
        mailer=mailer,
        password_hasher=fast_hasher(),
        base_url="https://commune.example",
    )
    yield application
    application.close()


def test_invitations_are_mailed_once(mailing_app: Application, mailer: Mailer) -> None:
    commune = found(mailing_app, size=2)
    invitation = mailing_app.handle(
        c.InviteMember(commune="paris", email="x@example.org"), commune.founder
    )
    assert len(mailer.sent) == 2  # the fixture's invitation and this one
    recipient, subject, body = mailer.sent[-1]
    assert recipient == "x@example.org" and subject == "Invitation to Commune paris"
    assert f"https://commune.example/c/paris/join?token={invitation['token']}" in body
    mailing_app.handle(c.Tick())
    assert len(mailer.sent) == 2
    outbox = mailing_app.queries.outbox("paris", commune.founder)
    assert all(m["sent_at"] for m in outbox)


def test_a_mail_server_failure_does_not_undo_the_invitation(
    mailing_app: Application, mailer: Mailer
) -> None:
    commune = found(mailing_app, size=1)
    mailer.fail = True
    invitation = mailing_app.handle(
        c.InviteMember(commune="paris", email="x@example.org"), commune.founder
    )
    assert invitation["token"]
    waiting = mailing_app.queries.outbox("paris", commune.founder)[0]
    assert waiting["sent_at"] is None and "mail server down" in waiting["last_error"]


def test_smtp_urls() -> None:
    from communard.adapters.mail import SmtpMailer

    mailer = SmtpMailer.from_url("smtp://louise:s%40cret@mail.example:587?from=paris@example.org")
    assert (mailer.host, mailer.port, mailer.username, mailer.password, mailer.tls) == (
        "mail.example",
        587,
        "louise",
        "s@cret",
        False,
    )
    assert mailer.sender == "paris@example.org"
    assert SmtpMailer.from_url("smtps://mail.example").port == 465
    with pytest.raises(ValueError):
        SmtpMailer.from_url("http://mail.example")
