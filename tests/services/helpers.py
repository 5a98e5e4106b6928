"""Helpers for service tests: advancing a motion through its states, snapshots of the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from communard.adapters.storage.tables import metadata
from communard.bootstrap import Application
from communard.services import commands as c
from tests.services.conftest import Commune
from tests.storage.fixtures import FakeClock


def snapshot(app: Application) -> dict[str, Any]:
    """Row counts of every table and every commune's journal head."""
    with app.database.engine.connect() as connection:
        counts = {
            name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in metadata.tables.items()
        }
        heads = connection.execute(select(metadata.tables["journal_heads"])).all()
    return {"counts": counts, "heads": sorted(tuple(h) for h in heads)}


def to_vote(
    app: Application,
    commune: Commune,
    clock: FakeClock,
    *,
    decision_class: str = "ordinary",
    title: str = "Rent freeze",
) -> int:
    """Propose, second and deliberate a motion until its vote is open; return its number."""
    result = app.handle(
        c.ProposeMotion(
            commune=commune.slug,
            decision_class=decision_class,
            title=title,
            body="Rents are frozen.",
        ),
        commune.founder,
    )
    number = result["motion"]
    if result["state"] == "seconding":
        app.handle(c.SecondMotion(commune=commune.slug, motion=number), commune.members[0])
    clock.advance(days=1, seconds=1)
    app.handle(c.Tick(commune=commune.slug))
    assert app.queries.motion(commune.slug, number)["state"] == "voting"
    return number
