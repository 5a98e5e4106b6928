"""``communard journal verify|export``: check and copy a commune's public journal."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from communard.adapters.cli import exit_codes
from communard.adapters.cli.support import (
    Group,
    application,
    commune_option,
    emit,
    err_console,
    out,
    progress_enabled,
    the_commune,
    wants_json,
)


@click.group(cls=Group)
def journal() -> None:
    """The public journal: a hash chain of every act of a commune."""


@journal.command()
@click.option(
    "--commune",
    envvar="COMMUNARD_COMMUNE",
    metavar="SLUG",
    help="Only this commune (default: every commune in the database).",
)
def verify(commune: str | None) -> None:
    """Check the hash chain; name the first bad entry and exit 11 when it is broken.

    Any changed byte, deleted, inserted or reordered entry, or cut-off tail
    is found: each entry's hash covers its content and the previous hash, and
    the chain must end at the head the database recorded.
    """
    app = application()
    slugs = [commune] if commune else [x["slug"] for x in app.queries.communes()]
    results = []
    for slug in slugs:
        found = app.queries.verify_journal(slug)
        result = {
            "commune": slug,
            "ok": found.ok,
            "checked": found.checked,
            "bad_position": found.bad_position,
            "bad_seq": found.bad_seq,
            "problem": found.problem,
            "message": found.describe(),
        }
        if found.ok:
            result.update(entries_past_the_head(app, slug))
        results.append(result)
    broken = [r for r in results if not r["ok"]]

    def human(rows: list[dict[str, object]]) -> None:
        if not rows:
            out("This database holds no commune.")
        for r in rows:
            if r["ok"]:
                out(f"{r['commune']}: {r['message']}")
            else:
                err_console.print(f"[bold red]{r['commune']}: {r['message']}[/]")

    emit(results, human)
    if broken:
        raise click.exceptions.Exit(exit_codes.JOURNAL_BROKEN)


@journal.command()
@commune_option
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE instead of standard output.",
)
def export(commune: str | None, output: Path | None) -> None:
    """Write the journal as JSON Lines: one canonical JSON entry per line, oldest first.

    Anyone can verify an export: each line's SHA-256 hash covers its fields
    and the previous line's hash (see docs/journal.md).
    """
    slug = the_commune(commune)
    lines = application().queries.export_journal(slug)
    if output is None:
        for line in lines:
            sys.stdout.write(line + "\n")
        return
    count = 0
    partial = output.with_name(output.name + ".partial")
    with partial.open("w", encoding="utf-8") as sink:
        for line in lines:
            sink.write(line + "\n")
            count += 1
            if progress_enabled() and count % 10_000 == 0:
                err_console.print(f"… {count} entries", end="\r")
    # Renamed only once complete, so a reader never takes a cut-off file for the journal.
    partial.replace(output)
    if wants_json():
        emit({"commune": slug, "entries": count, "output": str(output)})
    else:
        out(f"Wrote {count} journal entries of {slug} to {output}.")


def entries_past_the_head(app: Any, slug: str) -> dict[str, Any]:
    """A finding when entries are stored beyond the recorded head (else nothing).

    The chain is checked up to the head; the newest entry and the head are
    read together, so a command committing meanwhile moves both and is no
    finding, while rows slipped in after the head (which an export would
    carry) are.
    """
    tail = app.queries.journal(slug, limit=1, descending=True)
    head = int(tail["head"]["seq"])
    newest = int(tail["entries"][0]["seq"]) if tail["entries"] else 0
    if newest <= head:
        return {}
    problem = f"entries up to seq {newest} are stored after the recorded head (seq {head})"
    return {
        "ok": False,
        "bad_position": head + 1,
        "bad_seq": head + 1,
        "problem": problem,
        "message": f"Journal broken at entry {head + 1} (seq {head + 1}): {problem}",
    }
