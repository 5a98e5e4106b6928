"""``python -m bench [--quick] [--only NAME ...] [--output PATH]``: run the benchmark."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from rich.console import Console

from . import ballots, cases, machine, report

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
QUICK = Path(__file__).resolve().parent / "out" / "benchmarks-quick.md"


def ballots_markdown(served: dict[str, object]) -> str:
    """The "ballots per second" section of the report (empty when not measured)."""
    if not served:
        return ""
    md = [
        "",
        "## Ballots per second through the application",
        "",
        "`vote.cast` on an open roll-call vote, each ballot acknowledged only after its "
        "transaction (ballot + journal entry) committed: SQLite in WAL mode with "
        "`synchronous=FULL`, PostgreSQL on 127.0.0.1:5432. Over HTTP: client threads in "
        "the benchmark process against one `communard serve` process over loopback, with "
        "an API token; in process: `app.handle` in a loop (the services and storage alone). "
        "Wall-clock figures: the machine's load shows in them.",
        "",
        "| Transport | Database | Ballots | Seconds | Ballots/s | Median latency | p95 latency "
        "| Errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for transport, label in (("http", "HTTP, loopback"), ("in_process", "in process")):
        results = served.get(transport)
        if not isinstance(results, dict):
            continue
        for backend in ballots.BACKENDS:
            figures = results.get(backend) or {}
            if "skipped" in figures:
                md.append(f"| {label} | {backend} | skipped: {figures['skipped']} |||||||")
                continue
            latency = figures.get("latency_ms") or {}
            p95 = f"{latency['p95']} ms" if latency.get("p95") else "—"
            md.append(
                f"| {label} | {backend} | {figures.get('ballots', '')} | "
                f"{figures.get('seconds', '')} | {figures.get('ballots_per_second', '')} | "
                f"{latency.get('median', '')} ms | {p95} | "
                f"{figures.get('errors') or 'none'} |"
            )
    setup = served.get("http")
    if isinstance(setup, dict) and isinstance(setup.get("setup"), dict):
        s = setup["setup"]
        md += [
            "",
            f"Setup: at most {s['ballots_max']} ballots or {s['seconds_max']} s per run, "
            f"{s['clients']} client threads, {s['members']} members casting in turn, "
            f"{s['server_workers']} server process(es).",
        ]
    return "\n".join(md) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="reduced sizes (about a minute)")
    parser.add_argument(
        "--only",
        action="append",
        choices=[*cases.KEYS, "ballots"],
        metavar="NAME",
        help=f"run only these cases (repeatable): {', '.join(cases.KEYS)}, ballots",
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
    served: dict[str, object] = {}
    if only is None or "ballots" in only:
        # Ballots per second through the application: over HTTP from client threads
        # against a `communard serve` process, and in process for the services alone.
        served["http"] = ballots.run(quick=args.quick, progress=progress)
        served["in_process"] = ballots.run(quick=args.quick, progress=progress, local=True)
    elapsed = time.perf_counter() - started
    report.print_table(rows, Console(width=max(Console().width, 180)))
    command = "python -m bench" + ("".join(" " + a for a in (argv or sys.argv[1:])))
    output = args.output or (QUICK if (args.quick or only) else DOCS)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        report.markdown(rows, info, command, bandwidth, elapsed, args.quick)
        + ballots_markdown(served),
        encoding="utf-8",
    )
    console.log(f"wrote {output} ({elapsed / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
