"""Secret ballots: the cryptography that needs libsodium or randomness.

The pure rules (Shamir shares, receipts, the bulletin board, padding, what
may be shown) live in ``communard.domain.secrecy``; this module adds:

- ``make_tally_key``: a fresh X25519 key pair for a vote, its private half
  split k-of-n among trustees (``KeyCeremony``), with the commitments and the
  public key the journal records (``TallyKey.journal_payload``);
- ``seal_share`` / ``open_share``: a share sealed to a trustee's own public
  key, so the database never holds a share anyone else can read;
- ``seal_ballot``: a padded ballot sealed to the vote's public key with a
  libsodium sealed box (``crypto_box_seal``: an ephemeral X25519 key, then
  XSalsa20-Poly1305; anonymous and randomised, so equal ballots give unequal
  ciphertexts), and the voter's receipt;
- ``reconstruct_tally_key``: the private key from k shares, each checked
  against its commitment (a wrong one is named) and the result against the
  public key;
- ``open_ballots`` / ``close_with_shares``: decrypt every ciphertext, shuffle
  with a cryptographically secure permutation (``secure_permutation``), build
  the bulletin board, and forget the key;
- ``ServerSecret``: the alternative where a commune names no trustees — the
  private key wrapped with a secret kept outside the database (an environment
  variable or a file named in the settings), never stored beside it; and
  ``wrap_share``: shares waiting in the database, wrapped with that secret.

What Python cannot promise: ``forget`` overwrites the bytearrays this module
controls, but Python's integers (Shamir's arithmetic) and ``bytes`` (PyNaCl
copies the key into a ``bytes`` object to call libsodium) are immutable and
are freed, not wiped; the allocator may reuse or keep that memory, and the
operating system may swap it to disk or write it into a core dump. The key
lives in memory only during the close, within one call; see
``docs/secret-ballots.md``.
"""

from __future__ import annotations

import hmac
import os
import secrets
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nacl.exceptions
from nacl.encoding import RawEncoder
from nacl.hash import blake2b
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox

from communard.domain import secrecy
from communard.domain.secrecy import BulletinBoard, Share
from communard.errors import InvalidInput, StateError

__all__ = [
    "SECRET_ENV",
    "SECRET_FILE_ENV",
    "KeyCeremony",
    "Opened",
    "SealedBallot",
    "ServerSecret",
    "TallyKey",
    "close_with_server_secret",
    "close_with_shares",
    "forget",
    "load_server_secret",
    "make_server_secret",
    "make_tally_key",
    "make_trustee_key",
    "open_ballots",
    "open_share",
    "public_key_of",
    "reconstruct_tally_key",
    "seal_ballot",
    "seal_share",
    "secure_permutation",
    "unwrap_share",
    "unwrap_tally_key",
    "wrap_share",
    "wrap_tally_key",
]

SECRET_ENV = "COMMUNARD_TALLY_SECRET"
SECRET_FILE_ENV = "COMMUNARD_TALLY_SECRET_FILE"
# BLAKE2b's personalisation separates each use of the server secret from the others.
_WRAP_PERSON = b"communard/tally"
_SHARE_PERSON = b"communard/share"


def forget(key: bytearray) -> None:
    """Overwrite a key held in a bytearray with zeros (what Python allows; see the module)."""
    key[:] = bytes(len(key))


def public_key_of(private_key: bytes | bytearray) -> bytes:
    """The X25519 public key of a 32-byte private key."""
    return bytes(PrivateKey(bytes(private_key)).public_key)


# Making the key


@dataclass(frozen=True)
class TallyKey:
    """What is kept of a vote's tally key once it is made: all of it public.

    ``commitments[i - 1]`` is the SHA-256 of trustee share i (empty when the
    key is wrapped with the server secret instead).
    """

    vote: str
    public_key: bytes
    k: int
    n: int
    commitments: tuple[str, ...]

    def journal_payload(self) -> dict[str, Any]:
        """The payload of ``vote.tally_key_made/1``: the public key, k, n, the commitments."""
        return {
            "vote": self.vote,
            "public_key": self.public_key.hex(),
            "k": self.k,
            "n": self.n,
            "share_commitments": list(self.commitments),
        }


@dataclass(frozen=True, repr=False)
class KeyCeremony:
    """A freshly made tally key: the public part, and the shares to hand to the trustees.

    The shares exist in clear only in this object; store each one sealed to its
    trustee (``seal_share``) and let this object go.
    """

    tally_key: TallyKey
    shares: tuple[Share, ...]

    def __repr__(self) -> str:
        return f"KeyCeremony(tally_key={self.tally_key!r}, shares=<{len(self.shares)} hidden>)"


def make_tally_key(vote: str, *, k: int, n: int) -> KeyCeremony:
    """A fresh X25519 key pair for ``vote``, the private key split k-of-n (Shamir 1979)."""
    secrecy.check_trustees(k, n)
    private = bytearray(bytes(PrivateKey.generate()))
    try:
        shares = secrecy.split(private, k=k, n=n, vote=vote, random_bytes=secrets.token_bytes)
        public = public_key_of(private)
    finally:
        forget(private)
    tally_key = TallyKey(
        vote=vote,
        public_key=public,
        k=k,
        n=n,
        commitments=tuple(secrecy.commitment(s) for s in shares),
    )
    return KeyCeremony(tally_key=tally_key, shares=shares)


def make_trustee_key() -> tuple[bytes, bytearray]:
    """A trustee's own key pair (public, private): shares are sealed to the public half."""
    private = PrivateKey.generate()
    return bytes(private.public_key), bytearray(bytes(private))


def seal_share(share: Share, trustee_public_key: bytes) -> bytes:
    """A share sealed to its trustee's public key: only that trustee can read it."""
    return bytes(SealedBox(PublicKey(trustee_public_key)).encrypt(share.text().encode("utf-8")))


def open_share(sealed: bytes, trustee_private_key: bytes | bytearray) -> Share:
    """The share a trustee opens with their private key."""
    try:
        text = SealedBox(PrivateKey(bytes(trustee_private_key))).decrypt(sealed)
    except nacl.exceptions.CryptoError as error:
        raise InvalidInput(
            "trustee key",
            "…",
            "open the share with the private key of the trustee it was sealed to.",
            code="trustee.key_wrong",
            message="This sealed share cannot be opened with that key.",
        ) from error
    return secrecy.parse_share(text.decode("utf-8"))


# Casting


@dataclass(frozen=True)
class SealedBallot:
    """A ballot sealed to the vote's public key, and the receipt the voter gets."""

    ciphertext: bytes
    receipt: str


def seal_ballot(public_key: bytes, content: Mapping[str, Any], *, size: int) -> SealedBallot:
    """Pad ``content`` to ``size`` bytes and seal it (libsodium ``crypto_box_seal``)."""
    plaintext = secrecy.pad_ballot(content, size)
    ciphertext = bytes(SealedBox(PublicKey(public_key)).encrypt(plaintext))
    return SealedBallot(ciphertext=ciphertext, receipt=secrecy.receipt(ciphertext))


# Closing


def reconstruct_tally_key(tally_key: TallyKey, shares: Sequence[Share]) -> bytearray:
    """The private key from at least k shares; the caller ``forget``s it when done.

    Each share is checked against the commitment the journal recorded for its
    index (a wrong share is named), then the key against the public key.
    """
    for share in shares:
        if share.vote != tally_key.vote:
            raise InvalidInput(
                f"share {share.index}",
                share.vote,
                f"submit your share of vote {tally_key.vote!r}.",
                code="trustee.share_other_vote",
                message=f"Share {share.index} belongs to vote {share.vote!r}, "
                f"not to vote {tally_key.vote!r}.",
            )
    key = secrecy.combine(shares, commitments=tally_key.commitments)
    if not hmac.compare_digest(public_key_of(key), tally_key.public_key):
        forget(key)
        raise StateError(
            f"The key rebuilt from the shares of vote {tally_key.vote!r} does not match its "
            "public key.",
            code="vote.tally_key_mismatch",
            hint="The journal's record of the key or its commitments was changed; "
            "check it with 'communard journal verify'.",
        )
    return key


def secure_permutation(size: int) -> list[int]:
    """A uniformly random permutation of ``range(size)`` (Fisher–Yates with ``secrets``)."""
    order = list(range(size))
    for i in range(size - 1, 0, -1):
        j = secrets.randbelow(i + 1)
        order[i], order[j] = order[j], order[i]
    return order


@dataclass(frozen=True)
class Opened:
    """A secret vote's close: the board, the ballots shuffled, and the spoiled receipts.

    ``ballots`` are in the order of a secure random permutation, unrelated to
    the order of casting. ``spoiled`` lists receipts of ciphertexts that could
    not be opened (tampered rows): they are on the board, marked, and not counted.
    """

    board: BulletinBoard
    ballots: tuple[dict[str, Any], ...]
    spoiled: tuple[str, ...]


def open_ballots(
    commune: str,
    vote: str,
    private_key: bytes | bytearray,
    ciphertexts: Sequence[bytes],
    *,
    permutation: Sequence[int] | None = None,
) -> Opened:
    """Decrypt every ciphertext with the private key and shuffle the plaintext ballots.

    ``permutation`` is for tests; by default a fresh ``secure_permutation``.
    """
    box = SealedBox(PrivateKey(bytes(private_key)))
    ballots: list[dict[str, Any]] = []
    spoiled: list[str] = []
    for ciphertext in ciphertexts:
        try:
            ballots.append(secrecy.unpad_ballot(box.decrypt(ciphertext)))
        except (nacl.exceptions.CryptoError, ValueError):
            spoiled.append(secrecy.receipt(ciphertext))
    board = secrecy.board_of(commune, vote, ciphertexts, spoiled=spoiled)
    order = secure_permutation(len(ballots)) if permutation is None else permutation
    shuffled = secrecy.apply_permutation(ballots, order)
    ballots.clear()
    return Opened(board=board, ballots=tuple(shuffled), spoiled=board.spoiled)


def close_with_shares(
    commune: str,
    tally_key: TallyKey,
    shares: Sequence[Share],
    ciphertexts: Sequence[bytes],
    *,
    permutation: Sequence[int] | None = None,
) -> Opened:
    """Rebuild the key from k shares, open and shuffle the ballots, and forget the key."""
    key = reconstruct_tally_key(tally_key, shares)
    try:
        return open_ballots(commune, tally_key.vote, key, ciphertexts, permutation=permutation)
    finally:
        forget(key)


# The server secret, for communes that name no trustees


@dataclass(frozen=True, repr=False)
class ServerSecret:
    """A 32-byte secret kept outside the database; it wraps each vote's private key."""

    key: bytes

    def __repr__(self) -> str:
        return "ServerSecret(…)"


def make_server_secret() -> str:
    """A new server secret as 64 hexadecimal characters (for the file or the variable)."""
    return secrets.token_hex(32)


def _secret_from_text(text: str, where: str) -> ServerSecret:
    cleaned = text.strip()
    try:
        key = bytes.fromhex(cleaned)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise InvalidInput(
            where,
            "…",
            "write 64 hexadecimal characters, e.g. from 'python -c \"import secrets; "
            "print(secrets.token_hex(32))\"'.",
            code="settings.tally_secret_invalid",
        )
    return ServerSecret(key)


def load_server_secret(settings: Mapping[str, str]) -> ServerSecret | None:
    """The server secret named by the settings (``os.environ`` or alike), or None.

    ``COMMUNARD_TALLY_SECRET_FILE`` names a file holding 64 hex characters,
    readable by its owner only; else ``COMMUNARD_TALLY_SECRET`` holds them.
    Either way the secret never enters the database or its backups.
    """
    path = settings.get(SECRET_FILE_ENV)
    if path:
        file = Path(path)
        try:
            mode = file.stat().st_mode
            text = file.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as error:
            raise InvalidInput(
                SECRET_FILE_ENV,
                path,
                "name a readable file holding 64 hex characters.",
                code="settings.tally_secret_unreadable",
            ) from error
        if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise InvalidInput(
                SECRET_FILE_ENV,
                path,
                f"let only its owner read it: chmod 600 {path}",
                code="settings.tally_secret_exposed",
            )
        return _secret_from_text(text, SECRET_FILE_ENV)
    value = settings.get(SECRET_ENV)
    if value:
        return _secret_from_text(value, SECRET_ENV)
    return None


def _wrapping_box(secret: ServerSecret, vote: str, person: bytes = _WRAP_PERSON) -> SecretBox:
    # One key per vote and use, derived with keyed BLAKE2b, so none is shared.
    derived = blake2b(
        vote.encode("utf-8"),
        digest_size=32,
        key=secret.key,
        person=person,
        encoder=RawEncoder,
    )
    return SecretBox(derived)


def wrap_share(secret: ServerSecret, share: Share) -> bytes:
    """A share wrapped with the server secret, to be stored until downloaded or used."""
    box = _wrapping_box(secret, share.vote, _SHARE_PERSON)
    return bytes(box.encrypt(share.text().encode("utf-8")))


def unwrap_share(secret: ServerSecret, vote: str, wrapped: bytes) -> Share:
    """A share of ``vote`` stored with ``wrap_share``."""
    try:
        text = _wrapping_box(secret, vote, _SHARE_PERSON).decrypt(wrapped)
    except nacl.exceptions.CryptoError as error:
        raise StateError(
            f"A stored share of vote {vote!r} cannot be unwrapped with this server secret.",
            code="vote.server_secret_wrong",
            hint=f"Set {SECRET_FILE_ENV} (or {SECRET_ENV}) to the secret the server had "
            "when the share was stored.",
        ) from error
    return secrecy.parse_share(text.decode("utf-8"))


def wrap_tally_key(secret: ServerSecret, vote: str) -> tuple[TallyKey, bytes]:
    """A fresh tally key for ``vote``, its private key wrapped with the server secret.

    Store the wrapped key in the database: without the secret it is noise.
    """
    private = bytearray(bytes(PrivateKey.generate()))
    try:
        public = public_key_of(private)
        wrapped = bytes(_wrapping_box(secret, vote).encrypt(bytes(private)))
    finally:
        forget(private)
    return TallyKey(vote=vote, public_key=public, k=0, n=0, commitments=()), wrapped


def unwrap_tally_key(secret: ServerSecret, tally_key: TallyKey, wrapped: bytes) -> bytearray:
    """The private key of a vote wrapped with ``wrap_tally_key``; the caller forgets it."""
    try:
        key = bytearray(_wrapping_box(secret, tally_key.vote).decrypt(wrapped))
    except nacl.exceptions.CryptoError as error:
        raise StateError(
            f"The tally key of vote {tally_key.vote!r} cannot be unwrapped with this server "
            "secret.",
            code="vote.server_secret_wrong",
            hint=f"Set {SECRET_FILE_ENV} (or {SECRET_ENV}) to the secret the server had "
            "when the vote opened.",
        ) from error
    if not hmac.compare_digest(public_key_of(key), tally_key.public_key):
        forget(key)
        raise StateError(
            f"The unwrapped key of vote {tally_key.vote!r} does not match its public key.",
            code="vote.tally_key_mismatch",
            hint="Check the journal with 'communard journal verify'.",
        )
    return key


def close_with_server_secret(
    commune: str,
    secret: ServerSecret,
    tally_key: TallyKey,
    wrapped: bytes,
    ciphertexts: Sequence[bytes],
    *,
    permutation: Sequence[int] | None = None,
) -> Opened:
    """Unwrap the key with the server secret, open and shuffle the ballots, forget the key."""
    key = unwrap_tally_key(secret, tally_key, wrapped)
    try:
        return open_ballots(commune, tally_key.vote, key, ciphertexts, permutation=permutation)
    finally:
        forget(key)
