"""``communard serve``: the web application (pages and JSON API) over uvicorn."""

from __future__ import annotations

import os

import click

from communard.adapters.cli.support import (
    Command,
    application,
    build_application,
    current_database_url,
    out,
    safe_url,
)

DATABASE_ENV = "COMMUNARD_DATABASE_URL"


@click.command(cls=Command)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Number of server processes (they share nothing but the database).",
)
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
)
def serve(host: str, port: int, workers: int, log_level: str) -> None:
    """Serve the web pages and the JSON API (migrating the database first).

    With --workers above 1, several processes serve the same database; the
    application keeps no state of its own between requests, so any of them
    can answer any request.
    """
    import uvicorn

    # Building the application creates or migrates the schema before any
    # worker starts, so workers never race each other to migrate.
    application()
    url = f"http://{host}:{port}"
    shown = safe_url(current_database_url())
    out(f"Serving communard at [bold]{url}[/] (database {shown}); Ctrl+C stops it.")
    os.environ[DATABASE_ENV] = current_database_url()
    # Invitation links point at this server unless the operator names its public address.
    os.environ.setdefault("COMMUNARD_BASE_URL", url)
    uvicorn.run(
        "communard.adapters.cli.serve:web_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        proxy_headers=False,
    )


def web_app() -> object:
    """The web application for the database named in the environment (a uvicorn factory)."""
    from communard.adapters.web.app import create_app

    url = os.environ.get(DATABASE_ENV, "sqlite:///communard.db")
    return create_app(build_application(url, run_migrations=False))
