"""The SQL database: engines for SQLite and PostgreSQL, and the unit of work.

SQLite runs in WAL mode with ``synchronous=FULL``, foreign keys on and a busy
timeout; every write transaction begins with ``BEGIN IMMEDIATE`` so that
concurrent writers wait their turn instead of failing half-way. On
PostgreSQL every command locks its commune's journal head row
(``SELECT ... FOR UPDATE``), which serializes the commune's commands.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    and_,
    create_engine,
    event,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy import delete as sql_delete
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError, OperationalError

from communard.adapters.storage import tables as t
from communard.domain.accounts import Account, ApiToken, LoginAttempt, Session
from communard.domain.charters import CharterVersion
from communard.domain.communes import Commune
from communard.domain.journal import Head, JournalEntry, canonical
from communard.domain.members import Invitation, Member, Sponsorship
from communard.domain.motions import Comment, Motion, Second
from communard.domain.sections import Section
from communard.domain.votes import Ballot
from communard.errors import Conflict, InvalidInput
from communard.services.ports import OutboxMail

T = TypeVar("T")

TABLES: dict[type[Any], Table] = {
    Account: t.accounts,
    ApiToken: t.api_tokens,
    Ballot: t.ballots,
    CharterVersion: t.charters,
    Comment: t.comments,
    Commune: t.communes,
    Invitation: t.invitations,
    LoginAttempt: t.login_attempts,
    Member: t.members,
    Motion: t.motions,
    OutboxMail: t.outbox,
    Second: t.seconds,
    Section: t.sections,
    Session: t.sessions,
    Sponsorship: t.sponsorships,
}

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=60000",
)


def make_engine(database_url: str) -> Engine:
    """An engine for ``sqlite:///FILE`` or ``postgresql+psycopg://...``."""
    if database_url.startswith("sqlite"):
        if database_url in ("sqlite://", "sqlite:///:memory:") or ":memory:" in database_url:
            raise InvalidInput(
                "database_url",
                database_url,
                "use a file, such as sqlite:///communard.db (an in-memory database is not "
                "shared between connections).",
                code="database.invalid_url",
            )
        engine = create_engine(
            database_url,
            connect_args={"timeout": 60, "check_same_thread": False},
            pool_size=20,
            max_overflow=40,
            pool_timeout=120,
        )
        _configure_sqlite(engine)
        return engine
    if database_url.startswith(("postgresql+psycopg://", "postgresql://")):
        url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
        # No pre-ping: it would cost a round trip per command; a dropped connection fails
        # one command and the pool replaces it.
        return create_engine(
            url, pool_size=10, max_overflow=30, pool_timeout=120, pool_recycle=1800
        )
    raise InvalidInput(
        "database_url",
        database_url,
        "use sqlite:///FILE or postgresql+psycopg://USER@HOST/DATABASE.",
        code="database.invalid_url",
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so that BEGIN IMMEDIATE is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        # A deferred transaction that later writes can fail with SQLITE_BUSY instead of
        # waiting; taking the write lock at BEGIN makes writers queue in busy_timeout.
        if connection.get_execution_options().get("read_only"):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


class SqlDatabase:
    """Units of work over one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def unit_of_work(self, *, read_only: bool = False) -> Iterator[SqlUnitOfWork]:
        connection = self.engine.connect()
        if read_only:
            connection = connection.execution_options(read_only=True)
            if self.engine.dialect.name == "postgresql":
                # One snapshot for the whole read, so a page's tally and roll call agree.
                connection = connection.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
        try:
            connection.begin()
            uow = SqlUnitOfWork(connection)
            try:
                yield uow
            finally:
                if connection.in_transaction():
                    connection.rollback()
        finally:
            connection.close()

    def dispose(self) -> None:
        self.engine.dispose()


class SqlUnitOfWork:
    """One transaction; see ``communard.services.ports.UnitOfWork``."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def _execute(self, statement: Any) -> Any:
        try:
            return self.connection.execute(statement)
        except IntegrityError as exc:
            raise Conflict(
                "That would duplicate or contradict what is already recorded.",
                code="storage.conflict",
                hint="Reload and try again.",
            ) from exc

    def add(self, record: T) -> T:
        table = TABLES[type(record)]
        values = {
            f.name: getattr(record, f.name)
            for f in dataclasses.fields(record)  # type: ignore[arg-type]
            if f.name != "id"
        }
        result = self._execute(insert(table).values(**values).returning(table.c.id))
        record.id = result.scalar_one()  # type: ignore[attr-defined]
        return record

    def update(self, record: Any) -> None:
        table = TABLES[type(record)]
        values = {
            f.name: getattr(record, f.name) for f in dataclasses.fields(record) if f.name != "id"
        }
        self._execute(sql_update(table).where(table.c.id == record.id).values(**values))

    def _where(self, table: Table, where: dict[str, Any]) -> list[Any]:
        clauses = []
        for name, value in where.items():
            column = table.c[name]
            if value is None:
                clauses.append(column.is_(None))
            elif isinstance(value, list | tuple | set | frozenset):
                clauses.append(column.in_(list(value)))
            else:
                clauses.append(column == value)
        return clauses

    def _build(self, kind: type[T], row: Any) -> T:
        mapping = row._mapping
        names = [f.name for f in dataclasses.fields(kind)]  # type: ignore[arg-type]
        return kind(**{name: mapping[name] for name in names})

    def find(self, kind: type[T], **where: Any) -> T | None:
        table = TABLES[kind]
        row = self._execute(select(table).where(*self._where(table, where)).limit(2)).first()
        return None if row is None else self._build(kind, row)

    def find_all(
        self,
        kind: type[T],
        *,
        order_by: str = "id",
        descending: bool = False,
        limit: int | None = None,
        offset: int = 0,
        **where: Any,
    ) -> list[T]:
        table = TABLES[kind]
        column = table.c[order_by]
        query = (
            select(table)
            .where(*self._where(table, where))
            .order_by(column.desc() if descending else column, table.c.id)
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        return [self._build(kind, row) for row in self._execute(query)]

    def count(self, kind: type[Any], **where: Any) -> int:
        table = TABLES[kind]
        query = select(func.count()).select_from(table).where(*self._where(table, where))
        return int(self._execute(query).scalar_one())

    def delete(self, kind: type[Any], **where: Any) -> int:
        table = TABLES[kind]
        return int(self._execute(sql_delete(table).where(*self._where(table, where))).rowcount)

    def claim(
        self, kind: type[Any], record_id: int, expected: dict[str, Any], changes: dict[str, Any]
    ) -> bool:
        table = TABLES[kind]
        statement = (
            sql_update(table)
            .where(table.c.id == record_id, *self._where(table, expected))
            .values(**changes)
        )
        return int(self._execute(statement).rowcount) == 1

    def due_motions(self, now: datetime, commune_id: int | None = None) -> list[Motion]:
        m = t.motions.c
        query = (
            select(t.motions)
            .where(
                or_(
                    and_(m.state == "voting", m.voting_closes_at <= now),
                    and_(m.state == "deliberation", m.deliberation_ends_at <= now),
                    and_(m.state == "adopted", m.lapses_at <= now, m.ratified_at.is_(None)),
                )
            )
            .order_by(m.commune_id, m.number)
        )
        if commune_id is not None:
            query = query.where(m.commune_id == commune_id)
        return [self._build(Motion, row) for row in self._execute(query)]

    def next_number(self, commune_id: int) -> int:
        query = select(func.coalesce(func.max(t.motions.c.number), 0)).where(
            t.motions.c.commune_id == commune_id
        )
        return int(self._execute(query).scalar_one()) + 1

    def create_head(self, commune_id: int) -> Head:
        head = Head()
        self._execute(
            insert(t.journal_heads).values(commune_id=commune_id, seq=head.seq, hash=head.hash)
        )
        return head

    def lock_commune(self, slug: str) -> Head | None:
        heads = t.journal_heads
        commune_id = select(t.communes.c.id).where(t.communes.c.slug == slug).scalar_subquery()
        query = select(heads.c.seq, heads.c.hash).where(heads.c.commune_id == commune_id)
        row = self._execute(query.with_for_update()).first()
        return None if row is None else Head(row.seq, row.hash)

    def head(self, commune_id: int) -> Head:
        heads = t.journal_heads
        row = self._execute(
            select(heads.c.seq, heads.c.hash).where(heads.c.commune_id == commune_id)
        ).first()
        return Head() if row is None else Head(row.seq, row.hash)

    def head_and_last_seq(self, commune_id: int) -> tuple[Head, int]:
        # One statement, so the head and the last stored entry come from one snapshot
        # on both databases (a command moves both in one transaction).
        heads, je = t.journal_heads, t.journal_entries
        last = (
            select(func.coalesce(func.max(je.c.seq), 0))
            .where(je.c.commune_id == commune_id)
            .scalar_subquery()
        )
        row = self._execute(
            select(heads.c.seq, heads.c.hash, last.label("last")).where(
                heads.c.commune_id == commune_id
            )
        ).first()
        if row is None:
            return Head(), int(self._execute(select(last)).scalar_one())
        return Head(row.seq, row.hash), int(row.last)

    def append_entry(self, commune_id: int, entry: JournalEntry, motion_id: int | None) -> None:
        self._execute(
            insert(t.journal_entries).values(
                commune_id=commune_id,
                seq=entry.seq,
                type=entry.type,
                at=entry.at,
                payload=canonical(entry.payload).decode("utf-8"),
                prev=entry.prev,
                hash=entry.hash,
                motion_id=motion_id,
            )
        )
        heads = t.journal_heads
        result = self._execute(
            sql_update(heads)
            .where(heads.c.commune_id == commune_id, heads.c.seq == entry.seq - 1)
            .values(seq=entry.seq, hash=entry.hash)
        )
        if result.rowcount != 1:
            raise Conflict(
                "The journal moved on while this command ran.",
                code="journal.conflict",
                hint="Try again.",
            )

    def entries(
        self,
        commune_id: int,
        *,
        after_seq: int = 0,
        before_seq: int | None = None,
        limit: int | None = None,
        motion_id: int | None = None,
        descending: bool = False,
    ) -> list[JournalEntry]:
        je = t.journal_entries
        query = (
            select(je, t.communes.c.slug)
            .join(t.communes, t.communes.c.id == je.c.commune_id)
            .where(je.c.commune_id == commune_id, je.c.seq > after_seq)
            .order_by(je.c.seq.desc() if descending else je.c.seq)
        )
        if before_seq is not None:
            query = query.where(je.c.seq < before_seq)
        if motion_id is not None:
            query = query.where(je.c.motion_id == motion_id)
        if limit is not None:
            query = query.limit(limit)
        return [_entry(row) for row in self._execute(query)]

    def commit(self) -> None:
        try:
            self.connection.commit()
        except IntegrityError as exc:
            raise Conflict(
                "That would duplicate or contradict what is already recorded.",
                code="storage.conflict",
                hint="Reload and try again.",
            ) from exc

    def rollback(self) -> None:
        self.connection.rollback()


def _entry(row: Any) -> JournalEntry:
    try:
        payload = json.loads(row.payload)
        if canonical(payload).decode("utf-8") != row.payload:
            raise ValueError("not canonical")
    except (ValueError, TypeError):
        # Keep the stored bytes visible: the entry's hash then fails, naming this entry.
        payload = {"unreadable": row.payload}
    return JournalEntry(
        commune=row.slug,
        seq=row.seq,
        type=row.type,
        at=row.at,
        payload=payload,
        prev=row.prev,
        hash=row.hash,
    )


__all__ = ["OperationalError", "SqlDatabase", "SqlUnitOfWork", "make_engine"]
