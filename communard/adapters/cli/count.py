"""``communard count FILE``: count a ballot file with any registered method.

Reads RCTab contest configs, ``.blt``, PrefLib, Pabulib and the simple CSV and
JSON files (the format is detected unless ``--format`` names it), counts with
the method the file calls for or ``--method``, and prints a round-by-round
table, one JSON object (``--json``), or RCTab's detailed report
(``--report rctab``). ``--chart`` writes the rounds as SVG or HTML.

Exit codes (the counting engine's errors, one table): 0 counted, 1 a fault of
the engine itself (a bug; ``COMMUNARD_DEBUG=1`` shows the traceback), 2 bad
command line, 3 the file cannot be read, 4 a bad method, option or
configuration, 5 a tie the rule says to stop at (``--tie-break ask``).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from importlib import import_module
from pathlib import Path
from typing import Any

import click

# A count does no large linear algebra; OpenBLAS's worker threads would only add their
# start-up to every run (about 50 ms of CPU on two cores). Set before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from communard.counting import (
    BallotFormatError,
    ConfigError,
    CountingError,
    MethodInfo,
    Outcome,
    UnknownMethodError,
    UnresolvedTieError,
    all_methods,
    get,
)
from communard.counting.formats.detect import FORMATS, default_method, read_ballots
from communard.counting.outcomes import exact_json
from communard.counting.ties import parse_tie_break

OK = 0
INTERNAL = 1
USAGE = 2
BAD_FILE = 3
BAD_CONFIG = 4
TIE = 5

EXIT_CODE_BY_ERROR: dict[type[CountingError], int] = {
    BallotFormatError: BAD_FILE,
    ConfigError: BAD_CONFIG,
    UnknownMethodError: BAD_CONFIG,
    UnresolvedTieError: TIE,
    CountingError: BAD_CONFIG,
}


def exit_code_for(error: CountingError) -> int:
    """The exit code of a counting error, by the most specific class listed."""
    for cls in type(error).__mro__:
        if cls in EXIT_CODE_BY_ERROR:
            return EXIT_CODE_BY_ERROR[cls]
    return BAD_CONFIG


# Methods whose numpy paths are whole-array passes over the distinct ballots, and the
# largest file for which they beat loading numba (about half a second of CPU): the
# compiled readers save about 12 ms a megabyte.
NUMPY_METHODS = frozenset(
    {"irv", "scottish-stv", "wigm", "borda", "borda-pessimistic", "borda-optimistic"}
    | {"borda-averaged", "dowdall"}
)
NUMPY_MAX_BYTES = 32 << 20


def _fail(code: int, error_code: str, message: str, hint: str = "", **details: Any) -> None:
    # The CLI's shared output module loads rich: only when there is something to say.
    from communard.adapters.cli import support

    support.report(error_code, message, hint, details)
    raise click.exceptions.Exit(code)


def _parse_value(text: str) -> Any:
    lowered = text.strip().lower()
    if lowered in ("true", "yes", "on"):
        return True
    if lowered in ("false", "no", "off"):
        return False
    if lowered in ("none", "null"):
        return None
    if lowered.lstrip("-").isdigit():
        return int(lowered)
    return text.strip()


def _method_options(pairs: tuple[str, ...]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            _fail(
                USAGE,
                "count.usage",
                f"--option {pair!r} is not KEY=VALUE.",
                "Write e.g. --option threshold=2/3 --option strict=false.",
            )
        options[key.strip().replace("-", "_")] = _parse_value(value)
    return options


@contextmanager
def _step(description: str) -> Iterator[None]:
    """Show a spinner on stderr for a step that may take a while (terminals only)."""
    if not sys.stderr.isatty():
        yield
        return
    from communard.adapters.cli import support

    if not support.progress_enabled():
        yield
        return
    with support.err_console.status(description, spinner="dots"):
        yield


def _list_methods(as_json: bool) -> None:
    methods = all_methods()
    if as_json:
        data = [
            {
                "id": m.id,
                "name": m.name,
                "ballot": m.ballot,
                "seats": m.seats,
                "aliases": list(m.aliases),
                "properties": sorted(m.properties),
                "version": m.version,
                "summary": m.summary,
                "options": m.options,
                "reference": m.reference,
            }
            for m in methods
        ]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    from rich.table import Table
    from rich.text import Text

    from communard.adapters.cli.support import console

    table = Table(title="Counting methods", show_lines=False)
    for column in ("id", "name", "ballot", "seats", "aliases"):
        table.add_column(column)
    for m in methods:
        table.add_row(m.id, Text(m.name), m.ballot, m.seats, ", ".join(m.aliases))
    console.print(table)


def _format_number(value: Any) -> str:
    shown = exact_json(value)
    return str(shown)


def render(outcome: Outcome) -> None:
    """Print an outcome as people read it: rounds as a table, then the explanation."""
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    from communard.adapters.cli.support import console

    title = f"{outcome.method} (version {outcome.version})"
    rounds = outcome.rounds
    names: list[str] = []
    for r in rounds:
        # Within a round, the strongest first: the table reads top to bottom.
        for name in sorted(r.tallies, key=lambda n: -Fraction(r.tallies[n])):
            if name not in names:
                names.append(name)
    if names:
        name_width = min(max(len(n) for n in names), 32)
        widest = max(
            (len(_format_number(v)) for r in rounds for v in r.tallies.values()), default=1
        )
        per_table = max(1, (console.width - name_width - 4) // (max(widest, 8) + 5))
        for start in range(0, len(rounds), per_table):
            chunk = rounds[start : start + per_table]
            table = Table(title=title if start == 0 else None)
            table.add_column("option", no_wrap=True, min_width=name_width)
            for r in chunk:
                table.add_column(f"round {r.number}", justify="right", no_wrap=True)
            for name in names:
                cells = []
                for r in chunk:
                    if name not in r.tallies:
                        cells.append("")
                        continue
                    mark = ""
                    if name in r.elected:
                        mark = " ✔"
                    elif name in r.eliminated:
                        mark = " ✘"
                    cells.append(_format_number(r.tallies[name]) + mark)
                table.add_row(Text(name), *cells)
            if any(r.exhausted for r in rounds):
                table.add_row("[dim]exhausted[/]", *(_format_number(r.exhausted) for r in chunk))
            console.print(table)
    else:
        console.print(f"[bold]{title}[/]")
    pairwise = outcome.details.get("pairwise")
    if isinstance(pairwise, dict) and 1 < len(pairwise) <= 15:
        grid = Table(title="Pairwise: voters ranking the row above the column")
        grid.add_column("")
        options = list(pairwise)
        for name in options:
            grid.add_column(Text(name), justify="right")
        for a in options:
            grid.add_row(
                Text(a), *("—" if a == b else str(pairwise[a].get(b, "")) for b in options)
            )
        console.print(grid)
    for line in outcome.explanation:
        console.print(line, markup=False)
    for r in rounds:
        if r.note and r.note not in outcome.explanation:
            console.print(f"Round {r.number}: {r.note}", markup=False)
    if outcome.tied:
        console.print(f"[bold yellow]Tied, undecided:[/] {escape(', '.join(outcome.tied))}")
    elif outcome.winners:
        console.print(f"[bold green]Winners:[/] {escape(', '.join(outcome.winners))}")


@click.command(
    "count",
    epilog="Exit codes: 0 counted (a reported tie included), 1 a fault of the engine, "
    "2 bad command line, 3 unreadable ballot file, 4 bad method, option or configuration, "
    "5 a tie the rule says to stop at.",
)
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "format_",
    type=click.Choice(FORMATS, case_sensitive=False),
    help="Ballot file format (detected from the name and content by default).",
)
@click.option(
    "--method",
    "-m",
    "method_id",
    metavar="ID",
    help="Counting method id or alias (see --list-methods); default: the file's own.",
)
@click.option("--seats", type=click.IntRange(min=1), help="Number of seats to fill.")
@click.option(
    "--tie-break",
    "tie_break",
    metavar="RULE",
    help="ask | permutation:A,B,C | previous-rounds[:permutation:A,B,C]. "
    "Without it, ties are reported, not broken.",
)
@click.option(
    "--option",
    "-o",
    "options",
    multiple=True,
    metavar="KEY=VALUE",
    help="A method option, e.g. -o threshold=2/3 -o strict=false (repeatable).",
)
@click.option(
    "--kind",
    type=click.Choice(["ranked", "approval", "score"]),
    help="How to read numbers under option names in a CSV file.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--report",
    "report_kind",
    type=click.Choice(["rctab"]),
    help="Print RCTab's detailed report JSON for the count instead of the table.",
)
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a round-by-round chart (.svg or .html).",
)
@click.option("--list-methods", is_flag=True, help="List the counting methods and exit.")
@click.pass_context
def count(
    ctx: click.Context,
    file: Path | None,
    format_: str | None,
    method_id: str | None,
    seats: int | None,
    tie_break: str | None,
    options: tuple[str, ...],
    kind: str | None,
    as_json: bool,
    report_kind: str | None,
    chart: Path | None,
    list_methods: bool,
) -> None:
    """Count the ballots in FILE and explain every round."""
    root = ctx.find_root()
    if as_json:
        root.ensure_object(dict)["json"] = True
    as_json = as_json or bool((root.obj or {}).get("json"))
    try:
        if list_methods:
            _list_methods(as_json)
            return
        if file is None:
            _fail(
                USAGE,
                "count.usage",
                "Name the ballot file to count.",
                "communard count FILE (or --list-methods).",
            )
            return
        _count(
            file, format_, method_id, seats, tie_break, options, kind, as_json, report_kind, chart
        )
    except CountingError as error:
        report_error(error)
        raise click.exceptions.Exit(exit_code_for(error)) from None
    except (click.exceptions.Exit, click.ClickException):
        raise
    except Exception as error:
        # A fault of the engine, not of the user's file: one line, the traceback on request.
        if os.environ.get("COMMUNARD_DEBUG"):
            raise
        from communard.adapters.cli import support

        support.report(
            "count.internal",
            f"The count failed inside the engine: {type(error).__name__}: {error}",
            "This is a bug in communard; rerun with COMMUNARD_DEBUG=1 to see where, and report it.",
        )
        raise click.exceptions.Exit(INTERNAL) from None


def report_error(error: CountingError) -> None:
    """Write a counting error as a one-line message and a hint."""
    from communard.adapters.cli import support

    details = {k: v for k, v in error.details.items() if v is not None}
    support.report(error.code, error.message, error.hint, details)


def _count(
    file: Path,
    format_: str | None,
    method_id: str | None,
    seats: int | None,
    tie_break: str | None,
    option_pairs: tuple[str, ...],
    kind: str | None,
    as_json: bool,
    report_kind: str | None,
    chart: Path | None,
) -> None:
    info = get(method_id) if method_id else None
    # Without a method the file's own is counted: IRV or STV for ranked ballots.
    if (info is None or info.id in NUMPY_METHODS) and _size(file) <= NUMPY_MAX_BYTES:
        from communard.counting import kernels

        with kernels.numpy_twins():
            _count_with(
                info,
                file,
                format_,
                seats,
                tie_break,
                option_pairs,
                kind,
                as_json,
                report_kind,
                chart,
            )
        return
    _count_with(
        info, file, format_, seats, tie_break, option_pairs, kind, as_json, report_kind, chart
    )


def _count_with(
    info: MethodInfo | None,
    file: Path,
    format_: str | None,
    seats: int | None,
    tie_break: str | None,
    option_pairs: tuple[str, ...],
    kind: str | None,
    as_json: bool,
    report_kind: str | None,
    chart: Path | None,
) -> None:
    if kind is None and info is not None:
        kind = {
            "ranked": "ranked",
            "choice": "ranked",
            "approval": "approval",
            "score": "score",
            "grades": "score",
        }.get(info.ballot)
    with _step(f"Reading {file.name}…"):
        ballots = read_ballots(file, format_, kind=kind)
    options: dict[str, Any] = {}
    if info is None:
        default_id, options = default_method(ballots, seats)
        info = get(default_id)
    options.update(_method_options(option_pairs))
    if report_kind == "rctab" and ballots.format == "rctab":
        _print_rctab_report(ballots, info.id)
        return
    if report_kind == "rctab" and info.id != "rctab":
        raise ConfigError(
            "--report rctab prints RCTab's own report: count an RCTab contest config, "
            "or these ballots with --method rctab.",
            hint="Add --method rctab (RCTab's rules) or give the contest's config .json.",
        )
    breaker = parse_tie_break(tie_break)
    if breaker is not None:
        options["tie_break"] = breaker
    wanted = seats if seats is not None else int(ballots.meta.get("seats", 1) or 1)
    if info.seats == "single" and seats is None:
        wanted = 1
    if wanted != 1:
        options["seats"] = wanted
    if ballots.format == "rctab":
        if info.id != "rctab":
            raise ConfigError(
                f"An RCTab contest config is counted by the rctab method, not {info.id!r}.",
                hint="Leave out --method, or export the CVRs to the simple CSV format.",
            )
        target: Any = str(ballots.path)
    else:
        target = ballots.profile
    with _step(f"Counting with {info.id}…"):
        outcome = info.function(target, **options)
    if chart is not None:
        from communard.counting.charts import render_chart

        text = render_chart(outcome, chart.suffix)
        try:
            chart.write_text(text, encoding="utf-8")
        except OSError as error:
            raise ConfigError(
                f"The chart cannot be written to {chart}: {error.strerror}.",
                hint="Choose a writable path for --chart.",
            ) from None
    if report_kind == "rctab":
        report = outcome.details.get("report")
        if report is None:
            raise ConfigError(
                "This count has no RCTab report.", hint="Count without --report to see the rounds."
            )
        click.echo(json.dumps(exact_json(report), ensure_ascii=False, indent=2))
        return
    if as_json:
        click.echo(json.dumps(outcome.to_json(), ensure_ascii=False, indent=2))
    else:
        render(outcome)
        if chart is not None:
            from communard.adapters.cli.support import console

            console.print(f"Chart written to {chart}.", markup=False)


def _size(file: Path) -> int:
    try:
        return file.stat().st_size
    except OSError:
        return 0  # the reader words the error


def _print_rctab_report(ballots: Any, method_id: str) -> None:
    if ballots.format != "rctab":
        raise ConfigError(
            "--report rctab prints RCTab's own report, which needs an RCTab contest config.",
            hint="Give the contest's config .json file (its CVRs are read from it).",
        )
    try:
        module = import_module("communard.counting.rctab.report")
    except ModuleNotFoundError as error:
        if not (error.name or "").startswith("communard.counting.rctab"):
            raise
        raise ConfigError(
            "RCTab reports are not available in this installation.",
            hint="Count without --report to see the rounds.",
        ) from None
    reporter = getattr(module, "detailed_report_json", None)
    if reporter is None:
        raise ConfigError(
            "RCTab reports are not available in this installation yet.",
            hint="Count without --report to see the rounds.",
        )
    with _step("Counting as RCTab does…"):
        data = reporter(ballots.path)
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))
