"""The storage adapter: SQLite settings, migrations, constraints, and a tampered stored journal."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, text

from communard.adapters.storage.database import SqlDatabase, make_engine
from communard.adapters.storage.migrate import is_current, migrate
from communard.bootstrap import bootstrap
from communard.domain import journal
from communard.domain.communes import Commune
from communard.domain.votes import Ballot
from communard.errors import Conflict, InvalidInput
from communard.services import commands as c
from communard.services.access import Actor
from tests.storage.fixtures import FakeClock, fast_hasher

CHARTER = """
[charter]
format = 1
name = "Storage test"
amendment_class = "ordinary"
[membership]
admission = "open"
[classes.ordinary]
seconds = 0
deliberation = "0"
voting = "1d"
"""


def test_sqlite_runs_in_wal_mode_with_full_sync_and_foreign_keys(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/settings.db")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    engine.dispose()


def test_unusable_urls_are_refused_with_a_fix() -> None:
    for url in ("sqlite://", "mysql://localhost/x"):
        with pytest.raises(InvalidInput) as error:
            make_engine(url)
        assert error.value.code == "database.invalid_url"


def test_migrations_create_the_schema_once(fresh_database_url: str) -> None:
    engine = make_engine(fresh_database_url)
    try:
        assert not is_current(engine)
        threads = [threading.Thread(target=migrate, args=(engine,)) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert is_current(engine)
        names = set(inspect(engine).get_table_names())
        assert {
            "communes",
            "members",
            "motions",
            "ballots",
            "journal_entries",
            "journal_heads",
            "sessions",
            "outbox",
            "alembic_version",
        } <= names
        migrate(engine)
    finally:
        engine.dispose()


def _commune_with_a_vote(url: str) -> tuple[object, Actor]:
    app = bootstrap(url, clock=FakeClock(), password_hasher=fast_hasher())
    founded = app.handle(
        c.FoundCommune(
            slug="paris",
            name="Paris",
            charter=CHARTER,
            founder_email="a@example.org",
            founder_name="A",
        )
    )
    actor = Actor(founded["account"])
    app.handle(c.ProposeMotion(commune="paris", title="T", body="B"), actor)
    app.handle(c.Tick())
    app.handle(c.CastBallot(commune="paris", motion=1, choice="for"), actor)
    return app, actor


def test_one_member_one_ballot_is_a_database_constraint(database_url: str) -> None:
    app, _ = _commune_with_a_vote(database_url)
    database: SqlDatabase = app.database  # type: ignore[attr-defined]
    with database.unit_of_work() as uow:
        existing = uow.find(Ballot, choice="for")
        assert existing is not None
        with pytest.raises(Conflict):
            uow.add(
                Ballot(
                    id=None,
                    motion_id=existing.motion_id,
                    member_id=existing.member_id,
                    choice="against",
                    cast_at=datetime.now(UTC),
                )
            )
    app.close()  # type: ignore[attr-defined]


def test_an_entry_that_does_not_follow_the_head_is_refused_and_leaves_nothing(
    database_url: str,
) -> None:
    app, _ = _commune_with_a_vote(database_url)
    database: SqlDatabase = app.database  # type: ignore[attr-defined]
    with database.unit_of_work() as uow:
        commune = uow.find(Commune, slug="paris")
        assert commune is not None and commune.id is not None
        head = uow.lock_commune("paris")
        assert head is not None
        stale = journal.Head(head.seq - 1, head.hash)
        entry = journal.next_entry(
            stale, commune="paris", type="test.appended/1", at="x", payload={}
        )
        with pytest.raises(Conflict) as caught:
            uow.append_entry(commune.id, entry, None)
        assert caught.value.code in ("journal.conflict", "storage.conflict")
    with database.unit_of_work() as uow:
        assert uow.lock_commune("paris") == head
        assert not [e for e in uow.entries(commune.id) if e.type == "test.appended/1"]
    assert app.queries.verify_journal("paris").ok  # type: ignore[attr-defined]
    app.close()  # type: ignore[attr-defined]


def test_an_entry_after_the_head_moves_it(database_url: str) -> None:
    app, _ = _commune_with_a_vote(database_url)
    database: SqlDatabase = app.database  # type: ignore[attr-defined]
    with database.unit_of_work() as uow:
        commune = uow.find(Commune, slug="paris")
        assert commune is not None and commune.id is not None
        head = uow.lock_commune("paris")
        assert head is not None
        entry = journal.next_entry(
            head, commune="paris", type="test.appended/1", at="x", payload={"a": 1}
        )
        uow.append_entry(commune.id, entry, None)
        uow.commit()
    with database.unit_of_work(read_only=True) as uow:
        assert uow.head(commune.id) == journal.Head(entry.seq, entry.hash)
        assert uow.entries(commune.id, after_seq=head.seq) == [entry]
    app.close()  # type: ignore[attr-defined]


def test_times_come_back_in_utc(database_url: str) -> None:
    app, _ = _commune_with_a_vote(database_url)
    with app.database.unit_of_work(read_only=True) as uow:  # type: ignore[attr-defined]
        ballot = uow.find(Ballot, choice="for")
    assert ballot is not None and ballot.cast_at.tzinfo is not None
    assert ballot.cast_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    app.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE journal_entries SET payload = replace(payload, '\"for\"', '\"against\"') "
        "WHERE type = 'vote.cast/1'",
        "UPDATE journal_entries SET payload = replace(payload, ':', ': ') WHERE seq = 3",
        "DELETE FROM journal_entries WHERE seq = 3",
        "UPDATE journal_entries SET seq = seq + 100 WHERE seq = 2",
        "UPDATE journal_entries SET at = replace(at, '08:00', '09:00') WHERE seq = 2",
    ],
    ids=["payload", "whitespace", "deletion", "sequence", "time"],
)
def test_tampering_with_the_stored_journal_is_found(database_url: str, tamper: str) -> None:
    app, _ = _commune_with_a_vote(database_url)
    assert app.queries.verify_journal("paris").ok  # type: ignore[attr-defined]
    with app.database.engine.begin() as connection:  # type: ignore[attr-defined]
        assert connection.execute(text(tamper)).rowcount >= 1
    result = app.queries.verify_journal("paris")  # type: ignore[attr-defined]
    assert not result.ok
    assert result.bad_position is not None and result.bad_position <= 6
    app.close()  # type: ignore[attr-defined]


def test_motions_recorded_before_0002_keep_todays_charter(fresh_database_url: str) -> None:
    engine = make_engine(fresh_database_url)
    try:
        migrate(engine, "0001")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO accounts (id, email, display_name, created_at) "
                    "VALUES (1, 'a@example.org', 'A', CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO communes (id, slug, name, charter_version, founded_at) "
                    "VALUES (1, 'paris', 'Paris', 3, CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO members (id, commune_id, account_id, status, joined_at) "
                    "VALUES (1, 1, 1, 'active', CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO motions (id, commune_id, number, decision_class, title, body, "
                    "mover_id, state, created_at) "
                    "VALUES (1, 1, 1, 'ordinary', 'T', 'B', 1, 'draft', CURRENT_TIMESTAMP)"
                )
            )
        migrate(engine)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT charter_version FROM motions")).scalar() == 3
    finally:
        engine.dispose()


def test_the_migrations_build_exactly_the_tables_the_code_uses(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from communard.adapters.storage.tables import metadata

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": False})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()
