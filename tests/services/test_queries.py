"""Read models: commune home, members, motions, motion detail flags, journal pages and export."""

from __future__ import annotations

import pytest

from communard.bootstrap import Application
from communard.domain.journal import Head, verify_export
from communard.errors import NotFound
from communard.services import commands as c
from tests.services.conftest import Commune
from tests.services.helpers import to_vote
from tests.storage.fixtures import FakeClock


def test_commune_home_and_lists(app: Application, commune: Commune, clock: FakeClock) -> None:
    to_vote(app, commune, clock)
    home = app.queries.commune(commune.slug, commune.members[0])
    assert home["name"] == "Commune paris" and home["members"] == 5
    assert home["motions"][0]["state"] == "voting"
    assert home["you"] == {"member": commune.member_ids[1], "status": "active"}
    assert app.queries.commune(commune.slug)["you"] is None
    assert app.queries.communes() == [{"slug": "paris", "name": "Commune paris", "members": 5}]
    members = app.queries.members(commune.slug)
    assert members[0]["name"] == "Louise Michel"
    assert all("email" not in m for m in members)
    assert [m["motion"] for m in app.queries.motions(commune.slug, state="voting")] == [1]
    with pytest.raises(NotFound):
        app.queries.commune("atlantis")


def test_motion_detail_says_what_you_may_do(
    app: Application, commune: Commune, clock: FakeClock
) -> None:
    app.handle(c.ProposeMotion(commune=commune.slug, title="T", body="B"), commune.founder)
    mover = app.queries.motion(commune.slug, 1, commune.founder)["you"]
    other = app.queries.motion(commune.slug, 1, commune.members[0])["you"]
    assert not mover["may_second"] and other["may_second"]
    assert mover["may_withdraw"] and not other["may_withdraw"]
    assert app.queries.motion(commune.slug, 1)["you"] is None
    app.handle(c.SecondMotion(commune=commune.slug, motion=1), commune.members[0])
    clock.advance(days=1, seconds=1)
    detail = app.queries.motion(commune.slug, 1, commune.members[0])  # opens the vote
    assert detail["state"] == "voting" and detail["you"]["may_vote"]
    app.handle(c.CastBallot(commune=commune.slug, motion=1, choice="against"), commune.members[0])
    detail = app.queries.motion(commune.slug, 1, commune.members[0])
    assert detail["you"]["ballot"] == "against"
    assert detail["roll_call"][0]["name"] == "Member 0"


def test_journal_pages_and_export(app: Application, commune: Commune) -> None:
    page = app.queries.journal(commune.slug, limit=3)
    assert [e["seq"] for e in page["entries"]] == [1, 2, 3]
    after = app.queries.journal(commune.slug, after=3, limit=2)
    assert [e["seq"] for e in after["entries"]] == [4, 5]
    newest = app.queries.journal(commune.slug, limit=2, descending=True)
    assert [e["seq"] for e in newest["entries"]] == [page["head"]["seq"], page["head"]["seq"] - 1]
    older = app.queries.journal(commune.slug, before=4, limit=2, descending=True)
    assert [e["seq"] for e in older["entries"]] == [3, 2]
    assert app.queries.journal(commune.slug, after=4, limit=2, descending=True) == older
    lines = list(app.queries.export_journal(commune.slug, batch=4))
    assert len(lines) == page["head"]["seq"]
    data = "".join(line + "\n" for line in lines).encode()
    head = Head(page["head"]["seq"], page["head"]["hash"])
    assert verify_export(data, commune=commune.slug, head=head).ok


def test_charter_versions(app: Application, commune: Commune) -> None:
    charter = app.queries.charter(commune.slug)
    assert charter["version"] == 1 and charter["current"]
    assert charter["versions"] == [
        {"version": 1, "adopted_at": charter["adopted_at"], "motion": None}
    ]
    with pytest.raises(NotFound):
        app.queries.charter(commune.slug, version=2)


def test_a_members_public_record(app: Application, commune: Commune, clock: FakeClock) -> None:
    number = to_vote(app, commune, clock)
    app.handle(
        c.CastBallot(commune=commune.slug, motion=number, choice="against"), commune.members[1]
    )
    record = app.queries.member(commune.slug, commune.member_ids[2])
    assert record["name"] == "Member 1" and record["status"] == "active"
    assert record["votes"][0]["choice"] == "against" and record["votes"][0]["motion"] == number
    founder = app.queries.member(commune.slug, commune.member_ids[0])
    assert [m["motion"] for m in founder["moved"]] == [number]
    assert "email" not in founder
    with pytest.raises(NotFound):
        app.queries.member(commune.slug, 10_000)
