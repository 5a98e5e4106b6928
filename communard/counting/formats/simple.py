"""The simple ballot files: CSV (one ballot a line) and JSON, read and written.

CSV, ranked layout — a header ``rank1,rank2,...`` (an optional ``count``
column gives how many voters cast the line)::

    rank1,rank2,rank3,count
    Varlin,Vallès,,12
    Vallès,Varlin,Louise Michel,7

CSV, option layout — a header of option names, one number per option:
ranks (1 = first choice, blank = unranked), approvals (1/0) or scores::

    Varlin,Vallès,Louise Michel,count
    1,2,,12

JSON::

    {"options": ["Varlin", "Vallès"], "kind": "ranked",
     "ballots": [{"ranking": ["Varlin", "Vallès"], "count": 12}]}

with ``"approvals": [...]`` or ``"scores": {"Varlin": 4}`` ballots for the
approval and score kinds, or ``{"yes": 41, "no": 12, "abstain": 3,
"electorate": 120}`` for a motion. A ranking entry that is a list of several
names is an overvote at that rank.

Identical lines are grouped before they are parsed, so a file of a million
ballots with a few thousand distinct ones parses a few thousand lines.
Malformed input raises ``BallotFormatError`` naming the file, line and problem.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .. import kernels
from ..errors import BallotFormatError
from ..profiles import (
    EMPTY,
    OVERVOTE,
    ApprovalProfile,
    RankedProfile,
    ScoreProfile,
    YesNoProfile,
    group_rows,
    rank_dtype,
)

KINDS = ("ranked", "approval", "score")
COUNT_COLUMNS = ("count", "weight", "votes")

Profile = RankedProfile | ApprovalProfile | ScoreProfile | YesNoProfile


def _read_text(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BallotFormatError(
            "no such file", path=str(path), hint="Check the path of the ballot file."
        ) from None
    except UnicodeDecodeError as error:
        raise BallotFormatError(
            f"not UTF-8 text ({error.reason} at byte {error.start})",
            path=str(path),
            hint="Save the file as UTF-8.",
        ) from None
    except OSError as error:
        raise BallotFormatError(f"cannot be read: {error.strerror}", path=str(path)) from None


def _is_rank_column(name: str) -> bool:
    lowered = name.strip().lower().replace(" ", "").replace("_", "")
    for prefix in ("rank", "choice", "preference"):
        if lowered.startswith(prefix) and lowered[len(prefix) :].isdigit():
            return True
    return False


def _parse_count(value: str, path: str, line: int) -> int:
    text = value.strip()
    if not text.isdigit():
        raise BallotFormatError(
            f"the count {value!r} is not a whole number",
            path=path,
            line=line,
            hint="Write how many voters cast this ballot, e.g. 3.",
        )
    return int(text)


def read_csv(path: str | Path, *, kind: str | None = None, max_score: int | None = None) -> Profile:
    """Read a CSV ballot file (ranked or option layout; see the module docstring).

    ``kind`` ("ranked", "approval" or "score") says how to read the numbers of
    the option layout; without it, a file of only 0s and 1s is approval and
    anything else ranks. ``max_score`` sets a score file's top score (default:
    the highest score given).
    """
    name = str(path)
    if kind is not None and kind not in KINDS:
        raise BallotFormatError(
            f"unknown ballot kind {kind!r}", path=name, hint=f"Use one of {', '.join(KINDS)}."
        )
    if kind in (None, "ranked") and kernels.HAVE_NUMBA:
        fast = _read_rank_columns_fast(path)
        if fast is not None:
            return fast
    lines = _read_text(path).splitlines()
    header_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_index is None:
        raise BallotFormatError(
            "the file is empty",
            path=name,
            hint="The first line names the columns (rank1,rank2,... or the options).",
        )
    header = [h.strip() for h in next(csv.reader([lines[header_index]]))]
    count_column = next((i for i, h in enumerate(header) if h.lower() in COUNT_COLUMNS), None)
    columns = [i for i in range(len(header)) if i != count_column]
    if not columns:
        raise BallotFormatError(
            "the header names no column of ballots", path=name, line=header_index + 1
        )
    distinct: Counter[str] = Counter(line for line in lines[header_index + 1 :] if line.strip())
    first_line: dict[str, int] = {}

    def where(raw: str) -> int:
        if not first_line:
            for number, line in enumerate(lines, start=1):
                first_line.setdefault(line, number)
        return first_line[raw]

    rows: list[tuple[list[str], int, str]] = []
    for raw, repeats in distinct.items():
        cells = next(csv.reader([raw]))
        if len(cells) > len(header):
            raise BallotFormatError(
                f"{len(cells)} fields where the header has {len(header)}",
                path=name,
                line=where(raw),
                hint="Quote names that contain commas.",
            )
        cells += [""] * (len(header) - len(cells))
        weight = repeats
        if count_column is not None:
            weight *= _parse_count(cells[count_column], name, where(raw))
        rows.append(([cells[i].strip() for i in columns], weight, raw))
    weights = np.array([w for _, w, _ in rows], dtype=np.int64)
    if all(_is_rank_column(header[i]) for i in columns):
        if kind not in (None, "ranked"):
            raise BallotFormatError(
                f"rank columns cannot hold {kind} ballots", path=name, line=header_index + 1
            )
        return _ranked_from_names(rows, weights, name, where)
    options = tuple(header[i] for i in columns)
    if len(set(options)) != len(options) or not all(options):
        raise BallotFormatError(
            "the header repeats an option or leaves one unnamed", path=name, line=header_index + 1
        )
    values = np.full((len(rows), len(options)), EMPTY, dtype=np.int64)
    for r, (cells, _, raw) in enumerate(rows):
        for c, cell in enumerate(cells):
            if not cell:
                continue
            if not cell.isdigit():
                raise BallotFormatError(
                    f"{options[c]!r}: {cell!r} is not a whole number ≥ 0",
                    path=name,
                    line=where(raw),
                    hint="Write a rank (1 = first), 1/0 for approval, or a score.",
                )
            values[r, c] = int(cell)
    if kind is None:
        kind = "approval" if ((values == 0) | (values == 1) | (values == EMPTY)).all() else "ranked"
    return _from_option_layout(options, values, weights, kind, max_score, name)


def _read_rank_columns_fast(path: str | Path) -> RankedProfile | None:
    """A plain rank-column file read by the compiled parser, or ``None`` to read it here.

    Plain: a first line of rank columns only, no quotes, no count column, and names
    that need no stripping or ``=`` splitting; then the profile equals the one
    ``_ranked_from_names`` builds (options in order of first appearance, rows in
    ``group_rows`` order). Every other file, and every error, takes the full reader.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return None
    start = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    header_end = raw.find(b"\n", start)
    if header_end < 0:
        return None
    try:
        header = raw[start:header_end].rstrip(b"\r").decode("utf-8").split(",")
    except UnicodeDecodeError:
        return None
    if '"' in "".join(header) or not all(_is_rank_column(h) for h in header):
        return None
    parsed = kernels.csv_rank_codes(raw, header_end + 1, len(header))
    if parsed.code:
        return None
    for option in parsed.names:
        if option != option.strip() or not option or "=" in option:
            return None
        if option.splitlines() != [option]:
            return None
    n_options = len(parsed.names)
    matrix = np.full((parsed.ranks.shape[0], len(header)), EMPTY, dtype=rank_dtype(n_options))
    matrix[:, : parsed.ranks.shape[1]] = parsed.ranks
    ranks, grouped = group_rows(matrix, parsed.weights)
    return RankedProfile(tuple(parsed.names), ranks, grouped, {"source": str(path)})


def _ranked_from_names(
    rows: list[tuple[list[str], int, str]], weights: Any, name: str, where: Any
) -> RankedProfile:
    options: dict[str, int] = {}
    for cells, _, _ in rows:
        for cell in cells:
            for part in cell.split("="):
                if part.strip():
                    options.setdefault(part.strip(), len(options))
    width = max((len(cells) for cells, _, _ in rows), default=1)
    matrix = np.full((len(rows), max(width, 1)), EMPTY, dtype=rank_dtype(len(options)))
    for r, (cells, _, _) in enumerate(rows):
        for j, cell in enumerate(cells):
            if not cell:
                continue
            # "A=B" marks two options at one rank: an overvote there.
            names = [p.strip() for p in cell.split("=") if p.strip()]
            matrix[r, j] = options[names[0]] if len(names) == 1 else OVERVOTE
    ranks, grouped = group_rows(matrix, weights)
    return RankedProfile(tuple(options), ranks, grouped, {"source": name})


def _from_option_layout(
    options: tuple[str, ...], values: Any, weights: Any, kind: str, max_score: int | None, name: str
) -> Profile:
    if kind == "approval":
        if ((values != 0) & (values != 1) & (values != EMPTY)).any():
            raise BallotFormatError(
                "approval ballots hold only 1 (approve) and 0 or blank", path=name
            )
        approved, grouped = group_rows(values == 1, weights)
        return ApprovalProfile(options, approved, grouped, {"source": name})
    if kind == "score":
        top = int(values.max(initial=0)) if max_score is None else max_score
        if (values > top).any():
            raise BallotFormatError(f"a score is above the top score {top}", path=name)
        scores, grouped = group_rows(values.astype(np.int16), weights)
        return ScoreProfile(options, scores, grouped, 0, top, None, {"source": name})
    # Ranks: 1 is the first choice; equal ranks on one ballot are an overvote there.
    m = len(options)
    width = int(values.max(initial=0))
    matrix = np.full((values.shape[0], max(width, 1)), EMPTY, dtype=rank_dtype(m))
    if (values == 0).any():
        raise BallotFormatError(
            "rank 0 given; ranks start at 1 (the first choice)",
            path=name,
            hint="Or read the file as scores (--method score).",
        )
    for c in range(m):
        rows = np.flatnonzero(values[:, c] > 0)
        positions = values[rows, c] - 1
        taken = matrix[rows, positions]
        matrix[rows, positions] = np.where(taken == EMPTY, c, OVERVOTE)
    ranks, grouped = group_rows(matrix, weights)
    return RankedProfile(options, ranks, grouped, {"source": name})


# --- JSON ---------------------------------------------------------------------


def read_json(path: str | Path) -> Profile:
    """Read a JSON ballot file (see the module docstring)."""
    name = str(path)
    text = _read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise BallotFormatError(
            f"not valid JSON: {error.msg} (column {error.colno})", path=name, line=error.lineno
        ) from None
    return profile_from_json(data, name)


def profile_from_json(data: Any, name: str = "<json>") -> Profile:
    """Build a profile from already parsed JSON data of the simple format."""
    if not isinstance(data, dict):
        raise BallotFormatError(
            "the top level must be an object",
            path=name,
            hint='Start with {"options": [...], "ballots": [...]}.',
        )
    if "yes" in data:
        return _yes_no(data, name)
    options = data.get("options")
    if (
        not isinstance(options, list)
        or not all(isinstance(o, str) and o for o in options)
        or len(set(options)) != len(options)
    ):
        raise BallotFormatError('"options" must be a list of distinct option names', path=name)
    ballots = data.get("ballots")
    if not isinstance(ballots, list):
        raise BallotFormatError('"ballots" must be a list', path=name)
    kind = data.get("kind")
    if kind is None and ballots and isinstance(ballots[0], dict):
        kind = next(
            (k for k, key in (("approval", "approvals"), ("score", "scores")) if key in ballots[0]),
            "ranked",
        )
    kind = kind or "ranked"
    if kind not in KINDS:
        raise BallotFormatError(
            f'unknown "kind" {kind!r}', path=name, hint=f"Use one of {', '.join(KINDS)}."
        )
    index = {o: i for i, o in enumerate(options)}
    m = len(options)
    scale = data.get("scale")
    if scale is not None and (
        not isinstance(scale, list) or not all(isinstance(g, str) for g in scale) or not scale
    ):
        raise BallotFormatError('"scale" must list the grade names, worst first', path=name)
    grades = {g: i for i, g in enumerate(scale or [])}

    def fail(number: int, problem: str) -> BallotFormatError:
        return BallotFormatError(f"ballot {number}: {problem}", path=name)

    def option(number: int, value: Any) -> int:
        if value not in index:
            raise fail(number, f"{value!r} is not one of the options")
        return index[value]

    weights: list[int] = []
    parsed: list[Any] = []
    for number, ballot in enumerate(ballots, start=1):
        if not isinstance(ballot, dict):
            raise fail(number, "each ballot must be an object")
        count = ballot.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise fail(number, f'"count" must be a whole number ≥ 0, not {count!r}')
        weights.append(count)
        key = {"ranked": "ranking", "approval": "approvals", "score": "scores"}[kind]
        value = ballot.get(key)
        if kind == "ranked":
            if not isinstance(value, list):
                raise fail(number, '"ranking" must be a list of option names')
            row = []
            for entry in value:
                if isinstance(entry, list):
                    marks = [option(number, e) for e in entry]
                    row.append(marks[0] if len(marks) == 1 else OVERVOTE if marks else EMPTY)
                elif entry is None or entry == "":
                    row.append(EMPTY)
                else:
                    row.append(option(number, entry))
            parsed.append(row)
        elif kind == "approval":
            if not isinstance(value, list):
                raise fail(number, '"approvals" must be a list of option names')
            parsed.append([option(number, e) for e in value])
        else:
            if not isinstance(value, dict):
                raise fail(number, '"scores" must map option names to whole numbers')
            scored: dict[int, int] = {}
            for o, s in value.items():
                option(number, o)
                if isinstance(s, str) and s in grades:
                    s = grades[s]
                if isinstance(s, bool) or not isinstance(s, int) or s < 0:
                    raise fail(
                        number,
                        f"the score of {o!r} must be a whole number ≥ 0"
                        + (" or a grade of the scale" if grades else ""),
                    )
                scored[index[o]] = s
            parsed.append(scored)
    w = np.array(weights, dtype=np.int64)
    meta = {"source": name}
    if kind == "ranked":
        width = max((len(r) for r in parsed), default=1)
        matrix = np.full((len(parsed), max(width, 1)), EMPTY, dtype=rank_dtype(m))
        for i, row in enumerate(parsed):
            matrix[i, : len(row)] = row
        ranks, grouped = group_rows(matrix, w)
        return RankedProfile(tuple(options), ranks, grouped, meta)
    if kind == "approval":
        approved = np.zeros((len(parsed), m), dtype=np.bool_)
        for i, row in enumerate(parsed):
            approved[i, row] = True
        matrix_a, grouped = group_rows(approved, w)
        return ApprovalProfile(tuple(options), matrix_a, grouped, meta)
    scores = np.full((len(parsed), m), EMPTY, dtype=np.int16)
    for i, row in enumerate(parsed):
        for c, s in row.items():
            scores[i, c] = s
    top = data.get("max_score", int(scores.max(initial=0)))
    low = data.get("min_score", 0)
    for key, value in (("min_score", low), ("max_score", top)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise BallotFormatError(f'"{key}" must be a whole number ≥ 0, not {value!r}', path=name)
    if scale is not None:
        low, top = 0, len(scale) - 1
    matrix_s, grouped = group_rows(scores, w)
    return ScoreProfile(
        tuple(options), matrix_s, grouped, low, top, tuple(scale) if scale else None, meta
    )


def _yes_no(data: Mapping[str, Any], name: str) -> YesNoProfile:
    counts: dict[str, int] = {}
    for key in ("yes", "no", "abstain", "stand_asides", "electorate"):
        value = data.get(key, None if key == "electorate" else 0)
        if value is None and key == "electorate":
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise BallotFormatError(f'"{key}" must be a whole number ≥ 0, not {value!r}', path=name)
        counts[key] = value
    blocks = data.get("blocks", [])
    if not isinstance(blocks, list) or not all(isinstance(b, str) for b in blocks):
        raise BallotFormatError('"blocks" must be a list of reasons (strings)', path=name)
    return YesNoProfile(
        counts["yes"],
        counts["no"],
        counts["abstain"],
        counts.get("electorate"),
        tuple(blocks),
        counts["stand_asides"],
        {"source": name},
    )


# --- writers ------------------------------------------------------------------


def _ranked_rows(profile: RankedProfile) -> Iterable[tuple[list[list[str]], int]]:
    for row, weight in zip(profile.ranks, profile.weights, strict=True):
        marks: list[list[str]] = []
        for value in row:
            if value == EMPTY:
                marks.append([])
            elif value == OVERVOTE:
                marks.append(["?", "?"])
            else:
                marks.append([profile.options[int(value)]])
        while marks and not marks[-1]:
            marks.pop()
        yield marks, int(weight)


def to_json_data(profile: Profile) -> dict[str, Any]:
    """The simple JSON form of a profile (grouped ballots with counts)."""
    if isinstance(profile, YesNoProfile):
        data: dict[str, Any] = {"yes": profile.yes, "no": profile.no, "abstain": profile.abstain}
        if profile.electorate is not None:
            data["electorate"] = profile.electorate
        if profile.stand_asides:
            data["stand_asides"] = profile.stand_asides
        if profile.blocks:
            data["blocks"] = list(profile.blocks)
        return data
    options = list(profile.options)
    if isinstance(profile, RankedProfile):
        if (profile.ranks == OVERVOTE).any():
            raise BallotFormatError(
                "overvoted ranks cannot be written to the simple JSON "
                "format (it does not keep which options were marked)"
            )
        ballots = [
            {"ranking": [m[0] if m else None for m in marks], "count": weight}
            for marks, weight in _ranked_rows(profile)
        ]
        return {"options": options, "kind": "ranked", "ballots": ballots}
    if isinstance(profile, ApprovalProfile):
        ballots = [
            {"approvals": [options[c] for c in np.flatnonzero(row)], "count": int(w)}
            for row, w in zip(profile.approved, profile.weights, strict=True)
        ]
        return {"options": options, "kind": "approval", "ballots": ballots}
    ballots = [
        {"scores": {options[c]: int(s) for c, s in enumerate(row) if s >= 0}, "count": int(w)}
        for row, w in zip(profile.scores, profile.weights, strict=True)
    ]
    data = {
        "options": options,
        "kind": "score",
        "min_score": profile.min_score,
        "max_score": profile.max_score,
        "ballots": ballots,
    }
    if profile.scale:
        data["scale"] = list(profile.scale)
    return data


def write_json(profile: Profile, path: str | Path) -> None:
    """Write a profile as simple JSON."""
    Path(path).write_text(
        json.dumps(to_json_data(profile), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


def to_csv_text(profile: RankedProfile | ApprovalProfile | ScoreProfile) -> str:
    """The simple CSV form of a profile: ranked layout for ranks, option layout otherwise.

    The ranked layout names only the options someone ranked; the JSON form
    (``to_json_data``) keeps every option.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if isinstance(profile, RankedProfile):
        rows = list(_ranked_rows(profile))
        width = max((len(marks) for marks, _ in rows), default=1)
        writer.writerow([f"rank{j + 1}" for j in range(max(width, 1))] + ["count"])
        for marks, weight in rows:
            cells = ["=".join(m) for m in marks] + [""] * (width - len(marks))
            if any("?" in m for m in marks):
                raise BallotFormatError(
                    "overvoted ranks cannot be written without the options marked there"
                )
            writer.writerow([*cells, weight])
        return buffer.getvalue()
    writer.writerow([*profile.options, "count"])
    matrix: npt.NDArray[Any] = (
        profile.approved.astype(np.int64)
        if isinstance(profile, ApprovalProfile)
        else profile.scores
    )
    for row, weight in zip(matrix, profile.weights, strict=True):
        writer.writerow([("" if v < 0 else int(v)) for v in row] + [int(weight)])
    return buffer.getvalue()


def write_csv(profile: RankedProfile | ApprovalProfile | ScoreProfile, path: str | Path) -> None:
    """Write a profile as simple CSV."""
    Path(path).write_text(to_csv_text(profile), encoding="utf-8")
