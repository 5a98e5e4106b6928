"""Read PrefLib ordinal files (``.soi``, ``.toi``, ``.soc``, ``.toc``; format of September 2022).

Header lines start with ``# `` (``# ALTERNATIVE NAME 3: Joan Burton``, ``# TITLE: ...``);
then one line per distinct order, ``<count>: <order>``, the order a comma-separated
list of alternative numbers (from 1), most preferred first, where ``{a,b}``
groups alternatives ranked equal.

Equal rankings: the rank holds ``OVERVOTE`` and ``meta["tie_groups"]`` maps
``(row, rank)`` to the tuple of option indices ranked equal there, as for
``.blt``. Counting methods that rank strictly treat that rank as an RCTab
overvote (the ballot stops counting there); see ``docs/stv.md``.

PrefLib files carry no number of seats; ``meta["seats"]`` is absent unless the
caller gives one.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, Any

from ..errors import BallotFormatError
from ..profiles import RankedProfile
from .blt import _load, _rows_to_arrays, group_ballots

_HEADER = re.compile(r"#\s*([A-Z][A-Z ]*[A-Z])\s*:\s?(.*)$")
_ALTERNATIVE = re.compile(r"#\s*ALTERNATIVE NAME (\d+)\s*:\s?(.*)$")
_ORDER = re.compile(r"\s*(\d+)\s*:\s*(.*?)\s*$")
_GROUP = re.compile(r"\{([^{}]*)\}|([^,{}\s]+)")


def read_preflib(
    source: str | Path | bytes | IO[bytes],
    *,
    name: str | None = None,
    seats: int | None = None,
) -> RankedProfile:
    """Read a PrefLib ordinal file into a grouped ``RankedProfile``."""
    loaded = _load(source, name)
    data, label = loaded.data, loaded.name
    text = data.decode("utf-8-sig", "replace")

    def fail(line: int, problem: str, hint: str = "") -> BallotFormatError:
        return BallotFormatError(problem, path=label, line=line, hint=hint)

    header: dict[str, str] = {}
    alternatives: dict[int, str] = {}
    orders: dict[tuple[tuple[int, ...], ...], int] = {}
    n_options: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if line.startswith("#"):
            numbered = _ALTERNATIVE.match(line)
            if numbered:
                name = numbered.group(2).strip()
                if len(name) >= 2 and name[0] == name[-1] == '"':
                    # Some PrefLib files quote the names ("Nancy Bernard"); the quotes
                    # are not part of the name.
                    name = name[1:-1]
                alternatives[int(numbered.group(1))] = name
                continue
            match = _HEADER.match(line)
            if match:
                header[match.group(1)] = match.group(2).strip()
            continue
        if n_options is None:
            if "NUMBER ALTERNATIVES" not in header:
                raise fail(
                    number,
                    "no '# NUMBER ALTERNATIVES:' header before the orders.",
                    hint="Files in PrefLib's format before 2022 must be converted.",
                )
            n_options = int(header["NUMBER ALTERNATIVES"])
            missing = [i for i in range(1, n_options + 1) if i not in alternatives]
            if missing:
                raise fail(number, f"no '# ALTERNATIVE NAME {missing[0]}:' header.")
        match = _ORDER.match(line)
        if not match or int(match.group(1)) < 1:
            raise fail(number, f"expected '<count>: <order>', found {line.strip()!r}.")
        ranking: list[tuple[int, ...]] = []
        seen: set[int] = set()
        for group_match in _GROUP.finditer(match.group(2)):
            members = (
                group_match.group(1) if group_match.group(1) is not None else (group_match.group(2))
            )
            tokens = [t.strip() for t in members.split(",") if t.strip()]
            if not tokens:
                continue
            group: list[int] = []
            for token in tokens:
                if not token.isdigit() or not 1 <= int(token) <= n_options:
                    raise fail(number, f"{token!r} is not an alternative (1 to {n_options}).")
                group.append(int(token) - 1)
            if seen.intersection(group) or len(set(group)) != len(group):
                raise fail(number, "an alternative is ranked twice in this order.")
            seen.update(group)
            ranking.append(tuple(group))
        key = tuple(ranking)
        orders[key] = orders.get(key, 0) + int(match.group(1))
    if n_options is None:
        raise fail(1, "the file holds no orders.")
    names = [alternatives[i] for i in range(1, n_options + 1)]
    matrix, weights, ties = _rows_to_arrays(list(orders.items()), n_options)
    if not ties:
        matrix, weights = group_ballots(matrix, weights, n_options)
    meta: dict[str, Any] = {
        "format": "preflib",
        "path": label,
        "title": header.get("TITLE", ""),
        "data_type": header.get("DATA TYPE", ""),
    }
    if seats is not None:
        meta["seats"] = seats
    if ties:
        meta["tie_groups"] = ties
    declared = header.get("NUMBER VOTERS")
    if declared and declared.isdigit() and int(declared) != int(weights.sum()):
        raise fail(
            1, f"the header says {declared} voters; the orders add up to {int(weights.sum())}."
        )
    return RankedProfile(tuple(names), matrix, weights, meta)
