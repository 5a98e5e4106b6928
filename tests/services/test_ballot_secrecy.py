"""Secret ballots' cryptography: the tally key, sealing, shares, closing, the server secret."""

from __future__ import annotations

import os
import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl.public import PublicKey, SealedBox

from communard.domain import secrecy
from communard.domain.secrecy import PRIME, Share
from communard.errors import InvalidInput, StateError
from communard.services import ballot_secrecy as bs

COMMUNE = "oberkampf"
VOTE = "oberkampf/12"
SIZE = 256
CHOICES = ("for", "against", "abstain")

choices = st.lists(st.sampled_from(CHOICES), min_size=0, max_size=25)
thresholds = st.integers(1, 5).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n)))


@settings(max_examples=15, deadline=None)
@given(ballots=choices, kn=thresholds, data=st.data())
def test_seal_then_close_with_any_k_shares_gives_the_ballots_back_shuffled(
    ballots: list[str], kn: tuple[int, int], data: st.DataObject
) -> None:
    k, n = kn
    ceremony = bs.make_tally_key(VOTE, k=k, n=n)
    sealed = [
        bs.seal_ballot(ceremony.tally_key.public_key, {"choice": c}, size=SIZE) for c in ballots
    ]
    chosen = data.draw(
        st.lists(st.sampled_from(ceremony.shares), min_size=k, max_size=n, unique=True)
    )
    opened = bs.close_with_shares(
        COMMUNE, ceremony.tally_key, chosen, [s.ciphertext for s in sealed]
    )
    assert Counter(b["choice"] for b in opened.ballots) == Counter(ballots)
    assert opened.spoiled == ()
    anchor = secrecy.board_entry_payload(opened.board)["board_hash"]
    for ballot in sealed:
        assert secrecy.verify_receipt(ballot.receipt, opened.board, board_hash=anchor).ok


def test_the_shuffle_applies_the_permutation_to_the_decrypted_ballots() -> None:
    ceremony = bs.make_tally_key(VOTE, k=2, n=3)
    sealed = [
        bs.seal_ballot(ceremony.tally_key.public_key, {"rank": [i]}, size=SIZE) for i in range(6)
    ]
    permutation = [3, 1, 5, 0, 2, 4]
    opened = bs.close_with_shares(
        COMMUNE,
        ceremony.tally_key,
        ceremony.shares[:2],
        [s.ciphertext for s in sealed],
        permutation=permutation,
    )
    assert [b["rank"][0] for b in opened.ballots] == permutation


def test_ciphertexts_are_all_one_length_and_never_repeat() -> None:
    # Equal length: a length would tell the choice; random: equal ballots look unrelated.
    public = bs.make_tally_key(VOTE, k=1, n=1).tally_key.public_key
    sealed = [bs.seal_ballot(public, {"choice": c}, size=SIZE) for c in CHOICES * 3]
    assert {len(s.ciphertext) for s in sealed} == {SIZE + 48}
    assert len({s.ciphertext for s in sealed}) == len(sealed)
    assert all(s.receipt == secrecy.receipt(s.ciphertext) for s in sealed)


def test_k_minus_1_shares_cannot_decrypt_and_reconstruct_no_matching_key() -> None:
    ceremony = bs.make_tally_key(VOTE, k=3, n=5)
    with pytest.raises(StateError) as caught:
        bs.reconstruct_tally_key(ceremony.tally_key, ceremony.shares[:2])
    assert caught.value.code == "vote.shares_missing"
    # What an adversary holding k-1 shares could compute: never the key of the public key.
    for pair in ([0, 1], [1, 4], [2, 3]):
        guess = secrecy.interpolate(
            [(ceremony.shares[i].index, ceremony.shares[i].value) for i in pair]
        )
        candidate = (guess % 2**256).to_bytes(32, "big")
        assert bs.public_key_of(candidate) != ceremony.tally_key.public_key


@settings(max_examples=10, deadline=None)
@given(
    kn=st.integers(2, 5).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))), data=st.data()
)
def test_a_wrong_share_is_named_at_close(kn: tuple[int, int], data: st.DataObject) -> None:
    k, n = kn
    ceremony = bs.make_tally_key(VOTE, k=k, n=n)
    chosen = list(
        data.draw(st.lists(st.sampled_from(ceremony.shares), min_size=k, max_size=k, unique=True))
    )
    at = data.draw(st.integers(0, k - 1))
    bad = chosen[at]
    chosen[at] = Share(
        vote=VOTE,
        index=bad.index,
        k=k,
        n=n,
        value=(bad.value + data.draw(st.integers(1, PRIME - 1))) % PRIME,
    )
    with pytest.raises(InvalidInput) as caught:
        bs.close_with_shares(COMMUNE, ceremony.tally_key, chosen, [])
    assert caught.value.code == "trustee.share_wrong"
    assert caught.value.field == f"share {bad.index}"


def test_a_share_of_another_vote_is_named() -> None:
    ceremony = bs.make_tally_key(VOTE, k=2, n=2)
    other = bs.make_tally_key("oberkampf/13", k=2, n=2)
    with pytest.raises(InvalidInput) as caught:
        bs.reconstruct_tally_key(ceremony.tally_key, [ceremony.shares[0], other.shares[1]])
    assert caught.value.code == "trustee.share_other_vote"
    assert caught.value.field == "share 2"


def test_a_changed_public_key_in_the_record_is_found() -> None:
    ceremony = bs.make_tally_key(VOTE, k=2, n=3)
    stranger = bs.make_tally_key(VOTE, k=2, n=3).tally_key.public_key
    forged = bs.TallyKey(VOTE, stranger, 2, 3, ceremony.tally_key.commitments)
    with pytest.raises(StateError) as caught:
        bs.reconstruct_tally_key(forged, ceremony.shares[:2])
    assert caught.value.code == "vote.tally_key_mismatch"


def test_the_journal_payload_holds_only_public_things() -> None:
    ceremony = bs.make_tally_key(VOTE, k=2, n=3)
    payload = ceremony.tally_key.journal_payload()
    assert payload["k"] == 2 and payload["n"] == 3
    assert payload["share_commitments"] == [secrecy.commitment(s) for s in ceremony.shares]
    assert bytes.fromhex(payload["public_key"]) == ceremony.tally_key.public_key
    text = repr(payload) + repr(ceremony)
    for share in ceremony.shares:
        assert f"{share.value:x}" not in text
    assert "hidden" in repr(ceremony)


def test_a_tampered_ciphertext_is_spoiled_not_counted_and_named() -> None:
    ceremony = bs.make_tally_key(VOTE, k=1, n=1)
    public = ceremony.tally_key.public_key
    good = [bs.seal_ballot(public, {"choice": "for"}, size=SIZE) for _ in range(3)]
    tampered = bytearray(good[0].ciphertext)
    tampered[-1] ^= 1
    # Sealed to the right key by someone who wrote the row directly, without padding.
    unpadded = bytes(SealedBox(PublicKey(public)).encrypt(b'{"choice":"for"}'))
    stored = [bytes(tampered), good[1].ciphertext, good[2].ciphertext, unpadded]
    opened = bs.close_with_shares(COMMUNE, ceremony.tally_key, ceremony.shares, stored)
    assert len(opened.ballots) == 2
    spoiled = sorted(secrecy.receipt(c) for c in (bytes(tampered), unpadded))
    assert opened.spoiled == opened.board.spoiled == tuple(spoiled)
    assert all(r in opened.board for r in spoiled)
    assert opened.board.counted == 2
    for code in spoiled:
        check = secrecy.verify_receipt(code, opened.board, board_hash=opened.board.hash())
        assert not check.ok


def test_the_secure_permutation_is_a_permutation_and_varies() -> None:
    seen = set()
    for size in (0, 1, 2, 7, 50):
        order = bs.secure_permutation(size)
        assert sorted(order) == list(range(size))
        seen.add(tuple(order))
    assert len({tuple(bs.secure_permutation(20)) for _ in range(20)}) > 1


def chi_squared(counts: Counter[tuple[int, ...]], cells: int, total: int) -> float:
    """Pearson's statistic of ``counts`` against ``cells`` equally likely outcomes."""
    expected = total / cells
    observed = sum((n - expected) ** 2 / expected for n in counts.values())
    # A cell never seen contributes (0 - expected)**2 / expected = expected.
    return observed + (cells - len(counts)) * expected


def test_the_secure_permutation_is_uniform() -> None:
    # 24 orders of 4 items, 24,000 draws: chi-squared with 23 degrees of freedom stays
    # under 80 except with probability below 1e-8 when every order is equally likely.
    draws = 24_000
    counts = Counter(tuple(bs.secure_permutation(4)) for _ in range(draws))
    assert len(counts) == 24
    assert chi_squared(counts, 24, draws) < 80


def test_the_order_of_opened_ballots_does_not_follow_the_order_of_casting() -> None:
    # Three ballots cast in one order, opened 600 times: each of the 6 published orders
    # comes out about equally often (chi-squared, 5 degrees of freedom, < 40: p < 1e-7).
    ceremony = bs.make_tally_key(VOTE, k=1, n=1)
    sealed = [
        bs.seal_ballot(ceremony.tally_key.public_key, {"voter": i}, size=SIZE).ciphertext
        for i in range(3)
    ]
    key = bs.reconstruct_tally_key(ceremony.tally_key, ceremony.shares)
    closes = 600
    counts = Counter(
        tuple(b["voter"] for b in bs.open_ballots(COMMUNE, VOTE, key, sealed).ballots)
        for _ in range(closes)
    )
    bs.forget(key)
    assert len(counts) == 6
    assert chi_squared(counts, 6, closes) < 40


def test_forget_zeroes_the_bytearray() -> None:
    key = bytearray(os.urandom(32))
    bs.forget(key)
    assert key == bytearray(32)


# Trustees' own keys


def test_a_share_sealed_to_its_trustee_opens_only_with_their_key() -> None:
    ceremony = bs.make_tally_key(VOTE, k=2, n=3)
    public, private = bs.make_trustee_key()
    other_public, other_private = bs.make_trustee_key()
    sealed = bs.seal_share(ceremony.shares[1], public)
    assert bs.open_share(sealed, private) == ceremony.shares[1]
    with pytest.raises(InvalidInput) as caught:
        bs.open_share(sealed, other_private)
    assert caught.value.code == "trustee.key_wrong"
    assert other_public != public


# The server secret


def test_a_key_wrapped_with_the_server_secret_closes_the_vote() -> None:
    secret = bs.ServerSecret(bytes.fromhex(bs.make_server_secret()))
    tally_key, wrapped = bs.wrap_tally_key(secret, VOTE)
    assert tally_key.k == tally_key.n == 0 and tally_key.commitments == ()
    sealed = [bs.seal_ballot(tally_key.public_key, {"choice": c}, size=SIZE) for c in CHOICES]
    opened = bs.close_with_server_secret(
        COMMUNE, secret, tally_key, wrapped, [s.ciphertext for s in sealed]
    )
    assert sorted(b["choice"] for b in opened.ballots) == sorted(CHOICES)
    assert repr(secret) == "ServerSecret(…)"


def test_the_wrong_server_secret_or_another_vote_cannot_unwrap() -> None:
    secret = bs.ServerSecret(bytes(32))
    tally_key, wrapped = bs.wrap_tally_key(secret, VOTE)
    with pytest.raises(StateError) as caught:
        bs.unwrap_tally_key(bs.ServerSecret(bytes(31) + b"\x01"), tally_key, wrapped)
    assert caught.value.code == "vote.server_secret_wrong"
    moved = bs.TallyKey("oberkampf/13", tally_key.public_key, 0, 0, ())
    with pytest.raises(StateError):
        bs.unwrap_tally_key(secret, moved, wrapped)
    other_key, _ = bs.wrap_tally_key(secret, VOTE)
    with pytest.raises(StateError) as mismatch:
        bs.unwrap_tally_key(secret, other_key, wrapped)
    assert mismatch.value.code == "vote.tally_key_mismatch"


def test_a_share_wrapped_with_the_server_secret_unwraps_only_with_it_for_its_vote() -> None:
    secret = bs.ServerSecret(bytes.fromhex(bs.make_server_secret()))
    share = bs.make_tally_key(VOTE, k=2, n=3).shares[2]
    wrapped = bs.wrap_share(secret, share)
    assert f"{share.value:x}".encode() not in wrapped
    assert bs.unwrap_share(secret, VOTE, wrapped) == share
    for other_secret, vote in ((bs.ServerSecret(bytes(32)), VOTE), (secret, "oberkampf/13")):
        with pytest.raises(StateError) as caught:
            bs.unwrap_share(other_secret, vote, wrapped)
        assert caught.value.code == "vote.server_secret_wrong"
    # The share's wrapping key is not the tally key's, though both come from one secret.
    _, wrapped_key = bs.wrap_tally_key(secret, VOTE)
    with pytest.raises(StateError):
        bs.unwrap_share(secret, VOTE, wrapped_key)


def test_the_server_secret_comes_from_a_private_file_or_the_environment(tmp_path: Path) -> None:
    text = bs.make_server_secret()
    assert bs.load_server_secret({}) is None
    assert bs.load_server_secret({bs.SECRET_ENV: text}) == bs.ServerSecret(bytes.fromhex(text))
    file = tmp_path / "tally.secret"
    file.write_text(text + "\n", encoding="ascii")
    file.chmod(0o600)
    found = bs.load_server_secret({bs.SECRET_FILE_ENV: str(file), bs.SECRET_ENV: "ignored"})
    assert found == bs.ServerSecret(bytes.fromhex(text))
    if os.name == "posix":
        file.chmod(0o644)
        with pytest.raises(InvalidInput) as exposed:
            bs.load_server_secret({bs.SECRET_FILE_ENV: str(file)})
        assert exposed.value.code == "settings.tally_secret_exposed"
        assert "chmod 600" in exposed.value.hint
    with pytest.raises(InvalidInput) as missing:
        bs.load_server_secret({bs.SECRET_FILE_ENV: str(tmp_path / "absent")})
    assert missing.value.code == "settings.tally_secret_unreadable"
    for bad in ("abc", "zz" * 32, "00" * 31):
        with pytest.raises(InvalidInput) as invalid:
            bs.load_server_secret({bs.SECRET_ENV: bad})
        assert invalid.value.code == "settings.tally_secret_invalid"
        assert bad not in str(invalid.value.to_json())


def test_a_random_seeded_split_of_a_real_key_matches_its_public_key() -> None:
    ceremony = bs.make_tally_key(VOTE, k=3, n=4)
    rng = random.Random(3)
    for _ in range(5):
        chosen = rng.sample(list(ceremony.shares), 3)
        key = bs.reconstruct_tally_key(ceremony.tally_key, chosen)
        assert bs.public_key_of(key) == ceremony.tally_key.public_key
        bs.forget(key)
