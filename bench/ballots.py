"""Ballots per second through a real server: ``python -m bench.ballots``.

For each database (an SQLite file, and PostgreSQL when a server answers), the
benchmark builds a synthetic assembly through the service commands (members
with API tokens, one motion open for voting, ballots changeable until close),
starts ``communard serve`` as its own process, and casts ballots at it over
loopback HTTP from this process with several client threads, each member
casting in turn. Every ballot is a whole ``vote.cast`` command: access
checks, the commune's journal head locked, the ballot stored and its journal
entry appended in one transaction, committed before the answer. The run is
bounded both in ballots and in seconds; the figure is acknowledged ballots per
second of wall-clock time. ``run()`` returns the figures as a dict (``make
bench`` writes them into docs/benchmarks.md).

``--in-process`` measures the services alone instead: the same assembly, and
``app.handle(CastBallot(...), actor)`` called in a loop in this process, with
no HTTP, token lookup or client threads.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

POSTGRES_URL = os.environ.get(
    "COMMUNARD_BENCH_POSTGRES_URL",
    os.environ.get(
        "COMMUNARD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    ),
)
BACKENDS = ("sqlite", "postgresql")
CHOICES = ("yes", "no", "abstain")

Progress = Callable[[str], None]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def served(database_url: str, log: Path, workers: int = 1) -> Iterator[str]:
    """``communard serve`` on a free loopback port, in its own process; yields its URL."""
    port = free_port()
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "communard.adapters.cli",
                "--db",
                database_url,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"communard serve exited: {log.read_text(errors='replace')}")
            try:
                httpx.get(url + "/", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise RuntimeError("communard serve did not answer within 60 s") from None
                time.sleep(0.1)
        yield url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)


@contextlib.contextmanager
def database(backend: str, directory: Path) -> Iterator[str]:
    """An empty database: an SQLite file, or a fresh schema on the PostgreSQL server."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'bench.db'}"
        return
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(POSTGRES_URL)
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    schema = f"communard_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True, connect_timeout=3) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        query = {**url.query, "options": f"-csearch_path={schema}"}
        yield url.set(query=query).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def seed(database_url: str, members: int) -> Any:
    """The synthetic assembly, built through the service commands."""
    from communard.adapters.cli.support import build_application
    from communard.adapters.demo.assemblies import PlainHasher, build

    application = build_application(database_url, password_hasher=PlainHasher())
    try:
        return build(application, members=members, slug="bench", voting="1d", tokens=True)
    finally:
        application.close()


def load(url: str, assembly: Any, *, ballots: int, seconds: float, clients: int) -> dict[str, Any]:
    """Cast up to ``ballots`` ballots within ``seconds`` from ``clients`` threads."""
    path = f"/api/communes/{assembly.commune}/vote.cast"
    emails = assembly.emails
    lock = threading.Lock()
    issued = [0]
    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.perf_counter() + seconds

    def client(index: int) -> None:
        mine = emails[index::clients]
        with httpx.Client(base_url=url, timeout=30) as http:
            turn = 0
            while time.perf_counter() < deadline:
                with lock:
                    if issued[0] >= ballots:
                        return
                    issued[0] += 1
                email = mine[turn % len(mine)]
                body = {"motion": assembly.motion, "choice": CHOICES[turn % 3]}
                headers = {"Authorization": f"Bearer {assembly.tokens[email]}"}
                started = time.perf_counter()
                try:
                    response = http.post(path, json=body, headers=headers)
                    outcome = "ok" if response.status_code == 200 else str(response.status_code)
                except httpx.HTTPError as error:
                    outcome = type(error).__name__
                elapsed = time.perf_counter() - started
                with lock:
                    if outcome == "ok":
                        latencies.append(elapsed)
                    else:
                        errors[outcome] = errors.get(outcome, 0) + 1
                turn += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    done = len(latencies)
    ordered = sorted(latencies)
    return {
        "ballots": done,
        "seconds": round(wall, 3),
        "ballots_per_second": round(done / wall, 1) if wall else 0.0,
        "errors": errors,
        "clients": clients,
        "latency_ms": {
            "median": round(statistics.median(ordered) * 1000, 1) if ordered else None,
            "p95": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 1) if ordered else None,
        },
    }


def in_process(database_url: str, assembly: Any, *, ballots: int) -> dict[str, Any]:
    """Cast ``ballots`` ballots through ``app.handle`` in this process, one after another."""
    from communard.adapters.cli.support import build_application
    from communard.services import commands as c

    application = build_application(database_url)
    try:
        emails = assembly.emails

        def cast(turn: int) -> None:
            command = c.CastBallot(
                commune=assembly.commune, motion=assembly.motion, choice=CHOICES[turn % 3]
            )
            application.handle(command, assembly.actors[emails[turn % len(emails)]])

        for turn in range(min(20, ballots)):  # warm the pool, caches and compiled statements
            cast(turn)
        began = time.perf_counter()
        for turn in range(ballots):
            cast(turn)
        wall = time.perf_counter() - began
    finally:
        application.close()
    return {
        "ballots": ballots,
        "seconds": round(wall, 3),
        "ballots_per_second": round(ballots / wall, 1) if wall else 0.0,
        "errors": {},
        "clients": 1,
        "latency_ms": {"median": round(wall / ballots * 1000, 2), "p95": None},
    }


def postgres_reachable() -> str | None:
    """None when the PostgreSQL server answers, else why not."""
    try:
        import psycopg
        from sqlalchemy.engine import make_url

        admin = make_url(POSTGRES_URL).set(drivername="postgresql")
        with psycopg.connect(admin.render_as_string(hide_password=False), connect_timeout=3):
            return None
    except Exception as error:
        return f"no PostgreSQL server at {POSTGRES_URL}: {type(error).__name__}"


def run(
    *,
    ballots: int = 3000,
    seconds: float = 20.0,
    clients: int = 16,
    members: int = 200,
    workers: int = 1,
    backends: tuple[str, ...] = BACKENDS,
    progress: Progress | None = None,
    quick: bool = False,
    local: bool = False,
) -> dict[str, Any]:
    """Measure acknowledged ballots per second on each backend; the figures as a dict.

    Each backend's entry holds ``ballots``, ``seconds``, ``ballots_per_second``,
    ``errors`` (by HTTP status or exception), ``clients`` and ``latency_ms``;
    or ``skipped`` with the reason when its database is not reachable.
    ``quick`` caps the run at 500 ballots, 5 seconds and 50 members per backend;
    ``local`` casts through ``app.handle`` in this process instead of a server
    (``latency_ms.median`` is then the mean time of one cast).
    """
    if quick:
        ballots, seconds, members = min(ballots, 500), min(seconds, 5.0), min(members, 50)
    say = progress or (lambda _message: None)
    results: dict[str, Any] = {
        "setup": {
            "ballots_max": ballots,
            "seconds_max": seconds,
            "clients": clients,
            "members": members,
            "server_workers": workers,
            "transport": "in-process app.handle" if local else "HTTP over loopback",
        }
    }
    for backend in backends:
        if backend == "postgresql":
            reason = postgres_reachable()
            if reason:
                results[backend] = {"skipped": reason}
                say(f"{backend}: skipped ({reason})")
                continue
        with (
            tempfile.TemporaryDirectory(prefix="communard-bench-") as tmp,
            database(backend, Path(tmp)) as url,
        ):
            say(f"{backend}: building an assembly of {members} members")
            assembly = seed(url, members)
            if local:
                say(f"{backend}: casting {ballots} ballots in process")
                results[backend] = figures = in_process(url, assembly, ballots=ballots)
                say(f"{backend}: {figures['ballots_per_second']} ballots/s")
                continue
            with served(url, Path(tmp) / "server.log", workers) as base:
                say(f"{backend}: casting up to {ballots} ballots for up to {seconds:g} s")
                figures = load(base, assembly, ballots=ballots, seconds=seconds, clients=clients)
        results[backend] = figures
        say(f"{backend}: {figures['ballots_per_second']} ballots/s")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ballots", description=__doc__)
    parser.add_argument("--ballots", type=int, default=3000, help="at most this many ballots")
    parser.add_argument("--seconds", type=float, default=20.0, help="at most this long per run")
    parser.add_argument("--clients", type=int, default=16, help="client threads")
    parser.add_argument("--members", type=int, default=200, help="members casting in turn")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--only", choices=BACKENDS, action="append", help="only this backend")
    parser.add_argument("--quick", action="store_true", help="a short run (about 30 s)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--in-process", action="store_true", help="call app.handle directly, without a server"
    )
    args = parser.parse_args(argv)

    from rich.console import Console
    from rich.table import Table

    err = Console(stderr=True)
    results = run(
        ballots=args.ballots,
        seconds=args.seconds,
        clients=args.clients,
        members=args.members,
        workers=args.workers,
        backends=tuple(args.only or BACKENDS),
        progress=lambda message: err.log(message),
        quick=args.quick,
        local=args.in_process,
    )
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    how = "in process" if args.in_process else "over HTTP, loopback"
    table = Table(title=f"Ballots per second (vote.cast {how})")
    for column in ("Database", "Ballots", "Seconds", "Ballots/s", "Median ms", "p95 ms", "Errors"):
        table.add_column(column, justify="left" if column == "Database" else "right")
    for backend in BACKENDS:
        row = results.get(backend)
        if row is None:
            continue
        if "skipped" in row:
            table.add_row(backend, "", "", "skipped", "", "", row["skipped"])
            continue
        table.add_row(
            backend,
            str(row["ballots"]),
            f"{row['seconds']:.1f}",
            f"{row['ballots_per_second']:.1f}",
            str(row["latency_ms"]["median"]),
            str(row["latency_ms"]["p95"] or ""),
            json.dumps(row["errors"]) if row["errors"] else "0",
        )
    Console().print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
