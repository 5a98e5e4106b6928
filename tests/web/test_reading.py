"""What a reader sees: where a motion stands, its outcome in words, the live tally's
signals, the account page, the API's reference page, and sections in their natural order.
"""

from __future__ import annotations

import html
import re
from typing import Any

from fastapi.testclient import TestClient

from communard.services import commands as c
from tests.web.conftest import Clock, World, csrf_of, sign_in


def text_of(html: str) -> str:
    """The page's words, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def decided_motion(world: World, clock: Clock, choices: dict[str, str]) -> tuple[Any, int]:
    """A commune of three whose motion was voted with ``choices`` and counted."""
    commune = world.found("Louise", "Eugene", "Jules")
    number = world.motion(commune, "Louise", "Bread at a fixed price")
    world.do(commune, "Eugene", c.SecondMotion(commune=commune.slug, motion=number))
    clock.advance(days=3, seconds=1)
    world.do(commune, "Louise", c.OpenVote(commune=commune.slug, motion=number))
    for who, choice in choices.items():
        world.do(commune, who, c.CastBallot(commune=commune.slug, motion=number, choice=choice))
    return commune, number


def test_a_motion_shows_its_stage_and_what_comes_next(web: Any, world: World) -> None:
    commune = world.found("Louise", "Eugene", "Jules")
    number = world.motion(commune, "Louise")
    with TestClient(web) as client:
        sign_in(client, commune.people["Louise"].email)
        page = client.get(f"/c/{commune.slug}/motions/{number}").text
    assert re.search(r'<li class="current" aria-current="step">Seconding</li>', page)
    words = text_of(page)
    assert "Seconded by 0 of the 1 member needed to admit it." in words
    assert "Once admitted, it is deliberated for 3 days, then put to the vote." in words


def test_the_outcome_is_explained_in_words(client: TestClient, world: World, clock: Clock) -> None:
    commune, number = decided_motion(world, clock, {"Louise": "for", "Jules": "against"})
    clock.advance(days=3, seconds=1)
    page = client.get(f"/c/{commune.slug}/motions/{number}").text
    words = text_of(page)
    assert re.search(r'<h2 id="h-outcome">.*Rejected</h2>', page)
    # tests/system/test_browser.py finds the explanation as p.outcome.
    assert '<p class="outcome explanation">Rejected' in page
    assert "Quorum met: 2 of 3 members took part" in words
    assert (
        "Threshold not met: 1 for out of 2 votes for or against; it needs more than 1/2." in words
    )
    assert 'aria-current="step">Rejected</li>' in page


def test_the_live_tally_says_when_the_vote_closes(
    client: TestClient, world: World, clock: Clock
) -> None:
    commune, number = decided_motion(world, clock, {"Louise": "for"})
    fragment = client.get(f"/c/{commune.slug}/motions/{number}/tally")
    assert fragment.headers["X-Motion-State"] == "voting"
    assert "1 of 3 members have voted" in text_of(fragment.text)
    page = client.get(f"/c/{commune.slug}/motions/{number}").text
    # Only the short live region is announced, not the whole roll call.
    assert 'id="tally-news" class="tally-news" role="status" aria-live="polite"' in page
    assert '<div id="tally" aria-live' not in page
    clock.advance(days=3, seconds=1)
    closed = client.get(f"/c/{commune.slug}/motions/{number}/tally")
    assert closed.headers["X-Motion-State"] != "voting"


def test_the_journal_says_a_count_in_one_sentence(
    client: TestClient, world: World, clock: Clock
) -> None:
    commune, number = decided_motion(world, clock, {"Louise": "for", "Eugene": "for"})
    clock.advance(days=3, seconds=1)
    client.get(f"/c/{commune.slug}/motions/{number}")
    words = text_of(client.get(f"/c/{commune.slug}/journal").text)
    assert f"Motion {number} closed · Adopted: 2 for" in words
    assert "quorum met: True" not in words


def test_the_account_page_title_is_only_its_title(web: Any, world: World) -> None:
    commune = world.found("Louise")
    with TestClient(web) as client:
        sign_in(client, commune.people["Louise"].email)
        page = client.get("/account").text
        title = re.search(r"<title>(.*?)</title>", page, re.S)
        assert title and title.group(1).strip() == "Your account · communard"
        assert page.count('id="display-name"') == 1
        issued = client.post(
            "/account/tokens",
            data={
                "name": "laptop",
                "csrf_token": re.findall(r'csrf_token" value="([^"]+)', page)[0],
            },
        )
        assert 'curl -H "Authorization: Bearer cmd_' in issued.text


def test_the_api_reference_page_lists_every_operation(client: TestClient) -> None:
    page = client.get("/api")
    assert page.status_code == 200
    spec = client.get("/openapi.json").json()
    for methods in spec["paths"].values():
        for op in methods.values():
            assert f'<span class="mono">{op["operationId"]}</span>' in page.text
    assert "/openapi.json" in page.text


def test_sections_are_listed_in_their_natural_order(web: Any, world: World) -> None:
    commune = world.found("Louise", charter="default")
    for name in ("10e arrondissement", "2e arrondissement", "1er arrondissement"):
        world.do(
            commune,
            "Louise",
            c.CreateSection(commune=commune.slug, name=name, slug=name[:3].strip()),
        )
    page = TestClient(web).get(f"/c/{commune.slug}/members").text
    order = [page.index(n) for n in ("1er arr", "2e arr", "10e arr")]
    assert order == sorted(order)


def test_visitors_are_told_how_to_take_part(client: TestClient, world: World) -> None:
    commune = world.found("Louise", "Eugene")
    number = world.motion(commune, "Louise")
    words = text_of(client.get(f"/c/{commune.slug}/motions/{number}").text)
    assert f"Sign in to second this motion, if you are a member of Commune {commune.slug}." in words


def test_a_hint_that_repeats_the_message_is_not_shown_twice(client: TestClient) -> None:
    charter = client.get("/found")
    broken = re.sub(
        r'threshold = "1/2"',
        'threshold = "3/2"',
        html.unescape(
            re.search(r'<textarea id="charter"[^>]*>(.*?)</textarea>', charter.text, re.S).group(1)
        ),
        count=1,
    )
    page = client.post(
        "/found",
        data={
            "name": "X",
            "slug": "x-hint",
            "charter": broken,
            "founder_name": "Jean",
            "email": "jean-hint@example.org",
            "password": "long-enough-1",
            "csrf_token": csrf_of(charter.text),
        },
        follow_redirects=False,
    )
    assert page.status_code == 422, page.text[:500]
    assert "classes.ordinary.threshold" in page.text
    hints = re.findall(r'<p class="hint">(.*?)</p>', page.text, re.S)
    message = re.search(r'role="alert">\s*<p><strong>(.*?)</strong>', page.text, re.S)
    assert message
    assert all(h.strip() not in message.group(1) for h in hints)


def test_the_home_shows_the_running_tally_and_your_part(
    web: Any, world: World, clock: Clock
) -> None:
    commune, _ = decided_motion(world, clock, {"Louise": "for"})
    with TestClient(web) as client:
        sign_in(client, commune.people["Jules"].email)
        words = text_of(client.get(f"/c/{commune.slug}").text)
        assert "So far 1 for, 0 against, 0 abstaining (1 of 3 members)." in words
        assert "You have not voted yet." in words
    with TestClient(web) as client:
        sign_in(client, commune.people["Louise"].email)
        assert "You voted for." in text_of(client.get(f"/c/{commune.slug}").text)


def test_the_proposal_form_says_who_seconds_not_how_long(web: Any, world: World) -> None:
    commune = world.found("Louise", charter="default")
    with TestClient(web) as client:
        sign_in(client, commune.people["Louise"].email)
        words = text_of(client.get(f"/c/{commune.slug}/motions/new").text)
    assert "Admitted when 2 members second it; deliberation 3 days, voting 3 days;" in words
    assert "seconds to admit" not in words


def test_journal_entries_of_a_motion_link_to_it(client: TestClient, world: World) -> None:
    commune = world.found("Louise")
    number = world.motion(commune, "Louise")
    page = client.get(f"/c/{commune.slug}/journal").text
    assert f'<a class="quiet" href="/c/{commune.slug}/motions/{number}">' in page


def test_the_vote_message_shows_where_the_browser_lands(
    web: Any, world: World, clock: Clock
) -> None:
    commune, number = decided_motion(world, clock, {})
    page_url = f"/c/{commune.slug}/motions/{number}"
    with TestClient(web) as client:
        sign_in(client, commune.people["Jules"].email)
        token = csrf_of(client.get(page_url).text)
        cast = client.post(
            f"{page_url}/vote", data={"choice": "for", "csrf_token": token}, follow_redirects=False
        )
        assert cast.headers["location"].endswith("#roll-call")
        page = client.get(page_url).text
    roll_call = page.index('<h2 id="roll-call">')
    notice = page.index("Your vote is recorded.")
    assert notice > roll_call and page.count("Your vote is recorded.") == 1


def test_a_new_commune_says_to_invite_members_first(web: Any, world: World) -> None:
    commune = world.found("Louise", charter="default")
    with TestClient(web) as client:
        sign_in(client, commune.people["Louise"].email)
        words = text_of(client.get(f"/c/{commune.slug}").text)
        assert "needs 2 other members to second it, so invite members first." in words
    larger = world.found("Louise", "Eugene", "Jules")
    with TestClient(web) as client:
        sign_in(client, larger.people["Louise"].email)
        assert "invite members first" not in text_of(client.get(f"/c/{larger.slug}").text)


def test_the_sign_in_page_says_who_is_already_signed_in(web: Any, world: World) -> None:
    commune = world.found("Louise")
    with TestClient(web) as client:
        sign_in(client, commune.people["Louise"].email)
        words = text_of(client.get(f"/sign-in?next=/c/{commune.slug}").text)
    assert "You are already signed in as Louise" in words
    assert "Continue , or sign in below as someone else." in words


def test_a_decided_motions_long_roll_call_folds_away(
    client: TestClient, world: World, clock: Clock
) -> None:
    names = [f"M{i}" for i in range(14)]
    commune = world.found(*names)
    number = world.motion(commune, "M0")
    world.do(commune, "M1", c.SecondMotion(commune=commune.slug, motion=number))
    clock.advance(days=3, seconds=1)
    world.do(commune, "M0", c.OpenVote(commune=commune.slug, motion=number))
    for name in names[:13]:
        world.do(commune, name, c.CastBallot(commune=commune.slug, motion=number, choice="for"))
    url = f"/c/{commune.slug}/motions/{number}"
    assert "member by member</summary>" not in client.get(url).text
    clock.advance(days=3, seconds=1)
    assert "All 13 ballots, member by member</summary>" in client.get(url).text


def test_visitors_can_follow_a_deliberation_from_the_home(client: TestClient, world: World) -> None:
    commune = world.found("Louise", "Eugene")
    number = world.motion(commune, "Louise", "Bread at a fixed price")
    world.do(commune, "Eugene", c.SecondMotion(commune=commune.slug, motion=number))
    page = client.get(f"/c/{commune.slug}").text
    assert "In deliberation" in page and "Bread at a fixed price" in page
    assert "Needs seconds" not in page
