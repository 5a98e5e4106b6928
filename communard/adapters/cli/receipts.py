"""``communard receipt verify``: check a secret ballot's receipt against the published board.

A small verifier anyone can run without the commune's database: it reads the
bulletin board (a file or an http(s) address), checks that the board is the
one the journal anchors (its SHA-256 equals the ``board_hash`` of the
journal entry ``vote.board_published/1``, read from a journal export whose
hash chain is verified, or given with ``--board-hash``), and that the receipt
is on it. Exit 0 when it is, 1 otherwise, with a sentence saying why.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import click

from communard import errors
from communard.adapters.cli import exit_codes
from communard.adapters.cli.support import Group, emit, fail, out
from communard.domain import journal as journals
from communard.domain import secrecy

# A board of a million receipts is about 67 MB; refuse anything larger than that.
MAX_DOCUMENT_BYTES = 80 * 1024 * 1024
FETCH_TIMEOUT_SECONDS = 30


@click.group(cls=Group)
def receipt() -> None:
    """Receipts of secret ballots: check that your ballot was counted."""


@receipt.command()
@click.argument("receipt_code", metavar="RECEIPT")
@click.option(
    "--board",
    "board_source",
    required=True,
    metavar="FILE_OR_URL",
    help="The published bulletin board (JSON): a file or an http(s) address.",
)
@click.option(
    "--journal",
    "journal_source",
    metavar="FILE_OR_URL",
    help="The commune's journal export (JSON Lines): its chain is verified and its "
    "vote.board_published/1 entry gives the board's hash.",
)
@click.option(
    "--board-hash",
    metavar="HEX",
    help="The board's hash as recorded in the journal (instead of, or besides, --journal).",
)
def verify(
    receipt_code: str, board_source: str, journal_source: str | None, board_hash: str | None
) -> None:
    """Check that RECEIPT is on the bulletin board the journal anchors; exit 0 if so, else 1.

    RECEIPT is the 64 hexadecimal characters shown when you cast your secret
    ballot (the SHA-256 of its ciphertext). Only the receipt of your last
    ballot is on the board when the vote let you change it.
    """
    if not journal_source and not board_hash:
        fail(
            exit_codes.ERROR,
            "receipt.board_unanchored",
            "Without the journal, nothing says this board is the one your commune published.",
            "Give --journal FILE_OR_URL (the journal export) or --board-hash HEX "
            "(from the journal entry vote.board_published/1).",
        )
    board = read_board(board_source)
    anchors: list[tuple[str, str]] = []
    if journal_source:
        entry = board_entry(read_source(journal_source, "journal"), board)
        anchors.append((str(entry.payload["board_hash"]), f"journal entry seq {entry.seq}"))
    if board_hash:
        anchors.append((board_hash, "--board-hash"))
    try:
        checks = [secrecy.verify_receipt(receipt_code, board, board_hash=h) for h, _ in anchors]
    except errors.InvalidInput as error:
        fail(exit_codes.ERROR, error.code, error.message, error.hint)
    for check, (_, anchor) in zip(checks, anchors, strict=True):
        if not check.ok:
            fail(
                exit_codes.ERROR,
                "receipt.not_verified",
                check.message,
                f"Checked against {anchor}.",
                receipt=check.receipt,
                vote=board.vote,
            )
    result: dict[str, Any] = {
        "ok": True,
        "receipt": checks[0].receipt,
        "commune": board.commune,
        "vote": board.vote,
        "ballots": len(board.receipts),
        "counted": board.counted,
        "board_hash": board.hash(),
        "anchored_by": [anchor for _, anchor in anchors],
        "message": checks[0].message,
    }

    def human(data: dict[str, Any]) -> None:
        out(str(data["message"]))
        out(f"The board's hash {data['board_hash']} matches {', '.join(data['anchored_by'])}.")

    emit(result, human)


def read_source(source: str, what: str) -> bytes:
    """The bytes of a file, or of an http(s) address."""
    try:
        if source.startswith(("http://", "https://")):
            with urllib.request.urlopen(source, timeout=FETCH_TIMEOUT_SECONDS) as response:
                data: bytes = response.read(MAX_DOCUMENT_BYTES + 1)
        else:
            with Path(source).open("rb") as file:
                data = file.read(MAX_DOCUMENT_BYTES + 1)
    except (OSError, urllib.error.URLError, ValueError) as error:
        fail(
            exit_codes.ERROR,
            f"receipt.{what}_unreadable",
            f"The {what} {source} cannot be read: {error}",
            "Give a file path or an http(s) address of the published document.",
        )
    if len(data) > MAX_DOCUMENT_BYTES:
        fail(
            exit_codes.ERROR,
            f"receipt.{what}_too_large",
            f"The {what} {source} is larger than {MAX_DOCUMENT_BYTES // 2**20} MB.",
        )
    return data


def read_board(source: str) -> secrecy.BulletinBoard:
    """The bulletin board document at ``source``, checked for shape."""
    data = read_source(source, "board")
    try:
        return secrecy.parse_board(json.loads(data.decode("utf-8")))
    except (ValueError, UnicodeDecodeError) as error:
        fail(
            exit_codes.ERROR,
            "receipt.board_invalid",
            f"The bulletin board {source} is not a valid board: {error}",
            "Download the board again from the vote's page.",
        )


def board_entry(data: bytes, board: secrecy.BulletinBoard) -> journals.JournalEntry:
    """The journal's ``vote.board_published/1`` entry of the board's vote, chain verified."""
    found = journals.verify_export(data, commune=board.commune)
    if not found.ok:
        fail(
            exit_codes.ERROR,
            "receipt.journal_broken",
            found.describe(),
            "Download the journal export again; if it stays broken, tell your commune.",
        )
    lines = data.decode("utf-8").splitlines()
    entries = [journals.parse_line(line) for line in lines]
    matching = [
        e
        for e in entries
        if e.type == secrecy.BOARD_ENTRY_TYPE and e.payload.get("vote") == board.vote
    ]
    if not matching:
        fail(
            exit_codes.ERROR,
            "receipt.board_not_in_journal",
            f"The journal of {board.commune!r} records no bulletin board of vote {board.vote!r}.",
            "The vote may still be open, or this journal export is older than its close.",
        )
    return matching[-1]
