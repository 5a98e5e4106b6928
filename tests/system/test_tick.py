"""``tick`` from several processes at once closes a due vote exactly once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from communard.adapters.demo.assemblies import build
from communard.services import commands as c
from tests.system.conftest import MovableClock


def test_concurrent_ticks_close_a_vote_once(make_application: Any, clock: MovableClock) -> None:
    setup = make_application()
    assembly = build(setup, members=5, voting="1h")
    for email in assembly.emails[:3]:
        setup.handle(
            c.CastBallot(commune=assembly.commune, motion=assembly.motion, choice="yes"),
            assembly.actors[email],
        )
    clock.advance(timedelta(hours=2))
    # One application each: its own engine and connections, as separate processes have.
    schedulers = [make_application() for _ in range(6)]
    start = threading.Barrier(len(schedulers))

    def tick(app: Any) -> dict[str, Any]:
        start.wait()
        result: dict[str, Any] = app.handle(c.Tick())
        return result

    with ThreadPoolExecutor(max_workers=len(schedulers)) as pool:
        results = list(pool.map(tick, schedulers))

    settled = sum(r["changed"].get(assembly.commune, 0) for r in results)
    assert settled == 1
    entries = setup.queries.journal(assembly.commune, limit=500)["entries"]
    assert [e["type"] for e in entries].count("motion.closed/1") == 1
    assert setup.queries.motion(assembly.commune, assembly.motion)["state"] == "adopted"
    assert setup.queries.verify_journal(assembly.commune).ok
