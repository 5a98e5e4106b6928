"""The benchmark's output: a rich table on the terminal and ``docs/benchmarks.md``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from .cases import Comparison, Row


def seconds(value: float | None, unit: str = "s") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == "B":
        return f"{value / 1e6:,.1f} MB"
    if value >= 1:
        return f"{value:,.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:,.1f} ms"
    return f"{value * 1e6:,.0f} µs"


def ratio(value: float | None, lower_bound: bool = False) -> str:
    if value is None:
        return "—"
    text = f"{value:,.1f}×" if value < 100 else f"{value:,.0f}×"
    return ("≥ " + text) if lower_bound else text


def verdict(passed: bool | None) -> str:
    return {True: "pass", False: "FAIL", None: "—"}[passed]


def share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _extrapolated(note: str) -> bool:
    return "×" in note or "extrapolated" in note


def lines(rows: Sequence[Row]) -> list[list[str]]:
    """One line per comparison: case, ours, how, vs, peer figure, ratio, target, verdict, share."""
    out = []
    for row in rows:
        comparisons: list[Comparison | None] = [*row.comparisons] or [None]
        for i, comp in enumerate(comparisons):
            first = i == 0
            if comp is None:
                out.append(
                    [
                        row.case,
                        seconds(row.ours, row.unit),
                        row.how,
                        "—",
                        "—",
                        "—",
                        "—",
                        "—",
                        share(row.bandwidth_share),
                    ]
                )
                continue
            mine = comp.ours if comp.ours is not None else row.ours
            out.append(
                [
                    row.case if first else "",
                    seconds(mine, row.unit) if first or comp.ours is not None else "",
                    row.how if first else "",
                    f"{comp.peer} {comp.label}",
                    seconds(comp.value, row.unit)
                    + (" (stopped)" if comp.lower_bound else "")
                    + (" *" if _extrapolated(comp.note) else ""),
                    ratio(comp.ratio(row.ours), comp.lower_bound),
                    "—" if comp.target is None else f"≥ {comp.target:g}×",
                    verdict(comp.passed(row.ours)),
                    share(row.bandwidth_share) if first else "",
                ]
            )
    return out


HEADERS = [
    "Case",
    "Ours",
    "How",
    "Against",
    "Peer figure",
    "Ratio",
    "Target",
    "Verdict",
    "Bandwidth share",
]


def print_table(rows: Sequence[Row], console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title="communard counting benchmark", show_lines=False)
    for header in HEADERS:
        table.add_column(header, overflow="fold")
    for line in lines(rows):
        style = "red" if line[7] == "FAIL" else None
        table.add_row(*line, style=style)
    console.print(table)
    console.print("* peer figure extrapolated from a sample (see docs/benchmarks.md)")


def summary(rows: Sequence[Row]) -> list[str]:
    """One line per target: met or not, by the registry method and by the kernel."""
    out = []
    for row in rows:
        for comp in row.comparisons:
            if comp.target is None:
                continue
            passed = comp.passed(row.ours)
            mark = {True: "met", False: "**not met**", None: "not measured"}[passed]
            out.append(
                f"- {row.case}, {row.how}: ≥ {comp.target:g}× against {comp.peer} "
                f"{comp.label}: {mark} ({ratio(comp.ratio(row.ours), comp.lower_bound)})"
            )
    return out


def markdown(
    rows: Sequence[Row],
    machine: dict[str, Any],
    command: str,
    bandwidth: float,
    elapsed: float,
    quick: bool,
) -> str:
    md = ["# Benchmarks", ""]
    md.append(
        "Written by `python -m bench` (`make bench`); do not edit by hand. "
        "Targets are ratios to the fastest peer measured in the same run, on the same "
        'profile (issue 5, "Speed"). Profiles are Plackett-Luce with truncated ballots '
        "(about 4 ranks), from `communard.counting.generate` with fixed seeds."
    )
    md.append("")
    if quick:
        md += [
            "**Quick run (`--quick`): sizes are reduced; the targets are set for the full sizes.**",
            "",
        ]
    md += ["## Machine", ""]
    md.append(f"- CPU: {machine['cpu']} ({machine['cores']} cores; every count runs on one)")
    md.append(
        f"- Memory: {machine['memory_gb']} GB; one read pass: "
        f"{bandwidth / 1e9:.1f} GB/s (numpy sum over 256 MB, best of 5)"
    )
    md.append(f"- Python {machine['python']}, numpy {machine['numpy']}, numba {machine['numba']}")
    md.append("- Peers: " + ", ".join(f"{k} {v}" for k, v in machine["peers"].items()))
    md.append("- Environment: " + ", ".join(f"{k}={v}" for k, v in machine["env"].items()))
    load = ", ".join(f"{x:.1f}" for x in machine["load"])
    md.append(
        f"- Load average at the start: {load} (the machine is shared; every figure is "
        "CPU seconds of one process, `time.process_time`, or of the child process for "
        "`communard count`, so waiting for a core does not count)"
    )
    md.append(f"- Command: `{command}`; the whole run took {elapsed / 60:.1f} min")
    md += ["", "## Summary", ""]
    md += summary(rows)
    md += ["", "## Results", ""]
    md.append("| " + " | ".join(HEADERS) + " |")
    md.append("|" + "---|" * len(HEADERS))
    for line in lines(rows):
        md.append("| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |")
    md += [
        "",
        '"Ours" is the engine\'s count from its grouped profile (the best of a few runs '
        'after a warm-up); "count" is the peer\'s count from its own profile, "build + '
        'count" adds building that profile from the ballots as Python lists. "Bandwidth '
        'share" is the time of one read pass over the raw ballot bytes at the measured '
        'bandwidth, divided by ours. "registry" rows call `communard.counting.count`; '
        '"kernel" rows call `communard.counting.kernels` directly.',
        "",
    ]
    md += ["## Every peer run", ""]
    md.append("| Case | Peer | Build | Count | Build + count | Winners | Note |")
    md.append("|---|---|---|---|---|---|---|")
    seen: set[int] = set()
    for row in rows:
        for run in row.peer_runs:
            if id(run) in seen:
                continue
            seen.add(id(run))
            winners = ", ".join(run.winners[:10]) + (" …" if len(run.winners) > 10 else "")
            md.append(
                f"| {row.case} | {run.peer} | {seconds(run.build)} | "
                f"{seconds(run.count)} | {seconds(run.total)} | {winners} | {run.note} |"
            )
    md += ["", "## Notes", ""]
    for row in rows:
        for note in row.notes:
            md.append(f"- {row.case} ({row.how}): {note}")
    md.append("")
    return "\n".join(md)
