"""``communard member ...``: list, show, invite, join, admit, leave, suspend."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from communard import errors
from communard.adapters.cli.support import (
    Group,
    application,
    as_option,
    commune_option,
    console,
    emit,
    optional_as_option,
    out,
    perform,
    the_actor,
    the_commune,
)
from communard.services import commands as c


@click.group(cls=Group)
def member() -> None:
    """Members of a commune: list, show, invite, join, admit, leave, suspend.

    Commands that act take --as EMAIL: the CLI acts as that member, through
    the same access checks as the web pages and the API.
    """


@member.command("list")
@commune_option
@optional_as_option
@click.option("--status", help="Only members with this status (active, applicant, left, ...).")
def list_(commune: str | None, as_email: str | None, status: str | None) -> None:
    """List the members: number, name, status, section (no e-mail addresses)."""
    slug = the_commune(commune)
    rows = application().queries.members(slug, the_actor(as_email))
    if status:
        rows = [r for r in rows if r["status"] == status]

    def human(rows: list[dict[str, Any]]) -> None:
        table = Table(box=None, pad_edge=False, title=f"Members of {slug}", title_justify="left")
        for column in ("#", "Name", "Status", "Section", "Joined"):
            table.add_column(column, justify="right" if column == "#" else "left")
        for r in rows:
            table.add_row(
                str(r["member"]),
                r["name"],
                r["status"],
                r["section"] or "",
                (r["joined_at"] or "")[:10],
            )
        console.print(table)
        out(f"{len(rows)} members.")

    emit(rows, human)


@member.command()
@commune_option
@optional_as_option
@click.argument("number", type=int)
def show(commune: str | None, as_email: str | None, number: int) -> None:
    """Show one member (by the number 'member list' shows)."""
    slug = the_commune(commune)
    rows = application().queries.members(slug, the_actor(as_email))
    found = [r for r in rows if r["member"] == number]
    if not found:
        raise errors.NotFound(
            f"There is no member #{number} in {slug}.",
            code="member.not_found",
            hint="See 'communard member list' for the members' numbers.",
        )
    record = found[0]

    def human(r: dict[str, Any]) -> None:
        out(f"[bold]#{r['member']} {r['name']}[/]")
        out(f"Status:  {r['status']}")
        out(f"Section: {r['section'] or '(none)'}")
        out(f"Joined:  {r['joined_at'] or ''}")
        if r.get("sponsors") is not None:
            out(f"Sponsors so far: {r['sponsors']}")

    emit(record, human)


@member.command()
@commune_option
@as_option
@click.argument("email")
def invite(commune: str | None, as_email: str, email: str) -> None:
    """Invite EMAIL to join; prints the invitation link (also mailed, or kept in the outbox)."""
    slug = the_commune(commune)
    result = perform(c.InviteMember(commune=slug, email=email), as_email)
    emit(
        result,
        lambda r: out(
            f"Invited {email}. The invitation (valid until {r['expires_at'][:10]}):\n"
            f"  {r['link']}\n"
            f"or on the command line:\n  communard member join {slug} {r['token']}"
        ),
    )


# An invitation token may begin with '-'; it must still be read as the TOKEN, not an option.
@member.command(context_settings={"ignore_unknown_options": True})
@click.argument("commune")
@click.argument("token")
@click.option("--name", "display_name", help="Your name as members see it (new accounts).")
@click.option(
    "--password",
    prompt="Choose a password",
    hide_input=True,
    confirmation_prompt=True,
    envvar="COMMUNARD_PASSWORD",
    help="The password of your new account (asked for when not given).",
)
def join(commune: str, token: str, display_name: str | None, password: str) -> None:
    """Accept an invitation to COMMUNE with its TOKEN (creating your account)."""
    result = perform(
        c.JoinCommune(commune=commune, token=token, display_name=display_name, password=password),
        None,
    )
    emit(
        result,
        lambda r: out(f"Joined {r['commune']} as member #{r['member']} (status: {r['status']})."),
    )


@member.command()
@commune_option
@as_option
@click.argument("number", type=int)
def admit(commune: str | None, as_email: str, number: int) -> None:
    """Sponsor applicant NUMBER (or propose their admission, as the charter says)."""
    slug = the_commune(commune)
    result = perform(c.AdmitMember(commune=slug, member=number), as_email)

    def human(r: dict[str, Any]) -> None:
        if "sponsors" in r:
            out(f"Member #{r['member']} is {r['status']} ({r['sponsors']} sponsors).")
        else:
            out(f"Proposed the admission of member #{r['member']} to the assembly.")

    emit(result, human)


@member.command()
@commune_option
@as_option
def leave(commune: str | None, as_email: str) -> None:
    """Leave the commune (as the member --as names)."""
    slug = the_commune(commune)
    result = perform(c.LeaveCommune(commune=slug), as_email)
    emit(result, lambda r: out(f"Member #{r['member']} has left {slug}."))


@member.command()
@commune_option
@as_option
@click.argument("number", type=int)
@click.option("--reason", default="", help="Why: the text of the motion put to the assembly.")
def suspend(commune: str | None, as_email: str, number: int, reason: str) -> None:
    """Propose that member NUMBER be suspended (only the assembly's decision suspends)."""
    slug = the_commune(commune)
    result = perform(c.SuspendMember(commune=slug, member=number, reason=reason), as_email)
    emit(
        result,
        lambda r: out(
            f"Proposed motion #{r.get('motion')} ({r.get('state')}): the suspension of "
            f"member #{number}."
        ),
    )
