"""``python -m bench [--quick] [--only NAME ...] [--output PATH]``: run the benchmark."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from rich.console import Console

from . import cases, machine, report

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
QUICK = Path(__file__).resolve().parent / "out" / "benchmarks-quick.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="reduced sizes (about a minute)")
    parser.add_argument(
        "--only",
        action="append",
        choices=cases.KEYS,
        metavar="NAME",
        help=f"run only these cases (repeatable): {', '.join(cases.KEYS)}",
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="where to write the Markdown report "
        "(default: docs/benchmarks.md, or bench/out/ with --quick or --only)",
    )
    args = parser.parse_args(argv)
    console = Console(stderr=True)
    started = time.perf_counter()

    def progress(message: str) -> None:
        console.log(message)

    info = machine.describe()
    bandwidth = machine.bandwidth()
    settings = cases.Settings(args.quick, bandwidth, progress)
    only = set(args.only) if args.only else None
    if only is None or "mes-completion" in only:
        # The slowest peer run goes first, in a child process on the other core.
        settings.completion_peer = cases.CompletionPeer(args.quick)
    rows: list[cases.Row] = []
    for case in cases.CASES:
        rows += case(settings, only)
    elapsed = time.perf_counter() - started
    report.print_table(rows, Console(width=max(Console().width, 180)))
    command = "python -m bench" + ("".join(" " + a for a in (argv or sys.argv[1:])))
    output = args.output or (QUICK if (args.quick or only) else DOCS)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        report.markdown(rows, info, command, bandwidth, elapsed, args.quick), encoding="utf-8"
    )
    console.log(f"wrote {output} ({elapsed / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
