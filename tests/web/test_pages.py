"""The pages, driven like a browser without JavaScript: forms, CSRF tokens, redirects.

Run on SQLite and PostgreSQL like the API tests (the ``database_url`` fixture).
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient

from communard.services import commands as c
from tests.web.conftest import PASSWORD, Clock, World, csrf_of, sign_in, snapshot


def post_form(client: TestClient, page: str, action: str, **data: str) -> Any:
    """Submit a form of ``page`` to ``action`` with the page's CSRF token, like a browser."""
    token = csrf_of(client.get(page).text)
    return client.post(action, data={**data, "csrf_token": token}, follow_redirects=False)


PUBLIC = ["", "/motions", "/motions?state=voting", "/motions/1", "/charter", "/journal", "/members"]


def test_every_page_renders_for_visitors_members_and_strangers(web: Any, world: World) -> None:
    commune = world.found("Louise", "Eugene")
    stranger = world.found("Gustave")
    world.motion(commune, "Louise")
    base = f"/c/{commune.slug}"
    with TestClient(web) as visitor, TestClient(web) as member, TestClient(web) as other:
        sign_in(member, commune.people["Eugene"].email)
        sign_in(other, stranger.people["Gustave"].email)
        for path in ["/", "/sign-in", "/found", *(base + p for p in PUBLIC)]:
            for client in (visitor, member, other):
                response = client.get(path)
                assert response.status_code == 200, (path, response.text[:300])
                assert response.headers["content-type"].startswith("text/html")
                assert '<main id="main"' in response.text
        for path in ("/account", f"{base}/motions/new", f"{base}/outbox"):
            assert member.get(path).status_code == 200, path
        assert visitor.get("/account").status_code == 401
        assert visitor.get(f"{base}/motions/new").status_code == 401
        assert visitor.get(f"{base}/outbox").status_code == 403
        assert other.get(f"{base}/outbox").status_code == 403
        missing = visitor.get(f"{base}/motions/999")
        assert missing.status_code == 404
        assert f'href="{base}/journal"' in missing.text  # the commune's navigation stays
        assert visitor.get("/c/no-such-commune").status_code == 404
        # The pages a member sees offer the forms a visitor's do not.
        assert "Propose a motion" in member.get(base).text
        assert "Propose a motion" not in visitor.get(base).text
        assert "Second this motion" in member.get(f"{base}/motions/1").text
        assert "Second this motion" not in other.get(f"{base}/motions/1").text


def test_a_decision_end_to_end_through_the_pages(web: Any, world: World, clock: Clock) -> None:
    commune = world.found("Louise", "Eugene", "Jules")
    base = f"/c/{commune.slug}"
    clients = {name: TestClient(web) for name in commune.people}
    for name, client in clients.items():
        sign_in(client, commune.people[name].email)
    louise, eugene, jules = clients.values()

    proposed = post_form(
        louise,
        f"{base}/motions/new",
        f"{base}/motions/new",
        title="Night work in bakeries",
        text="Night work in bakeries is abolished.",
        decision_class="ordinary",
    )
    assert proposed.status_code == 303, proposed.text
    page_url = proposed.headers["location"]
    number = int(page_url.rsplit("/", 1)[1])
    page = louise.get(page_url)
    assert "Your motion is proposed" in page.text  # the flash message after the redirect
    assert "Your motion is proposed" not in louise.get(page_url).text  # shown once

    seconded = post_form(eugene, page_url, f"{page_url}/second")
    assert seconded.status_code == 303
    assert "In deliberation until" in eugene.get(page_url).text

    post_form(jules, page_url, f"{page_url}/comment", text="The bakers asked for this.")
    assert "The bakers asked for this." in louise.get(page_url).text

    # When deliberation ends the vote opens by itself (the services settle what time requires).
    clock.advance(days=3, seconds=1)
    assert "Cast my vote" in louise.get(page_url).text

    for client, choice in ((louise, "for"), (eugene, "for"), (jules, "against")):
        assert post_form(client, page_url, f"{page_url}/vote", choice=choice).status_code == 303
    voting = jules.get(page_url).text
    assert "Your vote is recorded." in voting
    assert 'aria-live="polite"' in voting and "data-poll-url" in voting
    tally = jules.get(f"{page_url}/tally").text
    assert re.search(r"<strong>2</strong> for", tally) and re.search(
        r"<strong>1</strong> against", tally
    )
    assert "Eugene" in tally

    clock.advance(days=3, seconds=1)
    closed = post_form(eugene, page_url, f"{page_url}/close")
    assert closed.status_code == 303, closed.text
    final = TestClient(web).get(page_url).text  # the outcome is public
    assert "Adopted: 2 for" in final
    assert "motion.closed/1" in final  # the history links to the journal
    journal = TestClient(web).get(f"{base}/journal").text
    assert "vote.cast/1" in journal and "motion.closed/1" in journal
    motions = TestClient(web).get(f"{base}/motions?state=adopted").text
    assert f"{base}/motions/{number}" in motions
    for client in clients.values():
        client.close()


def test_form_posts_without_a_valid_csrf_token_are_refused(
    client: TestClient, world: World, application: Any
) -> None:
    commune = world.found("Louise", "Eugene")
    number = world.motion(commune, "Louise")
    sign_in(client, commune.people["Eugene"].email)
    base = f"/c/{commune.slug}"
    before = snapshot(application)
    for action, data in (
        (f"{base}/motions/{number}/second", {}),
        (f"{base}/motions/new", {"title": "X", "text": "Y", "decision_class": "ordinary"}),
        (f"{base}/invitations", {"email": "z@example.org"}),
        ("/account/tokens", {"name": "forged"}),
    ):
        for token in ("", "forged"):
            response = client.post(action, data={**data, "csrf_token": token})
            assert response.status_code == 403, (action, response.text[:200])
            assert "valid CSRF token" in response.text
    assert snapshot(application) == before


def test_sign_in_is_generic_and_throttled(client: TestClient, world: World) -> None:
    commune = world.found("Louise")
    email = commune.people["Louise"].email
    wrong = post_form(client, "/sign-in", "/sign-in", login=email, password="wrong password")
    unknown = post_form(
        client, "/sign-in", "/sign-in", login="nobody@example.org", password="wrong password"
    )
    assert wrong.status_code == unknown.status_code == 401
    message = "The e-mail address or the password is wrong."
    assert message in wrong.text and message in unknown.text
    for _ in range(4):
        post_form(client, "/sign-in", "/sign-in", login=email, password="wrong again")
    throttled = post_form(client, "/sign-in", "/sign-in", login=email, password=PASSWORD)
    assert throttled.status_code == 429
    assert "Too many failed sign-ins." in throttled.text
    assert "communard_session" not in throttled.cookies


def test_session_cookie_flags_and_sign_out(web: Any, world: World) -> None:
    commune = world.found("Louise")
    email = commune.people["Louise"].email
    for scheme, secure in (("http", False), ("https", True)):
        with TestClient(web, base_url=f"{scheme}://testserver") as client:
            token = csrf_of(client.get("/sign-in").text)
            response = client.post(
                "/sign-in",
                data={"login": email, "password": PASSWORD, "csrf_token": token},
                follow_redirects=False,
            )
            cookie = next(
                v
                for k, v in response.headers.multi_items()
                if k == "set-cookie" and v.startswith("communard_session=")
            )
            assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "expires=" in cookie
            assert ("Secure" in cookie) is secure
            if secure:
                assert "strict-transport-security" in response.headers
                continue
            assert client.get("/account").status_code == 200
            signed_out = post_form(client, "/account", "/sign-out")
            assert signed_out.status_code == 303
            assert client.get("/account").status_code == 401


def test_security_headers_on_pages(client: TestClient, world: World) -> None:
    commune = world.found("Louise")
    response = client.get(f"/c/{commune.slug}")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-content-type-options"] == "nosniff"
    # No inline script or style anywhere in the page.
    assert "<script>" not in response.text and " style=" not in response.text


def test_found_a_commune_through_the_form(client: TestClient, world: World) -> None:
    slug = "form-" + world.found("Seed").slug[-8:]
    page = client.get("/found")
    assert "[classes.ordinary]" in page.text  # the default charter is filled in
    response = post_form(
        client,
        "/found",
        "/found",
        name="Tenants of rue des Rosiers",
        slug=slug,
        charter="",
        founder_name="Nathalie",
        email=f"nathalie-{slug}@example.org",
        password="a long password",
    )
    assert response.status_code == 303, response.text
    home = client.get(response.headers["location"])
    assert "Tenants of rue des Rosiers" in home.text and "Nathalie" in home.text
    again = post_form(
        client,
        "/found",
        "/found",
        name="Again",
        slug=slug,
        charter="",
        founder_name="X",
        email="x@example.org",
        password="a long password",
    )
    assert again.status_code == 409
    assert "is taken" in again.text and 'value="Again"' in again.text  # the form keeps its input


def test_invitation_outbox_join_and_tokens(web: Any, world: World) -> None:
    commune = world.found("Louise")
    base = f"/c/{commune.slug}"
    with TestClient(web) as louise, TestClient(web) as newcomer:
        sign_in(louise, commune.people["Louise"].email)
        email = f"andre-{commune.slug}@example.org"
        invited = post_form(louise, f"{base}/members", f"{base}/invitations", email=email)
        assert invited.headers["location"] == f"{base}/outbox"
        outbox = louise.get(f"{base}/outbox").text
        link = re.search(r"http://testserver(/c/[^\s<\"]+/join\?token=[\w-]+)", outbox)
        assert link, outbox
        joined = post_form(
            newcomer,
            link.group(1),
            f"{base}/join",
            token=link.group(1).split("token=")[1],
            name="André",
            password="a long password",
        )
        assert joined.status_code == 303, joined.text
        # The newcomer is signed in at once with the password just chosen.
        assert joined.headers["location"] == base
        assert "communard_session" in joined.headers["set-cookie"]
        assert "André" in newcomer.get(f"{base}/members").text
        prefilled = newcomer.get("/sign-in", params={"login": email, "next": base}).text
        assert f'value="{email}"' in prefilled

        issued = post_form(louise, "/account", "/account/tokens", name="laptop")
        secret = re.search(r'<p class="secret">(cmd_[\w-]+)</p>', issued.text)
        assert issued.status_code == 200 and secret
        assert (
            louise.get(
                "/api/account", headers={"Authorization": f"Bearer {secret.group(1)}"}
            ).status_code
            == 200
        )
        token_id = re.search(r"/account/tokens/(\d+)/revoke", issued.text)
        assert token_id
        post_form(louise, "/account", f"/account/tokens/{token_id.group(1)}/revoke")
        assert (
            louise.get(
                "/api/account", headers={"Authorization": f"Bearer {secret.group(1)}"}
            ).status_code
            == 401
        )


def test_errors_in_actions_are_readable_pages(client: TestClient, world: World) -> None:
    commune = world.found("Louise", "Eugene")
    number = world.motion(commune, "Louise")
    sign_in(client, commune.people["Louise"].email)
    page = f"/c/{commune.slug}/motions/{number}"
    # The mover may not second their own motion: a 4xx page with message, hint and a way back.
    response = post_form(client, page, f"{page}/second")
    assert 400 <= response.status_code < 500
    assert 'class="notice error"' in response.text and "Go back" in response.text
    assert "Traceback" not in response.text


def test_unexpected_failures_show_no_trace(web: Any, application: Any, monkeypatch: Any) -> None:
    def broken() -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(application.queries, "communes", broken)
    with TestClient(web, raise_server_exceptions=False) as client:
        response = client.get("/")
        assert response.status_code == 500
        assert "Something went wrong" in response.text
        assert "secret internals" not in response.text and "Traceback" not in response.text
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        api = client.get("/api/communes")
        assert api.status_code == 500 and api.json()["code"] == "server.error"
        assert api.headers["x-content-type-options"] == "nosniff"
        assert "secret internals" not in api.text


@pytest.mark.parametrize("path", ["/static/communard.css", "/static/communard.js"])
def test_static_files(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200 and response.headers["x-content-type-options"] == "nosniff"


def test_journal_pages_and_export(client: TestClient, world: World) -> None:
    commune = world.found("Louise", "Eugene")
    for i in range(50):
        world.do(
            commune,
            "Louise",
            c.ProposeMotion(commune=commune.slug, title=f"Motion {i}", body="Text."),
        )
    base = f"/c/{commune.slug}"
    first = client.get(f"{base}/journal").text
    assert "Older entries" in first
    older = re.search(r'href="\?before=(\d+)"', first)
    assert older
    second = client.get(f"{base}/journal?before={older.group(1)}").text
    assert "commune.founded/1" in second and "Newest entries" in second
    export = client.get(f"{base}/journal.jsonl")
    lines = export.text.strip().splitlines()
    assert export.headers["content-type"].startswith("application/jsonl")
    assert len(lines) > 50 and '"seq":1' in lines[0]
    assert client.get("/c/no-such-commune/journal.jsonl").status_code == 404


def test_admission_by_sponsors_and_sections_through_the_pages(web: Any, world: World) -> None:
    commune = world.found("Louise", "Eugene", "Jules", charter="default")
    base = f"/c/{commune.slug}"
    jules = commune.people["Jules"].member
    with TestClient(web) as eugene:
        sign_in(eugene, commune.people["Eugene"].email)
        page = eugene.get(f"{base}/members").text
        assert "Awaiting admission" in page and "Sponsor Jules" in page
        sponsored = post_form(eugene, f"{base}/members", f"{base}/members/{jules}/admit")
        assert sponsored.status_code == 303, sponsored.text
        page = eugene.get(f"{base}/members").text
        assert "Awaiting admission" not in page

        created = post_form(eugene, f"{base}/members", f"{base}/sections", name="Section Louvre")
        assert created.status_code == 303, created.text
        joined = post_form(eugene, f"{base}/members", f"{base}/sections/section-louvre/join")
        assert joined.status_code == 303, joined.text
        page = eugene.get(f"{base}/members").text
        assert "your section" in page and "You have joined the section." in page


def test_drafts_and_charter_amendments_through_the_pages(web: Any, world: World) -> None:
    commune = world.found("Louise", "Eugene")
    base = f"/c/{commune.slug}"
    with TestClient(web) as louise:
        sign_in(louise, commune.people["Louise"].email)
        drafted = post_form(
            louise,
            f"{base}/motions/new",
            f"{base}/motions/new",
            title="Bread prices",
            text="Fixed at 50 centimes.",
            decision_class="ordinary",
            intent="draft",
        )
        assert drafted.status_code == 303, drafted.text
        page_url = drafted.headers["location"]
        assert "Your draft is saved" in louise.get(page_url).text
        assert post_form(louise, page_url, f"{page_url}/propose").status_code == 303
        assert "seconding" in louise.get(page_url).text.lower()

        charter = louise.get(f"{base}/charter").text
        assert "Propose an amendment of the charter" in charter
        current = re.search(r'<textarea id="amend-text"[^>]*>(.*?)</textarea>', charter, re.S)
        assert current
        unchanged = post_form(
            louise,
            f"{base}/charter",
            f"{base}/charter/amend",
            title="No change",
            reason="",
            text=html.unescape(current.group(1)),
        )
        assert unchanged.status_code == 422 and "charter.unchanged" not in unchanged.text
        bad = post_form(
            louise,
            f"{base}/charter",
            f"{base}/charter/amend",
            title="Broken",
            reason="",
            text="[charter]\nformat = 99\n",
        )
        assert bad.status_code == 422 and 'class="notice error"' in bad.text
    with TestClient(web) as visitor:
        assert "Propose an amendment" not in visitor.get(f"{base}/charter").text


def test_amendments_are_moved_and_accepted_through_the_pages(web: Any, world: World) -> None:
    commune = world.found("Louise", "Eugene")
    number = world.motion(commune, "Louise", "Night work")
    world.do(commune, "Eugene", c.SecondMotion(commune=commune.slug, motion=number))
    page_url = f"/c/{commune.slug}/motions/{number}"
    with TestClient(web) as louise, TestClient(web) as eugene:
        sign_in(louise, commune.people["Louise"].email)
        sign_in(eugene, commune.people["Eugene"].email)
        moved = post_form(
            eugene,
            page_url,
            f"{page_url}/amend",
            title="Five o'clock",
            text="No work before five in the morning.",
        )
        assert moved.status_code == 303, moved.text
        assert "Accept into the motion" not in eugene.get(page_url).text  # only the mover
        mover_page = louise.get(page_url).text
        accept = re.search(rf'action="({page_url}/amendments/(\d+)/accept)"', mover_page)
        assert accept, mover_page
        assert post_form(louise, page_url, accept.group(1)).status_code == 303
        final = louise.get(page_url).text
        assert "No work before five in the morning." in final
        assert "The amendment is accepted into the motion." in final


def test_changing_the_password_signs_out_everywhere(web: Any, world: World) -> None:
    commune = world.found("Louise")
    email = commune.people["Louise"].email
    with TestClient(web) as louise, TestClient(web) as elsewhere:
        sign_in(louise, email)
        sign_in(elsewhere, email)
        wrong = post_form(
            louise,
            "/account",
            "/account/password",
            current="not it",
            password="a new long password",
        )
        assert wrong.status_code == 422
        changed = post_form(
            louise,
            "/account",
            "/account/password",
            current=PASSWORD,
            password="a new long password",
        )
        assert changed.status_code == 303, changed.text
        assert elsewhere.get("/account").status_code == 401
        sign_in(louise, email, "a new long password")
        renamed = post_form(louise, "/account", "/account/name", display_name="Louise M.")
        assert renamed.status_code == 303
        assert "Louise M." in louise.get("/account").text


def test_a_signed_in_person_founds_a_commune_as_themselves(web: Any, world: World) -> None:
    commune = world.found("Louise")
    slug = "own-" + commune.slug[-8:]
    with TestClient(web) as louise:
        sign_in(louise, commune.people["Louise"].email)
        form = louise.get("/found").text
        assert "will be its founder" in form and 'name="password"' not in form
        founded = post_form(
            louise, "/found", "/found", name="Second commune", slug=slug, charter=""
        )
        assert founded.status_code == 303, founded.text
        assert "Second commune" in louise.get("/account").text


def test_a_suspension_is_proposed_to_the_assembly(web: Any, world: World) -> None:
    commune = world.found("Louise", "Eugene")
    base = f"/c/{commune.slug}"
    with TestClient(web) as louise:
        sign_in(louise, commune.people["Louise"].email)
        proposed = post_form(
            louise,
            f"{base}/members",
            f"{base}/suspensions",
            member=str(commune.people["Eugene"].member),
            reason="He sold the bakery's flour.",
        )
        assert proposed.status_code == 303, proposed.text
        page = louise.get(proposed.headers["location"]).text
        assert "Suspension of Eugene" in page and "He sold the bakery" in page
        assert "member.suspend" in page  # what adoption would do is shown


def test_home_shows_emergency_decisions_awaiting_ratification(
    web: Any, world: World, clock: Clock
) -> None:
    commune = world.found("Louise", "Eugene", "Jules", "Andre")
    result = world.do(
        commune,
        "Louise",
        c.ProposeMotion(
            commune=commune.slug, decision_class="emergency", title="Barricades", body="Build them."
        ),
    )
    number = int(result["motion"])
    for name in ("Eugene", "Jules", "Andre"):
        world.do(commune, name, c.SecondMotion(commune=commune.slug, motion=number))
    for name in ("Louise", "Eugene", "Jules"):
        world.do(commune, name, c.CastBallot(commune=commune.slug, motion=number, choice="for"))
    clock.advance(hours=24, seconds=1)
    with TestClient(web) as louise:
        sign_in(louise, commune.people["Louise"].email)
        home = louise.get(f"/c/{commune.slug}").text
        assert "Overdue" in home and "unless ratified" in home
        page = f"/c/{commune.slug}/motions/{number}"
        proposed = post_form(louise, page, f"{page}/ratify")
        assert proposed.status_code == 303, proposed.text
        ratification = louise.get(proposed.headers["location"]).text
        assert "Ratification of" in ratification and "motion.ratify" in ratification


class _Fields(HTMLParser):
    """Collects a page's form fields, its labels, and the landmarks it has."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.in_label = 0
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.add(tag)
        if tag == "label":
            self.in_label += 1
            if attributes.get("for"):
                self.label_for.add(str(attributes["for"]))
        if tag in ("input", "textarea", "select") and attributes.get("type") not in (
            "hidden",
            "submit",
        ):
            self.fields.append({**attributes, "wrapped": "yes" if self.in_label else None})

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.in_label -= 1


def test_every_field_has_a_label_and_every_page_its_landmarks(web: Any, world: World) -> None:
    commune = world.found("Louise", "Eugene")
    number = world.motion(commune, "Louise")
    world.do(commune, "Eugene", c.SecondMotion(commune=commune.slug, motion=number))
    base = f"/c/{commune.slug}"
    pages = [
        "/",
        "/found",
        "/account",
        base,
        f"{base}/members",
        f"{base}/motions",
        f"{base}/motions/new",
        f"{base}/motions/{number}",
        f"{base}/charter",
        f"{base}/journal",
        f"{base}/outbox",
    ]
    with TestClient(web) as louise, TestClient(web) as visitor:
        sign_in(louise, commune.people["Louise"].email)
        checked = [(louise, p) for p in pages] + [(visitor, "/sign-in")]
        for client, path in checked:
            page = client.get(path)
            assert page.status_code == 200, path
            parsed = _Fields()
            parsed.feed(page.text)
            assert {"header", "nav", "main", "footer"} <= parsed.tags, path
            assert 'class="skip-link" href="#main"' in page.text
            for field in parsed.fields:
                labelled = field["wrapped"] or field.get("id") in parsed.label_for
                assert labelled, (path, field)


def test_an_adopted_amendment_makes_a_new_charter_version(
    web: Any, world: World, clock: Clock
) -> None:
    commune = world.found("Louise", "Eugene")
    slug = commune.slug
    current = world.application.queries.charter(slug)["text"]
    amended = current.replace('name = "Charter of an open assembly"', 'name = "Charter of 1871"')
    result = world.do(commune, "Louise", c.AmendCharter(commune=slug, title="Rename", text=amended))
    number = int(result["motion"])
    world.do(commune, "Eugene", c.SecondMotion(commune=slug, motion=number))
    clock.advance(days=14, seconds=1)
    for name in ("Louise", "Eugene"):
        world.do(commune, name, c.CastBallot(commune=slug, motion=number, choice="for"))
    clock.advance(days=7, seconds=1)
    with TestClient(web) as visitor:
        page = visitor.get(f"/c/{slug}/charter").text
        assert "Charter of 1871" in page and "Version 2, in force" in page
        assert f'href="/c/{slug}/charter?version=1"' in page
        assert f'href="/c/{slug}/motions/{number}"' in page  # the adopting motion
        old = visitor.get(f"/c/{slug}/charter?version=1").text
        assert "Charter of an open assembly" in old and "no longer in force" in old
        assert visitor.get(f"/c/{slug}/charter?version=9").status_code == 404


@pytest.mark.parametrize(
    ("target", "landing"),
    [
        ("/account", "/account"),
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
        ("/\\evil.example", "/"),
    ],
)
def test_sign_in_returns_only_to_pages_of_this_site(
    web: Any, world: World, target: str, landing: str
) -> None:
    commune = world.found("Louise")
    with TestClient(web) as client:
        response = post_form(
            client,
            "/sign-in",
            "/sign-in",
            login=commune.people["Louise"].email,
            password=PASSWORD,
            next=target,
        )
        assert response.status_code == 303
        assert response.headers["location"] == landing
