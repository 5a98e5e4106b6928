"""``communard vote ...``: cast a roll-call ballot, see the tally."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from communard.adapters.cli.support import (
    Group,
    application,
    as_option,
    commune_option,
    console,
    emit,
    out,
    perform,
    the_commune,
)
from communard.services import commands as c

CHOICES = ("yes", "no", "abstain", "for", "against")


@click.group(cls=Group)
def vote() -> None:
    """Votes: cast a ballot, see the tally and the roll call."""


@vote.command()
@commune_option
@as_option
@click.argument("motion", type=int)
@click.argument("choice", type=click.Choice(CHOICES, case_sensitive=False))
def cast(commune: str | None, as_email: str, motion: int, choice: str) -> None:
    """Cast (or change, where the charter allows) a ballot on MOTION: yes, no or abstain."""
    slug = the_commune(commune)
    result = perform(c.CastBallot(commune=slug, motion=motion, choice=choice.lower()), as_email)
    emit(
        result,
        lambda r: out(
            f"{'Changed' if r['changed'] else 'Cast'} your ballot on motion #{r['motion']}: "
            f"{r['choice']}."
        ),
    )


@vote.command()
@commune_option
@click.argument("motion", type=int)
def tally(commune: str | None, motion: int) -> None:
    """The tally and the roll call of MOTION (and its outcome once closed)."""
    slug = the_commune(commune)
    record = application().queries.motion(slug, motion)
    data = {
        "motion": record["motion"],
        "title": record["title"],
        "state": record["state"],
        "voting_closes_at": record.get("voting_closes_at"),
        "tally": record.get("tally"),
        "roll_call": record.get("roll_call") or [],
        "outcome": record.get("outcome"),
    }

    def human(d: dict[str, Any]) -> None:
        out(f"[bold]#{d['motion']} {d['title']}[/] ({d['state']})")
        t = d.get("tally")
        if t:
            out(
                f"{t['for']} for, {t['against']} against, {t['abstain']} abstaining; "
                f"{t['for'] + t['against'] + t['abstain']} of {t['electorate']} members voted."
            )
        if d["roll_call"]:
            table = Table(box=None, pad_edge=False)
            table.add_column("Member")
            table.add_column("Ballot")
            table.add_column("Cast at (UTC)")
            for b in d["roll_call"]:
                table.add_row(
                    b["name"],
                    b["choice"],
                    (b.get("changed_at") or b["cast_at"])[:19].replace("T", " "),
                )
            console.print(table)
        if d.get("outcome"):
            out(f"[bold]Outcome:[/] {d['outcome'].get('explanation', '')}")

    emit(data, human)
