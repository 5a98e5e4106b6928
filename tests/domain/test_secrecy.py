"""Secret ballots' pure rules: Shamir shares, commitments, padding, the board, disclosure."""

from __future__ import annotations

import random
from collections.abc import Callable
from itertools import combinations
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from communard.domain import secrecy
from communard.domain.secrecy import PRIME, Share
from communard.errors import Conflict, Forbidden, InvalidInput, StateError

VOTE = "oberkampf/12"

secrets_32 = st.binary(min_size=32, max_size=32)
thresholds = st.integers(1, 7).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n)))


def shares_of(secret: bytes, k: int, n: int, seed: int = 0) -> tuple[Share, ...]:
    return secrecy.split(secret, k=k, n=n, vote=VOTE, random_bytes=random.Random(seed).randbytes)


@settings(max_examples=40)
@given(secret=secrets_32, kn=thresholds, seed=st.integers(0, 2**32), data=st.data())
def test_any_k_of_n_shares_give_the_secret_back(
    secret: bytes, kn: tuple[int, int], seed: int, data: st.DataObject
) -> None:
    k, n = kn
    shares = shares_of(secret, k, n, seed)
    chosen = data.draw(st.lists(st.sampled_from(shares), min_size=k, max_size=n, unique=True))
    commitments = [secrecy.commitment(s) for s in shares]
    assert secrecy.combine(chosen, commitments=commitments) == bytearray(secret)


def test_every_subset_of_k_works_and_every_subset_of_k_minus_1_is_refused() -> None:
    secret = bytes(range(32))
    shares = shares_of(secret, 3, 5)
    for subset in combinations(shares, 3):
        assert bytes(secrecy.combine(list(subset))) == secret
    for pair in combinations(shares, 2):
        with pytest.raises(StateError) as caught:
            secrecy.combine(list(pair))
        assert caught.value.code == "vote.shares_missing"
        assert caught.value.details == {"submitted": 2, "needed": 3}


@settings(max_examples=30)
@given(
    secret=secrets_32,
    other=secrets_32,
    kn=st.integers(2, 6).flatmap(lambda n: st.tuples(st.integers(2, n), st.just(n))),
    seed=st.integers(0, 2**32),
)
def test_k_minus_1_shares_are_consistent_with_every_secret(
    secret: bytes, other: bytes, kn: tuple[int, int], seed: int
) -> None:
    # Perfect secrecy (Shamir 1979): for any other secret there is a k-th share that,
    # with the same k-1 shares, reconstructs it; so k-1 shares tell nothing.
    k, n = kn
    shares = shares_of(secret, k, n, seed)
    known = [(s.index, s.value) for s in shares[: k - 1]]
    forged_value = secrecy.interpolate([(0, int.from_bytes(other, "big")), *known], x=k)
    forged = Share(vote=VOTE, index=k, k=k, n=n, value=forged_value)
    assert bytes(secrecy.combine([*shares[: k - 1], forged])) == other


def test_interpolating_fewer_than_k_points_does_not_give_the_secret() -> None:
    secret = bytes(32 * [7])
    shares = shares_of(secret, 4, 6, seed=1)
    value = secrecy.interpolate([(s.index, s.value) for s in shares[:3]])
    assert value != int.from_bytes(secret, "big")


def test_share_text_round_trips_and_hides_its_value() -> None:
    share = shares_of(bytes(32), 2, 3)[1]
    assert secrecy.parse_share(share.text()) == share
    assert secrecy.parse_share("  " + share.text() + "\n") == share
    assert f"{share.value:x}" not in repr(share)
    assert share.text().startswith(f"communard-share/1:{VOTE}:2:3:2:")


@pytest.mark.parametrize(
    ("mangle", "code"),
    [
        (lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"), "trustee.share_damaged"),
        (lambda t: t[:60] + ("a" if t[60] != "a" else "b") + t[61:], "trustee.share_damaged"),
        (lambda t: t[:100], "trustee.share_unreadable"),
        (lambda t: "hello", "trustee.share_unreadable"),
        (lambda t: t.replace("communard-share/1", "communard-share/2"), "trustee.share_unreadable"),
    ],
)
def test_a_damaged_share_is_refused_without_echoing_it(
    mangle: Callable[[str], str], code: str
) -> None:
    share = shares_of(bytes(32), 2, 3)[0]
    text = mangle(share.text())
    with pytest.raises(InvalidInput) as caught:
        secrecy.parse_share(text)
    assert caught.value.code == code
    assert f"{share.value:x}"[-40:] not in str(caught.value.to_json())


@settings(max_examples=25)
@given(
    secret=secrets_32,
    kn=st.integers(2, 6).flatmap(lambda n: st.tuples(st.integers(2, n), st.just(n))),
    seed=st.integers(0, 2**32),
    data=st.data(),
)
def test_a_wrong_share_is_detected_and_named(
    secret: bytes, kn: tuple[int, int], seed: int, data: st.DataObject
) -> None:
    k, n = kn
    shares = list(shares_of(secret, k, n, seed))
    commitments = [secrecy.commitment(s) for s in shares]
    chosen = data.draw(st.lists(st.sampled_from(shares), min_size=k, max_size=k, unique=True))
    bad = data.draw(st.sampled_from(chosen))
    delta = data.draw(st.integers(1, PRIME - 1))
    wrong = Share(vote=VOTE, index=bad.index, k=k, n=n, value=(bad.value + delta) % PRIME)
    submitted = [wrong if s is bad else s for s in chosen]
    with pytest.raises(InvalidInput) as caught:
        secrecy.combine(submitted, commitments=commitments)
    assert caught.value.code == "trustee.share_wrong"
    assert caught.value.field == f"share {bad.index}"
    assert f"Share {bad.index} of {n}" in caught.value.message


def test_without_commitments_only_a_random_wrong_share_fails_to_fit() -> None:
    # Why commitments are published: a share changed by a little still combines into a
    # 32-byte key (a wrong one, which only the public-key check would catch).
    secret = bytes(32)
    shares = list(shares_of(secret, 2, 3))
    nudged = Share(vote=VOTE, index=1, k=2, n=3, value=(shares[0].value + 1) % PRIME)
    assert bytes(secrecy.combine([nudged, shares[1]])) != secret
    garbage = Share(vote=VOTE, index=1, k=2, n=3, value=(shares[0].value + 2**400) % PRIME)
    with pytest.raises(InvalidInput) as caught:
        secrecy.combine([garbage, shares[1]])
    assert caught.value.code == "trustee.share_wrong"
    with pytest.raises(InvalidInput) as named:
        secrecy.combine([nudged, shares[1]], commitments=[secrecy.commitment(s) for s in shares])
    assert named.value.field == "share 1"


def test_shares_of_another_vote_duplicates_and_unknown_indexes_are_named() -> None:
    shares = shares_of(bytes(32), 2, 3)
    other = secrecy.split(
        bytes(32), k=2, n=3, vote="oberkampf/13", random_bytes=random.Random(5).randbytes
    )
    with pytest.raises(InvalidInput) as caught:
        secrecy.combine([shares[0], other[1]])
    assert caught.value.code == "trustee.share_other_vote"
    with pytest.raises(Conflict) as duplicate:
        secrecy.combine([shares[0], shares[0]])
    assert duplicate.value.code == "trustee.share_duplicate"
    with pytest.raises(StateError):
        secrecy.combine([])
    commitments = [secrecy.commitment(s) for s in shares][:2]
    with pytest.raises(InvalidInput) as unknown:
        secrecy.check_commitments([shares[2]], commitments)
    assert unknown.value.code == "trustee.share_wrong"


@pytest.mark.parametrize(("k", "n"), [(0, 3), (4, 3), (1, 0), (2, 65), (-1, 2)])
def test_impossible_thresholds_are_refused(k: int, n: int) -> None:
    with pytest.raises(InvalidInput):
        secrecy.check_trustees(k, n)


def test_split_refuses_a_bad_secret_a_bad_vote_and_a_stuck_random_source() -> None:
    with pytest.raises(ValueError):
        secrecy.split(b"short", k=1, n=1, vote=VOTE, random_bytes=random.Random(0).randbytes)
    with pytest.raises(InvalidInput):
        secrecy.split(bytes(32), k=1, n=1, vote="has:colon", random_bytes=random.randbytes)
    with pytest.raises(ValueError, match="zeros"):
        secrecy.split(bytes(32), k=2, n=2, vote=VOTE, random_bytes=lambda m: bytes(m))
    with pytest.raises(ValueError, match="same block"):
        secrecy.split(bytes(32), k=3, n=3, vote=VOTE, random_bytes=lambda m: b"\x01" * m)
    with pytest.raises(ValueError, match="must return"):
        secrecy.split(bytes(32), k=2, n=2, vote=VOTE, random_bytes=lambda m: b"\x01")


def test_a_one_of_n_split_hands_every_trustee_the_secret() -> None:
    secret = bytes(range(32))
    for share in shares_of(secret, 1, 4):
        assert bytes(secrecy.combine([share])) == secret


# Padding


@settings(max_examples=50)
@given(
    content=st.dictionaries(
        st.text(min_size=1, max_size=8),
        st.text(max_size=30) | st.integers(-1000, 1000) | st.lists(st.text(max_size=5), max_size=5),
        max_size=5,
    )
)
def test_padding_round_trips_and_hides_the_length(content: dict[str, object]) -> None:
    size = secrecy.padded_size(600)
    padded = secrecy.pad_ballot(content, size)
    assert len(padded) == size == 1024
    assert secrecy.unpad_ballot(padded) == content


def test_padding_refuses_overlong_ballots_and_inexact_padding() -> None:
    with pytest.raises(InvalidInput) as caught:
        secrecy.pad_ballot({"choice": "x" * 300}, 256)
    assert caught.value.code == "vote.ballot_too_long"
    padded = bytearray(secrecy.pad_ballot({"choice": "for"}, 256))
    padded[-1] = 1
    with pytest.raises(ValueError):
        secrecy.unpad_ballot(bytes(padded))
    with pytest.raises(ValueError):
        secrecy.unpad_ballot(b"\x00")
    with pytest.raises(ValueError):
        secrecy.unpad_ballot((3).to_bytes(4, "big") + b"[1]" + bytes(10))
    assert secrecy.padded_size(0) == 256
    assert secrecy.padded_size(252) == 256
    assert secrecy.padded_size(253) == 512


# Receipts and the bulletin board


@settings(max_examples=30)
@given(ciphertexts=st.lists(st.binary(min_size=1, max_size=64), unique=True, max_size=40))
def test_every_receipt_verifies_against_the_board(ciphertexts: list[bytes]) -> None:
    board = secrecy.board_of("oberkampf", VOTE, ciphertexts)
    anchor = secrecy.board_entry_payload(board)["board_hash"]
    assert list(board.receipts) == sorted(board.receipts)
    for ciphertext in ciphertexts:
        check = secrecy.verify_receipt(secrecy.receipt(ciphertext), board, board_hash=anchor)
        assert check.ok, check.message
    assert secrecy.parse_board(board.to_json()) == board


def test_a_receipt_not_on_the_board_or_a_board_not_anchored_fails() -> None:
    board = secrecy.board_of("oberkampf", VOTE, [b"a", b"b", b"c"])
    stranger = secrecy.receipt(b"d")
    found = secrecy.verify_receipt(stranger, board, board_hash=board.hash())
    assert not found.ok and "NOT on the bulletin board" in found.message
    swapped = secrecy.board_of("oberkampf", VOTE, [b"a", b"b", b"d"])
    forged = secrecy.verify_receipt(stranger, swapped, board_hash=board.hash())
    assert not forged.ok and "not the published one" in forged.message
    upper = secrecy.receipt(b"a").upper()
    assert secrecy.verify_receipt(upper, board, board_hash=board.hash()).ok
    with pytest.raises(InvalidInput) as caught:
        secrecy.verify_receipt("not-a-receipt", board, board_hash=board.hash())
    assert caught.value.code == "receipt.invalid"
    assert 42 not in board


def test_a_spoiled_receipt_is_on_the_board_but_not_counted() -> None:
    board = secrecy.board_of("oberkampf", VOTE, [b"a", b"b", b"c"], spoiled=[secrecy.receipt(b"b")])
    assert board.counted == 2
    assert secrecy.parse_board(board.to_json()) == board
    assert secrecy.board_entry_payload(board)["spoiled"] == 1
    found = secrecy.verify_receipt(secrecy.receipt(b"b"), board, board_hash=board.hash())
    assert not found.ok and "NOT counted" in found.message
    assert secrecy.verify_receipt(secrecy.receipt(b"a"), board, board_hash=board.hash()).ok
    with pytest.raises(ValueError):
        secrecy.board_of("oberkampf", VOTE, [b"a"], spoiled=[secrecy.receipt(b"z")])
    document = board.to_json()
    document["spoiled"] = [secrecy.receipt(b"z")]
    with pytest.raises(ValueError):
        secrecy.parse_board(document)


def test_two_equal_ciphertexts_are_refused() -> None:
    with pytest.raises(Conflict) as caught:
        secrecy.board_of("oberkampf", VOTE, [b"a", b"a"])
    assert caught.value.code == "vote.ballot_duplicate"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.pop("format"),
        lambda d: d.update(format="other/1"),
        lambda d: d.update(vote=3),
        lambda d: d.update(receipts=["XYZ"]),
        lambda d: d.update(receipts=list(reversed(d["receipts"]))),
        lambda d: d.update(receipts=[d["receipts"][0]] * 2),
    ],
)
def test_a_malformed_board_is_refused(mutate: Callable[[dict[str, Any]], object]) -> None:
    document = secrecy.board_of("oberkampf", VOTE, [b"a", b"b"]).to_json()
    mutate(document)
    with pytest.raises(ValueError):
        secrecy.parse_board(document)
    with pytest.raises(ValueError):
        secrecy.parse_board([])


# The shuffle


@given(st.lists(st.integers(), max_size=30), st.randoms(use_true_random=False))
def test_a_shuffle_is_a_permutation_of_the_ballots(items: list[int], rnd: random.Random) -> None:
    permutation = list(range(len(items)))
    rnd.shuffle(permutation)
    shuffled = secrecy.apply_permutation(items, permutation)
    assert sorted(shuffled) == sorted(items)
    assert shuffled == [items[i] for i in permutation]


@pytest.mark.parametrize("permutation", [[0, 0, 1], [0, 1], [1, 2, 3], [0, 1, 2, 3]])
def test_anything_but_a_permutation_is_refused(permutation: list[int]) -> None:
    with pytest.raises(ValueError):
        secrecy.apply_permutation(["a", "b", "c"], permutation)


# What may be shown, when


def test_an_open_secret_vote_shows_turnout_only() -> None:
    shown = secrecy.disclosure(is_open=True, ballots=500, min_ballots=3)
    assert (shown.turnout, shown.results, shown.ballots) == (True, False, False)
    secrecy.require_disclosed("turnout", vote=VOTE, is_open=True, ballots=500, min_ballots=3)
    for what in ("results", "ballots"):
        with pytest.raises(Forbidden) as caught:
            secrecy.require_disclosed(what, vote=VOTE, is_open=True, ballots=500, min_ballots=3)
        assert caught.value.code == "vote.secret_open"


@given(ballots=st.integers(0, 50), minimum=st.integers(3, 20))
def test_no_results_at_all_below_the_minimum(ballots: int, minimum: int) -> None:
    shown = secrecy.disclosure(is_open=False, ballots=ballots, min_ballots=minimum)
    assert shown.results == shown.ballots == (ballots >= minimum)
    if ballots < minimum:
        with pytest.raises(Forbidden) as caught:
            secrecy.require_disclosed(
                "results", vote=VOTE, is_open=False, ballots=ballots, min_ballots=minimum
            )
        assert caught.value.code == "vote.too_few_ballots"
    else:
        secrecy.require_disclosed(
            "results", vote=VOTE, is_open=False, ballots=ballots, min_ballots=minimum
        )


@pytest.mark.parametrize("value", [0, 1, 2, True, "3", 2.5])
def test_the_charter_minimum_is_at_least_three(value: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        secrecy.check_min_ballots(value)
    assert caught.value.code == "charter.min_ballots_too_low"
    with pytest.raises(InvalidInput):
        secrecy.disclosure(is_open=False, ballots=10, min_ballots=2)
    with pytest.raises(ValueError):
        secrecy.require_disclosed("names", vote=VOTE, is_open=False, ballots=9, min_ballots=3)
    assert secrecy.check_min_ballots(3) == 3
