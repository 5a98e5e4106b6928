"""The JSON API on the real services, on SQLite and PostgreSQL.

A whole decision through the API with tokens; the one error shape for every
malformed request, with no row changed; what non-members and members of
another commune can neither read nor do; operationIds equal command ids.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from communard.adapters.web.api import NOT_IN_API
from communard.adapters.web.context import QUERIES
from communard.services import commands as c
from tests.web.conftest import Clock, World, sign_in, snapshot


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is an error of ``status`` in the one shape (and ``code`` if given)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message", "hint", "details"}, body
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["details"], dict)
    if code is not None:
        assert body["code"] == code, body
    return dict(body)


def test_operation_ids_are_the_command_and_query_ids(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operations = [op for path in spec["paths"].values() for op in path.values()]
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids))
    exposed_queries = set(QUERIES) - {
        "journal.export"
    }  # the export is a file: /c/{slug}/journal.jsonl
    assert set(ids) == (set(c.BY_ID) - NOT_IN_API) | exposed_queries
    for op in operations:
        # Every operation documents the one error shape.
        assert op["responses"]["422"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Problem"
        }


def test_a_decision_end_to_end_with_api_tokens(
    client: TestClient, world: World, clock: Clock
) -> None:
    commune = world.found("Louise", "Eugene", "Jules")
    louise, eugene, jules = (world.token(p) for p in commune.people.values())
    base = f"/api/communes/{commune.slug}"

    proposed = client.post(
        f"{base}/motion.propose",
        json={"title": "Night work in bakeries", "body": "Night work in bakeries is abolished."},
        headers=bearer(louise),
    )
    assert proposed.status_code == 200, proposed.text
    number = proposed.json()["motion"]
    assert proposed.json()["state"] == "seconding"

    seconded = client.post(f"{base}/motion.second", json={"motion": number}, headers=bearer(eugene))
    assert seconded.status_code == 200, seconded.text
    motion = client.get(f"{base}/motions/{number}").json()
    assert motion["state"] == "deliberation"

    clock.advance(days=3, seconds=1)
    opened = client.post(
        f"{base}/motion.open_vote", json={"motion": number}, headers=bearer(louise)
    )
    assert opened.status_code == 200, opened.text

    for token, choice in ((louise, "for"), (eugene, "for"), (jules, "against")):
        cast = client.post(
            f"{base}/vote.cast", json={"motion": number, "choice": choice}, headers=bearer(token)
        )
        assert cast.status_code == 200, cast.text
    changed = client.post(
        f"{base}/vote.cast", json={"motion": number, "choice": "abstain"}, headers=bearer(jules)
    )
    assert changed.json()["changed"] is True

    live = client.get(f"{base}/motions/{number}").json()
    assert live["tally"]["for"] == 2 and live["tally"]["abstain"] == 1
    assert {b["name"]: b["choice"] for b in live["roll_call"]} == {
        "Louise": "for",
        "Eugene": "for",
        "Jules": "abstain",
    }

    clock.advance(days=3, seconds=1)
    closed = client.post(f"{base}/motion.close", json={"motion": number}, headers=bearer(eugene))
    assert closed.status_code == 200, closed.text
    assert closed.json()["state"] == "adopted"

    final = client.get(f"{base}/motions/{number}").json()
    assert final["outcome"]["decision"] == "adopted"
    assert "2 for" in final["outcome"]["explanation"]
    types = [e["type"] for e in client.get(f"{base}/journal?limit=500").json()["entries"]]
    assert "motion.closed/1" in types and "vote.cast/1" in types


def test_malformed_requests_get_the_error_shape_and_change_nothing(
    client: TestClient, world: World, application: Any
) -> None:
    commune = world.found("Louise", "Eugene")
    other = world.found("Gustave")
    foreign = world.motion(other, "Gustave", "Elsewhere")
    number = world.motion(commune, "Louise")
    token = world.token(commune.people["Eugene"])
    base = f"/api/communes/{commune.slug}"
    before = snapshot(application)

    wrong_type = assert_problem(
        client.post(f"{base}/motion.second", json={"motion": "abc"}, headers=bearer(token)),
        422,
        "request.invalid",
    )
    assert wrong_type["details"]["fields"][0]["field"] == "motion"
    assert "motion" in wrong_type["message"] and wrong_type["hint"]

    missing = assert_problem(
        client.post(f"{base}/vote.cast", json={"choice": "for"}, headers=bearer(token)), 422
    )
    assert missing["details"]["fields"][0] == {
        "field": "motion",
        "in": "body",
        "problem": "Field required",
        "fix": "add this field",
    }
    extra = assert_problem(
        client.post(
            f"{base}/motion.second", json={"motion": number, "admin": 1}, headers=bearer(token)
        ),
        422,
    )
    assert extra["details"]["fields"][0]["field"] == "admin"
    assert_problem(
        client.post(
            f"{base}/motion.second",
            content=b"{not json",
            headers={**bearer(token), "Content-Type": "application/json"},
        ),
        422,
    )
    assert_problem(client.get(f"{base}/motions/zero"), 422, "request.invalid")
    assert_problem(client.get(f"{base}/journal?limit=100000"), 422, "request.invalid")

    # Unknown ids and another commune's ids: the same 404, revealing nothing.
    assert_problem(
        client.post(f"{base}/motion.second", json={"motion": 999}, headers=bearer(token)), 404
    )
    assert_problem(
        client.post(f"{base}/motion.second", json={"motion": foreign + 1}, headers=bearer(token)),
        404,
    )
    # Members are addressed by id across the installation: another commune's member id
    # gets exactly the answer of an id that does not exist.
    gustave = other.people["Gustave"].member
    elsewhere = assert_problem(
        client.post(f"{base}/member.admit", json={"member": gustave}, headers=bearer(token)), 404
    )
    nowhere = assert_problem(
        client.post(f"{base}/member.admit", json={"member": 10**6}, headers=bearer(token)), 404
    )
    assert elsewhere["code"] == nowhere["code"]
    assert elsewhere["message"].replace(str(gustave), "N") == nowhere["message"].replace(
        str(10**6), "N"
    )
    assert_problem(client.get(f"{base}/motions/999"), 404)
    assert_problem(client.get("/api/communes/no-such-commune"), 404)
    assert_problem(client.get("/api/communes/no-such-commune/motions/1"), 404)
    assert_problem(client.get("/api/nothing-here"), 404, "not_found")
    assert_problem(client.delete(f"{base}/motions/{number}"), 405, "request.method")

    # Out of state: a vote on a motion still seconding; a withdrawal by someone else.
    assert_problem(
        client.post(
            f"{base}/vote.cast", json={"motion": number, "choice": "for"}, headers=bearer(token)
        ),
        409,
    )
    bad_choice = assert_problem(
        client.post(
            f"{base}/vote.cast", json={"motion": number, "choice": "maybe"}, headers=bearer(token)
        ),
        422,
    )
    assert "choice" in bad_choice["message"] or "choice" in str(bad_choice["details"])
    assert bad_choice["details"]["value"] == "maybe"
    assert bad_choice["hint"] == "Vote for, against or abstain."

    assert snapshot(application) == before


def test_out_of_state_actions_are_409_and_change_nothing(
    client: TestClient, world: World, application: Any
) -> None:
    commune = world.found("Louise", "Eugene")
    number = world.motion(commune, "Louise")
    louise, eugene = (world.token(p) for p in commune.people.values())
    base = f"/api/communes/{commune.slug}"
    assert (
        client.post(
            f"{base}/motion.second", json={"motion": number}, headers=bearer(eugene)
        ).status_code
        == 200
    )
    before = snapshot(application)
    # Seconding twice, opening the vote before deliberation ends, closing a vote never opened.
    for path, token in (
        ("motion.second", eugene),
        ("motion.open_vote", louise),
        ("motion.close", louise),
    ):
        response = client.post(f"{base}/{path}", json={"motion": number}, headers=bearer(token))
        assert response.status_code in (403, 409), (path, response.text)
        assert_problem(response, response.status_code)
    assert snapshot(application) == before


def test_strangers_cannot_read_private_data_or_act(
    client: TestClient, world: World, application: Any
) -> None:
    commune = world.found("Louise", "Eugene")
    other = world.found("Gustave")
    number = world.motion(commune, "Louise")
    stranger = world.token(other.people["Gustave"])
    base = f"/api/communes/{commune.slug}"
    world.do(commune, "Louise", c.InviteMember(commune=commune.slug, email="new@example.org"))
    before = snapshot(application)

    # A visitor: public reads work, acting needs a sign-in.
    assert client.get(f"{base}/motions/{number}").status_code == 200
    assert_problem(client.post(f"{base}/motion.second", json={"motion": number}), 401)
    assert_problem(client.get(f"{base}/outbox"), 403)
    assert_problem(client.get("/api/account"), 401, "auth.required")

    # A member of another commune: cannot act here, nor read the outbox.
    for path, body in (
        ("motion.second", {"motion": number}),
        ("motion.comment", {"motion": number, "body": "I am not from here."}),
        ("member.invite", {"email": "x@example.org"}),
        ("motion.propose", {"title": "Takeover", "body": "We decide for you."}),
    ):
        response = client.post(f"{base}/{path}", json=body, headers=bearer(stranger))
        assert response.status_code in (403, 404), (path, response.text)
        assert_problem(response, response.status_code)
    outbox = client.get(f"{base}/outbox", headers=bearer(stranger))
    assert_problem(outbox, 403)
    assert "new@example.org" not in outbox.text
    assert "new@example.org" not in client.get(f"{base}/members").text
    assert "@" not in client.get(f"{base}/members", headers=bearer(stranger)).text

    # A bad or revoked token is refused outright, never treated as a visitor.
    assert_problem(client.get(f"{base}/motions", headers=bearer("cmd_forged")), 401)
    assert snapshot(application) == before


def test_cookie_sessions_need_the_csrf_header(
    client: TestClient, world: World, application: Any
) -> None:
    commune = world.found("Louise", "Eugene")
    number = world.motion(commune, "Louise")
    csrf = sign_in(client, commune.people["Eugene"].email)
    base = f"/api/communes/{commune.slug}"
    before = snapshot(application)
    assert_problem(
        client.post(f"{base}/motion.second", json={"motion": number}), 403, "request.csrf"
    )
    assert_problem(
        client.post(
            f"{base}/motion.second", json={"motion": number}, headers={"X-CSRF-Token": "forged"}
        ),
        403,
        "request.csrf",
    )
    assert snapshot(application) == before
    ok = client.post(
        f"{base}/motion.second", json={"motion": number}, headers={"X-CSRF-Token": csrf}
    )
    assert ok.status_code == 200, ok.text


def test_tokens_are_issued_listed_and_revoked(client: TestClient, world: World) -> None:
    commune = world.found("Louise")
    token = world.token(commune.people["Louise"])
    issued = client.post("/api/token.issue", json={"name": "bot"}, headers=bearer(token))
    assert issued.status_code == 200, issued.text
    secret, token_id = issued.json()["token"], issued.json()["token_id"]
    account = client.get("/api/account", headers=bearer(secret)).json()
    assert "bot" in [t["name"] for t in account["tokens"]]
    assert secret not in str(account)
    revoked = client.post("/api/token.revoke", json={"token": token_id}, headers=bearer(token))
    assert revoked.status_code == 200, revoked.text
    assert_problem(client.get("/api/account", headers=bearer(secret)), 401)


@pytest.mark.parametrize("path", ["/api/communes", "/openapi.json"])
def test_api_answers_carry_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_found_a_commune_through_the_api(client: TestClient, world: World) -> None:
    slug = "api-founded-" + world.found("Seed").slug[-6:]
    founded = client.post(
        "/api/commune.found",
        json={
            "slug": slug,
            "name": "Founded by API",
            "founder_email": f"founder-{slug}@example.org",
            "founder_name": "Founder",
            "founder_password": "a long password",
        },
    )
    assert founded.status_code == 200, founded.text
    assert client.get(f"/api/communes/{slug}").json()["name"] == "Founded by API"
    taken = client.post(
        "/api/commune.found",
        json={
            "slug": slug,
            "name": "Again",
            "founder_email": "x@example.org",
            "founder_name": "X",
            "founder_password": "a long password",
        },
    )
    assert_problem(taken, 409, "commune.slug_taken")


def test_the_journal_reads_backward_and_forward(client: TestClient, world: World) -> None:
    commune = world.found("Louise", "Eugene")
    for i in range(5):
        world.motion(commune, "Louise", f"Motion {i}")
    base = f"/api/communes/{commune.slug}/journal"
    newest = client.get(base, params={"limit": 3}).json()
    head = newest["head"]["seq"]
    assert [e["seq"] for e in newest["entries"]] == [head, head - 1, head - 2]
    older = client.get(base, params={"before": head - 2, "limit": 2}).json()["entries"]
    assert [e["seq"] for e in older] == [head - 3, head - 4]
    forward: list[int] = []
    after = 0
    while batch := client.get(base, params={"after": after, "limit": 4}).json()["entries"]:
        forward += [e["seq"] for e in batch]
        after = batch[-1]["seq"]
    assert forward == list(range(1, head + 1))
    assert_problem(client.get(base, params={"after": 1, "before": 3}), 422, "request.invalid")
