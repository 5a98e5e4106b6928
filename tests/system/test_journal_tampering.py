"""Any change to a stored journal is found by ``communard journal verify``.

The tests edit the journal's rows directly in the database, as someone with
access to the tables could: change one byte (or character) of any field of
any entry, delete an entry, insert one (even with a correct hash of its own),
or swap two entries. Each time ``journal verify`` must report the chain
broken; after the rows are put back it must pass again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from communard.adapters.cli import exit_codes, main
from communard.adapters.demo.assemblies import build
from communard.services import commands as c

TEXT_FIELDS = ("type", "at", "payload", "prev", "hash")


@pytest.fixture
def journal(make_application: Any, database_url: str) -> Iterator[tuple[Any, sa.Engine, str]]:
    """A commune whose journal holds a founding, members joining, a vote and ballots."""
    app = make_application()
    assembly = build(app, members=4)
    for index, email in enumerate(assembly.emails):
        app.handle(
            c.CastBallot(
                commune=assembly.commune,
                motion=assembly.motion,
                choice=("yes", "no", "abstain", "yes")[index],
            ),
            assembly.actors[email],
        )
    engine = sa.create_engine(database_url)
    yield app, engine, assembly.commune
    engine.dispose()


def rows(engine: sa.Engine) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        result = connection.execute(sa.text("SELECT * FROM journal_entries ORDER BY seq"))
        return [dict(row._mapping) for row in result]


def restore(engine: sa.Engine, original: list[dict[str, Any]]) -> None:
    """Put the journal's rows back exactly as they were."""
    columns = list(original[0])
    insert = sa.text(
        f"INSERT INTO journal_entries ({', '.join(columns)}) "
        f"VALUES ({', '.join(':' + c for c in columns)})"
    )
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM journal_entries"))
        connection.execute(insert, original)


def edited(text: str, position: int) -> str:
    """``text`` with the character at ``position`` replaced by another printable one."""
    char = text[position]
    other = "0" if char != "0" else "1"
    if char.isalpha():
        other = "x" if char != "x" else "y"
    return text[:position] + other + text[position + 1 :]


def positions(length: int) -> list[int]:
    """Where to change a field: its first, middle and last character."""
    return sorted({0, length // 2, length - 1})


def tamperings(original: list[dict[str, Any]]) -> Iterator[tuple[str, Callable[[Any], None]]]:
    """Every tampering of the journal to try: (description, function of a connection)."""
    for row in original:
        ident = row["id"]
        for field in TEXT_FIELDS:
            value = str(row[field])
            for position in positions(len(value)):
                new = edited(value, position)

                def change(
                    conn: Any, field: str = field, new: str = new, ident: int = ident
                ) -> None:
                    conn.execute(
                        sa.text(f"UPDATE journal_entries SET {field} = :v WHERE id = :i"),
                        {"v": new, "i": ident},
                    )

                yield f"seq {row['seq']}: {field}[{position}] changed", change

        def delete(conn: Any, ident: int = ident) -> None:
            conn.execute(sa.text("DELETE FROM journal_entries WHERE id = :i"), {"i": ident})

        yield f"seq {row['seq']}: deleted", delete

    last = original[-1]
    for row in original:
        seq = row["seq"]

        def insert(conn: Any, seq: int = seq) -> None:
            # Make room at ``seq`` (moving later entries up, highest first for the
            # unique key), then insert a forged entry whose own hash is correct.
            for later in sorted((r for r in original if r["seq"] >= seq), key=lambda r: -r["seq"]):
                conn.execute(
                    sa.text("UPDATE journal_entries SET seq = :s WHERE id = :i"),
                    {"s": later["seq"] + 1, "i": later["id"]},
                )
            before = [r for r in original if r["seq"] == seq - 1]
            prev = before[0]["hash"] if before else "0" * 64
            forged = forged_entry(last, seq=seq, prev=prev)
            conn.execute(
                sa.text(
                    "INSERT INTO journal_entries (commune_id, seq, type, at, payload, prev, hash)"
                    " VALUES (:commune_id, :seq, :type, :at, :payload, :prev, :hash)"
                ),
                forged,
            )

        yield f"forged entry inserted at seq {seq}", insert

    def append(conn: Any) -> None:
        forged = forged_entry(last, seq=last["seq"] + 1, prev=last["hash"])
        conn.execute(
            sa.text(
                "INSERT INTO journal_entries (commune_id, seq, type, at, payload, prev, hash)"
                " VALUES (:commune_id, :seq, :type, :at, :payload, :prev, :hash)"
            ),
            forged,
        )

    yield "forged entry appended after the head", append

    for first, second in [(a, b) for a in original for b in original if a["seq"] < b["seq"]][::7]:

        def swap(conn: Any, a: dict[str, Any] = first, b: dict[str, Any] = second) -> None:
            for ident, seq in ((a["id"], -1), (b["id"], a["seq"]), (a["id"], b["seq"])):
                conn.execute(
                    sa.text("UPDATE journal_entries SET seq = :s WHERE id = :i"),
                    {"s": seq, "i": ident},
                )

        yield f"seq {first['seq']} and {second['seq']} swapped", swap


def forged_entry(model: dict[str, Any], *, seq: int, prev: str) -> dict[str, Any]:
    """An entry a forger could write: well-formed, with its own hash computed correctly."""
    payload = {"motion": 1, "choice": "for", "member": 1, "name": "A forger"}
    body = {
        "at": model["at"],
        "commune": "assembly",
        "payload": payload,
        "prev": prev,
        "seq": seq,
        "type": "vote.cast/1",
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return {
        "commune_id": model["commune_id"],
        "seq": seq,
        "type": "vote.cast/1",
        "at": model["at"],
        "payload": json.dumps(payload, sort_keys=True, separators=(",", ":")),
        "prev": prev,
        "hash": hashlib.sha256(text.encode()).hexdigest(),
    }


def verify(app: Any, database_url: str) -> bool:
    """Whether ``communard journal verify`` passes (run in-process on ``app``)."""
    result = CliRunner().invoke(
        main, ["--db", database_url, "journal", "verify"], obj={"application": app}
    )
    assert result.exit_code in (0, exit_codes.JOURNAL_BROKEN), result.output
    assert "Traceback" not in result.output
    return result.exit_code == 0


def test_every_tampering_is_detected(
    journal: tuple[Any, sa.Engine, str], database_url: str
) -> None:
    app, engine, _slug = journal
    original = rows(engine)
    assert verify(app, database_url)
    # Every case on SQLite; on PostgreSQL (the same rows, another engine) every third.
    step = 1 if database_url.startswith("sqlite") else 3
    undetected = []
    cases = 0
    for index, (description, tamper) in enumerate(tamperings(original)):
        if index % step:
            continue
        cases += 1
        with engine.begin() as connection:
            tamper(connection)
        if verify(app, database_url):
            undetected.append(description)
        restore(engine, original)
    assert cases * step > 150
    assert undetected == [], f"journal verify did not notice: {undetected}"
    assert verify(app, database_url)


def test_journal_verify_names_the_first_bad_entry(
    journal: tuple[Any, sa.Engine, str], database_url: str
) -> None:
    _app, engine, _slug = journal
    original = rows(engine)
    runner = CliRunner()

    intact = runner.invoke(main, ["--db", database_url, "journal", "verify"])
    assert intact.exit_code == 0, intact.output
    assert "chain intact" in intact.output

    victim = original[5]
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE journal_entries SET payload = :p WHERE id = :i"),
            {"p": edited(victim["payload"], len(victim["payload"]) // 2), "i": victim["id"]},
        )
    broken = runner.invoke(main, ["--db", database_url, "journal", "verify"])
    assert broken.exit_code == exit_codes.JOURNAL_BROKEN
    assert f"seq {victim['seq']}" in broken.output
    assert "Traceback" not in broken.output

    as_json = runner.invoke(main, ["--db", database_url, "--json", "journal", "verify"])
    assert as_json.exit_code == exit_codes.JOURNAL_BROKEN
    report = json.loads(as_json.stdout)
    assert report[0]["ok"] is False
    assert report[0]["bad_seq"] == victim["seq"]

    restore(engine, original)
    assert runner.invoke(main, ["--db", database_url, "journal", "verify"]).exit_code == 0
