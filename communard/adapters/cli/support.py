"""What every CLI command shares: the application, the acting member, output, errors.

Commands are click commands of the classes ``Command`` and ``Group`` defined
here: they translate the services' errors into a message and hint on stderr
and a distinct exit code (``exit_codes.py``), and never show a traceback for
a user's mistake. ``emit`` prints either a human rendering (rich) or, with
the global ``--json`` flag, one JSON document on stdout.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, NoReturn
from uuid import UUID

import click
from rich.console import Console

from communard import errors
from communard.adapters.cli import exit_codes

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def plain(value: Any) -> Any:
    """A value as plain JSON data: dataclasses, enums, dates, decimals and ids included."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if hasattr(value, "model_dump"):
        return plain(value.model_dump())
    return str(value)


def wants_json(ctx: click.Context | None = None) -> bool:
    """Whether the global ``--json`` flag is set."""
    ctx = ctx or click.get_current_context()
    root = ctx.find_root()
    return bool((root.obj or {}).get("json"))


def emit(data: Any, human: Callable[[Any], None] | None = None) -> None:
    """Print ``data`` as JSON (with ``--json``) or through ``human`` (a rich rendering)."""
    if wants_json() or human is None:
        click.echo(json.dumps(plain(data), ensure_ascii=False, indent=2))
    else:
        human(data)


def fail(code: int, error_code: str, message: str, hint: str = "", **details: Any) -> NoReturn:
    """Report an error of the CLI itself the way service errors are reported, and exit."""
    report(error_code, message, hint, details)
    raise click.exceptions.Exit(code)


def report(code: str, message: str, hint: str = "", details: dict[str, Any] | None = None) -> None:
    """Write an error to stderr: a line and a hint, or one JSON object with ``--json``."""
    if wants_json():
        body = {"code": code, "message": message, "hint": hint, "details": plain(details or {})}
        click.echo(json.dumps({"error": body}, ensure_ascii=False), err=True)
        return
    err_console.print(f"[bold red]Error:[/] {message} [dim]({code})[/]", markup=True)
    if hint:
        err_console.print(f"[bold]Hint:[/] {hint}", markup=True)


@contextmanager
def translated_errors() -> Iterator[None]:
    """Turn the services' errors into a report on stderr and a distinct exit code."""
    try:
        yield
    except errors.CommunardError as error:
        body = error.to_json()
        report(body["code"], body["message"], body["hint"], body["details"])
        raise click.exceptions.Exit(exit_codes.exit_code_for(error)) from error
    except KeyboardInterrupt:
        err_console.print("Interrupted.")
        raise click.exceptions.Exit(130) from None
    except Exception as error:
        database_error = database_failure(error)
        if database_error is None:
            raise
        report("database.unavailable", *database_error)
        raise click.exceptions.Exit(exit_codes.DATABASE) from error


def database_failure(error: Exception) -> tuple[str, str] | None:
    """Message and hint when ``error`` says the database is unreachable or not ours."""
    try:
        from sqlalchemy import exc
    except ImportError:
        return None
    if isinstance(error, exc.OperationalError | exc.ProgrammingError | exc.ArgumentError):
        url = safe_url(current_database_url())
        first_line = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        return (
            f"The database {url} cannot be used: {first_line}",
            "Check --db (or COMMUNARD_DATABASE_URL); a new database gets its tables "
            "from 'communard init' or 'communard demo'.",
        )
    return None


def safe_url(url: str) -> str:
    """A database URL with any password masked."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def _set_root(key: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if value:
            ctx.find_root().ensure_object(dict)[key] = value

    return callback


class Command(click.Command):
    """A click command whose service errors become a report and an exit code.

    It also takes ``--json`` and ``--db`` after its own name, as the group does
    before it (``communard motion list --json`` = ``communard --json motion list``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(
            click.Option(
                ["--json"],
                is_flag=True,
                expose_value=False,
                is_eager=True,
                callback=_set_root("json"),
                help="Print machine-readable JSON.",
            )
        )
        self.params.append(
            click.Option(
                ["--db"],
                metavar="URL",
                expose_value=False,
                is_eager=True,
                callback=_set_root("database_url"),
                help="Database URL (also COMMUNARD_DATABASE_URL, or --db before the command).",
            )
        )

    def invoke(self, ctx: click.Context) -> Any:
        with translated_errors():
            return super().invoke(ctx)


class Group(click.Group):
    """A click group whose subcommands are ``Command``s."""

    command_class = Command


def current_database_url() -> str:
    """The database URL chosen by ``--db`` or ``COMMUNARD_DATABASE_URL``."""
    ctx = click.get_current_context()
    return str((ctx.find_root().obj or {}).get("database_url") or "sqlite:///communard.db")


def application() -> Any:
    """The application for the chosen database, built once per invocation."""
    ctx = click.get_current_context()
    obj = ctx.find_root().ensure_object(dict)
    if "application" not in obj:
        obj["application"] = build_application(current_database_url())
        ctx.find_root().call_on_close(lambda: close_application(obj["application"]))
    return obj["application"]


def build_application(database_url: str, **options: Any) -> Any:
    """An application on ``database_url``, built by the composition root (migrating first).

    The CLI is an entry point: this is the one place an adapter calls
    ``communard.bootstrap`` (the import-linter contract names the exception).
    """
    from communard.bootstrap import bootstrap

    return bootstrap(database_url, **options)


def close_application(app: Any) -> None:
    """Release the application's connections, whatever it calls that."""
    for name in ("close", "dispose"):
        method = getattr(app, name, None)
        if callable(method):
            method()
            return


def out(text: str = "") -> None:
    """Print one line of human output (rich markup allowed)."""
    console.print(text)


def progress_enabled() -> bool:
    """Whether a progress bar may be drawn (a terminal, and not ``--json``)."""
    return sys.stderr.isatty() and not wants_json()


# The commune and the acting member

COMMUNE_HELP = "The commune's slug (default: the only commune in the database)."
AS_HELP = (
    "Act as the member with this e-mail address. The CLI is an operator's tool on the "
    "server: it acts as the named member, through the same access checks as the web."
)


def commune_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--commune SLUG`` (or ``COMMUNARD_COMMUNE``)."""
    return click.option(
        "--commune", "commune", envvar="COMMUNARD_COMMUNE", metavar="SLUG", help=COMMUNE_HELP
    )(function)


def as_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--as EMAIL`` (or ``COMMUNARD_AS``): the member on whose behalf a command acts."""
    return click.option(
        "--as", "as_email", envvar="COMMUNARD_AS", metavar="EMAIL", required=True, help=AS_HELP
    )(function)


def optional_as_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--as EMAIL`` for commands that show more to a member than to the public."""
    return click.option(
        "--as",
        "as_email",
        envvar="COMMUNARD_AS",
        metavar="EMAIL",
        help="Look as the member with this e-mail address (default: as the public).",
    )(function)


def the_commune(slug: str | None) -> str:
    """The commune named, or the only one in the database."""
    if slug:
        return slug
    communes = application().queries.communes()
    if len(communes) == 1:
        return str(communes[0]["slug"])
    if not communes:
        fail(
            exit_codes.NOT_FOUND,
            "commune.none",
            "This database holds no commune yet.",
            "Found one with 'communard init', or load the demo with 'communard demo'.",
        )
    slugs = ", ".join(str(x["slug"]) for x in communes)
    fail(
        exit_codes.USAGE,
        "commune.ambiguous",
        f"This database holds several communes: {slugs}.",
        "Name one with --commune SLUG (or COMMUNARD_COMMUNE).",
    )


def the_actor(email: str | None) -> Any:
    """The account acting, found by e-mail address (None when no address is given)."""
    if not email:
        return None
    actor = application().auth.account_for_email(email)
    if actor is None:
        raise errors.Unauthenticated(
            f"No account has the e-mail address {email!r}.",
            code="auth.unknown_account",
            hint="Give the address a member signed up with (--as EMAIL).",
        )
    return actor


def perform(command: Any, as_email: str | None) -> dict[str, Any]:
    """Run a command of the services as the member ``as_email``; its result after commit."""
    result: dict[str, Any] = application().handle(command, the_actor(as_email))
    return result
