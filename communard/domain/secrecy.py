"""Secret ballots: the pure rules — key shares, receipts, the bulletin board, disclosure.

A secret vote's ballots are sealed to a fresh tally key (X25519) whose private
half is split k-of-n among trustees with Shamir's secret sharing (Shamir,
"How to share a secret", CACM 22(11), 1979). This module holds what needs no
I/O and no chance of its own:

- ``split`` and ``combine``: Shamir sharing of a 32-byte private key over the
  prime field of the Mersenne prime 2**521 - 1 (randomness is an argument);
- ``Share``: one trustee's share as a line of text with its vote, index, k, n
  and a checksum, and ``commitment``: the SHA-256 of that line, published on
  the journal when the key is made, so a wrong share is found and named;
- ``receipt``, ``BulletinBoard`` and ``verify_receipt``: a voter's receipt is
  the SHA-256 of their ciphertext; the board is the sorted list of receipts
  of the ballots counted, anchored by its hash in the journal;
- ``pad_ballot`` / ``unpad_ballot``: ballots are padded to one size per vote,
  because a ciphertext's length would otherwise tell its choice;
- ``apply_permutation``: the shuffle, from a permutation chosen by the caller;
- ``disclosure``: nothing but turnout while a vote is open, and no result at
  all while fewer than the charter's minimum of ballots (at least 3) exist.

The cryptography that needs randomness or libsodium (making the key, sealing,
opening, the secure permutation) lives in ``communard.services.ballot_secrecy``.
See ``docs/secret-ballots.md``.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from communard.domain.journal import canonical
from communard.errors import Conflict, Forbidden, InvalidInput, StateError

__all__ = [
    "BOARD_ENTRY_TYPE",
    "BOARD_FORMAT",
    "KEY_ENTRY_TYPE",
    "KEY_SIZE",
    "MAX_TRUSTEES",
    "MIN_SECRET_BALLOTS",
    "PRIME",
    "BulletinBoard",
    "Disclosure",
    "Share",
    "apply_permutation",
    "board_entry_payload",
    "board_of",
    "check_commitments",
    "check_min_ballots",
    "check_permutation",
    "check_trustees",
    "combine",
    "commitment",
    "disclosure",
    "interpolate",
    "pad_ballot",
    "padded_size",
    "parse_board",
    "parse_share",
    "receipt",
    "require_disclosed",
    "split",
    "unpad_ballot",
    "verify_receipt",
]

# The Mersenne prime M521 (Lucas-Lehmer, Robinson 1952): larger than every 32-byte
# secret, so a key is one field element and Shamir's scheme is perfectly hiding.
PRIME = 2**521 - 1
FIELD_BYTES = 66
KEY_SIZE = 32
MAX_TRUSTEES = 64
MIN_SECRET_BALLOTS = 3

SHARE_PREFIX = "communard-share/1"
BOARD_FORMAT = "communard-bulletin-board/1"
KEY_ENTRY_TYPE = "vote.tally_key_made/1"
BOARD_ENTRY_TYPE = "vote.board_published/1"

VOTE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,127}")
HEX64 = re.compile(r"[0-9a-f]{64}")
_VALUE_DIGITS = (PRIME.bit_length() + 3) // 4

RandomBytes = Callable[[int], bytes]
T = TypeVar("T")


# Trustees and shares


def check_trustees(k: int, n: int) -> None:
    """Refuse a threshold that cannot work: 1 <= k <= n <= MAX_TRUSTEES."""
    if not (isinstance(n, int) and 1 <= n <= MAX_TRUSTEES):
        raise InvalidInput(
            "trustees.n",
            n,
            f"name between 1 and {MAX_TRUSTEES} trustees.",
            code="trustee.count_invalid",
        )
    if not (isinstance(k, int) and 1 <= k <= n):
        raise InvalidInput(
            "trustees.k",
            k,
            f"ask for between 1 and {n} shares (the number of trustees).",
            code="trustee.threshold_invalid",
        )


def _check_vote(vote: str) -> None:
    if not (isinstance(vote, str) and VOTE_PATTERN.fullmatch(vote)):
        raise InvalidInput(
            "vote",
            vote,
            "use letters, digits and . _ / - (at most 128), e.g. 'oberkampf/12'.",
            code="vote.id_invalid",
        )


@dataclass(frozen=True, repr=False)
class Share:
    """One trustee's share of a vote's tally key: the point (index, value) of the polynomial.

    ``text()`` is what the trustee downloads and later submits, one line:
    ``communard-share/1:VOTE:K:N:INDEX:VALUE:CHECK`` with VALUE in hexadecimal
    and CHECK the first 8 hex digits of the SHA-256 of the rest (a typo check,
    not a secret). The repr hides the value, so a share never lands in a log.
    """

    vote: str
    index: int
    k: int
    n: int
    value: int

    def body(self) -> str:
        return (
            f"{SHARE_PREFIX}:{self.vote}:{self.k}:{self.n}:{self.index}:"
            f"{self.value:0{_VALUE_DIGITS}x}"
        )

    def text(self) -> str:
        """The share as one line of text (what the trustee keeps)."""
        body = self.body()
        return f"{body}:{_check(body)}"

    def __repr__(self) -> str:
        return f"Share(vote={self.vote!r}, index={self.index}, k={self.k}, n={self.n}, value=…)"


def _check(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:8]


def commitment(share: Share) -> str:
    """The SHA-256 (hex) of a share's text, published when the key is made.

    The value is a uniformly random 521-bit number, so its hash gives nothing
    away, while a submitted share that differs in any bit is caught.
    """
    return hashlib.sha256(share.text().encode("utf-8")).hexdigest()


def parse_share(text: str) -> Share:
    """Read a share's line of text; name what is wrong when it is damaged."""
    cleaned = text.strip() if isinstance(text, str) else ""
    parts = cleaned.split(":")
    fix = "paste the whole line you downloaded, beginning 'communard-share/1:'."
    if len(parts) != 7 or parts[0] != SHARE_PREFIX:
        raise InvalidInput("share", _redact(cleaned), fix, code="trustee.share_unreadable")
    _, vote, k, n, index, value, check = parts
    body = ":".join(parts[:6])
    if not all(x.isdigit() for x in (k, n, index)) or not re.fullmatch(
        f"[0-9a-f]{{{_VALUE_DIGITS}}}", value
    ):
        raise InvalidInput("share", _redact(cleaned), fix, code="trustee.share_unreadable")
    if check != _check(body):
        raise InvalidInput(
            "share",
            _redact(cleaned),
            "the line was changed or cut in copying; paste it again exactly as downloaded.",
            code="trustee.share_damaged",
        )
    share = Share(vote=vote, index=int(index), k=int(k), n=int(n), value=int(value, 16))
    _check_vote(share.vote)
    check_trustees(share.k, share.n)
    if not (1 <= share.index <= share.n and 0 <= share.value < PRIME):
        raise InvalidInput("share", _redact(cleaned), fix, code="trustee.share_unreadable")
    return share


def _redact(text: str) -> str:
    # Error details are shown and may be logged: never echo a share's value.
    return text[:40] + "…" if len(text) > 40 else text


def _draw_element(random_bytes: RandomBytes) -> int:
    """A uniform non-zero element of the field, by rejection sampling."""
    for _ in range(64):
        block = random_bytes(FIELD_BYTES)
        if not isinstance(block, bytes | bytearray) or len(block) != FIELD_BYTES:
            raise ValueError(f"random_bytes({FIELD_BYTES}) must return {FIELD_BYTES} bytes")
        # Keep the low 521 bits: uniform on [0, 2**521); reject 0 and PRIME itself (2**521 - 1).
        value = int.from_bytes(block, "big") & ((1 << PRIME.bit_length()) - 1)
        if 0 < value < PRIME:
            return value
    raise ValueError("random_bytes keeps returning zeros; it is not a source of randomness")


def split(
    secret: bytes | bytearray, *, k: int, n: int, vote: str, random_bytes: RandomBytes
) -> tuple[Share, ...]:
    """Split a 32-byte secret into ``n`` shares, any ``k`` of which give it back (Shamir 1979).

    The secret is the constant term of a random polynomial of degree k-1 over
    GF(PRIME); share i is the polynomial at x = i. ``random_bytes(m)`` must
    return m bytes from a cryptographically secure source (the caller's:
    ``secrets.token_bytes``), since the coefficients are the whole secret.
    """
    if not isinstance(secret, bytes | bytearray) or len(secret) != KEY_SIZE:
        raise ValueError(f"the secret is {KEY_SIZE} bytes")
    check_trustees(k, n)
    _check_vote(vote)
    coefficients = [int.from_bytes(secret, "big")]
    for _ in range(k - 1):
        coefficient = _draw_element(random_bytes)
        # A repeated coefficient means a stuck generator (odds 2**-521 otherwise); the
        # non-zero leading coefficient keeps the degree k-1, so k-1 shares never suffice.
        if coefficient in coefficients[1:]:
            raise ValueError("random_bytes returned the same block twice; it is not random")
        coefficients.append(coefficient)
    shares = tuple(
        Share(vote=vote, index=x, k=k, n=n, value=_evaluate(coefficients, x))
        for x in range(1, n + 1)
    )
    coefficients.clear()
    return shares


def _evaluate(coefficients: Sequence[int], x: int) -> int:
    result = 0
    for coefficient in reversed(coefficients):
        result = (result * x + coefficient) % PRIME
    return result


def interpolate(points: Sequence[tuple[int, int]], x: int = 0) -> int:
    """The value at ``x`` of the polynomial of least degree through ``points`` (Lagrange).

    Exposed for tests and verifiers; ``combine`` is what reconstructs a key.
    """
    xs = [px for px, _ in points]
    if len(set(xs)) != len(xs):
        raise ValueError("the points' x coordinates must be distinct")
    total = 0
    for i, (xi, yi) in enumerate(points):
        numerator, denominator = 1, 1
        for j, xj in enumerate(xs):
            if j != i:
                numerator = numerator * (x - xj) % PRIME
                denominator = denominator * (xi - xj) % PRIME
        total = (total + yi * numerator * pow(denominator, -1, PRIME)) % PRIME
    return total


def check_commitments(shares: Iterable[Share], commitments: Sequence[str]) -> None:
    """Check each submitted share against the commitments published at key generation.

    ``commitments[i - 1]`` is the commitment of share i. The first share that
    does not match is named by its index (and so by its trustee).
    """
    for share in shares:
        if not 1 <= share.index <= len(commitments):
            raise InvalidInput(
                f"share {share.index}",
                share.index,
                f"this vote has {len(commitments)} shares, numbered 1 to {len(commitments)}.",
                code="trustee.share_wrong",
                message=f"Share {share.index} does not exist for vote {share.vote!r}.",
            )
        if commitment(share) != commitments[share.index - 1]:
            raise InvalidInput(
                f"share {share.index}",
                share.index,
                "submit the share downloaded for this vote, unchanged.",
                code="trustee.share_wrong",
                message=(
                    f"Share {share.index} of {share.n} for vote {share.vote!r} is wrong: it does "
                    "not match the commitment published in the journal when the key was made."
                ),
                details={"index": share.index, "vote": share.vote},
            )


def combine(shares: Sequence[Share], *, commitments: Sequence[str] | None = None) -> bytearray:
    """The secret from at least k shares of one vote (checked against ``commitments`` if given).

    The result is a ``bytearray`` so the caller can zero it when done. Fewer
    than k shares are refused: they determine nothing (any secret is as
    consistent with them as any other). A result that is not a 32-byte number
    means a share was wrong; without commitments it cannot say which.
    """
    if not shares:
        raise StateError(
            "No shares were submitted.",
            code="vote.shares_missing",
            hint="Ask the trustees to submit their shares.",
        )
    first = shares[0]
    for share in shares:
        if (share.vote, share.k, share.n) != (first.vote, first.k, first.n):
            raise InvalidInput(
                f"share {share.index}",
                share.vote,
                f"submit a share of vote {first.vote!r} ({first.k} of {first.n}).",
                code="trustee.share_other_vote",
                message=(
                    f"Share {share.index} belongs to vote {share.vote!r} ({share.k} of "
                    f"{share.n}), not to vote {first.vote!r} ({first.k} of {first.n})."
                ),
            )
    indexes = [s.index for s in shares]
    for index in indexes:
        if indexes.count(index) > 1:
            raise Conflict(
                f"Share {index} of vote {first.vote!r} was submitted twice.",
                code="trustee.share_duplicate",
                hint="Each trustee submits their own share once.",
                details={"index": index},
            )
    if len(shares) < first.k:
        raise StateError(
            f"Vote {first.vote!r} needs {first.k} of its {first.n} trustees' shares; "
            f"{len(shares)} were submitted.",
            code="vote.shares_missing",
            hint=f"Wait for {first.k - len(shares)} more trustee(s) to submit their share.",
            details={"submitted": len(shares), "needed": first.k},
        )
    if commitments is not None:
        check_commitments(shares, commitments)
    value = interpolate([(s.index, s.value) for s in shares[: first.k]])
    if value >= 1 << (8 * KEY_SIZE):
        raise InvalidInput(
            "shares",
            sorted(indexes),
            "check each share against the commitments published in the journal.",
            code="trustee.share_wrong",
            message=f"The shares submitted for vote {first.vote!r} do not fit together: "
            "at least one of them is wrong.",
        )
    return bytearray(value.to_bytes(KEY_SIZE, "big"))


# Ballots: padding, receipts, the bulletin board


def padded_size(longest: int) -> int:
    """The plaintext size of a vote's ballots: a power of two >= 256 that holds ``longest``.

    Every ballot of a vote is padded to this size before sealing, since sealed
    boxes keep the plaintext's length and a length can tell a choice.
    """
    size = 256
    while size < longest + 4:
        size *= 2
    return size


def pad_ballot(content: Mapping[str, Any], size: int) -> bytes:
    """A ballot's canonical JSON, prefixed by its length and padded with zeros to ``size``."""
    data = canonical(dict(content))
    if len(data) + 4 > size:
        raise InvalidInput(
            "ballot",
            f"{len(data)} bytes",
            f"a ballot of this vote holds at most {size - 4} bytes.",
            code="vote.ballot_too_long",
        )
    return len(data).to_bytes(4, "big") + data + bytes(size - 4 - len(data))


def unpad_ballot(plaintext: bytes) -> dict[str, Any]:
    """The ballot inside a padded plaintext; ``ValueError`` unless the padding is exact."""
    if len(plaintext) < 4:
        raise ValueError("a padded ballot is at least 4 bytes")
    length = int.from_bytes(plaintext[:4], "big")
    data, padding = plaintext[4 : 4 + length], plaintext[4 + length :]
    if len(data) != length or any(padding):
        raise ValueError("the padding of the ballot is not exact")
    content = json.loads(data.decode("utf-8"))
    if not isinstance(content, dict) or canonical(content) != data:
        raise ValueError("the ballot is not a canonical JSON object")
    return content


def receipt(ciphertext: bytes) -> str:
    """A voter's receipt: the SHA-256 (hex) of their ballot's ciphertext."""
    return hashlib.sha256(ciphertext).hexdigest()


def _check_receipt(value: str) -> str:
    text = value.strip().lower() if isinstance(value, str) else ""
    if not HEX64.fullmatch(text):
        raise InvalidInput(
            "receipt",
            value,
            "give the 64 hexadecimal characters shown when you voted.",
            code="receipt.invalid",
        )
    return text


@dataclass(frozen=True)
class BulletinBoard:
    """The receipts of the ballots stored at a secret vote's close, sorted (in no voter's order).

    ``spoiled`` lists, sorted, the receipts among them whose ciphertext could
    not be opened (a row altered in the database): they are shown, not counted.
    """

    commune: str
    vote: str
    receipts: tuple[str, ...]
    spoiled: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The published document (what ``communard receipt verify --board`` reads)."""
        return {
            "format": BOARD_FORMAT,
            "commune": self.commune,
            "vote": self.vote,
            "receipts": list(self.receipts),
            "spoiled": list(self.spoiled),
        }

    def hash(self) -> str:
        """The SHA-256 (hex) of the document's canonical JSON, recorded in the journal."""
        return hashlib.sha256(canonical(self.to_json())).hexdigest()

    @property
    def counted(self) -> int:
        """How many ballots on the board were counted."""
        return len(self.receipts) - len(self.spoiled)

    def __contains__(self, item: object) -> bool:
        return _in_sorted(self.receipts, item)


def _in_sorted(items: Sequence[str], item: object) -> bool:
    if not isinstance(item, str):
        return False
    at = bisect.bisect_left(items, item)
    return at < len(items) and items[at] == item


def board_of(
    commune: str, vote: str, ciphertexts: Iterable[bytes], *, spoiled: Iterable[str] = ()
) -> BulletinBoard:
    """The bulletin board of the ciphertexts stored at the close (``spoiled``: receipts)."""
    receipts = sorted(receipt(c) for c in ciphertexts)
    for a, b in itertools.pairwise(receipts):
        if a == b:
            raise Conflict(
                f"Two stored ballots of vote {vote!r} have the same ciphertext ({a[:12]}…).",
                code="vote.ballot_duplicate",
                hint="A ciphertext was copied in the database; restore it from a backup.",
            )
    bad = sorted(set(spoiled))
    if not all(_in_sorted(receipts, r) for r in bad):
        raise ValueError("a spoiled receipt is not among the ciphertexts")
    return BulletinBoard(commune=commune, vote=vote, receipts=tuple(receipts), spoiled=tuple(bad))


BOARD_FIELDS = ["commune", "format", "receipts", "spoiled", "vote"]


def parse_board(data: Any) -> BulletinBoard:
    """Read a published board document; ``ValueError`` naming what is wrong."""
    if not isinstance(data, dict) or sorted(data) != BOARD_FIELDS:
        raise ValueError(f"a bulletin board has exactly the fields {', '.join(BOARD_FIELDS)}")
    if data["format"] != BOARD_FORMAT:
        raise ValueError(f"the board's format is {data['format']!r}, not {BOARD_FORMAT!r}")
    if not isinstance(data["commune"], str) or not isinstance(data["vote"], str):
        raise ValueError("the board's commune and vote are strings")
    lists = {}
    for name in ("receipts", "spoiled"):
        items = data[name]
        if not isinstance(items, list) or not all(
            isinstance(r, str) and HEX64.fullmatch(r) for r in items
        ):
            raise ValueError(f"the board's {name} are 64 lowercase hexadecimal characters each")
        if any(a >= b for a, b in itertools.pairwise(items)):
            raise ValueError(f"the board's {name} are not sorted without repeats")
        lists[name] = tuple(items)
    if not all(_in_sorted(lists["receipts"], r) for r in lists["spoiled"]):
        raise ValueError("a spoiled receipt of the board is not among its receipts")
    return BulletinBoard(
        commune=data["commune"],
        vote=data["vote"],
        receipts=lists["receipts"],
        spoiled=lists["spoiled"],
    )


def board_entry_payload(board: BulletinBoard) -> dict[str, Any]:
    """The payload of the journal entry ``vote.board_published/1`` that anchors a board."""
    return {
        "vote": board.vote,
        "board_hash": board.hash(),
        "ballots": len(board.receipts),
        "spoiled": len(board.spoiled),
    }


@dataclass(frozen=True)
class ReceiptCheck:
    """What ``verify_receipt`` found: ``ok`` and a sentence for people."""

    ok: bool
    receipt: str
    message: str


def verify_receipt(value: str, board: BulletinBoard, *, board_hash: str) -> ReceiptCheck:
    """Whether a receipt is on the board, and the board is the one the journal anchors."""
    code = _check_receipt(value)
    actual = board.hash()
    if actual != board_hash.strip().lower():
        return ReceiptCheck(
            False,
            code,
            f"The bulletin board of vote {board.vote!r} is not the published one: its hash is "
            f"{actual[:16]}…, the journal records {board_hash[:16]}….",
        )
    if code not in board:
        return ReceiptCheck(
            False,
            code,
            f"Receipt {code[:16]}… is NOT on the bulletin board of vote {board.vote!r} "
            f"({len(board.receipts)} ballots). If it is the receipt of your last "
            "ballot, your ballot was not counted: tell your commune.",
        )
    if _in_sorted(board.spoiled, code):
        return ReceiptCheck(
            False,
            code,
            f"Receipt {code[:16]}… is on the bulletin board of vote {board.vote!r}, but its "
            "ballot could not be opened (it was altered in storage) and was NOT counted: "
            "tell your commune.",
        )
    return ReceiptCheck(
        True,
        code,
        f"Receipt {code[:16]}… is on the bulletin board of vote {board.vote!r} "
        f"({board.counted} ballots counted): your ballot was counted.",
    )


# The shuffle


def check_permutation(permutation: Sequence[int], size: int) -> None:
    """Refuse anything but a permutation of ``range(size)``."""
    if len(permutation) != size or sorted(permutation) != list(range(size)):
        raise ValueError(f"not a permutation of 0..{size - 1}")


def apply_permutation(items: Sequence[T], permutation: Sequence[int]) -> list[T]:
    """``items`` reordered: position i of the result holds ``items[permutation[i]]``."""
    check_permutation(permutation, len(items))
    return [items[i] for i in permutation]


# What may be shown, when


def check_min_ballots(value: Any, *, field: str = "min_ballots") -> int:
    """The charter's minimum of ballots before any result is shown (at least 3)."""
    if not isinstance(value, int) or isinstance(value, bool) or value < MIN_SECRET_BALLOTS:
        raise InvalidInput(
            field,
            value,
            f"write a whole number of at least {MIN_SECRET_BALLOTS}: with fewer ballots a "
            "result tells how each voter voted.",
            code="charter.min_ballots_too_low",
        )
    return value


@dataclass(frozen=True)
class Disclosure:
    """What a secret vote may show now.

    ``turnout``: how many ballots were cast (never who cast which);
    ``results``: the outcome, per-option counts and rounds;
    ``ballots``: the plaintext ballots (shuffled) and the bulletin board.
    ``reason`` says in words why something is withheld.
    """

    turnout: bool
    results: bool
    ballots: bool
    reason: str = ""


def disclosure(*, is_open: bool, ballots: int, min_ballots: int) -> Disclosure:
    """The rule of what a secret vote shows.

    While open: the number of ballots only — no per-option results, partial
    tallies or participation by option. Once closed: everything, unless fewer
    than ``min_ballots`` were cast, in which case no result at all (the
    ballots are never decrypted).
    """
    check_min_ballots(min_ballots)
    if is_open:
        return Disclosure(
            True, False, False, "a secret vote shows no results and no ballots until it closes"
        )
    if ballots < min_ballots:
        return Disclosure(
            True,
            False,
            False,
            f"only {ballots} ballot(s) were cast and this secret vote needs at least "
            f"{min_ballots} before any result is shown, so it is never counted",
        )
    return Disclosure(True, True, True)


def require_disclosed(
    what: str, *, vote: str, is_open: bool, ballots: int, min_ballots: int
) -> None:
    """Raise ``Forbidden`` unless ``what`` (``"results"`` or ``"ballots"``) may be shown."""
    if what not in ("turnout", "results", "ballots"):
        raise ValueError(f"unknown disclosure {what!r}")
    found = disclosure(is_open=is_open, ballots=ballots, min_ballots=min_ballots)
    if getattr(found, what):
        return
    code = "vote.secret_open" if is_open else "vote.too_few_ballots"
    raise Forbidden(
        f"The {what} of secret vote {vote!r} are not shown: {found.reason}.",
        code=code,
        hint="Wait until the vote closes." if is_open else "",
        details={"vote": vote, "ballots": ballots, "min_ballots": min_ballots},
    )
