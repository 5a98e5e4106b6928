"""Sending mail over SMTP (``COMMUNARD_SMTP_URL=smtp://user:password@host:587``)."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class SmtpMailer:
    """A mailer for ``smtp://`` (STARTTLS when offered) and ``smtps://`` URLs."""

    host: str
    port: int
    username: str | None
    password: str | None
    tls: bool
    sender: str

    @classmethod
    def from_url(cls, url: str) -> SmtpMailer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError("COMMUNARD_SMTP_URL must start with smtp:// or smtps://")
        sender = "communard@" + (parts.hostname or "localhost")
        if parts.query.startswith("from="):
            sender = unquote(parts.query[5:])
        return cls(
            host=parts.hostname or "localhost",
            port=parts.port or (465 if parts.scheme == "smtps" else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=parts.scheme == "smtps",
            sender=sender,
        )

    def send(self, recipient: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = recipient
        message["Subject"] = subject
        message.set_content(body)
        smtp_class = smtplib.SMTP_SSL if self.tls else smtplib.SMTP
        with smtp_class(self.host, self.port, timeout=30) as smtp:
            if not self.tls and smtp.has_extn("starttls"):
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)
