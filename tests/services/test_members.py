"""Admission (open, by sponsors, by assembly vote), invitations, leaving, suspension, sections."""

from __future__ import annotations

import pytest

from communard.bootstrap import Application
from communard.errors import Conflict, Forbidden, InvalidInput, NotFound, StateError
from communard.services import commands as c
from communard.services.access import Actor
from tests.services.conftest import OPEN_CHARTER, Commune, found
from tests.storage.fixtures import FakeClock


def _charter(mode: str, sponsors: int = 1) -> str:
    return OPEN_CHARTER.replace(
        'admission = "open"', f'admission = "{mode}"\nsponsors = {sponsors}'
    )


def test_an_invitation_is_mailed_to_the_outbox_and_used_once(
    app: Application, commune: Commune
) -> None:
    invitation = app.handle(
        c.InviteMember(commune=commune.slug, email="Eugene@Example.org"), commune.founder
    )
    outbox = app.queries.outbox(commune.slug, commune.founder)
    assert outbox[0]["to"] == "eugene@example.org"
    assert invitation["token"] in outbox[0]["body"]
    with pytest.raises(Forbidden):
        app.queries.outbox(commune.slug, None)
    assert app.queries.outbox(commune.slug, commune.members[0]) == []
    joined = app.handle(
        c.JoinCommune(
            commune=commune.slug,
            token=invitation["token"],
            display_name="Eugène Varlin",
            password="password-1234",
        )
    )
    assert joined["status"] == "active"
    assert joined["email"] == "eugene@example.org"
    with pytest.raises(StateError) as again:
        app.handle(c.JoinCommune(commune=commune.slug, token=invitation["token"]))
    assert again.value.code == "member.invitation_used"
    entries = app.queries.journal(commune.slug)["entries"]
    assert "eugene@example.org" not in str(entries)


def test_invitations_expire(app: Application, commune: Commune, clock: FakeClock) -> None:
    invitation = app.handle(
        c.InviteMember(commune=commune.slug, email="late@example.org"), commune.founder
    )
    clock.advance(days=15)
    with pytest.raises(StateError) as expired:
        app.handle(c.JoinCommune(commune=commune.slug, token=invitation["token"]))
    assert expired.value.code == "member.invitation_expired"


def test_admission_by_sponsors(app: Application) -> None:
    # While the commune is smaller than the charter's number, every member sponsors.
    commune2 = found(app, slug="strict", size=2, charter=_charter("sponsors", 2))
    assert [m["status"] for m in app.queries.members("strict")] == ["active", "active"]
    invitation = app.handle(
        c.InviteMember(commune="strict", email="new@example.org"), commune2.founder
    )
    with pytest.raises(InvalidInput) as no_password:
        app.handle(c.JoinCommune(commune="strict", token=invitation["token"]))
    assert no_password.value.code == "account.password_required"
    applicant = app.handle(
        c.JoinCommune(commune="strict", token=invitation["token"], password="password-1234")
    )
    assert applicant["status"] == "applicant"
    with pytest.raises(Forbidden):
        app.handle(
            c.ProposeMotion(commune="strict", title="T", body="B"), Actor(applicant["account"])
        )
    with pytest.raises(StateError) as twice:
        app.handle(c.AdmitMember(commune="strict", member=applicant["member"]), commune2.founder)
    assert twice.value.code == "member.already_sponsored"
    admitted = app.handle(
        c.AdmitMember(commune="strict", member=applicant["member"]), commune2.members[0]
    )
    assert admitted == {"member": applicant["member"], "status": "active", "sponsors": 2}


def test_admission_by_assembly_vote(app: Application, clock: FakeClock) -> None:
    commune = found(app, slug="assembly", size=1, charter=_charter("assembly"))
    invitation = app.handle(
        c.InviteMember(commune="assembly", email="new@example.org"), commune.founder
    )
    applicant = app.handle(
        c.JoinCommune(commune="assembly", token=invitation["token"], password="password-1234")
    )
    assert applicant["status"] == "applicant"
    motion = app.handle(
        c.AdmitMember(commune="assembly", member=applicant["member"]), commune.founder
    )
    # A commune of one asks for no seconds: nobody else could give them.
    assert motion["state"] == "deliberation"
    clock.advance(days=1, seconds=1)
    app.handle(c.Tick())
    for actor in commune.everyone:
        app.handle(c.CastBallot(commune="assembly", motion=motion["motion"], choice="for"), actor)
    clock.advance(days=2, seconds=1)
    app.handle(c.Tick())
    statuses = {m["member"]: m["status"] for m in app.queries.members("assembly")}
    assert statuses[applicant["member"]] == "active"


def test_suspension_only_by_decision(app: Application, commune: Commune, clock: FakeClock) -> None:
    target = commune.member_ids[4]
    motion = app.handle(
        c.SuspendMember(commune=commune.slug, member=target, reason="Absent."), commune.founder
    )
    assert {m["member"]: m["status"] for m in app.queries.members(commune.slug)}[target] == (
        "active"
    )
    app.handle(c.SecondMotion(commune=commune.slug, motion=motion["motion"]), commune.members[0])
    clock.advance(days=1, seconds=1)
    app.handle(c.Tick())
    for actor in commune.everyone[:4]:
        app.handle(c.CastBallot(commune=commune.slug, motion=motion["motion"], choice="for"), actor)
    clock.advance(days=2, seconds=1)
    app.handle(c.Tick())
    assert {m["member"]: m["status"] for m in app.queries.members(commune.slug)}[target] == (
        "suspended"
    )
    with pytest.raises(Forbidden):
        app.handle(c.ProposeMotion(commune=commune.slug, title="T", body="B"), commune.members[3])
    back = app.handle(c.ReinstateMember(commune=commune.slug, member=target), commune.founder)
    app.handle(c.SecondMotion(commune=commune.slug, motion=back["motion"]), commune.members[0])
    clock.advance(days=1, seconds=1)
    app.handle(c.Tick())
    for actor in commune.everyone[:3]:
        app.handle(c.CastBallot(commune=commune.slug, motion=back["motion"], choice="for"), actor)
    clock.advance(days=2, seconds=1)
    app.handle(c.Tick())
    assert {m["member"]: m["status"] for m in app.queries.members(commune.slug)}[target] == (
        "active"
    )


def test_leaving_and_equal_standing(app: Application, commune: Commune) -> None:
    result = app.handle(c.LeaveCommune(commune=commune.slug), commune.members[0])
    assert result["status"] == "left"
    with pytest.raises(Forbidden):
        app.handle(c.ProposeMotion(commune=commune.slug, title="T", body="B"), commune.members[0])
    with pytest.raises(StateError):
        app.handle(c.LeaveCommune(commune=commune.slug), commune.members[0])
    home = app.queries.commune(commune.slug, commune.founder)
    assert home["members"] == 4 and home["you"]["status"] == "active"


def test_sections(app: Application, commune: Commune) -> None:
    created = app.handle(
        c.CreateSection(commune=commune.slug, slug="montmartre", name="XVIIIe arrondissement"),
        commune.founder,
    )
    assert created == {"section": "montmartre", "name": "XVIIIe arrondissement"}
    with pytest.raises(Conflict):
        app.handle(
            c.CreateSection(commune=commune.slug, slug="montmartre", name="Again"), commune.founder
        )
    app.handle(c.JoinSection(commune=commune.slug, section="montmartre"), commune.members[0])
    with pytest.raises(NotFound):
        app.handle(c.JoinSection(commune=commune.slug, section="belleville"), commune.members[0])
    assert app.queries.sections(commune.slug) == [
        {"section": "montmartre", "name": "XVIIIe arrondissement", "members": 1}
    ]


def test_a_person_belongs_to_several_communes(app: Application, commune: Commune) -> None:
    other = found(app, slug="lyon", size=1)
    invitation = app.handle(c.InviteMember(commune="lyon", email="m0@paris.example"), other.founder)
    app.handle(c.JoinCommune(commune="lyon", token=invitation["token"]), commune.members[0])
    account = app.queries.account(commune.members[0])
    assert [m["commune"] for m in account["memberships"]] == ["paris", "lyon"]
