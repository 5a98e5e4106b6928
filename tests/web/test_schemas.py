"""The API's answers have the shapes ``/openapi.json`` documents.

Every operation documents its 200 answer with a named schema and its 4xx
answers with the one error shape; and real answers, from a decision taken
end to end, validate against the documented models.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from communard.adapters.web import schemas
from communard.services import commands as c
from tests.web.conftest import Clock, World


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_every_operation_documents_its_answer_and_its_errors(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            schema = op["responses"]["200"]["content"]["application/json"]["schema"]
            ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
            assert ref and ref.startswith("#/components/schemas/"), (method, path, schema)
            for status in ("400", "401", "403", "404", "409", "422"):
                problem = op["responses"][status]["content"]["application/json"]["schema"]
                assert problem == {"$ref": "#/components/schemas/Problem"}, (path, status)
    tally = spec["components"]["schemas"]["Tally"]
    assert {"for", "against", "abstain", "electorate"} <= set(tally["required"])


def check(shape: Any, answer: Any) -> None:
    """``answer`` validates against the documented ``shape`` (a model or a list of one)."""
    TypeAdapter(shape).validate_python(answer)


def test_real_answers_match_the_documented_shapes(
    client: TestClient, world: World, clock: Clock
) -> None:
    commune = world.found("Louise", "Eugene", "Jules")
    louise, eugene, jules = (world.token(p) for p in commune.people.values())
    base = f"/api/communes/{commune.slug}"

    proposed = client.post(
        f"{base}/motion.propose",
        json={"title": "Bread at a fixed price", "body": "Fixed at 50 centimes."},
        headers=bearer(louise),
    ).json()
    check(schemas.MotionProposed, proposed)
    number = proposed["motion"]
    check(
        schemas.CommandResult,
        client.post(
            f"{base}/motion.second", json={"motion": number}, headers=bearer(eugene)
        ).json(),
    )
    world.do(commune, "Jules", c.CommentOnMotion(commune=commune.slug, motion=number, body="Yes."))
    clock.advance(days=3, seconds=1)
    client.post(f"{base}/motion.open_vote", json={"motion": number}, headers=bearer(louise))
    for token, choice in ((louise, "for"), (eugene, "for"), (jules, "against")):
        cast = client.post(
            f"{base}/vote.cast", json={"motion": number, "choice": choice}, headers=bearer(token)
        )
        check(schemas.BallotCast, cast.json())
    clock.advance(days=3, seconds=1)
    client.post(f"{base}/motion.close", json={"motion": number}, headers=bearer(eugene))

    motion = client.get(f"{base}/motions/{number}", headers=bearer(louise)).json()
    check(schemas.Motion, motion)
    assert motion["outcome"]["decision"] == "adopted"
    invited = client.post(
        f"{base}/member.invite", json={"email": "andre@example.org"}, headers=bearer(louise)
    ).json()
    check(schemas.Invitation, invited)
    check(
        schemas.TokenIssued,
        client.post("/api/token.issue", json={"name": "x"}, headers=bearer(louise)).json(),
    )

    reads: list[tuple[Any, str]] = [
        (list[schemas.CommuneRow], "/api/communes"),
        (schemas.Commune, base),
        (list[schemas.MemberRow], f"{base}/members"),
        (list[schemas.SectionRow], f"{base}/sections"),
        (list[schemas.MotionRow], f"{base}/motions"),
        (schemas.Charter, f"{base}/charter"),
        (schemas.JournalPage, f"{base}/journal?limit=500"),
        (list[schemas.Mail], f"{base}/outbox"),
        (schemas.Account, "/api/account"),
    ]
    for shape, path in reads:
        answer = client.get(path, headers=bearer(louise))
        assert answer.status_code == 200, (path, answer.text)
        check(shape, answer.json())


def test_a_filter_by_an_unknown_state_is_refused_and_names_the_states(
    client: TestClient, world: World
) -> None:
    from typing import get_args

    from communard.adapters.web.api import MotionState
    from communard.domain.motions import STATES

    # Amendments ("accepted") are listed with their motion, never on their own.
    assert set(get_args(MotionState)) == set(STATES) - {"accepted"}
    commune = world.found("Louise")
    answer = client.get(f"/api/communes/{commune.slug}/motions?state=bogus")
    assert answer.status_code == 422
    (field,) = answer.json()["details"]["fields"]
    assert field["field"] == "state" and "'seconding'" in field["fix"]


def test_bounds_and_broken_json_get_a_fix_that_says_what_to_send(
    client: TestClient, world: World
) -> None:
    commune = world.found("Louise")
    token = world.token(commune.people["Louise"])
    limit = client.get(f"/api/communes/{commune.slug}/journal?limit=0").json()
    assert limit["hint"] == "Fix 'limit': send a number of at least 1."
    broken = client.post(
        f"/api/communes/{commune.slug}/vote.cast",
        content=b"{bad json",
        headers={"Content-Type": "application/json", **bearer(token)},
    ).json()
    (field,) = broken["details"]["fields"]
    assert field["field"] == "body" and "near character 1" in field["fix"]
