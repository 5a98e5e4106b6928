"""The message bus: ``handle(command, actor)`` runs one command in one transaction.

For a command inside a commune the bus opens a unit of work, locks the
commune's journal head (so the commune's commands run one at a time and
journal sequence numbers never fork), reads the time, settles whatever time
has made due (a vote whose window ended is closed before anything else
happens), runs the handler (access → check and do → record) and commits.
A result is returned only after the commit: a write is acknowledged only
once it is durable. If the handler fails, nothing of it is kept; what time
made due is still settled, in a transaction of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from communard.domain.communes import Commune
from communard.errors import CommunardError, InvalidInput, Unauthenticated
from communard.services import auth, communes, motions
from communard.services import commands as c
from communard.services.access import Actor, CharterCache, Context
from communard.services.mail import deliver_outbox
from communard.services.ports import Clock, Database, Mailer, PasswordHasher

Handler = Callable[[Context, Any], dict[str, Any]]

# Commands that change no motion's state or windows: after them, at the same instant,
# nothing can be due that was not settled before the handler ran.
CANNOT_MAKE_DUE: tuple[type[c.Command], ...] = (c.CastBallot, c.CommentOnMotion)


class MessageBus:
    """Dispatches commands to their handlers, one transaction each."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        hasher: PasswordHasher,
        *,
        mailer: Mailer | None = None,
        base_url: str = "http://127.0.0.1:8000",
    ) -> None:
        self.database = database
        self.clock = clock
        self.hasher = hasher
        self.mailer = mailer
        self.base_url = base_url
        self.charters = CharterCache()
        self.handlers: dict[type[c.Command], Handler] = {
            c.CreateSection: communes.create_section,
            c.JoinSection: communes.join_section,
            c.AmendCharter: communes.amend_charter,
            c.InviteMember: lambda ctx, cmd: communes.invite_member(ctx, cmd, self.base_url),
            c.JoinCommune: lambda ctx, cmd: communes.join_commune(ctx, cmd, self.hasher),
            c.AdmitMember: communes.admit_member,
            c.LeaveCommune: communes.leave_commune,
            c.SuspendMember: communes.suspend_member,
            c.ReinstateMember: communes.reinstate_member,
            c.DraftMotion: motions.draft_motion,
            c.ProposeMotion: motions.propose_motion,
            c.SecondMotion: motions.second_motion,
            c.CommentOnMotion: motions.comment_on_motion,
            c.AmendMotion: motions.amend_motion,
            c.AcceptAmendment: motions.accept_amendment,
            c.OpenVote: motions.open_vote,
            c.WithdrawMotion: motions.withdraw_motion,
            c.CloseMotion: motions.close_motion,
            c.CastBallot: motions.cast_ballot,
        }
        self.account_handlers: dict[type[c.Command], Handler] = {
            c.FoundCommune: lambda ctx, cmd: communes.found_commune(ctx, cmd, self.hasher),
            c.SetPassword: lambda ctx, cmd: auth.set_password(ctx, cmd, self.hasher),
            c.SetDisplayName: auth.set_display_name,
            c.IssueToken: auth.issue_token,
            c.RevokeToken: auth.revoke_token,
        }

    def handle(self, command: c.Command, actor: Actor | None = None) -> dict[str, Any]:
        """Run ``command`` on behalf of ``actor``; return its JSON-ready result after commit."""
        if isinstance(command, c.Tick):
            return self.tick(command.commune)
        if isinstance(command, c.CommuneCommand):
            result = self._in_commune(command, actor)
        elif type(command) in self.account_handlers:
            with self.database.unit_of_work() as uow:
                ctx = Context(uow, self.clock(), actor, clock=self.clock, charters=self.charters)
                result = self.account_handlers[type(command)](ctx, command)
                uow.commit()
        else:
            raise InvalidInput(
                "command",
                type(command).__name__,
                "send a communard command.",
                code="command.unknown",
            )
        if self.mailer is not None:
            deliver_outbox(self.database, self.mailer, self.clock)
        return result

    __call__ = handle

    def _in_commune(self, command: c.CommuneCommand, actor: Actor | None) -> dict[str, Any]:
        handler = self.handlers.get(type(command))
        if handler is None:
            raise InvalidInput(
                "command", command.id, "send a communard command.", code="command.unknown"
            )
        if actor is None and not isinstance(command, c.JoinCommune):
            # Only accepting an invitation needs no account yet.
            raise Unauthenticated(
                f"Sign in first: {command.id} acts on behalf of a member.",
                code="auth.required",
                hint="Sign in, or pass an API token.",
            )
        settled = 0
        try:
            with self.database.unit_of_work() as uow:
                ctx = Context(uow, self.clock(), actor, clock=self.clock, charters=self.charters)
                ctx.enter(command.commune)
                settled = motions.settle(ctx) if ctx.due else 0
                result = handler(ctx, command)
                # What the command made due at once (a vote with no deliberation) opens now.
                if (
                    not isinstance(command, CANNOT_MAKE_DUE)
                    and motions.settle(ctx)
                    and "motion" in result
                    and "state" in result
                ):
                    result["state"] = ctx.motion(result["motion"]).state
                uow.commit()
                return result
        except CommunardError:
            if settled:
                self.tick(command.commune)
            raise

    def tick(self, commune: str | None = None) -> dict[str, Any]:
        """Open, close and lapse everything due; each commune in its own transaction."""
        if commune is None:
            with self.database.unit_of_work(read_only=True) as uow:
                due = {m.commune_id for m in uow.due_motions(self.clock())}
                communes = uow.find_all(Commune, order_by="slug")
            slugs = [x.slug for x in communes if x.id in due]
            total = len(communes)
        else:
            slugs = [commune]
            total = 1
        changed: dict[str, int] = {}
        errors: dict[str, dict[str, Any]] = {}
        for slug in slugs:
            try:
                with self.database.unit_of_work() as uow:
                    ctx = Context(uow, self.clock(), None, clock=self.clock, charters=self.charters)
                    ctx.enter(slug)
                    count = motions.settle(ctx) if ctx.due else 0
                    uow.commit()
            except CommunardError as error:
                if commune is not None:
                    raise
                # One commune's trouble must not stop time for the others.
                errors[slug] = error.to_json()
                continue
            if count:
                changed[slug] = count
        result: dict[str, Any] = {"changed": changed, "communes": total}
        if errors:
            result["errors"] = errors
        return result
