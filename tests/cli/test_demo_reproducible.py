"""The demo commune is reproducible: the same anchor time gives the same journal, byte for byte."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from communard.adapters.cli.support import build_application
from communard.adapters.demo import data
from communard.adapters.demo.loader import load


@pytest.mark.slow
def test_two_loads_at_the_same_time_write_the_same_journal(tmp_path: Path) -> None:
    now = datetime(2026, 5, 28, 12, 30, tzinfo=UTC)
    heads = []
    for name in ("first", "second"):
        url = f"sqlite:///{tmp_path / name}.db"
        loaded = load(url, build=build_application, now=now)
        assert not loaded.already_loaded
        app = build_application(url)
        try:
            lines = list(app.queries.export_journal(data.SLUG))
        finally:
            app.close()
        heads.append(lines)
    assert heads[0] == heads[1]
    assert len(heads[0]) > 300
