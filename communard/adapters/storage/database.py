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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    and_,
    bindparam,
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
from communard.services.ports import EnteredCommune, OutboxMail

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
    def unit_of_work(
        self, *, read_only: bool = False, single: bool = False
    ) -> Iterator[SqlUnitOfWork]:
        connection = self.engine.connect()
        if read_only:
            connection = connection.execution_options(read_only=True)
            if self.engine.dialect.name == "postgresql" and single:
                # One statement is its own snapshot: without BEGIN and ROLLBACK it takes one
                # round trip instead of three.
                connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            elif self.engine.dialect.name == "postgresql":
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

    def _execute(self, statement: Any, params: dict[str, Any] | None = None) -> Any:
        try:
            return self.connection.execute(statement, params)
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
        result = self._execute(_insert_statement(table), values)
        record.id = result.scalar_one()  # type: ignore[attr-defined]
        return record

    def update(self, record: Any) -> None:
        table = TABLES[type(record)]
        values = {
            f.name: getattr(record, f.name) for f in dataclasses.fields(record) if f.name != "id"
        }
        values[_PK] = record.id
        self._execute(_update_statement(table, ()), values)

    def _build(self, kind: type[T], row: Any) -> T:
        mapping = row._mapping
        return kind(**{name: mapping[name] for name in _field_names(kind)})

    def find(self, kind: type[T], **where: Any) -> T | None:
        table = TABLES[kind]
        shape, params = _shape(where)
        row = self._execute(_find_statement(table, shape), params).first()
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
        shape, params = _shape(where)
        query = (
            select(table)
            .where(*_clauses(table, shape))
            .order_by(column.desc() if descending else column, table.c.id)
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        return [self._build(kind, row) for row in self._execute(query, params)]

    def count(self, kind: type[Any], **where: Any) -> int:
        table = TABLES[kind]
        shape, params = _shape(where)
        return int(self._execute(_count_statement(table, shape), params).scalar_one())

    def delete(self, kind: type[Any], **where: Any) -> int:
        table = TABLES[kind]
        shape, params = _shape(where)
        statement = sql_delete(table).where(*_clauses(table, shape))
        return int(self._execute(statement, params).rowcount)

    def claim(
        self, kind: type[Any], record_id: int, expected: dict[str, Any], changes: dict[str, Any]
    ) -> bool:
        table = TABLES[kind]
        shape, params = _shape(expected)
        params.update(changes)
        params[_PK] = record_id
        return int(self._execute(_update_statement(table, shape), params).rowcount) == 1

    def due_motions(self, now: datetime, commune_id: int | None = None) -> list[Motion]:
        statement = _due_statement(commune_id is not None)
        params = {"now": now, "commune_id": commune_id}
        return [self._build(Motion, row) for row in self._execute(statement, params)]

    def enter_commune(self, slug: str, account_id: int | None, now: datetime) -> EnteredCommune:
        row = self._execute(
            _enter_statement(), {"slug": slug, "account_id": account_id, "now": now}
        ).first()
        if row is None:
            return EnteredCommune(None, None, "", False)
        mapping = row._mapping
        commune = self._build(Commune, row)
        member = None
        if mapping["m_id"] is not None:
            member = Member(**{name: mapping["m_" + name] for name in _field_names(Member)})
        return EnteredCommune(commune, member, mapping["m_display_name"] or "", bool(row.due))

    def motion_and_ballot(
        self, commune_id: int, number: int, member_id: int | None
    ) -> tuple[Motion | None, Ballot | None]:
        row = self._execute(
            _motion_and_ballot_statement(),
            {"commune_id": commune_id, "number": number, "member_id": member_id},
        ).first()
        if row is None:
            return None, None
        mapping = row._mapping
        motion = self._build(Motion, row)
        ballot = None
        if mapping["b_id"] is not None:
            ballot = Ballot(**{name: mapping["b_" + name] for name in _field_names(Ballot)})
        return motion, ballot

    def session_and_account(self, token_hash: str) -> tuple[Session, Account] | None:
        row = self._execute(_session_statement(), {"token_hash": token_hash}).first()
        if row is None:
            return None
        mapping = row._mapping
        account = Account(**{name: mapping["a_" + name] for name in _field_names(Account)})
        return self._build(Session, row), account

    def member_names(self, commune_id: int) -> dict[int, str]:
        rows = self._execute(_member_names_statement(), {"commune_id": commune_id})
        return {row.id: row.display_name or "" for row in rows}

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
        row = self._execute(_lock_statement(), {"slug": slug}).first()
        return None if row is None else Head(row.seq, row.hash)

    def head(self, commune_id: int) -> Head:
        row = self._execute(_head_statement(), {"commune_id": commune_id}).first()
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
        params = {
            "e_commune_id": commune_id,
            "e_seq": entry.seq,
            "e_type": entry.type,
            "e_at": entry.at,
            "e_payload": canonical(entry.payload).decode("utf-8"),
            "e_prev": entry.prev,
            "e_hash": entry.hash,
            "e_motion_id": motion_id,
            "w_commune_id": commune_id,
            "w_seq": entry.seq - 1,
        }
        if self.connection.dialect.name == "postgresql":
            # The entry and the head it moves, in one round trip.
            result = self._execute(_append_and_advance_statement(), params)
        else:
            self._execute(_append_statement(), params)
            result = self._execute(_advance_head_statement(), params)
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


# Statements built once per shape and reused. Building a SQLAlchemy expression and its cache
# key costs more Python time than a short indexed query takes to run, so the hot statements
# are made once with bound parameters; only the values change from one command to the next.
# They hold no data, so sharing them between engines, threads and databases is safe.

_PK = "pk_"
_STATEMENTS: dict[tuple[Any, ...], Any] = {}
Shape = tuple[tuple[str, str], ...]


def _statement(key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    statement = _STATEMENTS.get(key)
    if statement is None:
        statement = _STATEMENTS[key] = build()
    return statement


_FIELDS: dict[type[Any], tuple[str, ...]] = {}


def _field_names(kind: type[Any]) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names


def _shape(where: dict[str, Any]) -> tuple[Shape, dict[str, Any]]:
    """How a ``where`` dict filters (``is null``, ``in`` or ``=`` per column) and its values."""
    shape: list[tuple[str, str]] = []
    params: dict[str, Any] = {}
    for name, value in where.items():
        if value is None:
            shape.append((name, "null"))
        elif isinstance(value, list | tuple | set | frozenset):
            shape.append((name, "in"))
            params["w_" + name] = list(value)
        else:
            shape.append((name, "eq"))
            params["w_" + name] = value
    return tuple(shape), params


def _clauses(table: Table, shape: Shape) -> list[Any]:
    clauses: list[Any] = []
    for name, how in shape:
        column = table.c[name]
        if how == "null":
            clauses.append(column.is_(None))
        elif how == "in":
            clauses.append(column.in_(bindparam("w_" + name, expanding=True)))
        else:
            clauses.append(column == bindparam("w_" + name))
    return clauses


def _find_statement(table: Table, shape: Shape) -> Any:
    return _statement(
        ("find", table.name, shape),
        lambda: select(table).where(*_clauses(table, shape)).limit(2),
    )


def _count_statement(table: Table, shape: Shape) -> Any:
    return _statement(
        ("count", table.name, shape),
        lambda: select(func.count()).select_from(table).where(*_clauses(table, shape)),
    )


def _insert_statement(table: Table) -> Any:
    return _statement(("insert", table.name), lambda: insert(table).returning(table.c.id))


def _due_time(now: Any) -> Any:
    m = t.motions.c
    # The redundant IN lets the (commune, state) index skip settled and drafted motions.
    return and_(
        m.state.in_(("voting", "deliberation", "adopted")),
        or_(
            and_(m.state == "voting", m.voting_closes_at <= now),
            and_(m.state == "deliberation", m.deliberation_ends_at <= now),
            and_(m.state == "adopted", m.lapses_at <= now, m.ratified_at.is_(None)),
        ),
    )


def _due_statement(in_commune: bool) -> Any:
    def build() -> Any:
        m = t.motions.c
        query = select(t.motions).where(_due_time(bindparam("now")))
        if in_commune:
            query = query.where(m.commune_id == bindparam("commune_id"))
        return query.order_by(m.commune_id, m.number)

    return _statement(("due", in_commune), build)


def _lock_statement() -> Any:
    def build() -> Any:
        heads, communes = t.journal_heads, t.communes
        commune_id = select(communes.c.id).where(communes.c.slug == bindparam("slug"))
        return (
            select(heads.c.seq, heads.c.hash)
            .where(heads.c.commune_id == commune_id.scalar_subquery())
            .with_for_update()
        )

    return _statement(("lock",), build)


def _head_statement() -> Any:
    heads = t.journal_heads
    return _statement(
        ("head",),
        lambda: select(heads.c.seq, heads.c.hash).where(
            heads.c.commune_id == bindparam("commune_id")
        ),
    )


def _enter_statement() -> Any:
    # The commune, the actor's membership with their display name (the journal names who
    # acts), and whether time has made anything due: one round trip instead of four. It is
    # run after the head is locked, as its own statement, so that it reads what the
    # previous holder of the lock committed.
    def build() -> Any:
        communes, members, accounts, motions = t.communes, t.members, t.accounts, t.motions
        due = (
            select(motions.c.id)
            .where(
                motions.c.commune_id == communes.c.id,
                _due_time(bindparam("now")),
            )
            .exists()
        )
        return (
            select(
                communes,
                *[column.label("m_" + column.name) for column in members.c],
                accounts.c.display_name.label("m_display_name"),
                due.label("due"),
            )
            .select_from(
                communes.outerjoin(
                    members,
                    and_(
                        members.c.commune_id == communes.c.id,
                        members.c.account_id == bindparam("account_id"),
                    ),
                ).outerjoin(accounts, accounts.c.id == members.c.account_id)
            )
            .where(communes.c.slug == bindparam("slug"))
        )

    return _statement(("enter",), build)


def _motion_and_ballot_statement() -> Any:
    def build() -> Any:
        motions, ballots = t.motions, t.ballots
        return (
            select(motions, *[column.label("b_" + column.name) for column in ballots.c])
            .select_from(
                motions.outerjoin(
                    ballots,
                    and_(
                        ballots.c.motion_id == motions.c.id,
                        ballots.c.member_id == bindparam("member_id"),
                    ),
                )
            )
            .where(
                motions.c.commune_id == bindparam("commune_id"),
                motions.c.number == bindparam("number"),
            )
        )

    return _statement(("motion_and_ballot",), build)


def _session_statement() -> Any:
    def build() -> Any:
        sessions, accounts = t.sessions, t.accounts
        return (
            select(sessions, *[column.label("a_" + column.name) for column in accounts.c])
            .select_from(sessions.join(accounts, accounts.c.id == sessions.c.account_id))
            .where(sessions.c.token_hash == bindparam("token_hash"))
        )

    return _statement(("session",), build)


def _member_names_statement() -> Any:
    def build() -> Any:
        members, accounts = t.members, t.accounts
        return (
            select(members.c.id, accounts.c.display_name)
            .select_from(members.outerjoin(accounts, accounts.c.id == members.c.account_id))
            .where(members.c.commune_id == bindparam("commune_id"))
        )

    return _statement(("member_names",), build)


def _append_statement() -> Any:
    je = t.journal_entries
    return _statement(
        ("append",),
        lambda: insert(je).values(
            {column.name: bindparam("e_" + column.name) for column in je.c if column.name != "id"}
        ),
    )


def _append_and_advance_statement() -> Any:
    # PostgreSQL runs a data-modifying WITH clause exactly once, with the statement: the
    # UPDATE's row count still says whether the head was where the entry expects it.
    def build() -> Any:
        entry = _append_statement().returning(t.journal_entries.c.id).cte("entry")
        return _advance_head_statement().add_cte(entry)

    return _statement(("append_and_advance",), build)


def _advance_head_statement() -> Any:
    heads = t.journal_heads
    return _statement(
        ("advance",),
        lambda: (
            sql_update(heads)
            .where(
                heads.c.commune_id == bindparam("w_commune_id"), heads.c.seq == bindparam("w_seq")
            )
            .values(seq=bindparam("e_seq"), hash=bindparam("e_hash"))
        ),
    )


def _update_statement(table: Table, shape: Shape) -> Any:
    # The SET clause comes from the column names among the parameters of each execution.
    return _statement(
        ("update", table.name, shape),
        lambda: sql_update(table).where(table.c.id == bindparam(_PK), *_clauses(table, shape)),
    )


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
