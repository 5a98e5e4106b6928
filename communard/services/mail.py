"""The outbox: mails are stored with the command that causes them, and sent afterwards.

A mail is written in the command's own transaction (so an invitation exists
exactly when its mail does); ``deliver_outbox`` sends what is waiting through
the configured mailer. Each mail is claimed with a conditional update first,
so several processes never send the same mail twice. Without a mail server
the outbox is shown on a page instead.
"""

from __future__ import annotations

from communard.services.ports import Clock, Database, Mailer, OutboxMail

MAX_ATTEMPTS = 5


def deliver_outbox(database: Database, mailer: Mailer, clock: Clock, *, limit: int = 20) -> int:
    """Send waiting mails; return how many were sent."""
    sent = 0
    with database.unit_of_work(read_only=True) as uow:
        waiting = uow.find_all(OutboxMail, sent_at=None, limit=limit)
    for mail in waiting:
        if mail.attempts >= MAX_ATTEMPTS or mail.id is None:
            continue
        with database.unit_of_work() as uow:
            claimed = uow.claim(
                OutboxMail,
                mail.id,
                {"sent_at": None, "attempts": mail.attempts},
                {"attempts": mail.attempts + 1},
            )
            uow.commit()
        if not claimed:
            continue
        try:
            mailer.send(mail.recipient, mail.subject, mail.body)
        except OSError as exc:
            with database.unit_of_work() as uow:
                uow.claim(OutboxMail, mail.id, {}, {"last_error": str(exc)[:500]})
                uow.commit()
            continue
        with database.unit_of_work() as uow:
            uow.claim(OutboxMail, mail.id, {}, {"sent_at": clock(), "last_error": None})
            uow.commit()
        sent += 1
    return sent
