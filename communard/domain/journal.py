"""The journal: a commune's public, hash-chained record of every act.

Each entry holds the commune's slug, a sequence number (1, 2, 3, ...), a type
such as ``motion.proposed/1`` (the event, past tense, and the version of its
payload's shape), the time it was recorded, a payload, the previous entry's
hash and its own hash: SHA-256 over the canonical JSON of every other field.
Canonical JSON has sorted keys, no whitespace, UTF-8 text and no floats, so
every honest writer produces the same bytes. See ``docs/journal.md``.

``verify`` walks a chain and names the first bad entry: any change of a byte,
a deleted, inserted or reordered entry (and, given the recorded head, a
truncated tail) is found.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
TYPE_PATTERN = re.compile(r"[a-z][a-z_]*\.[a-z][a-z_]*/[1-9][0-9]*")
FIELDS = ("at", "commune", "hash", "payload", "prev", "seq", "type")


def canonical(value: Any) -> bytes:
    """The canonical JSON bytes of ``value``: sorted keys, no whitespace, UTF-8, no floats."""
    _refuse_floats(value)
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _refuse_floats(value: Any) -> None:
    # Binary floats do not round-trip identically across languages; the record has none.
    if isinstance(value, float):
        raise TypeError("journal payloads hold no floats; write exact numbers as strings")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError("journal payload keys are strings")
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)
    elif not (value is None or isinstance(value, str | int | bool)):
        raise TypeError(f"journal payloads hold no {type(value).__name__}")


@dataclass(frozen=True)
class JournalEntry:
    """One entry of a commune's journal."""

    commune: str
    seq: int
    type: str
    at: str
    payload: dict[str, Any]
    prev: str
    hash: str

    def body(self) -> dict[str, Any]:
        """The fields the hash covers (everything but the hash)."""
        return {
            "at": self.at,
            "commune": self.commune,
            "payload": self.payload,
            "prev": self.prev,
            "seq": self.seq,
            "type": self.type,
        }

    def to_json(self) -> dict[str, Any]:
        return {**self.body(), "hash": self.hash}

    def line(self) -> str:
        """The entry as one canonical JSON line (the export format)."""
        return canonical(self.to_json()).decode("utf-8")

    def expected_hash(self) -> str:
        return hashlib.sha256(canonical(self.body())).hexdigest()


@dataclass(frozen=True)
class Head:
    """The latest entry of a chain: its sequence number and hash (0 and GENESIS when empty)."""

    seq: int = 0
    hash: str = GENESIS


def next_entry(
    head: Head, *, commune: str, type: str, at: str, payload: dict[str, Any]
) -> JournalEntry:
    """The entry that follows ``head``, hashed."""
    if not TYPE_PATTERN.fullmatch(type):
        raise ValueError(f"journal entry type {type!r} is not of the form noun.event/1")
    body = {
        "at": at,
        "commune": commune,
        "payload": payload,
        "prev": head.hash,
        "seq": head.seq + 1,
        "type": type,
    }
    digest = hashlib.sha256(canonical(body)).hexdigest()
    return JournalEntry(
        commune=commune,
        seq=head.seq + 1,
        type=type,
        at=at,
        payload=payload,
        prev=head.hash,
        hash=digest,
    )


@dataclass(frozen=True)
class Verification:
    """What ``verify`` found: ``ok``, how many entries were checked, and the first problem."""

    ok: bool
    checked: int
    bad_position: int | None = None
    bad_seq: int | None = None
    problem: str = ""

    def describe(self) -> str:
        if self.ok:
            return f"Journal verified: {self.checked} entries, chain intact."
        where = f"entry {self.bad_position}" if self.bad_position is not None else "the chain"
        if self.bad_seq is not None:
            where += f" (seq {self.bad_seq})"
        return f"Journal broken at {where}: {self.problem}"


def verify(
    entries: Iterable[JournalEntry], *, commune: str | None = None, head: Head | None = None
) -> Verification:
    """Check a chain in order; name the first entry (1-based position) that does not fit."""
    prev = GENESIS
    count = 0
    for position, entry in enumerate(entries, start=1):
        count = position
        problem = _problem(entry, position, prev, commune)
        if problem:
            return Verification(False, position - 1, position, entry.seq, problem)
        prev = entry.hash
    if head is not None and (head.seq != count or head.hash != prev):
        why = (
            "entries are missing from the end"
            if head.seq > count
            else "entries were added after it"
            if head.seq < count
            else "the chain was rewritten"
        )
        return Verification(
            False,
            count,
            count + 1,
            None,
            f"the recorded head is seq {head.seq} ({head.hash[:12]}…) but the chain ends at "
            f"seq {count} ({prev[:12]}…): {why}",
        )
    return Verification(True, count)


def _problem(entry: JournalEntry, position: int, prev: str, commune: str | None) -> str:
    if entry.seq != position:
        return f"sequence number {entry.seq} where {position} was expected"
    if commune is not None and entry.commune != commune:
        return f"belongs to commune {entry.commune!r}, not {commune!r}"
    if not isinstance(entry.type, str) or not TYPE_PATTERN.fullmatch(entry.type):
        return f"type {entry.type!r} is not of the form noun.event/1"
    if entry.prev != prev:
        return "its previous hash does not match the entry before it"
    try:
        expected = entry.expected_hash()
    except TypeError as exc:
        return f"its content cannot be written canonically ({exc})"
    if entry.hash != expected:
        return "its hash does not match its content (the entry was altered)"
    return ""


def parse_line(line: str) -> JournalEntry:
    """Read one exported line; raise ``ValueError`` unless it is exactly canonical."""
    data = json.loads(line)
    if not isinstance(data, dict) or sorted(data) != list(FIELDS):
        raise ValueError(f"an entry has exactly the fields {', '.join(FIELDS)}")
    entry = JournalEntry(
        commune=data["commune"],
        seq=data["seq"],
        type=data["type"],
        at=data["at"],
        payload=data["payload"],
        prev=data["prev"],
        hash=data["hash"],
    )
    if not (
        isinstance(entry.seq, int)
        and isinstance(entry.payload, dict)
        and all(isinstance(data[k], str) for k in ("commune", "type", "at", "prev", "hash"))
    ):
        raise ValueError("an entry's fields have the wrong types")
    if entry.line() != line:
        raise ValueError("the line is not in canonical form")
    return entry


def verify_lines(
    lines: Sequence[str], *, commune: str | None = None, head: Head | None = None
) -> Verification:
    """Verify an exported JSON Lines journal (one canonical entry per line)."""
    entries: list[JournalEntry] = []
    for position, raw in enumerate(lines, start=1):
        line = raw.rstrip("\n")
        try:
            entry = parse_line(line)
        except (ValueError, TypeError, KeyError) as exc:
            return Verification(False, position - 1, position, None, f"unreadable entry: {exc}")
        problem = _problem(entry, position, entries[-1].hash if entries else GENESIS, commune)
        if problem:
            return Verification(False, position - 1, position, entry.seq, problem)
        entries.append(entry)
    return verify(entries, commune=commune, head=head)


def export(entries: Iterable[JournalEntry]) -> bytes:
    """The JSON Lines export: one canonical entry per line, each line ending in a newline."""
    return b"".join(entry.line().encode("utf-8") + b"\n" for entry in entries)


def verify_export(
    data: bytes, *, commune: str | None = None, head: Head | None = None
) -> Verification:
    """Verify the bytes of a JSON Lines export (see ``export``), byte for byte."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        position = data[: exc.start].count(b"\n") + 1
        return Verification(
            False, position - 1, position, None, "the bytes are not valid UTF-8 text"
        )
    if text and not text.endswith("\n"):
        count = text.count("\n") + 1
        return Verification(False, count - 1, count, None, "the last line is incomplete")
    lines = text[:-1].split("\n") if text else []
    return verify_lines(lines, commune=commune, head=head)
