"""Communes: a self-governing community, its slug, name and current charter version."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from communard.errors import InvalidInput

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")


@dataclass
class Commune:
    """A commune. Its members are sovereign; its charter governs it."""

    id: int | None
    slug: str
    name: str
    charter_version: int
    founded_at: datetime


def check_slug(slug: str, field: str = "slug") -> str:
    """A valid slug (lower-case letters, digits, hyphens; 2–63 characters) or an error."""
    if not isinstance(slug, str) or not SLUG.fullmatch(slug):
        raise InvalidInput(
            field,
            slug,
            "use 2–63 lower-case letters, digits and hyphens, starting with a letter or digit "
            "(for example paris-1871).",
            code="commune.invalid_slug" if field == "slug" else "input.invalid",
        )
    return slug


def check_text(field: str, value: object, *, limit: int, code: str = "input.invalid") -> str:
    """A non-empty text of at most ``limit`` characters, trimmed."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(field, value, "write a non-empty text.", code=code)
    text = value.strip()
    if len(text) > limit:
        raise InvalidInput(
            field,
            value,
            f"shorten it to at most {limit} characters (it has {len(text)}).",
            code=code,
        )
    return text


def found(*, slug: str, name: str, now: datetime) -> Commune:
    """A new commune under charter version 1."""
    return Commune(
        id=None,
        slug=check_slug(slug),
        name=check_text("name", name, limit=200, code="commune.invalid_name"),
        charter_version=1,
        founded_at=now,
    )
