"""Real processes for the system tests: a ``communard serve`` server and CLI runs.

The server is started exactly as a user starts it (``communard --db URL serve``)
in its own process group, so a test can kill it with SIGKILL mid-stream and
start it again on the same database.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx

CLI = [sys.executable, "-m", "communard.adapters.cli"]


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_cli(database_url: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``communard --db URL ARGS...`` in a new process and return what it did."""
    return subprocess.run(
        [*CLI, "--db", database_url, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


class Server:
    """A ``communard serve`` subprocess on a free loopback port."""

    def __init__(self, database_url: str, log_path: Path, port: int | None = None) -> None:
        self.database_url = database_url
        self.port = port or free_port()
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def address(self) -> list[str]:
        return ["--host", "127.0.0.1", "--port", str(self.port)]

    def start(self, timeout: float = 30) -> Server:
        """Start the server and wait until it answers HTTP."""
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [*CLI, "--db", self.database_url, "serve", *self.address()],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"communard serve exited early:\n{self.log()}")
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(self.url + "/", timeout=1)
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"communard serve did not answer within {timeout} s:\n{self.log()}")

    def log(self) -> str:
        """What the server printed so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the server (and anything it started): no clean shutdown at all."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        """Stop the server politely, then firmly."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.kill()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def fresh_postgres_schema(server_url: str) -> Iterator[str]:
    """A URL on a new, empty schema of the PostgreSQL database ``server_url``; dropped after.

    Each test gets its own schema (through the connection's ``search_path``),
    so tests of several engineers and several runs share the one server
    without seeing each other's rows; a schema is much quicker to create and
    drop than a database.
    """
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    name = f"communard_sys_{uuid.uuid4().hex[:12]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{name}"')
    try:
        query = {**url.query, "options": f"-csearch_path={name}"}
        yield url.set(query=query).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
