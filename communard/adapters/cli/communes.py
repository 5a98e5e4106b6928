"""``communard init`` (found a commune) and ``communard tick`` (do what time requires)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from communard.adapters.cli import exit_codes
from communard.adapters.cli.support import Command, application, emit, fail, out, perform
from communard.services import commands as c

TEMPLATES = ("default", "open")


@click.command(cls=Command)
@click.option("--name", required=True, help="The commune's name, e.g. 'Rue Oberkampf Tenants'.")
@click.option("--slug", required=True, help="Short name for addresses: lowercase, digits, '-'.")
@click.option("--founder-email", required=True, help="The founder's e-mail (their sign-in).")
@click.option("--founder-name", required=True, help="The founder's name as members see it.")
@click.option(
    "--password",
    prompt="Founder's password",
    hide_input=True,
    confirmation_prompt=True,
    envvar="COMMUNARD_FOUNDER_PASSWORD",
    help="The founder's password (asked for when not given).",
)
@click.option(
    "--charter",
    "charter",
    default="default",
    show_default=True,
    metavar="FILE|TEMPLATE",
    help="A charter TOML file, or a template: 'default' (sponsored admission) or 'open'.",
)
def init(
    name: str, slug: str, founder_email: str, founder_name: str, password: str, charter: str
) -> None:
    """Found a commune: its charter, and its founder as the first member.

    The database gets its tables on first use. The founding and the charter
    are the first two entries of the commune's journal.
    """
    result = perform(
        c.FoundCommune(
            slug=slug,
            name=name,
            charter=charter_source(charter),
            founder_email=founder_email,
            founder_name=founder_name,
            founder_password=password,
        ),
        None,
    )
    emit(
        result,
        lambda r: out(
            f"Founded [bold]{name}[/] ({r['commune']}); {founder_name} <{founder_email}> is "
            f"member #{r['member']}.\nNext: communard member invite EMAIL --as {founder_email}"
        ),
    )


def charter_source(charter: str) -> str:
    """A template's name as the services take it, or the text of a charter file."""
    if charter in TEMPLATES:
        return charter
    path = Path(charter)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        fail(
            exit_codes.INVALID_INPUT,
            "charter.unreadable",
            f"The charter file {charter} cannot be read: {error.strerror or error}.",
            "Give a TOML file (see docs/charter.md) or a template: default, open.",
        )


@click.command(cls=Command)
@click.option("--commune", envvar="COMMUNARD_COMMUNE", metavar="SLUG", help="Only this commune.")
def tick(commune: str | None) -> None:
    """Do what time requires: close every vote that is due, open due votes, lapse decisions.

    Safe to run from a scheduler (cron, a systemd timer) on several machines at
    once: each commune is settled in its own transaction with its journal
    locked, so a vote is closed exactly once.
    """
    result: dict[str, Any] = application().handle(c.Tick(commune=commune))

    def human(r: dict[str, Any]) -> None:
        changed = r.get("changed") or {}
        if not changed:
            n = int(r.get("communes", 0))
            out(f"Nothing was due ({n} commune{'' if n == 1 else 's'} checked).")
        for slug, count in sorted(changed.items()):
            noun = "motion" if count == 1 else "motions"
            out(f"{slug}: {count} {noun} settled (votes opened, closed or lapsed).")

    emit(result, human)
