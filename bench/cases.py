"""The benchmark cases: each builds one profile, times the engine and the peers on it.

A case returns ``Row``s. The engine's figure is the best of a few runs after one
warm-up run (numba's compiled kernels load from their cache in the warm-up); a
peer runs once. Profiles come from ``communard.counting.generate`` with fixed
seeds, so every run counts the same ballots.
"""

from __future__ import annotations

import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from communard.counting import count, generate, kernels
from communard.counting.errors import UnknownMethodError
from communard.counting.profiles import ApprovalProfile, BudgetProfile, RankedProfile
from communard.counting.registry import get

from . import peers
from .peers import PeerRun

SEED = 20261125
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Comparison:
    """Ours against one figure of the fastest peer (or a baseline)."""

    label: str  # "count", "build + count", ...
    peer: str
    value: float | None  # seconds (or bytes); None when the peer did not finish
    target: float | None
    note: str = ""
    lower_bound: bool = False  # the peer was stopped at ``value``: the ratio is at least
    ours: float | None = None  # our figure for this comparison, when not the row's

    def ratio(self, ours: float | None) -> float | None:
        mine = self.ours if self.ours is not None else ours
        if mine is None or self.value is None or mine <= 0:
            return None
        return self.value / mine

    def passed(self, ours: float | None) -> bool | None:
        r = self.ratio(ours)
        if r is None or self.target is None:
            return None
        return r >= self.target


@dataclass
class Row:
    """One figure of ours, compared with the peers' figures."""

    key: str
    case: str
    ours: float | None
    how: str
    comparisons: list[Comparison] = field(default_factory=list)
    bound: float | None = None  # seconds of one pass over the ballot bytes at bandwidth
    unit: str = "s"
    notes: list[str] = field(default_factory=list)
    peer_runs: list[PeerRun] = field(default_factory=list)

    @property
    def bandwidth_share(self) -> float | None:
        if self.bound is None or not self.ours:
            return None
        return self.bound / self.ours


@dataclass
class Settings:
    quick: bool
    bandwidth: float  # bytes per second
    progress: Callable[[str], None]
    completion_peer: CompletionPeer | None = None

    def size(self, full: int, quick: int) -> int:
        return quick if self.quick else full


def best_of(fn: Callable[[], Any], repeats: int = 5) -> tuple[float, Any]:
    """Warm up once, then the best of ``repeats`` timed runs."""
    result = fn()
    best = float("inf")
    for _ in range(repeats):
        start = peers.clock()
        result = fn()
        best = min(best, peers.clock() - start)
    return best, result


def registered(*ids: str) -> str | None:
    for method_id in ids:
        try:
            return get(method_id).id
        except UnknownMethodError:
            continue
    return None


def fastest(runs: list[PeerRun], attr: str) -> PeerRun | None:
    usable = [r for r in runs if getattr(r, attr) is not None]
    return min(usable, key=lambda r: float(getattr(r, attr))) if usable else None


def compare(
    runs: list[PeerRun], count_target: float | None, total_target: float | None
) -> list[Comparison]:
    out = []
    best = fastest(runs, "count")
    if best is not None:
        out.append(Comparison("count", best.peer, best.count, count_target, best.note))
    best = fastest(runs, "total")
    if best is not None:
        out.append(Comparison("build + count", best.peer, best.total, total_target, best.note))
    return out


def agreement(ours: tuple[str, ...], runs: list[PeerRun]) -> list[str]:
    notes = []
    mine = sorted(ours)
    for run in runs:
        theirs = sorted(run.winners)
        if theirs == mine:
            notes.append(f"{run.peer} elects the same: {', '.join(mine)}")
        else:
            notes.append(
                f"{run.peer} elects {', '.join(theirs)}; we elect {', '.join(mine)} "
                "(the rules differ in detail)"
            )
    return notes


def bound_of(raw: npt.NDArray[Any], settings: Settings) -> float:
    return float(raw.nbytes) / settings.bandwidth


# ------------------------------------------------------------------ ranked


@dataclass
class RankedCase:
    n: int
    m: int
    raw: npt.NDArray[Any]
    profile: RankedProfile
    names: tuple[str, ...]


def ranked_case(n: int, m: int, seed: int, settings: Settings) -> RankedCase:
    settings.progress(f"generating {n:,} ballots × {m} candidates")
    raw = generate.plackett_luce(np.random.default_rng(seed), n, m)
    ranks, weights = kernels.group_ranked(raw)
    names = generate.candidate_names(m)
    return RankedCase(n, m, raw, RankedProfile(names, ranks, weights), names)


def _ours_rows(
    key: str,
    case: str,
    profile: RankedProfile,
    methods: list[tuple[str, dict[str, Any]]],
    kernel: tuple[str, Callable[[], tuple[str, ...]]],
    repeats: int,
) -> Iterator[tuple[str, float, tuple[str, ...], str]]:
    for method_id, options in methods:
        if registered(method_id) is None:
            continue
        seconds, outcome = best_of(partial(count, method_id, profile, **options), repeats)
        yield key, seconds, tuple(outcome.winners), f"registry: {method_id}"
    name, fn = kernel
    seconds, winners = best_of(fn, repeats)
    yield f"{key}-kernel", seconds, winners, f"kernel: {name}"


def _ranked_rows(
    key: str,
    label: str,
    rc: RankedCase,
    settings: Settings,
    methods: list[tuple[str, dict[str, Any]]],
    kernel: tuple[str, Callable[[], tuple[str, ...]]],
    runs: list[PeerRun],
    targets: tuple[float, float],
    repeats: int = 5,
) -> list[Row]:
    rows = []
    for row_key, seconds, winners, how in _ours_rows(
        key, label, rc.profile, methods, kernel, repeats
    ):
        row = Row(row_key, label, seconds, how, compare(runs, *targets), bound_of(rc.raw, settings))
        row.notes = agreement(winners, runs)
        row.peer_runs = runs
        rows.append(row)
    return rows


def _sample_lists(rc: RankedCase, sample: int) -> list[list[str]]:
    return peers.name_lists(rc.raw[:sample], rc.names)


def _irv_kernel(rc: RankedCase) -> tuple[str, Callable[[], tuple[str, ...]]]:
    def run() -> tuple[str, ...]:
        result = kernels.irv_fast(rc.profile.ranks, rc.profile.weights, rc.m)
        return tuple(rc.names[w] for w in result.winners)

    return "irv_fast", run


def _stv_kernel(rc: RankedCase, seats: int) -> tuple[str, Callable[[], tuple[str, ...]]]:
    def run() -> tuple[str, ...]:
        result = kernels.stv_fast(rc.profile.ranks, rc.profile.weights, rc.m, seats)
        return tuple(rc.names[w] for w in result.winners)

    return "stv_fast (Gregory, 5 decimals)", run


def ranked_small(settings: Settings, only: set[str] | None) -> list[Row]:
    """IRV, 5-seat STV and Borda at 1M × 10."""
    n = settings.size(1_000_000, 100_000)
    rc = ranked_case(n, 10, SEED, settings)
    label = f"{n // 1000:,}k × 10" if n < 1_000_000 else f"{n // 1_000_000}M × 10"
    settings.progress("building the peers' Python lists")
    lists = peers.name_lists(rc.raw, rc.names)
    rows: list[Row] = []
    if _wanted("irv", only):
        settings.progress("IRV: pyrankvote, votelib, ours")
        runs = [peers.pyrankvote_irv(lists, rc.names, n), peers.votelib_irv(lists, n)]
        rows += _ranked_rows(
            "irv",
            f"IRV {label}",
            rc,
            settings,
            [("irv", {})],
            _irv_kernel(rc),
            runs,
            (30, 100),
        )
    if _wanted("stv", only):
        settings.progress("STV: pyrankvote, votelib, ours")
        runs = [peers.pyrankvote_stv(lists, rc.names, n, 5), peers.votelib_stv(lists, n, 5)]
        rows += _ranked_rows(
            "stv",
            f"STV 5 seats {label}",
            rc,
            settings,
            [("scottish-stv", {"seats": 5}), ("wigm", {"seats": 5})],
            _stv_kernel(rc, 5),
            runs,
            (30, 100),
        )
    if _wanted("borda", only):
        settings.progress("Borda: votelib, ours")
        ints = [[int(c) for c in row if c >= 0] for row in rc.raw[: n // 10].tolist()]
        votes = peers.grouped_votes(rc.profile.ranks, rc.profile.weights, list(range(rc.m)))
        runs = [peers.votelib_borda(ints, n, votes)]

        def borda_kernel() -> tuple[str, ...]:
            scores = kernels.borda(rc.profile.ranks, rc.profile.weights, rc.m)
            return (rc.names[int(np.argmax(scores))],)

        rows += _ranked_rows(
            "borda",
            f"Borda {label}",
            rc,
            settings,
            [("borda-pessimistic", {})],
            ("borda", borda_kernel),
            runs,
            (30, 100),
        )
    if _wanted("memory", only):
        rows.append(memory_row(n, 10, settings))
    if _wanted("ingest", only) or _wanted("cli", only):
        irv_runs = next((r.peer_runs for r in rows if r.key == "irv"), None)
        rows += ingest_rows(rc, settings, only, irv_runs)
    return rows


def schulze(settings: Settings, only: set[str] | None) -> list[Row]:
    """Schulze at 1M × 30 (pairwise table included)."""
    if not _wanted("schulze", only):
        return []
    n = settings.size(1_000_000, 100_000)
    rc = ranked_case(n, 30, SEED + 1, settings)
    label = f"Schulze {n // 1000:,}k × 30" if n < 1_000_000 else f"Schulze {n // 1_000_000}M × 30"
    settings.progress("Schulze: votelib, pref_voting (sample), ours")
    lists = peers.name_lists(rc.raw, rc.names)
    sample = settings.size(10_000, 2_000)
    runs = [
        peers.votelib_schulze(lists, n),
        peers.pref_voting_schulze(lists[:sample], rc.names, n),
    ]
    del lists

    def pairwise_kernel() -> tuple[str, ...]:
        table = kernels.pairwise(rc.profile.ranks, rc.profile.weights, rc.m)
        beats = (table > table.T).sum(axis=1)
        return (rc.names[int(np.argmax(beats))],)

    rows = _ranked_rows(
        "schulze",
        label,
        rc,
        settings,
        [("schulze", {})],
        ("pairwise (the table alone)", pairwise_kernel),
        runs,
        (100, 100),
    )
    # "Pairwise table included": votelib's count makes the table from its votes, while
    # pref_voting's profile makes it while it is built, so pref_voting's build + count
    # stands for its count with the table, and its count alone is shown for information.
    votelib, pref = runs
    if votelib.count <= pref.total:
        peer, value, note = "votelib", votelib.count, "its count makes the table"
    else:
        peer, value, note = "pref_voting", pref.total, "build + count: its profile makes the table"
    for row in rows:
        totals = [c for c in row.comparisons if c.label == "build + count"]
        row.comparisons = [
            Comparison("count, table included", peer, value, 100, note),
            Comparison(
                "count alone (its profile holds the table)",
                "pref_voting",
                pref.count,
                None,
                pref.note,
            ),
            *totals,
        ]
    return rows


def ranked_large(settings: Settings, only: set[str] | None) -> list[Row]:
    """IRV and 5-seat STV at 10M × 20; pyrankvote on a 250k sample (×40), votelib's IRV
    count on the full grouped votes."""
    if not (_wanted("irv-10m", only) or _wanted("stv-10m", only)):
        return []
    n = settings.size(10_000_000, 1_000_000)
    sample = n // 40
    rc = ranked_case(n, 20, SEED + 2, settings)
    label = f"{n // 1_000_000}M × 20"
    lists = _sample_lists(rc, sample)
    settings.progress("votelib's votes from the grouped profile")
    votes = peers.grouped_votes(rc.profile.ranks, rc.profile.weights, rc.names)
    rows: list[Row] = []
    if _wanted("irv-10m", only):
        settings.progress(f"IRV {label}: pyrankvote (sample), votelib, ours")
        runs = [peers.pyrankvote_irv(lists, rc.names, n), peers.votelib_irv(lists, n, votes)]
        rows += _ranked_rows(
            "irv-10m",
            f"IRV {label}",
            rc,
            settings,
            [("irv", {})],
            _irv_kernel(rc),
            runs,
            (25, 25),
            repeats=3,
        )
    if _wanted("stv-10m", only):
        settings.progress(f"STV {label}: pyrankvote (sample), votelib, ours")
        # votelib's STV count on the full 10M votes takes minutes (312 s of wall time on a
        # loaded machine on 2026-11-25) and pyrankvote's is faster; it is left out to keep
        # ``make bench`` within about ten minutes.
        runs = [peers.pyrankvote_stv(lists, rc.names, n, 5)]
        rows += _ranked_rows(
            "stv-10m",
            f"STV 5 seats {label}",
            rc,
            settings,
            [("scottish-stv", {"seats": 5}), ("wigm", {"seats": 5})],
            _stv_kernel(rc, 5),
            runs,
            (25, 25),
            repeats=3,
        )
    return rows


# ---------------------------------------------------------------- budgets


def _expanded(profile: BudgetProfile | ApprovalProfile) -> npt.NDArray[np.bool_]:
    rows: npt.NDArray[np.bool_] = np.repeat(profile.approved, profile.weights, axis=0)
    return rows


def budgets(settings: Settings, only: set[str] | None) -> list[Row]:
    """MES and greedy at 100k voters × 150 projects; MES with completion, Warsaw-sized."""
    rows: list[Row] = []
    if _wanted("mes", only) or _wanted("greedy", only):
        n = settings.size(100_000, 10_000)
        settings.progress(f"budget instance {n:,} × 150")
        bp = generate.budget_instance(np.random.default_rng(SEED + 3), n, 150)
        ballots = peers.approval_sets(_expanded(bp), bp.projects)
        costs = bp.costs.tolist()
        bound = float(n * 150) / settings.bandwidth
        greedy_sample = n // 10
        for key, method_id, target in (("mes", "mes", 400.0), ("greedy", "greedy", None)):
            if not _wanted(key, only):
                continue
            settings.progress(f"{key}: pabutools, ours")
            if key == "mes":
                run = peers.pabutools_mes(ballots, bp.projects, costs, bp.budget)
            else:
                run = peers.pabutools_greedy(
                    ballots[:greedy_sample], bp.projects, costs, bp.budget, n
                )
            label = f"{'MES' if key == 'mes' else 'Greedy'} {n // 1000}k × 150"
            if registered(method_id) is None:
                rows.append(
                    Row(
                        key,
                        label,
                        None,
                        f"registry: {method_id} not landed",
                        compare([run], target, None),
                        peer_runs=[run],
                    )
                )
                continue
            seconds, outcome = best_of(partial(count, method_id, bp), 3)
            row = Row(
                key,
                label,
                seconds,
                f"registry: {method_id}",
                compare([run], target, None),
                bound,
                peer_runs=[run],
            )
            row.notes = agreement(tuple(outcome.winners), [run])
            rows.append(row)
    if _wanted("mes-completion", only):
        rows.append(mes_completion(settings, settings.completion_peer))
    return rows


_COMPLETION_PEER = """
import json, sys, numpy as np
from bench import peers
from bench.cases import _expanded
from communard.counting import generate
n, m, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
bp = generate.budget_instance(np.random.default_rng(seed), n, m)
ballots = peers.approval_sets(_expanded(bp), bp.projects)
run = peers.pabutools_mes(ballots, bp.projects, bp.costs.tolist(), bp.budget, completion=True)
print(json.dumps({"build": run.build, "count": run.count, "winners": list(run.winners)}))
"""


def completion_size(quick: bool) -> tuple[int, int, int]:
    """Voters, projects and the peer's CPU limit in seconds (issue 5: 'not in 120 s')."""
    return (6_000, 83, 20) if quick else (61_668, 83, 120)


class CompletionPeer:
    """pabutools' MES with completion, run in a child process beside the rest of the run.

    The child gets a CPU limit (``RLIMIT_CPU``): the kernel stops it once it has had that
    many seconds of a core, however busy the machine is. Its CPU time is read from
    ``wait4``, so the figure is the child's own, not the wall clock's.
    """

    def __init__(self, quick: bool) -> None:
        n, m, self.limit = completion_size(quick)
        limit = self.limit

        def cap() -> None:
            resource.setrlimit(resource.RLIMIT_CPU, (limit, limit + 5))

        self.process = subprocess.Popen(
            [sys.executable, "-c", _COMPLETION_PEER, str(n), str(m), str(SEED + 4)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
            preexec_fn=cap,
        )

    def result(self, wall_limit: float = 1800.0) -> tuple[bool, float, dict[str, Any]]:
        """(finished, CPU seconds, its JSON) once the child ends or ``wall_limit`` passes."""
        deadline = peers.clock_wall() + wall_limit
        pid = self.process.pid
        while True:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done == pid:
                break
            if peers.clock_wall() > deadline:
                self.process.kill()
                done, status, usage = os.wait4(pid, 0)
                break
            time.sleep(0.5)
        self.process.returncode = os.waitstatus_to_exitcode(status)
        cpu = usage.ru_utime + usage.ru_stime
        out = self.process.stdout.read().decode() if self.process.stdout else ""
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and out.strip():
            return True, cpu, json.loads(out.strip().splitlines()[-1])
        return False, cpu, {}


def mes_completion(settings: Settings, peer: CompletionPeer | None = None) -> Row:
    """MES with add-one completion on a synthetic instance the size of Warsaw 2026."""
    n, m, limit = completion_size(settings.quick)
    bp = generate.budget_instance(np.random.default_rng(SEED + 4), n, m)
    label = f"MES + add-one completion {n:,} × {m} (Warsaw-sized)"
    if registered("mes") is None:
        return Row("mes-completion", label, None, "registry: mes not landed")
    settings.progress("MES with completion: ours")
    seconds, outcome = best_of(lambda: count("mes", bp, completion="add1"), 1)
    peer = peer or CompletionPeer(settings.quick)
    settings.progress(f"MES with completion: waiting for pabutools (CPU limit {limit} s)")
    finished, cpu, data = peer.result()
    if finished:
        run = PeerRun("pabutools", data["build"], data["count"], tuple(data["winners"]))
        comparison = Comparison("count", "pabutools", run.count, 240)
        notes = agreement(tuple(outcome.winners), [run])
    else:
        comparison = Comparison(
            "count",
            "pabutools",
            cpu,
            240,
            f"stopped at its CPU limit after {cpu:.0f} CPU seconds (generation and build "
            "included): the ratio is at least this",
            lower_bound=True,
        )
        notes = [f"pabutools did not finish within {limit} CPU seconds (stopped at {cpu:.0f})"]
        run = PeerRun("pabutools", float("nan"), cpu, (), f"stopped at {limit} CPU seconds")
    row = Row(
        "mes-completion",
        label,
        seconds,
        "registry: mes completion=add1",
        [comparison],
        float(n * m) / settings.bandwidth,
        peer_runs=[run],
    )
    row.notes = [
        *notes,
        "The real Warsaw 2026 file is not in the corpus; this instance has its size "
        "(61,668 voters × 83 projects) and Pabulib-like costs. pabutools runs in a child "
        "process beside the rest of the benchmark (on the other core).",
    ]
    return row


# ------------------------------------------------------------- committees


def committees(settings: Settings, only: set[str] | None) -> list[Row]:
    """seq-Phragmén, seq-PAV and committee Equal Shares at 10,000 × 40, committee of 10."""
    keys = [
        ("phragmen", "seq-phragmen", ("seq-phragmen", "phragmen", "sequential-phragmen")),
        ("pav", "seq-pav", ("seq-pav", "sequential-pav")),
        ("equal-shares", "equal-shares", ("equal-shares", "mes-committee", "rule-x")),
    ]
    if not any(_wanted(k, only) for k, _, _ in keys):
        return []
    n, m, k = 10_000, 40, 10
    settings.progress("approval profile 10,000 × 40")
    raw = generate.approvals(np.random.default_rng(SEED + 5), n, m)
    approved, weights = kernels.group_rows_fast(raw)
    names = generate.candidate_names(m)
    ap = ApprovalProfile(names, approved, weights)
    ballots = peers.approval_sets(raw, names)
    rows = []
    for key, peer_rule, ids in keys:
        if not _wanted(key, only):
            continue
        settings.progress(f"{peer_rule}: abcvoting, ours")
        run = peers.abcvoting_rule(peer_rule, ballots, names, n, k)
        label = f"{peer_rule} {n // 1000}k × {m}, k = {k}"
        method_id = registered(*ids)
        if method_id is None:
            rows.append(
                Row(
                    key,
                    label,
                    None,
                    f"registry: {ids[0]} not landed",
                    compare([run], 100, None),
                    peer_runs=[run],
                )
            )
            continue
        seconds, outcome = best_of(partial(count, method_id, ap, seats=k), 3)
        row = Row(
            key,
            label,
            seconds,
            f"registry: {method_id}",
            compare([run], 100, None),
            float(raw.nbytes) / settings.bandwidth,
            peer_runs=[run],
        )
        row.notes = agreement(tuple(outcome.winners), [run])
        rows.append(row)
    return rows


# ---------------------------------------------------------- ingest and CLI


def write_blt(path: Path, rc: RankedCase, seats: int = 1) -> None:
    """One ballot a line, weight 1, as election officials export them (not grouped)."""
    with path.open("w", encoding="utf-8") as fh:
        fh.write(f"{rc.m} {seats}\n")
        for row in rc.raw.tolist():
            fh.write("1 " + " ".join(str(c + 1) for c in row if c >= 0) + " 0\n")
        fh.write("0\n")
        for name in rc.names:
            fh.write(f'"{name}"\n')
        fh.write('"Benchmark"\n')


def write_csv(path: Path, rc: RankedCase) -> None:
    width = rc.raw.shape[1]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow([f"rank{j + 1}" for j in range(width)])
        for row in rc.raw.tolist():
            writer.writerow([rc.names[c] if c >= 0 else "" for c in row])


def lists_from_blt(path: Path) -> list[list[int]]:
    """The baseline: a .blt file's ballots as Python lists of option numbers."""
    ballots = []
    with path.open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            numbers = [int(t) for t in line.split()]
            if numbers == [0]:
                break
            ballots.append(numbers[1:-1])
    return ballots


def lists_from_csv(path: Path) -> list[list[str]]:
    """The baseline: a CSV file's ballots as Python lists of names."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        return [[cell for cell in row if cell] for row in reader]


def ingest_rows(
    rc: RankedCase, settings: Settings, only: set[str] | None, irv_runs: list[PeerRun] | None
) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="communard-bench-") as tmp:
        blt = Path(tmp) / "ballots.blt"
        table = Path(tmp) / "ballots.csv"
        settings.progress("writing the .blt and CSV files")
        write_blt(blt, rc)
        write_csv(table, rc)
        n_label = f"{rc.n // 1000:,}k" if rc.n < 1_000_000 else f"{rc.n // 1_000_000}M"
        bound = float(blt.stat().st_size) / settings.bandwidth
        if _wanted("ingest", only):
            settings.progress("ingest: Python lists, ours, the formats' readers")
            for fmt, path, fast, baseline in (
                ("blt", blt, kernels.read_blt_fast, lists_from_blt),
                ("csv", table, kernels.read_csv_fast, lists_from_csv),
            ):
                base_s, _ = best_of(partial(baseline, path), 1)
                seconds, profile = best_of(partial(fast, path), 3)
                base = Comparison(
                    "ingest",
                    "Python lists",
                    base_s,
                    10,
                    "reading the file into lists, nothing else",
                )
                row = Row(
                    f"ingest-{fmt}",
                    f"Ingest {n_label} ballots, .{fmt}",
                    seconds,
                    f"kernel: read_{fmt}_fast",
                    [base],
                    bound,
                )
                row.notes = [
                    f"read {profile.n_voters:,} ballots ({profile.n_distinct:,} distinct) from "
                    f"{path.stat().st_size / 1e6:.1f} MB"
                ]
                owner = _owner_reader(fmt, path)
                if owner is not None:
                    owner_s, how = owner
                    rows.append(
                        Row(
                            f"ingest-{fmt}-reader",
                            f"Ingest {n_label} ballots, .{fmt}",
                            owner_s,
                            how,
                            [base],
                            bound,
                        )
                    )
                rows.append(row)
        if _wanted("cli", only):
            rows.append(cli_row(blt, rc, settings, irv_runs))
    return rows


def _owner_reader(fmt: str, path: Path) -> tuple[float, str] | None:
    try:
        if fmt == "blt":
            from communard.counting.formats.blt import read_blt

            seconds, _ = best_of(lambda: read_blt(path), 3)
            return seconds, "formats.blt.read_blt"
        from communard.counting.formats.simple import read_csv

        seconds, _ = best_of(lambda: read_csv(path), 1)
        return seconds, "formats.simple.read_csv"
    except ImportError:
        return None


def cli_row(blt: Path, rc: RankedCase, settings: Settings, irv_runs: list[PeerRun] | None) -> Row:
    """``communard count FILE`` as a process, against the fastest peer's build + count."""
    n_label = f"{rc.n // 1000:,}k" if rc.n < 1_000_000 else f"{rc.n // 1_000_000}M"
    label = f"communard count ({n_label} × 10 .blt, IRV), end to end"
    exe = Path(sys.executable).parent / "communard"
    command = [str(exe), "count", str(blt), "--method", "irv", "--json"]
    settings.progress("communard count as a process")
    env = dict(os.environ)
    # An install compiles the package's bytecode; a checkout run with PYTHONDONTWRITEBYTECODE
    # would compile every module of ours again in every run.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "communard")],
        capture_output=True,
        timeout=300,
    )
    seconds = float("inf")
    try:
        for _ in range(3):
            start = peers.children_clock()
            done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
            seconds = min(seconds, peers.children_clock() - start)
    except (OSError, subprocess.TimeoutExpired) as error:
        return Row("cli", label, None, f"could not run: {error}")
    if done.returncode != 0:
        message = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return Row("cli", label, None, f"communard count failed: {message}")
    runs = irv_runs or []
    best = fastest(runs, "total")
    comparisons = []
    if best is not None:
        comparisons.append(
            Comparison("build + count from memory", best.peer, best.total, 5, best.note)
        )
    row = Row(
        "cli",
        label,
        seconds,
        "process: " + " ".join([*command[1:2], "FILE", *command[3:]]),
        comparisons,
    )
    try:
        winners = tuple(json.loads(done.stdout)["winners"])
        row.notes = agreement(winners, runs)
    except (ValueError, KeyError):
        row.notes = ["the JSON output could not be read"]
    floor = float("inf")
    for _ in range(3):
        start = peers.children_clock()
        started = subprocess.run(
            [sys.executable, "-c", "import communard.adapters.cli.count"],
            capture_output=True,
            env=env,
            timeout=120,
        )
        floor = min(floor, peers.children_clock() - start)
    if started.returncode == 0:
        row.notes.append(
            f"of which starting Python and importing the count command take {floor:.2f} CPU s"
            " (the package's bytecode compiled first, as an install does)"
        )
    return row


def memory_row(n: int, m: int, settings: Settings) -> Row:
    """Working memory of grouping + IRV, and of each peer's build + IRV, in fresh processes."""
    settings.progress("working memory (fresh processes)")
    results = {}
    for who in ("ours", "votelib", "pyrankvote"):
        done = subprocess.run(
            [sys.executable, "-m", "bench.memory", who, str(n), str(m), str(SEED)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=600,
        )
        if done.returncode == 0:
            results[who] = json.loads(done.stdout.strip().splitlines()[-1])
    ours = results.get("ours")
    limit = 2 * n * m + 8 * n
    label = f"Working memory, group + IRV, {n:,} × {m}"
    if ours is None:
        return Row("memory", label, None, "measurement failed", unit="B")
    comparisons = [Comparison("limit 2 × int8 matrix + 8 B/ballot", "target", float(limit), 1)]
    for who in ("votelib", "pyrankvote"):
        if who in results:
            rise = results[who]["rise"]
            comparisons.append(Comparison("build + count (past its lists)", who, rise, 10))
            total = rise + results[who]["input"]
            comparisons.append(
                Comparison(
                    "with the ballots in memory",
                    who,
                    total,
                    10,
                    "their lists vs our int8 matrix",
                    ours=float(ours["rise"] + ours["input"]),
                )
            )
    row = Row(
        "memory",
        label,
        float(ours["rise"]),
        "registry irv after kernels.group_ranked",
        comparisons,
        unit="B",
    )
    row.notes = [
        f"ours: peak RSS rise {ours['rise'] / 1e6:.1f} MB over a {ours['input'] / 1e6:.0f} MB "
        "int8 matrix; with the matrix "
        f"{(ours['rise'] + ours['input']) / 1e6:.1f} MB",
    ] + [
        f"{who}: rise {r['rise'] / 1e6:.1f} MB past {r['input'] / 1e6:.0f} MB of Python lists"
        for who, r in results.items()
        if who != "ours"
    ]
    return row


def _wanted(key: str, only: set[str] | None) -> bool:
    return only is None or key in only


CASES: list[Callable[[Settings, set[str] | None], list[Row]]] = [
    ranked_small,
    schulze,
    ranked_large,
    budgets,
    committees,
]
KEYS = (
    "irv",
    "stv",
    "borda",
    "memory",
    "ingest",
    "cli",
    "schulze",
    "irv-10m",
    "stv-10m",
    "mes",
    "greedy",
    "mes-completion",
    "phragmen",
    "pav",
    "equal-shares",
)
