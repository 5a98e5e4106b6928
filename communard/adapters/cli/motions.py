"""``communard motion ...``: the life of a motion from draft to outcome."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.table import Table

from communard.adapters.cli import exit_codes
from communard.adapters.cli.support import (
    Group,
    application,
    as_option,
    commune_option,
    console,
    emit,
    fail,
    optional_as_option,
    out,
    perform,
    the_actor,
    the_commune,
)
from communard.services import commands as c

STATES = (
    "draft",
    "seconding",
    "deliberation",
    "voting",
    "adopted",
    "rejected",
    "lapsed",
    "withdrawn",
)


@click.group(cls=Group)
def motion() -> None:
    """Motions: list, show, propose, second, comment, amend, open-vote, withdraw, close.

    Commands that act take --as EMAIL: the CLI acts as that member, through
    the same access checks as the web pages and the API. Motions are named by
    their number within the commune (see 'communard motion list').
    """


def when(value: str | None) -> str:
    """A recorded time as 'YYYY-MM-DD HH:MM' (UTC)."""
    return "" if not value else value[:16].replace("T", " ")


@motion.command("list")
@commune_option
@click.option("--state", type=click.Choice(STATES), help="Only motions in this state.")
def list_(commune: str | None, state: str | None) -> None:
    """List the motions, newest first."""
    slug = the_commune(commune)
    rows = application().queries.motions(slug, state)

    def human(rows: list[dict[str, Any]]) -> None:
        table = Table(box=None, pad_edge=False, title=f"Motions of {slug}", title_justify="left")
        for column in ("#", "Title", "State", "Class", "Until"):
            table.add_column(column, justify="right" if column == "#" else "left")
        for r in rows:
            until = (
                r["voting_closes_at"]
                if r["state"] == "voting"
                else (r["deliberation_ends_at"] if r["state"] == "deliberation" else None)
            )
            table.add_row(
                str(r["motion"]), r["title"], r["state"], r["decision_class"], when(until)
            )
        console.print(table)

    emit(rows, human)


@motion.command()
@commune_option
@optional_as_option
@click.argument("number", type=int)
@click.option("--history", is_flag=True, help="Also print the motion's journal entries.")
def show(commune: str | None, as_email: str | None, number: int, history: bool) -> None:
    """Show motion NUMBER: text, seconds, comments, amendments, roll call, outcome."""
    slug = the_commune(commune)
    record = application().queries.motion(slug, number, the_actor(as_email))
    emit(record, lambda m: show_motion(m, history=history))


def show_motion(m: dict[str, Any], *, history: bool = False) -> None:
    """The human rendering of a motion."""
    cls = m["decision_class"]
    kind = "Amendment" if m.get("amends") else "Motion"
    out(f"[bold]{kind} #{m['motion']}: {m['title']}[/]")
    out(
        f"State: [bold]{m['state']}[/] · class {cls['id']} ({cls['title']}) · "
        f"mover {m['mover']['name']}"
    )
    for label, key in (
        ("Deliberation ends", "deliberation_ends_at"),
        ("Vote opened", "voting_opens_at"),
        ("Vote closes", "voting_closes_at"),
        ("Closed", "closed_at"),
    ):
        if m.get(key):
            out(f"{label}: {when(m[key])} UTC")
    out()
    out(m["body"])
    out()
    seconds = ", ".join(s["name"] for s in m.get("seconds") or []) or "none yet"
    out(f"Seconds ({len(m.get('seconds') or [])}/{m.get('seconds_needed')} needed): {seconds}")
    for comment in m.get("comments") or []:
        out(f"  [dim]{when(comment['created_at'])}[/] {comment['name']}: {comment['body']}")
    for amendment in m.get("amendments") or []:
        out(
            f"Amendment #{amendment['motion']} ({amendment.get('state', '')}): {amendment['title']}"
        )
    tally = m.get("tally")
    if tally and m["state"] in ("voting", "adopted", "rejected", "lapsed"):
        out(
            f"Tally: {tally['for']} for, {tally['against']} against, {tally['abstain']} "
            f"abstaining, of {tally['electorate']} members."
        )
    roll = m.get("roll_call") or []
    if roll:
        table = Table(box=None, pad_edge=False, title="Roll call", title_justify="left")
        table.add_column("Member")
        table.add_column("Ballot")
        for ballot in roll:
            table.add_row(ballot["name"], ballot["choice"])
        console.print(table)
    outcome = m.get("outcome")
    if outcome:
        out(f"[bold]Outcome:[/] {outcome.get('explanation', outcome.get('decision'))}")
    if history:
        for entry in m.get("history") or []:
            out(f"  #{entry['seq']} {when(entry['at'])} {entry['type']}")


def body_text(text: str | None, text_file: Path | None) -> str:
    """A motion's text from --text or --text-file ('-' reads stdin)."""
    if text_file is not None:
        with click.open_file(str(text_file), encoding="utf-8") as source:
            return str(source.read())
    if text is None:
        fail(
            exit_codes.USAGE,
            "motion.no_text",
            "Give the motion's text.",
            "Use --text TEXT or --text-file FILE ('-' reads standard input).",
        )
    return str(text)


@motion.command()
@commune_option
@as_option
@click.option("--title", help="The motion's title.")
@click.option("--text", help="The motion's text.")
@click.option(
    "--text-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the text from a file ('-' for standard input).",
)
@click.option(
    "--class",
    "decision_class",
    default="ordinary",
    show_default=True,
    help="The charter's decision class.",
)
@click.option("--draft-only", is_flag=True, help="Only write a draft; propose it later.")
@click.option("--from-draft", type=int, metavar="NUMBER", help="Propose this existing draft.")
def propose(
    commune: str | None,
    as_email: str,
    title: str | None,
    text: str | None,
    text_file: Path | None,
    decision_class: str,
    draft_only: bool,
    from_draft: int | None,
) -> None:
    """Propose a motion (or write a draft, or propose a draft)."""
    slug = the_commune(commune)
    command: c.Command
    if from_draft is not None:
        command = c.ProposeMotion(commune=slug, draft=from_draft)
    else:
        if not title:
            fail(
                exit_codes.USAGE,
                "motion.no_title",
                "Give the motion's title.",
                "Use --title TITLE.",
            )
        kind = c.DraftMotion if draft_only else c.ProposeMotion
        command = kind(
            commune=slug,
            decision_class=decision_class,
            title=str(title),
            body=body_text(text, text_file),
        )
    result = perform(command, as_email)
    emit(result, lambda r: out(f"Motion #{r['motion']} '{r['title']}' is now {r['state']}."))


@motion.command()
@commune_option
@as_option
@click.argument("number", type=int)
def second(commune: str | None, as_email: str, number: int) -> None:
    """Second motion NUMBER."""
    slug = the_commune(commune)
    result = perform(c.SecondMotion(commune=slug, motion=number), as_email)
    emit(
        result,
        lambda r: out(
            f"Seconded motion #{r['motion']}: {r['seconds']}/{r['seconds_needed']} seconds; "
            f"it is {r['state']}."
        ),
    )


@motion.command()
@commune_option
@as_option
@click.argument("number", type=int)
@click.argument("text")
def comment(commune: str | None, as_email: str, number: int, text: str) -> None:
    """Comment TEXT on motion NUMBER."""
    slug = the_commune(commune)
    result = perform(c.CommentOnMotion(commune=slug, motion=number, body=text), as_email)
    emit(result, lambda r: out(f"Comment #{r['comment']} added to motion #{r['motion']}."))


@motion.command()
@commune_option
@as_option
@click.argument("number", type=int)
@click.option("--title", required=True, help="The amendment's title.")
@click.option("--text", help="The whole replacement text of the motion.")
@click.option(
    "--text-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the replacement text from a file ('-' for standard input).",
)
def amend(
    commune: str | None,
    as_email: str,
    number: int,
    title: str,
    text: str | None,
    text_file: Path | None,
) -> None:
    """Propose an amendment to motion NUMBER: a replacement text."""
    slug = the_commune(commune)
    result = perform(
        c.AmendMotion(commune=slug, motion=number, title=title, body=body_text(text, text_file)),
        as_email,
    )
    emit(
        result, lambda r: out(f"Amendment #{r['motion']} to motion #{r['amends']} is {r['state']}.")
    )


@motion.command("accept-amendment")
@commune_option
@as_option
@click.argument("amendment", type=int)
def accept_amendment(commune: str | None, as_email: str, amendment: int) -> None:
    """As the main motion's mover, accept AMENDMENT (its text replaces the motion's)."""
    slug = the_commune(commune)
    result = perform(c.AcceptAmendment(commune=slug, amendment=amendment), as_email)
    emit(
        result,
        lambda r: out(
            f"Amendment #{r['motion']} accepted: motion #{r['amends']} now reads as amended."
        ),
    )


@motion.command("open-vote")
@commune_option
@as_option
@click.argument("number", type=int)
def open_vote(commune: str | None, as_email: str, number: int) -> None:
    """Open the vote on motion NUMBER (once its deliberation is over)."""
    slug = the_commune(commune)
    result = perform(c.OpenVote(commune=slug, motion=number), as_email)
    emit(result, lambda r: out(f"The vote on motion #{r['motion']} is open ({r['state']})."))


@motion.command()
@commune_option
@as_option
@click.argument("number", type=int)
def withdraw(commune: str | None, as_email: str, number: int) -> None:
    """Withdraw motion NUMBER (its mover only, before the vote opens)."""
    slug = the_commune(commune)
    result = perform(c.WithdrawMotion(commune=slug, motion=number), as_email)
    emit(result, lambda r: out(f"Motion #{r['motion']} is {r['state']}."))


@motion.command()
@commune_option
@as_option
@click.argument("number", type=int)
def close(commune: str | None, as_email: str, number: int) -> None:
    """Close the vote on motion NUMBER once its window has ended, and print the outcome."""
    slug = the_commune(commune)
    result = perform(c.CloseMotion(commune=slug, motion=number), as_email)
    emit(
        result,
        lambda r: out(
            f"Motion #{r['motion']} is {r['state']}. "
            f"{(r.get('outcome') or {}).get('explanation', '')}".strip()
        ),
    )
