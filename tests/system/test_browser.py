"""A member's journey in a real browser: sign in → second → vote → outcome.

Debian's Chromium (no browser download) drives a live ``communard serve``.
The commune's charter is made for the test: one second admits a motion, no
deliberation, and a voting window of a few seconds, so the outcome comes
while the test waits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from communard.adapters.cli.support import build_application
from communard.adapters.demo import assemblies
from communard.services import commands as c
from tests.system.harness import Server

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PASSWORD = "barricade-1871"
VOTING_SECONDS = 8

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def live_commune(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[Server, int]]:
    """A served commune of three with a motion awaiting one second."""
    charter = assemblies.charter(voting=f"{VOTING_SECONDS}s").replace("seconds = 0", "seconds = 1")
    app = build_application(sqlite_url)
    try:
        app.handle(
            c.FoundCommune(
                slug="rue-des-rosiers",
                name="Rue des Rosiers",
                charter=charter,
                founder_email="louise@rosiers.example",
                founder_name="Louise",
                founder_password=PASSWORD,
            )
        )
        louise = app.auth.account_for_email("louise@rosiers.example")
        for email, name in (
            ("eugene@rosiers.example", "Eugène"),
            ("nathalie@rosiers.example", "Nathalie"),
        ):
            invitation = app.handle(c.InviteMember(commune="rue-des-rosiers", email=email), louise)
            app.handle(
                c.JoinCommune(
                    commune="rue-des-rosiers",
                    token=invitation["token"],
                    display_name=name,
                    password=PASSWORD,
                )
            )
        proposed = app.handle(
            c.ProposeMotion(
                commune="rue-des-rosiers",
                title="Open a cooperative bakery",
                body="The commune opens a cooperative bakery on the ground floor.",
            ),
            louise,
        )
    finally:
        app.close()
    with Server(sqlite_url, tmp_path / "server.log") as server:
        yield server, int(proposed["motion"])


def test_sign_in_second_vote_and_see_the_outcome(
    chromium_path: str, live_commune: tuple[Server, int]
) -> None:
    from playwright.sync_api import expect, sync_playwright

    server, number = live_commune
    motion_url = f"{server.url}/c/rue-des-rosiers/motions/{number}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(15_000)

            page.goto(f"{server.url}/sign-in")
            page.get_by_label(re.compile("e-?mail", re.I)).fill("eugene@rosiers.example")
            page.get_by_label(re.compile("^password", re.I)).fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("button", name="Sign in")).to_have_count(0)

            page.goto(motion_url)
            expect(page.get_by_role("heading", level=1)).to_contain_text("cooperative bakery")
            page.get_by_role("button", name="Second this motion").click()

            # No deliberation: the vote opens as soon as the motion is admitted.
            page.goto(motion_url)
            page.get_by_role("radio", name=re.compile("^ *(For|Yes)", re.I)).check()
            page.get_by_role("button", name="Cast my vote").click()
            expect(page.locator("#tally")).to_contain_text("1")

            # The page's own live tally notices the close (the server settles the vote
            # when the tally is read) and offers the outcome: wait for that, not a clock.
            show = page.get_by_role("link", name="Show the outcome")
            expect(show).to_be_visible(timeout=(VOTING_SECONDS + 20) * 1000)
            show.click()
            outcome = page.locator("p.outcome")
            expect(outcome).to_contain_text("Adopted")
            expect(outcome).to_contain_text("1 for")
        finally:
            browser.close()
