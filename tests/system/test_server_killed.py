"""A server killed with SIGKILL mid-stream loses no acknowledged ballot.

A real ``communard serve`` process takes a stream of ballots over HTTP from
several client threads (each member casts in turn, changing their ballot
each time). The server is killed with SIGKILL in the middle of the stream,
then started again on the same database. Every acknowledged ballot must be
there, no command may be half-applied (a ballot without its journal entry or
the reverse), and ``communard journal verify`` must pass.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from communard.adapters.cli import main
from communard.adapters.demo.assemblies import build
from tests.system.harness import Server

CHOICES = ("yes", "no", "abstain")
RECORDED = {"yes": "for", "no": "against", "abstain": "abstain"}
MEMBERS = 24
KILL_AFTER = 80


@pytest.mark.slow
def test_sigkill_during_a_stream_of_ballots_loses_nothing_acknowledged(
    make_application: Any, database_url: str, tmp_path: Path
) -> None:
    app = make_application()
    assembly = build(app, members=MEMBERS, voting="1h", changeable=True, tokens=True)
    app.close()
    path = f"/api/communes/{assembly.commune}/vote.cast"

    acked: dict[str, list[str]] = {email: [] for email in assembly.emails}
    in_flight: dict[str, str | None] = dict.fromkeys(assembly.emails)
    count = [0]
    lock = threading.Lock()
    stop = threading.Event()
    killed = threading.Event()
    enough = threading.Event()

    server = Server(database_url, tmp_path / "server.log").start()

    def stream(emails: list[str]) -> None:
        headers_of = {e: {"Authorization": f"Bearer {assembly.tokens[e]}"} for e in emails}
        with httpx.Client(base_url=server.url, timeout=10) as client:
            turn = 0
            while not stop.is_set():
                email = emails[turn % len(emails)]
                choice = CHOICES[(len(acked[email]) + emails.index(email)) % 3]
                in_flight[email] = choice
                try:
                    response = client.post(
                        path,
                        json={"motion": assembly.motion, "choice": choice},
                        headers=headers_of[email],
                    )
                except httpx.TransportError:
                    return  # the server is gone; this ballot's fate is unknown
                assert response.status_code == 200, response.text
                with lock:
                    acked[email].append(choice)
                    in_flight[email] = None
                    count[0] += 1
                    if count[0] >= KILL_AFTER:
                        enough.set()
                turn += 1

    def killer() -> None:
        enough.wait(60)
        server.kill()
        killed.set()
        stop.set()

    groups = [assembly.emails[i::6] for i in range(6)]
    killing = threading.Thread(target=killer, daemon=True)
    killing.start()
    try:
        with ThreadPoolExecutor(max_workers=len(groups)) as pool:
            list(pool.map(stream, groups))
        killing.join(30)
    finally:
        stop.set()
        server.kill()
    assert killed.is_set()
    assert sum(len(v) for v in acked.values()) >= KILL_AFTER

    # Start again on the same database; the state must be whole.
    restarted = Server(database_url, tmp_path / "server.log").start()
    try:
        with httpx.Client(base_url=restarted.url, timeout=10) as client:
            motion = client.get(
                f"/api/communes/{assembly.commune}/motions/{assembly.motion}"
            ).json()
            stored = {b["member"]: b["choice"] for b in motion["roll_call"]}
            journal = journal_entries(client, assembly.commune)
            # The restarted server takes ballots again.
            again = client.post(
                path,
                json={"motion": assembly.motion, "choice": "yes"},
                headers={"Authorization": f"Bearer {assembly.tokens[assembly.founder]}"},
            )
            assert again.status_code == 200, again.text
    finally:
        restarted.stop()

    casts: dict[int, list[str]] = {}
    for entry in journal:
        if entry["type"] == "vote.cast/1" and entry["payload"]["motion"] == assembly.motion:
            casts.setdefault(entry["payload"]["member"], []).append(entry["payload"]["choice"])

    for email, choices in acked.items():
        member = assembly.member_ids[email]
        recorded = casts.get(member, [])
        pending = in_flight[email]
        if not choices:
            # Never acknowledged: nothing, or only the one ballot in flight at the kill.
            assert recorded in ([], [RECORDED[pending]] if pending else []), (email, recorded)
            continue
        # Every acknowledged ballot is on the record, in order; at most the one in
        # flight at the kill follows it.
        acknowledged = [RECORDED[c] for c in choices]
        assert recorded[: len(acknowledged)] == acknowledged, (email, recorded, acknowledged)
        extra = recorded[len(acknowledged) :]
        assert extra in ([], [RECORDED[pending]] if pending else []), (email, extra)
        # The stored ballot is the last recorded one: no half-applied command.
        assert stored[member] == recorded[-1], (email, stored[member], recorded)
    assert set(stored) == set(casts)

    verified = CliRunner().invoke(main, ["--db", database_url, "journal", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "chain intact" in verified.output


def journal_entries(client: httpx.Client, slug: str) -> list[dict[str, Any]]:
    """Every entry of the commune's public journal, through the API."""
    entries: list[dict[str, Any]] = []
    after = 0
    while True:
        page = client.get(f"/api/communes/{slug}/journal", params={"after": after, "limit": 500})
        assert page.status_code == 200, page.text
        batch = page.json()["entries"]
        if not batch:
            return entries
        entries += batch
        after = batch[-1]["seq"]
