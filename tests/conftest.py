"""Shared fixtures: where the conformance corpus lives, and the real services.

PostgreSQL (127.0.0.1:5432, database ``test``) and Debian's Chromium are real
parts of the suite. Outside CI a test that needs one skips with a message when
it is absent; under ``CI=true`` it fails instead, so CI never passes by skipping.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests never fail on timing (tests do not assert on wall-clock time), and
# under CI=true they are derandomized so a run is reproducible.
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", parent=settings.get_profile("dev"), derandomize=True, print_blob=True
)

ROOT = Path(__file__).resolve().parent.parent
CONFORMANCE = ROOT.parent / "shared" / "conformance"
IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get(
    "COMMUNARD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
CHROMIUM = "/usr/bin/chromium"
settings.load_profile("ci" if IN_CI else "dev")


def need(condition: bool, message: str) -> None:
    """Skip (outside CI) or fail (under CI=true) when a real part is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{message} (CI=true: this test must run, not skip)")
    pytest.skip(message)


def postgres_available() -> bool:
    try:
        import psycopg

        url = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url, connect_timeout=3):
            return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def conformance_dir() -> Path:
    if not CONFORMANCE.is_dir():
        pytest.skip(f"conformance corpus not found at {CONFORMANCE}")
    return CONFORMANCE


@pytest.fixture(scope="session")
def postgres_url() -> str:
    need(postgres_available(), f"no PostgreSQL server answers at {POSTGRES_URL}")
    return POSTGRES_URL


@pytest.fixture(scope="session")
def chromium_path() -> str:
    need(
        Path(CHROMIUM).exists() or shutil.which("chromium") is not None,
        f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)",
    )
    return CHROMIUM
