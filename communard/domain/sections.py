"""Sections: subdivisions of a commune (wards, arrondissements) that members belong to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from communard.domain.charters import Charter
from communard.domain.communes import check_slug, check_text
from communard.errors import StateError


@dataclass
class Section:
    """A section of a commune; members may belong to one section."""

    id: int | None
    commune_id: int
    slug: str
    name: str
    created_at: datetime


def create(*, commune_id: int, charter: Charter, slug: str, name: str, now: datetime) -> Section:
    """A new section, if the charter provides for sections."""
    if not charter.sections:
        raise StateError(
            "This commune's charter has no sections.",
            code="section.disabled",
            hint="Amend the charter ([sections] enabled = true) to create sections.",
        )
    return Section(
        id=None,
        commune_id=commune_id,
        slug=check_slug(slug, field="section"),
        name=check_text("name", name, limit=200),
        created_at=now,
    )
