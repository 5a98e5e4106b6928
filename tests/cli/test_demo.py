"""``communard demo`` loads the Commune of Paris once, with motions in every state."""

from __future__ import annotations

import pytest

from communard.adapters.demo import data as demo_data
from tests.cli.conftest import Invoke, data


@pytest.mark.slow
def test_demo_loads_every_state_and_is_idempotent(communard: Invoke) -> None:
    first = communard("demo")
    assert first.exit_code == 0, first.output
    assert "Loaded the demo commune" in first.stdout
    assert "varlin@paris-1871.example" in first.stdout
    assert demo_data.DEMO_PASSWORD in first.stdout

    loaded = data(communard("--json", "demo"))
    assert loaded["already_loaded"] is True
    states = {m["state"] for m in loaded["motions"]}
    assert states == set(demo_data.MOTION_STATES)
    assert len(loaded["members"]) == len(demo_data.MEMBERS) >= 30

    again = communard("demo")
    assert again.exit_code == 0
    assert "already loaded" in again.stdout

    sections = communard("--json", "member", "list")
    assert len(data(sections)) == len(demo_data.MEMBERS)
    verified = communard("journal", "verify")
    assert verified.exit_code == 0 and "chain intact" in verified.stdout

    workshops = data(communard("--json", "vote", "tally", "9"))
    assert workshops["state"] == "voting"
    assert workshops["tally"]["for"] == 9
