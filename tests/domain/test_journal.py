"""The journal's hash chain: canonical JSON, and tampering of every kind is found."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from communard.domain import journal
from communard.domain.journal import GENESIS, Head, canonical, export, next_entry, verify_export

TYPES = ["motion.proposed/1", "vote.cast/1", "member.joined/1", "motion.closed/1"]

payloads = st.dictionaries(
    st.text(min_size=1, max_size=8),
    st.recursive(
        st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(st.text(min_size=1, max_size=5), inner, max_size=3)
        ),
        max_leaves=6,
    ),
    max_size=4,
)


def chain(items: list[tuple[str, dict[str, Any]]]) -> list[journal.JournalEntry]:
    head = Head()
    entries = []
    for n, (kind, payload) in enumerate(items):
        entry = next_entry(
            head,
            commune="paris-1871",
            type=kind,
            at=f"1871-03-28T{n % 24:02d}:00:00.000000+00:00",
            payload=payload,
        )
        entries.append(entry)
        head = Head(entry.seq, entry.hash)
    return entries


chains = st.lists(st.tuples(st.sampled_from(TYPES), payloads), min_size=1, max_size=12).map(chain)


def head_of(entries: list[journal.JournalEntry]) -> Head:
    return Head(entries[-1].seq, entries[-1].hash) if entries else Head()


def test_canonical_json() -> None:
    assert canonical({"b": 1, "a": ["é", None, True]}) == '{"a":["é",null,true],"b":1}'.encode()
    with pytest.raises(TypeError):
        canonical({"share": 0.5})


def test_an_honest_chain_verifies() -> None:
    entries = chain([("motion.proposed/1", {"motion": 1}), ("vote.cast/1", {"choice": "for"})])
    assert entries[0].prev == GENESIS and entries[1].prev == entries[0].hash
    assert journal.verify(entries, head=head_of(entries)).ok
    assert verify_export(export(entries), commune="paris-1871", head=head_of(entries)).ok
    assert journal.verify([]).ok


@settings(max_examples=50, deadline=None)
@given(entries=chains, data=st.data())
def test_any_single_byte_change_is_found(
    entries: list[journal.JournalEntry], data: st.DataObject
) -> None:
    raw = bytearray(export(entries))
    index = data.draw(st.integers(0, len(raw) - 1))
    value = data.draw(st.integers(0, 255).filter(lambda b: b != raw[index]))
    raw[index] = value
    result = verify_export(bytes(raw), commune="paris-1871", head=head_of(entries))
    assert not result.ok
    changed_line = bytes(raw[:index]).count(b"\n") + 1
    assert result.bad_position is not None and result.bad_position <= changed_line + 1


@settings(max_examples=25, deadline=None)
@given(entries=chains, data=st.data())
def test_deletion_is_found(entries: list[journal.JournalEntry], data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(entries) - 1))
    tampered = entries[:index] + entries[index + 1 :]
    result = journal.verify(tampered, head=head_of(entries))
    assert not result.ok
    assert result.bad_position == index + 1


@settings(max_examples=25, deadline=None)
@given(entries=chains, data=st.data())
def test_insertion_is_found(entries: list[journal.JournalEntry], data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(entries)))
    extra = data.draw(st.sampled_from(entries))
    tampered = [*entries[:index], extra, *entries[index:]]
    assert not journal.verify(tampered, head=head_of(entries)).ok


@settings(max_examples=25, deadline=None)
@given(entries=chains.filter(lambda e: len(e) >= 2), data=st.data())
def test_reordering_is_found(entries: list[journal.JournalEntry], data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(entries) - 2))
    j = data.draw(st.integers(i + 1, len(entries) - 1))
    tampered = list(entries)
    tampered[i], tampered[j] = tampered[j], tampered[i]
    result = journal.verify(tampered, head=head_of(entries))
    assert not result.ok
    assert result.bad_position == i + 1


def test_a_rewritten_chain_does_not_match_the_recorded_head() -> None:
    entries = chain([("motion.proposed/1", {"motion": 1}), ("vote.cast/1", {"choice": "for"})])
    forged = chain([("motion.proposed/1", {"motion": 1}), ("vote.cast/1", {"choice": "against"})])
    assert journal.verify(forged).ok  # a consistent forgery...
    result = journal.verify(forged, head=head_of(entries))
    assert not result.ok  # ...is caught by the head the database recorded
    assert "rewritten" in result.problem


def test_the_first_bad_entry_is_named() -> None:
    entries = chain([("motion.proposed/1", {"n": i}) for i in range(5)])
    tampered = list(entries)
    tampered[2] = journal.JournalEntry(**{**entries[2].__dict__, "payload": {"n": 99}})
    result = journal.verify(tampered)
    assert (result.ok, result.bad_position, result.bad_seq) == (False, 3, 3)
    assert result.describe().startswith("Journal broken at entry 3 (seq 3)")
