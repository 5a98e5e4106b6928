"""``communard receipt verify``: receipts checked against a published board and the journal."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communard.adapters.cli import main
from communard.domain import journal, secrecy
from communard.services import ballot_secrecy as bs

COMMUNE = "oberkampf"
VOTE = "oberkampf/12"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def journal_with(board: secrecy.BulletinBoard | None, *, vote: str = VOTE) -> bytes:
    """A journal export: a few acts, then the board's anchoring entry (when given)."""
    head = journal.Head()
    entries = []
    items: list[tuple[str, dict[str, object]]] = [
        ("commune.founded/1", {"name": "Rue Oberkampf"}),
        ("motion.proposed/1", {"number": 12}),
    ]
    if board is not None:
        payload = secrecy.board_entry_payload(board)
        payload["vote"] = vote
        items.append((secrecy.BOARD_ENTRY_TYPE, payload))
    for n, (kind, payload) in enumerate(items):
        entry = journal.next_entry(
            head, commune=COMMUNE, type=kind, at=f"1871-03-28T1{n}:00:00+00:00", payload=payload
        )
        entries.append(entry)
        head = journal.Head(entry.seq, entry.hash)
    return journal.export(entries)


@pytest.fixture
def published(tmp_path: Path) -> tuple[list[str], Path, Path]:
    """A closed secret vote of five real sealed ballots: receipts, board file, journal file."""
    ceremony = bs.make_tally_key(VOTE, k=2, n=3)
    sealed = [
        bs.seal_ballot(ceremony.tally_key.public_key, {"choice": c}, size=256)
        for c in ("for", "for", "against", "abstain", "for")
    ]
    opened = bs.close_with_shares(
        COMMUNE, ceremony.tally_key, ceremony.shares[1:], [s.ciphertext for s in sealed]
    )
    board_file = tmp_path / "board.json"
    board_file.write_text(json.dumps(opened.board.to_json()), encoding="utf-8")
    journal_file = tmp_path / "journal.jsonl"
    journal_file.write_bytes(journal_with(opened.board))
    return [s.receipt for s in sealed], board_file, journal_file


def test_every_receipt_verifies_against_the_journal(
    published: tuple[list[str], Path, Path],
) -> None:
    receipts, board_file, journal_file = published
    for code in receipts:
        result = run(
            "receipt", "verify", code, "--board", str(board_file), "--journal", str(journal_file)
        )
        assert result.exit_code == 0, result.output
        assert "your ballot was counted" in result.stdout
        assert "journal entry seq 3" in result.stdout


def test_a_receipt_verifies_against_the_board_hash_and_reports_json(
    published: tuple[list[str], Path, Path],
) -> None:
    receipts, board_file, _ = published
    board = secrecy.parse_board(json.loads(board_file.read_text(encoding="utf-8")))
    result = run(
        "--json",
        "receipt",
        "verify",
        receipts[0].upper(),
        "--board",
        str(board_file),
        "--board-hash",
        board.hash(),
    )
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["ok"] is True and found["receipt"] == receipts[0]
    assert found["ballots"] == 5 and found["anchored_by"] == ["--board-hash"]


def test_a_receipt_not_on_the_board_fails(published: tuple[list[str], Path, Path]) -> None:
    _, board_file, journal_file = published
    stranger = secrecy.receipt(b"a ballot that was never cast")
    result = run(
        "receipt", "verify", stranger, "--board", str(board_file), "--journal", str(journal_file)
    )
    assert result.exit_code == 1
    assert "NOT on the bulletin board" in result.stderr
    assert "receipt.not_verified" in result.stderr


def test_a_board_swapped_after_publication_fails(
    published: tuple[list[str], Path, Path], tmp_path: Path
) -> None:
    # The operator replaces a receipt: the board no longer matches the journal's hash.
    receipts, board_file, journal_file = published
    document = json.loads(board_file.read_text(encoding="utf-8"))
    victim = document["receipts"][0]
    document["receipts"][0] = secrecy.receipt(b"stuffed")
    document["receipts"].sort()
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(document), encoding="utf-8")
    someone = next(r for r in receipts if r != victim)
    result = run(
        "receipt", "verify", someone, "--board", str(forged), "--journal", str(journal_file)
    )
    assert result.exit_code == 1
    assert "not the published one" in result.stderr


def test_a_spoiled_receipt_fails(tmp_path: Path) -> None:
    board = secrecy.board_of(
        COMMUNE, VOTE, [b"x" * 60, b"y" * 60], spoiled=[secrecy.receipt(b"y" * 60)]
    )
    board_file = tmp_path / "spoiled.json"
    board_file.write_text(json.dumps(board.to_json()), encoding="utf-8")
    result = run(
        "receipt",
        "verify",
        secrecy.receipt(b"y" * 60),
        "--board",
        str(board_file),
        "--board-hash",
        board.hash(),
    )
    assert result.exit_code == 1
    assert "NOT counted" in result.stderr
    fine = run(
        "--json",
        "receipt",
        "verify",
        secrecy.receipt(b"x" * 60),
        "--board",
        str(board_file),
        "--board-hash",
        board.hash(),
    )
    assert fine.exit_code == 0, fine.output
    assert json.loads(fine.stdout)["counted"] == 1


def test_a_broken_journal_fails(published: tuple[list[str], Path, Path], tmp_path: Path) -> None:
    receipts, board_file, journal_file = published
    text = journal_file.read_text(encoding="utf-8").replace("Rue Oberkampf", "Rue Ober")
    broken = tmp_path / "broken.jsonl"
    broken.write_text(text, encoding="utf-8")
    result = run(
        "receipt", "verify", receipts[0], "--board", str(board_file), "--journal", str(broken)
    )
    assert result.exit_code == 1
    assert "receipt.journal_broken" in result.stderr


def test_a_journal_without_the_board_fails(
    published: tuple[list[str], Path, Path], tmp_path: Path
) -> None:
    receipts, board_file, _ = published
    other = tmp_path / "other.jsonl"
    other.write_bytes(journal_with(None))
    result = run(
        "receipt", "verify", receipts[0], "--board", str(board_file), "--journal", str(other)
    )
    assert result.exit_code == 1
    assert "records no bulletin board" in result.stderr


def test_an_unanchored_board_an_unreadable_board_and_a_bad_receipt_fail(
    published: tuple[list[str], Path, Path], tmp_path: Path
) -> None:
    receipts, board_file, journal_file = published
    alone = run("receipt", "verify", receipts[0], "--board", str(board_file))
    assert alone.exit_code == 1 and "receipt.board_unanchored" in alone.stderr
    missing = run(
        "receipt",
        "verify",
        receipts[0],
        "--board",
        str(tmp_path / "absent.json"),
        "--journal",
        str(journal_file),
    )
    assert missing.exit_code == 1 and "receipt.board_unreadable" in missing.stderr
    junk = tmp_path / "junk.json"
    junk.write_text('{"receipts": []}', encoding="utf-8")
    invalid = run(
        "receipt", "verify", receipts[0], "--board", str(junk), "--journal", str(journal_file)
    )
    assert invalid.exit_code == 1 and "receipt.board_invalid" in invalid.stderr
    bad = run(
        "receipt", "verify", "12ab", "--board", str(board_file), "--journal", str(journal_file)
    )
    assert bad.exit_code == 1 and "receipt.invalid" in bad.stderr
    assert run("receipt", "verify", "--help").exit_code == 0


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """An http address serving tmp_path (the board as a commune's site would publish it)."""
    handler = partial(_QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return None


def test_the_board_and_journal_can_be_read_from_an_address(
    published: tuple[list[str], Path, Path], served: str
) -> None:
    receipts, _, _ = published
    result = run(
        "receipt",
        "verify",
        receipts[2],
        "--board",
        f"{served}/board.json",
        "--journal",
        f"{served}/journal.jsonl",
    )
    assert result.exit_code == 0, result.output
    gone = run(
        "receipt", "verify", receipts[2], "--board", f"{served}/gone.json", "--board-hash", "0" * 64
    )
    assert gone.exit_code == 1 and "receipt.board_unreadable" in gone.stderr


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ciphertexts=st.lists(st.binary(min_size=48, max_size=80), min_size=1, max_size=12, unique=True),
    data=st.data(),
)
def test_any_counted_receipt_verifies_and_any_other_does_not(
    tmp_path: Path, ciphertexts: list[bytes], data: st.DataObject
) -> None:
    board = secrecy.board_of(COMMUNE, VOTE, ciphertexts)
    board_file = tmp_path / "b.json"
    board_file.write_text(json.dumps(board.to_json()), encoding="utf-8")
    journal_file = tmp_path / "j.jsonl"
    journal_file.write_bytes(journal_with(board))
    counted = data.draw(st.sampled_from(ciphertexts))
    ok = run(
        "receipt",
        "verify",
        secrecy.receipt(counted),
        "--board",
        str(board_file),
        "--journal",
        str(journal_file),
    )
    assert ok.exit_code == 0, ok.output
    stranger = data.draw(st.binary(min_size=1, max_size=40))
    other = run(
        "receipt",
        "verify",
        secrecy.receipt(stranger),
        "--board",
        str(board_file),
        "--journal",
        str(journal_file),
    )
    assert other.exit_code == 1
