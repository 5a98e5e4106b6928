"""``communard demo``: load the demo commune (the Commune of Paris, 1871) and exit."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from communard.adapters.cli.support import (
    Command,
    build_application,
    console,
    current_database_url,
    emit,
    err_console,
    progress_enabled,
    wants_json,
)

SHOWN_MEMBERS = 6


@click.command(cls=Command)
@click.option("--all-members", is_flag=True, help="Print the sign-in details of every demo member.")
def demo(all_members: bool) -> None:
    """Load the demo commune 'paris-1871' and print how to sign in.

    The Commune of Paris, spring 1871: the twenty arrondissements and the ten
    commissions as sections, a few dozen Communards as members, and motions
    in every state, from the decrees of March to May 1871. Everything is
    loaded through the same commands members use, so it is all on the
    journal. Running it again changes nothing and prints the same details.
    Every demo member shares one password: this is demo data, never use it
    for a real commune.
    """
    from communard.adapters.demo.loader import load

    if progress_enabled():
        with err_console.status("Loading the demo commune…") as status:
            loaded = load(current_database_url(), build=build_application, progress=status.update)
    else:

        def progress(message: str) -> None:
            if not wants_json():
                err_console.print(f"[dim]…[/] {message}")

        loaded = load(current_database_url(), build=build_application, progress=progress)
    emit(loaded, lambda x: show(x, all_members=all_members))


def show(loaded: Any, *, all_members: bool) -> None:
    """The console report: what was loaded, the motions, and the sign-in details."""
    if loaded.already_loaded:
        console.print(
            f"The demo commune [bold]{loaded.name}[/] ({loaded.commune}) is already loaded; "
            "nothing was changed."
        )
    else:
        console.print(
            f"Loaded the demo commune [bold]{loaded.name}[/] ({loaded.commune}): "
            f"{len(loaded.members)} members, {len(loaded.motions)} motions, "
            f"{loaded.journal_entries} journal entries."
        )
    motions = Table(title="Motions", title_justify="left", box=None, pad_edge=False)
    motions.add_column("#", justify="right")
    motions.add_column("Title")
    motions.add_column("State")
    for motion in loaded.motions:
        motions.add_row(str(motion["motion"]), motion["title"], motion["state"])
    console.print(motions)
    members = loaded.members if all_members else loaded.members[:SHOWN_MEMBERS]
    people = Table(
        title="Sign in as any of them (DEMO password, shared by every demo member)",
        title_justify="left",
        box=None,
        pad_edge=False,
    )
    people.add_column("Name")
    people.add_column("E-mail")
    people.add_column("Password")
    for person in members:
        people.add_row(person["name"], person["email"], person["password"])
    console.print(people)
    if not all_members:
        console.print(
            f"[dim]… and {len(loaded.members) - len(members)} more "
            "(communard demo --all-members lists them all).[/]"
        )
