"""The database schema (SQLAlchemy Core), shared by SQLite and PostgreSQL.

Migrations in ``migrations/versions`` create and change it; this module is
the current shape the code reads and writes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and read back timezone-aware on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused; pass timezone-aware UTC times")
        value = value.astimezone(UTC)
        # SQLite stores text; keep it naive UTC so that comparisons in SQL order correctly.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class JsonText(TypeDecorator[Any]):
    """JSON kept as canonical text (sorted keys, no floats) on every database."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)


def _id() -> Column[int]:
    return Column("id", Integer, primary_key=True, autoincrement=True)


accounts = Table(
    "accounts",
    metadata,
    _id(),
    Column("email", String(254), nullable=False, unique=True),
    Column("display_name", String(100), nullable=False),
    Column("password_hash", String(255)),
    Column("created_at", UtcDateTime, nullable=False),
)

communes = Table(
    "communes",
    metadata,
    _id(),
    Column("slug", String(63), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("charter_version", Integer, nullable=False),
    Column("founded_at", UtcDateTime, nullable=False),
)

charters = Table(
    "charters",
    metadata,
    _id(),
    Column("commune_id", ForeignKey("communes.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("source", Text, nullable=False),
    Column("adopted_at", UtcDateTime, nullable=False),
    Column("motion_id", Integer),
    UniqueConstraint("commune_id", "version"),
)

sections = Table(
    "sections",
    metadata,
    _id(),
    Column("commune_id", ForeignKey("communes.id"), nullable=False),
    Column("slug", String(63), nullable=False),
    Column("name", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("commune_id", "slug"),
)

members = Table(
    "members",
    metadata,
    _id(),
    Column("commune_id", ForeignKey("communes.id"), nullable=False),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("section_id", ForeignKey("sections.id")),
    Column("joined_at", UtcDateTime, nullable=False),
    Column("left_at", UtcDateTime),
    UniqueConstraint("commune_id", "account_id"),
)

sponsorships = Table(
    "sponsorships",
    metadata,
    _id(),
    Column("member_id", ForeignKey("members.id"), nullable=False),
    Column("sponsor_id", ForeignKey("members.id"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("member_id", "sponsor_id"),
)

invitations = Table(
    "invitations",
    metadata,
    _id(),
    Column("commune_id", ForeignKey("communes.id"), nullable=False),
    Column("email", String(254), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("invited_by", ForeignKey("members.id"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("accepted_at", UtcDateTime),
)

motions = Table(
    "motions",
    metadata,
    _id(),
    Column("commune_id", ForeignKey("communes.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("decision_class", String(63), nullable=False),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("mover_id", ForeignKey("members.id"), nullable=False),
    Column("state", String(20), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("amends_id", ForeignKey("motions.id")),
    Column("effect", JsonText),
    Column("submitted_at", UtcDateTime),
    Column("deliberation_ends_at", UtcDateTime),
    Column("voting_opens_at", UtcDateTime),
    Column("voting_closes_at", UtcDateTime),
    Column("closed_at", UtcDateTime),
    Column("outcome", JsonText),
    Column("lapses_at", UtcDateTime),
    Column("ratified_at", UtcDateTime),
    Column("charter_version", Integer),
    UniqueConstraint("commune_id", "number"),
    Index("ix_motions_state", "state"),
    # Every command of a commune asks whether any of its motions is due in a given state.
    Index("ix_motions_commune_state", "commune_id", "state"),
)

seconds = Table(
    "seconds",
    metadata,
    _id(),
    Column("motion_id", ForeignKey("motions.id"), nullable=False),
    Column("member_id", ForeignKey("members.id"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("motion_id", "member_id"),
)

comments = Table(
    "comments",
    metadata,
    _id(),
    Column("motion_id", ForeignKey("motions.id"), nullable=False, index=True),
    Column("member_id", ForeignKey("members.id"), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# One member, one ballot: the database itself refuses a second row.
ballots = Table(
    "ballots",
    metadata,
    _id(),
    Column("motion_id", ForeignKey("motions.id"), nullable=False),
    Column("member_id", ForeignKey("members.id"), nullable=False),
    Column("choice", String(10), nullable=False),
    Column("cast_at", UtcDateTime, nullable=False),
    Column("changed_at", UtcDateTime),
    UniqueConstraint("motion_id", "member_id"),
)

# The head row of each commune's journal is locked by every command, so that
# sequence numbers never fork and ballots cannot race a close.
journal_heads = Table(
    "journal_heads",
    metadata,
    Column("commune_id", ForeignKey("communes.id"), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

journal_entries = Table(
    "journal_entries",
    metadata,
    _id(),
    Column("commune_id", ForeignKey("communes.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("type", String(100), nullable=False),
    Column("at", String(40), nullable=False),
    Column("payload", Text, nullable=False),
    Column("prev", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("motion_id", ForeignKey("motions.id"), index=True),
    UniqueConstraint("commune_id", "seq"),
)

sessions = Table(
    "sessions",
    metadata,
    _id(),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    _id(),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    _id(),
    Column("key", String(254), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_login_attempts_key_at", "key", "at"),
)

outbox = Table(
    "outbox",
    metadata,
    _id(),
    Column("commune_id", ForeignKey("communes.id")),
    Column("recipient", String(254), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("sender_id", ForeignKey("members.id")),
)
