"""Fixtures of the CLI tests: a database file and a runner that invokes ``communard``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from communard.adapters.cli import main

Invoke = Callable[..., Result]


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def communard(db: str) -> Iterator[Invoke]:
    """Run ``communard --db DB ARGS...`` in-process; ``input`` feeds prompts.

    The invocations share one application built on DB, with a password hasher
    that does no work (argon2id is slow on purpose); the CLI builds its own
    application only when none is given, which other tests exercise.
    """
    from communard.adapters.cli.support import build_application
    from communard.adapters.demo.assemblies import PlainHasher

    application = build_application(db, password_hasher=PlainHasher())
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(
            main, ["--db", db, *args], input=input, env=env, obj={"application": application}
        )

    yield invoke
    application.close()


def data(result: Result) -> Any:
    """The JSON a ``--json`` command printed on stdout."""
    return json.loads(result.stdout)


@pytest.fixture
def founded(communard: Invoke) -> Invoke:
    """A commune 'oberkampf' (open charter) founded by Louise, with Eugène and Nathalie."""
    result = communard(
        "init",
        "--name",
        "Rue Oberkampf",
        "--slug",
        "oberkampf",
        "--founder-email",
        "louise@oberkampf.example",
        "--founder-name",
        "Louise",
        "--password",
        "a-long-password",
        "--charter",
        "open",
    )
    assert result.exit_code == 0, result.output
    for handle, name in (("eugene", "Eugène"), ("nathalie", "Nathalie")):
        invited = communard(
            "--json",
            "member",
            "invite",
            f"{handle}@oberkampf.example",
            "--as",
            "louise@oberkampf.example",
        )
        assert invited.exit_code == 0, invited.output
        token = data(invited)["token"]
        joined = communard(
            "member",
            "join",
            "oberkampf",
            token,
            "--name",
            name,
            "--password",
            "another-password",
        )
        assert joined.exit_code == 0, joined.output
    return communard
