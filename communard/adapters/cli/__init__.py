"""The ``communard`` command line.

Subcommands live in modules of this package and load lazily (so ``communard
count`` starts without importing the web stack). Each entry of ``COMMANDS``
maps a command name to ``module:attribute``.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

COMMANDS: dict[str, str] = {
    "count": "communard.adapters.cli.count:count",
    "demo": "communard.adapters.cli.demo:demo",
    "init": "communard.adapters.cli.communes:init",
    "journal": "communard.adapters.cli.journal:journal",
    "member": "communard.adapters.cli.members:member",
    "motion": "communard.adapters.cli.motions:motion",
    "receipt": "communard.adapters.cli.receipts:receipt",
    "serve": "communard.adapters.cli.serve:serve",
    "tick": "communard.adapters.cli.communes:tick",
    "vote": "communard.adapters.cli.votes:vote",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported only when used."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module_name, attribute = self.lazy[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy[cmd_name]} is not a click command")
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, lazy=COMMANDS)
@click.option(
    "--db",
    "database_url",
    envvar="COMMUNARD_DATABASE_URL",
    default="sqlite:///communard.db",
    show_default=True,
    help="Database URL: sqlite:///FILE or postgresql+psycopg://USER@HOST/DB.",
)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.version_option(package_name="communard")
@click.pass_context
def main(ctx: click.Context, database_url: str, as_json: bool) -> None:
    """communard: a community governs itself — members, motions, votes, journal."""
    ctx.ensure_object(dict)
    ctx.obj["database_url"] = database_url
    ctx.obj["json"] = as_json
