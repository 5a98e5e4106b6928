"""Ballots under concurrency: one ballot per member, and nothing accepted after close.

Threads share one application (its connection pool), so the database sees
truly concurrent transactions, as it would from several server processes.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

from communard import errors
from communard.adapters.demo.assemblies import build
from communard.services import commands as c
from tests.system.conftest import MovableClock

CHOICES = ("yes", "no", "abstain")
# The close comes after this many acknowledged casts; the rest of the 1,000 race it.
CLOSE_AFTER = 250
# The record and the tally name choices for / against / abstain.
TALLY_KEY = {
    "yes": "for",
    "no": "against",
    "abstain": "abstain",
    "for": "for",
    "against": "against",
}


def vote_cast_entries(app: Any, slug: str, motion: int) -> list[dict[str, Any]]:
    """The journal's vote.cast entries of one motion, in journal order."""
    entries = app.queries.journal(slug, limit=1000)["entries"]
    after = 0
    found: list[dict[str, Any]] = []
    while entries:
        found += [e for e in entries if e["payload"].get("motion") == motion]
        after = entries[-1]["seq"]
        entries = app.queries.journal(slug, after=after, limit=1000)["entries"]
    return found


@pytest.mark.parametrize("changeable", [False, True], ids=["final", "changeable"])
def test_fifty_concurrent_casts_by_one_member_store_one_ballot(
    make_application: Any, changeable: bool
) -> None:
    app = make_application()
    assembly = build(app, members=3, changeable=changeable)
    voter = assembly.actors[assembly.emails[1]]
    start = threading.Barrier(50)

    def cast(index: int) -> str:
        start.wait()
        try:
            app.handle(
                c.CastBallot(
                    commune=assembly.commune, motion=assembly.motion, choice=CHOICES[index % 3]
                ),
                voter,
            )
            return "ok"
        except errors.Conflict as error:
            return error.code

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = Counter(pool.map(cast, range(50)))

    motion = app.queries.motion(assembly.commune, assembly.motion)
    assert len(motion["roll_call"]) == 1
    tally = motion["tally"]
    assert tally["for"] + tally["against"] + tally["abstain"] == 1
    if changeable:
        assert outcomes == {"ok": 50}
    else:
        assert outcomes["ok"] == 1, outcomes
        assert sum(outcomes.values()) == 50
    # Every acknowledged cast is on the record, and nothing else is.
    recorded = vote_cast_entries(app, assembly.commune, assembly.motion)
    assert len([e for e in recorded if e["type"] == "vote.cast/1"]) == outcomes["ok"]
    # The stored ballot is the last one recorded.
    assert motion["roll_call"][0]["choice"] == TALLY_KEY[recorded[-1]["payload"]["choice"]]
    assert app.queries.verify_journal(assembly.commune).ok


@pytest.mark.slow
def test_a_thousand_casts_racing_the_close(make_application: Any, clock: MovableClock) -> None:
    """100 members cast 10 times each (changing their ballot) while the vote closes."""
    app = make_application()
    assembly = build(app, members=100, voting="1h", changeable=True)
    voters = assembly.emails
    per_voter = 10
    acknowledged: dict[str, list[str]] = {email: [] for email in voters}
    refused: list[str] = []
    lock = threading.Lock()
    closed = threading.Event()
    acks = [0]
    late_accepted: list[str] = []

    def member_casts(email: str, offset: int) -> None:
        for round_ in range(per_voter):
            choice = CHOICES[(offset + round_) % 3]
            started_after_close = closed.is_set()
            try:
                app.handle(
                    c.CastBallot(commune=assembly.commune, motion=assembly.motion, choice=choice),
                    assembly.actors[email],
                )
            except errors.StateError as error:
                assert error.code == "vote.closed", error.code
                with lock:
                    refused.append(email)
                continue
            with lock:
                acknowledged[email].append(choice)
                acks[0] += 1
                if started_after_close:
                    late_accepted.append(email)

    def close_midway() -> None:
        while True:
            with lock:
                if acks[0] >= CLOSE_AFTER:
                    break
            threading.Event().wait(0.001)
        clock.advance(timedelta(hours=2))
        app.handle(c.Tick(commune=assembly.commune))
        closed.set()

    closer = threading.Thread(target=close_midway)
    closer.start()
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(member_casts, voters, range(len(voters))))
    closer.join(60)

    total = sum(len(v) for v in acknowledged.values())
    assert total + len(refused) == len(voters) * per_voter == 1000
    assert CLOSE_AFTER <= total < 1000, "the close should fall in the middle of the stream"
    assert not late_accepted, "a cast begun after the close was accepted"

    motion = app.queries.motion(assembly.commune, assembly.motion)
    assert motion["state"] in ("adopted", "rejected")
    outcome = motion["outcome"]
    final = {email: choices[-1] for email, choices in acknowledged.items() if choices}
    expected = Counter(TALLY_KEY[choice] for choice in final.values())
    assert (outcome["for"], outcome["against"], outcome["abstain"]) == (
        expected["for"],
        expected["against"],
        expected["abstain"],
    )
    assert len(motion["roll_call"]) == len(final)

    # The journal: every acknowledged cast before the close entry, none after it.
    entries = vote_cast_entries(app, assembly.commune, assembly.motion)
    types = [e["type"] for e in entries]
    closing = [i for i, t in enumerate(types) if t == "motion.closed/1"]
    assert closing, types[-5:]
    casts_after_close = [t for t in types[closing[0] :] if t == "vote.cast/1"]
    assert casts_after_close == []
    assert types.count("vote.cast/1") == total
    assert app.queries.verify_journal(assembly.commune).ok
