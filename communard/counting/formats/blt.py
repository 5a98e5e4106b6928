"""Read and write ``.blt`` ballot files (the OpenSTV / ERS / Droop "ballot file" format).

Layout::

    <candidates> <seats>
    [-i -j ...]                 withdrawn candidates (1-based), optional
    [tie 3 2 1] [nick a b c]    Droop options in brackets, optional
    <weight> <c1> <c2> ... 0    one line per ballot (or group of identical ballots)
    0                           end of ballots
    "Candidate 1"               one quoted name per candidate, in number order
    "Title"

A ballot line may rank candidates equally with ``=`` (``3 a=b c 0``). In the
profile such a rank holds ``OVERVOTE`` and ``meta["tie_groups"]`` maps
``(row, rank)`` to the tuple of option indices ranked equal there (see
``docs/stv.md``).

Reading is fast: the ballot section is parsed as bytes with whole-array numpy
(digits → integers by Horner's rule over all tokens at once, ``0`` tokens →
ballot boundaries), and identical ballots are grouped by an integer key. As in
XX
line breaks are not significant. Only files that use nicknames or ``=`` take a
line-by-line path.

``meta`` of the profile holds ``seats``, ``title``, ``withdrawn`` (names),
``tie_order`` (names, from ``[tie ...]``; absent when the file gives none),
``nicknames``, ``path`` and ``format`` (``"blt"``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from .. import kernels
from ..errors import BallotFormatError
from ..profiles import EMPTY, OVERVOTE, RankedProfile, group_rows, rank_dtype

_QUOTED = re.compile(rb'"((?:[^"\\]|\\.)*)"|(\S+)')
_NUMERIC_BYTES = np.zeros(256, dtype=bool)
_NUMERIC_BYTES[list(b"0123456789 \t\r\n\f\v")] = True
_OPTION = re.compile(r"\[\s*([A-Za-z_][\w-]*)\s*(.*?)\s*\]")
IntArray = npt.NDArray[np.int64]


class _Source:
    """A file's bytes with a name for messages and line lookup."""

    def __init__(self, data: bytes, name: str) -> None:
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        self.data = data
        self.name = name

    def line_of(self, offset: int) -> int:
        return self.data.count(b"\n", 0, offset) + 1

    def error(self, offset: int | None, problem: str, hint: str = "") -> BallotFormatError:
        line = None if offset is None else self.line_of(offset)
        return BallotFormatError(problem, path=self.name, line=line, hint=hint)


def _load(source: str | Path | bytes | IO[bytes], name: str | None) -> _Source:
    if isinstance(source, bytes):
        return _Source(source, name or "<bytes>")
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            return _Source(path.read_bytes(), name or str(path))
        except OSError as error:
            raise BallotFormatError(
                f"cannot read the file: {error.strerror}.", path=str(path)
            ) from error
    return _Source(source.read(), name or str(getattr(source, "name", "<stream>")))


def read_blt(source: str | Path | bytes | IO[bytes], *, name: str | None = None) -> RankedProfile:
    """Read a ``.blt`` file (path, bytes or binary stream) into a grouped ``RankedProfile``.

    A file named by its path goes to the compiled reader (``kernels.read_blt_fast``),
    which hands everything but plain numeric ballots back to ``read_blt_complete``;
    both give the same profile, and the same errors.
    """
    if name is None and isinstance(source, str | Path) and kernels.HAVE_NUMBA:
        return kernels.read_blt_fast(source, plain=True)
    return read_blt_complete(source, name=name)


def read_blt_complete(
    source: str | Path | bytes | IO[bytes], *, name: str | None = None
) -> RankedProfile:
    """Read a ``.blt`` file with every extension (Droop's options, nicknames, ``=``)."""
    src = _load(source, name)
    data = src.data
    pos = 0
    header_lines: list[tuple[int, str]] = []
    # Header: the "candidates seats" line, then withdrawn and [option] lines.
    while True:
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end
        text = data[pos:end].decode("utf-8", "replace").strip()
        if text and (not header_lines or text.startswith(("-", "["))):
            header_lines.append((pos, text))
        elif text:
            break
        if end >= len(data):
            break
        pos = end + 1
    if not header_lines:
        raise src.error(
            None,
            "the file is empty; a .blt file starts with "
            "'<number of candidates> <number of seats>'.",
        )
    first_off, first = header_lines[0]
    parts = first.split()
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise src.error(
            first_off, f"expected '<number of candidates> <number of seats>', found {first!r}."
        )
    n_options, seats = int(parts[0]), int(parts[1])
    if n_options < 1 or seats < 1:
        raise src.error(first_off, "the number of candidates and of seats must be at least 1.")
    withdrawn: list[int] = []
    options: dict[str, str] = {}
    for off, text in header_lines[1:]:
        if text.startswith("-"):
            for token in text.split():
                if not re.fullmatch(r"-\d+", token) or not 1 <= -int(token) <= n_options:
                    raise src.error(
                        off, f"{token!r} is not a withdrawn candidate number (-1 to -{n_options})."
                    )
                withdrawn.append(-int(token) - 1)
            continue
        rest = text
        while rest:
            match = _OPTION.match(rest)
            if not match:
                raise src.error(
                    off,
                    f"cannot read the option {rest!r}; options look like "
                    "[tie 3 2 1] or [nick a b c].",
                )
            options[match.group(1)] = match.group(2)
            rest = rest[match.end() :].strip()

    nicknames: tuple[str, ...] = ()
    if "nick" in options:
        nicknames = tuple(options["nick"].split())
        if len(nicknames) != n_options:
            raise src.error(
                None, f"[nick] gives {len(nicknames)} nicknames for {n_options} candidates."
            )
    if "withdrawn" in options:
        for token in options["withdrawn"].split():
            withdrawn.append(_candidate_index(src, None, token, nicknames, n_options))

    # The names section starts at the first line whose first character is a quote.
    # No quote can occur among ballots, so the names begin on the line of the first one.
    quote = data.find(b'"', pos)
    ballots_end = data.rfind(b"\n", pos, quote) + 1 if quote >= 0 else len(data)
    ballots_end = max(ballots_end, pos)
    section = data[pos:ballots_end]
    if _numeric(section):
        ranks, weights, section_end = _parse_numeric(src, pos, section, n_options)
        tie_groups: dict[tuple[int, int], tuple[int, ...]] = {}
    else:
        ranks, weights, tie_groups, section_end = _parse_lines(
            src, pos, section, n_options, nicknames
        )
    names, title, comment = _parse_names(src, section_end, n_options)

    meta: dict[str, Any] = {
        "format": "blt",
        "path": src.name,
        "seats": seats,
        "title": title,
        "withdrawn": tuple(names[i] for i in sorted(set(withdrawn))),
        "nicknames": nicknames,
    }
    if "tie" in options:
        order = [
            _candidate_index(src, None, t, nicknames, n_options) for t in options["tie"].split()
        ]
        meta["tie_order"] = tuple(names[i] for i in order)
    extra = {k: v for k, v in options.items() if k not in ("tie", "nick", "withdrawn")}
    if extra:
        meta["options"] = extra
    if tie_groups:
        meta["tie_groups"] = tie_groups
    if comment:
        meta["comment"] = comment
    return RankedProfile(tuple(names), ranks, weights, meta)


def _numeric(section: bytes) -> bool:
    """Whether a ballot section holds only digits and whitespace (the fast path)."""
    return bool(_NUMERIC_BYTES[np.frombuffer(section, dtype=np.uint8)].all())


def _candidate_index(
    src: _Source, offset: int | None, token: str, nicknames: Sequence[str], n_options: int
) -> int:
    if token in nicknames:
        return nicknames.index(token)
    if token.isdigit() and 1 <= int(token) <= n_options:
        return int(token) - 1
    raise src.error(
        offset,
        f"{token!r} is not a candidate (1 to {n_options}{' or a nickname' if nicknames else ''}).",
    )


_CHUNK = 1 << 20


def _chunk_tokens(chunk: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.int64], IntArray, int]:
    """The numbers in a block of digits and whitespace, their offsets, and the longest."""
    # uint8 arithmetic wraps, so one comparison finds the digits.
    digit = (chunk - np.uint8(48)) < 10
    # Token edges alternate start, end, start, ...: one scan finds them all.
    padded = np.concatenate(([False], digit, [False])).view(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    starts = edges[0::2]
    lengths = edges[1::2] - starts
    longest = int(lengths.max()) if len(lengths) else 0
    if longest > 18:
        return np.zeros(0, dtype=np.int64), starts[np.argmax(lengths) :], longest
    # Horner's rule across the digit positions of all tokens at once.
    values = chunk[starts].astype(np.int64) - 48
    for place in range(1, longest):
        longer = np.flatnonzero(lengths > place)
        values[longer] = values[longer] * 10 + (chunk[starts[longer] + place].astype(np.int64) - 48)
    return values, starts, longest


def _parse_numeric(
    src: _Source, base: int, section: bytes, n_options: int
) -> tuple[npt.NDArray[Any], npt.NDArray[np.int64], int]:
    """Parse a ballot section of digits and whitespace with whole-array numpy.

    The bytes are read in blocks of about a megabyte, cut at line ends, so the
    temporaries stay small and are reused (a cold process pays for every fresh
    page it touches); only the numbers themselves are kept.
    """
    buf = np.frombuffer(section, dtype=np.uint8)
    parts: list[npt.NDArray[np.int64]] = []
    blocks: list[tuple[int, int]] = []  # (byte offset, first token) of each block
    pos, tokens = 0, 0
    while pos < len(buf):
        end = min(pos + _CHUNK, len(buf))
        if end < len(buf):
            cut = section.rfind(b"\n", pos, end)
            end = cut + 1 if cut > pos else len(buf)
        values, starts, longest = _chunk_tokens(buf[pos:end])
        if longest > 18:
            raise src.error(base + pos + int(starts[0]), "a number is too large.")
        blocks.append((pos, tokens))
        parts.append(values)
        tokens += len(values)
        pos = end
    values = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def offset(token: int) -> int:
        """Where token number ``token`` starts, from the start of the section."""
        block = max(i for i, (_, first) in enumerate(blocks) if first <= token)
        start, first = blocks[block]
        stop = blocks[block + 1][0] if block + 1 < len(blocks) else len(buf)
        return start + int(_chunk_tokens(buf[start:stop])[1][token - first])

    if len(values) == 0:
        raise src.error(base, "no ballots and no end marker '0' after the header.")
    zeros = np.flatnonzero(values == 0)
    # A ballot is "weight c1 ... 0"; the end marker is a 0 right after a ballot's 0
    # (or first of all), since weights and candidate numbers are at least 1.
    prev = np.concatenate(([-1], zeros[:-1]))
    empty = np.flatnonzero(zeros - prev == 1)
    if len(empty) == 0:
        raise src.error(base + len(section), "the ballots have no end marker '0'.")
    n_ballots = int(empty[0])
    end_token = int(zeros[n_ballots])
    if end_token + 1 < len(values):
        raise src.error(
            base + offset(end_token + 1),
            "text after the end marker '0' where candidate names were expected.",
        )
    b_start = prev[:n_ballots] + 1  # weight token of each ballot
    width = zeros[:n_ballots] - b_start - 1
    n_ranks = max(int(width.max()) if n_ballots else 0, 1)
    matrix = np.full((n_ballots, n_ranks), EMPTY, dtype=rank_dtype(n_options))
    # Fill rank by rank: the j-th preference of every ballot that has one.
    for j in range(n_ranks):
        rows = np.flatnonzero(width > j)
        tokens_j = b_start[rows] + 1 + j
        cands = values[tokens_j]
        bad = np.flatnonzero(cands > n_options)
        if len(bad):
            token = int(tokens_j[bad[0]])
            raise src.error(
                base + offset(token), f"{int(values[token])} is not a candidate (1 to {n_options})."
            )
        matrix[rows, j] = cands - 1
    ranks, grouped = group_ballots(matrix, values[b_start], n_options)
    _check_repeats(src, ranks, matrix, lambda row: base + offset(int(b_start[row])))
    # The names begin after the end marker's single "0".
    return ranks, grouped, base + offset(end_token) + 1


def _check_repeats(
    src: _Source,
    distinct: npt.NDArray[Any],
    matrix: npt.NDArray[Any],
    offset_of_row: Callable[[int], int],
) -> None:
    """Refuse a ballot that ranks a candidate twice (checked on the distinct ballots)."""
    if distinct.shape[1] < 2:
        return
    ordered = np.sort(distinct, axis=1)
    repeat = (ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] >= 0)
    rows = np.flatnonzero(repeat.any(axis=1))
    if len(rows):
        first = int(np.flatnonzero((matrix == distinct[rows[0]]).all(axis=1))[0])
        raise src.error(offset_of_row(first), "a candidate is ranked twice on this ballot.")


def group_ballots(
    matrix: npt.NDArray[Any], weights: npt.NDArray[np.int64], n_options: int
) -> tuple[npt.NDArray[Any], npt.NDArray[np.int64]]:
    """Merge identical rows of a rank matrix, summing weights exactly in int64.

    Rows become one integer key (base ``n_options + 3``) when that fits in 63
    bits, which sorts several times faster than comparing rows as bytes.
    """
    n, k = matrix.shape
    base = n_options + 3
    if n == 0:
        return matrix, weights.astype(np.int64)
    if k * np.log2(base) < 62:
        # In place: a fresh temporary per column would cost a process its page faults.
        key = matrix[:, 0].astype(np.int64)
        for j in range(1, k):
            key *= base
            key += matrix[:, j]
        key += 2 * sum(base**j for j in range(k))  # every rank shifted by 2 (OVERVOTE -> 0)
        span = base**k
        if span <= max(4 * n, 1 << 16) and int(weights.max()) == 1:
            # Few possible rankings: count each key directly, no sort needed.
            counts = np.bincount(key, minlength=span)
            keys = np.flatnonzero(counts)
            return _rows_of_keys(keys, k, base, matrix.dtype), counts[keys].astype(np.int64)
        if int(weights.max()) == 1:
            # Every line one ballot: sorting the keys alone is quicker than an argsort,
            # and each distinct ballot is read back from its key.
            sorted_key = np.sort(key)
            heads = np.flatnonzero(np.concatenate(([True], sorted_key[1:] != sorted_key[:-1])))
            counts = np.diff(np.append(heads, n))
            return _rows_of_keys(sorted_key[heads], k, base, matrix.dtype), counts.astype(np.int64)
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        first = np.concatenate(([True], sorted_key[1:] != sorted_key[:-1]))
        heads = np.flatnonzero(first)
        summed = np.add.reduceat(weights.astype(np.int64)[order], heads)
        return matrix[order[heads]], summed.astype(np.int64)
    return group_rows(matrix, weights.astype(np.int64))


def _rows_of_keys(keys: IntArray, k: int, base: int, dtype: Any) -> npt.NDArray[Any]:
    """The rank rows that ``group_ballots`` encoded as ``keys``."""
    digits = np.empty((len(keys), k), dtype=dtype)
    rest = keys.copy()
    for j in range(k - 1, -1, -1):
        digits[:, j] = rest % base - 2
        rest //= base
    return digits


def _parse_lines(
    src: _Source, base: int, section: bytes, n_options: int, nicknames: Sequence[str]
) -> tuple[npt.NDArray[Any], npt.NDArray[np.int64], dict[tuple[int, int], tuple[int, ...]], int]:
    """Parse a ballot section with nicknames or '=' line by line (small files only)."""
    rows: dict[tuple[tuple[int, ...], ...], int] = {}
    offset = base
    end_offset: int | None = None
    for raw in section.split(b"\n"):
        line_off = offset
        offset += len(raw) + 1
        tokens = raw.decode("utf-8", "replace").split()
        if not tokens:
            continue
        if end_offset is not None:
            raise src.error(
                line_off, "text after the end marker '0' where candidate names were expected."
            )
        if tokens == ["0"]:
            end_offset = line_off + len(raw)
            continue
        if not tokens[0].isdigit() or int(tokens[0]) < 1:
            raise src.error(
                line_off,
                f"a ballot line starts with its weight (a whole number "
                f"of at least 1), not {tokens[0]!r}.",
            )
        if tokens[-1] != "0":
            raise src.error(line_off, "a ballot line must end with 0.")
        ranking: list[tuple[int, ...]] = []
        seen: set[int] = set()
        for token in tokens[1:-1]:
            group = tuple(
                _candidate_index(src, line_off, t, nicknames, n_options)
                for t in token.split("=")
                if t
            )
            if seen.intersection(group) or len(set(group)) != len(group):
                raise src.error(line_off, "a candidate is ranked twice on this ballot.")
            seen.update(group)
            ranking.append(group)
        key = tuple(ranking)
        rows[key] = rows.get(key, 0) + int(tokens[0])
    if end_offset is None:
        raise src.error(base + len(section), "the ballots have no end marker '0'.")
    return (*_rows_to_arrays(list(rows.items()), n_options), end_offset)


def _rows_to_arrays(
    rows: list[tuple[tuple[tuple[int, ...], ...], int]], n_options: int
) -> tuple[npt.NDArray[Any], npt.NDArray[np.int64], dict[tuple[int, int], tuple[int, ...]]]:
    """Rankings given as tuples of equal-ranked groups → rank matrix, weights, tie groups."""
    width = max((len(r) for r, _ in rows), default=0)
    matrix = np.full((len(rows), max(width, 1)), EMPTY, dtype=rank_dtype(n_options))
    weights = np.zeros(len(rows), dtype=np.int64)
    ties: dict[tuple[int, int], tuple[int, ...]] = {}
    for i, (ranking, weight) in enumerate(rows):
        weights[i] = weight
        for j, group in enumerate(ranking):
            if len(group) == 1:
                matrix[i, j] = group[0]
            else:
                matrix[i, j] = OVERVOTE
                ties[(i, j)] = tuple(group)
    return matrix, weights, ties


def _parse_names(src: _Source, offset: int, n_options: int) -> tuple[list[str], str, str]:
    """The quoted names and title; anything after them is kept as a free-text comment."""
    tail = src.data[offset:]
    strings: list[str] = []
    rest = len(tail)
    for match in _QUOTED.finditer(tail):
        if match.group(1) is None or len(strings) == n_options + 1:
            if len(strings) < n_options:
                raise src.error(
                    offset + match.start(),
                    f"expected a quoted candidate name, found {match.group(2)!r}.",
                )
            rest = match.start()
            break
        strings.append(match.group(1).decode("utf-8", "replace").replace('\\"', '"'))
    if len(strings) < n_options:
        raise src.error(
            offset, f"the file names {len(strings)} candidates; the header says {n_options}."
        )
    names = strings[:n_options]
    if len(set(names)) != len(names):
        raise src.error(offset, "two candidates have the same name.")
    title = strings[n_options] if len(strings) > n_options else ""
    return names, title, tail[rest:].decode("utf-8", "replace").strip()


def write_blt(
    profile: RankedProfile,
    target: str | Path | IO[str],
    *,
    seats: int | None = None,
    title: str | None = None,
) -> None:
    """Write ``profile`` as a ``.blt`` file (withdrawn, tie order and equal ranks included)."""
    seats = seats if seats is not None else int(profile.meta.get("seats", 1))
    title = title if title is not None else str(profile.meta.get("title", ""))
    index = {name: i for i, name in enumerate(profile.options)}
    lines = [f"{len(profile.options)} {seats}"]
    withdrawn = profile.meta.get("withdrawn", ())
    if withdrawn:
        lines.append(" ".join(f"-{index[n] + 1}" for n in withdrawn))
    if profile.meta.get("tie_order"):
        lines.append("[tie " + " ".join(str(index[n] + 1) for n in profile.meta["tie_order"]) + "]")
    ties = profile.meta.get("tie_groups", {})
    ranks = profile.ranks.astype(np.int64) + 1
    for i in range(profile.n_distinct):
        cells = []
        for j in range(ranks.shape[1]):
            value = int(ranks[i, j])
            if value == OVERVOTE + 1:
                cells.append("=".join(str(c + 1) for c in ties[(i, j)]))
            elif value > 0:
                cells.append(str(value))
            else:
                break
        lines.append(" ".join([str(int(profile.weights[i])), *cells, "0"]))
    lines.append("0")
    lines.extend('"' + name.replace('"', '\\"') + '"' for name in profile.options)
    lines.append('"' + title.replace('"', '\\"') + '"')
    text = "\n".join(lines) + "\n"
    if isinstance(target, str | Path):
        Path(target).write_text(text, encoding="utf-8")
    else:
        target.write(text)
