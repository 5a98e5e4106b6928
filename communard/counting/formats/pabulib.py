"""Pabulib ``.pb`` files: participatory-budgeting instances, read and written.

A ``.pb`` file (pabulib.org/format) is UTF-8 text in three ``;``-separated
sections, each introduced by a line ``META``, ``PROJECTS`` or ``VOTES`` and
opened by a header row. ``read_pabulib`` turns one into a ``BudgetProfile``:

- ``projects`` are the project ids in file order, ``costs`` integers in the
  smallest currency unit, ``budget`` the META budget;
- ballots are grouped: ``approved`` (distinct ballots × projects) and
  ``weights`` (voters casting each); ``points`` holds the points of cumulative
  and scoring ballots, and for ordinal ballots the points each position earns
  (``max_length - position``: the score column of the Polish ordinal files);
- ``meta`` holds every META field as text, plus ``vote_type``, ``rule``,
  ``selected`` (the ids the city funded, ``selected`` = 1, in file order),
  ``selected_other`` (values 2 and 3: funded outside the rule), ``votes`` and
  ``scores`` (the PROJECTS columns as the file states them) and ``path``.

The VOTES section is parsed as a whole: one regular expression extracts the
vote (and points) column of every line, identical ballots are counted in C
(``collections.Counter``), and only *distinct* ballots are parsed in Python.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import BallotFormatError
from ..profiles import BudgetProfile, group_rows

SECTIONS = ("META", "PROJECTS", "VOTES")
VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring", "ordinal")

# What each Pabulib ``rule`` value means in this engine: (method id, options).
PABULIB_RULES: dict[str, tuple[str, dict[str, Any]]] = {
    "greedy": ("greedy", {}),
    "greedy-no-skip": ("greedy", {"skip": False}),
    "greedy-threshold": ("greedy", {"threshold": "meta"}),
    "greedy-exclusive": ("greedy", {}),
    "equalshares": ("mes", {}),
    "equalshares-comparison": ("mes", {"comparison_step": True}),
    "equalshares/add1": ("mes", {"completion": "add1"}),
    "equalshares/add1-comparison": ("mes", {"completion": "add1", "comparison_step": True}),
}


def pabulib_rule(meta: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The method id and options that reproduce the rule named in a file's META.

    ``greedy-threshold`` applies the file's ``min_project_score_threshold``;
    the greedy rules with a threshold in META (Gdynia's no-skip files) apply it too.
    """
    rule = str(meta.get("rule", "")).strip()
    if rule not in PABULIB_RULES:
        known = ", ".join(sorted(PABULIB_RULES))
        raise BallotFormatError(
            f"the file's rule {rule!r} is not one this engine reproduces",
            path=meta.get("path"),
            hint=f"Choose a method with --method; rules read from files: {known}.",
        )
    method_id, options = PABULIB_RULES[rule]
    options = dict(options)
    if method_id == "greedy" and "min_project_score_threshold" in meta:
        options["threshold"] = int(Decimal(str(meta["min_project_score_threshold"])))
    elif options.get("threshold") == "meta":
        del options["threshold"]
    return method_id, options


def _money(text: str, path: str, line: int, what: str) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise BallotFormatError(f"{what} {text!r} is not a number", path=path, line=line) from None
    if value < 0 or not value.is_finite():
        raise BallotFormatError(
            f"{what} {text!r} must be a non-negative number", path=path, line=line
        )
    return value


def _places(value: Decimal) -> int:
    """Decimal places a money value needs (``100.00`` needs none)."""
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _rows(lines: list[str], start: int) -> list[list[str]]:
    return list(csv.reader(lines, delimiter=";", quotechar='"', strict=False)) if lines else []


_VOTES_MARK = re.compile(r"^\ufeff?[ \t]*VOTES[ \t]*\r?$", re.M)


def _split_sections(text: str, path: str) -> dict[str, tuple[int, Any]]:
    """Map META and PROJECTS to (line of their header row, their lines, header first), and
    VOTES to (line of its header row, (header, the rest as one string)).

    Only the text before VOTES is split into lines; the ballots stay one string.
    """
    votes = _VOTES_MARK.search(text)
    head = text[: votes.start()] if votes else text
    lines = head.split("\n")
    marks: list[tuple[str, int]] = []
    for number, line in enumerate(lines):
        name = line.strip().strip("\ufeff")
        if name in SECTIONS:
            marks.append((name, number))
    if votes is not None:
        marks.append(("VOTES", head.count("\n")))
    found = [name for name, _ in marks]
    if found != list(SECTIONS):
        raise BallotFormatError(
            f"expected sections META, PROJECTS, VOTES in this order, found {found or 'none'}",
            path=path,
            line=None,
            hint="A .pb file has three sections, each starting with a line META, PROJECTS "
            "or VOTES (pabulib.org/format).",
        )
    sections: dict[str, tuple[int, Any]] = {}
    for index, (name, number) in enumerate(marks[:2]):
        end = marks[index + 1][1]
        body = [ln.rstrip("\r") for ln in lines[number + 1 : end]]
        while body and not body[-1].strip():
            body.pop()
        sections[name] = (number + 2, body)
    assert votes is not None
    rest = text[votes.end() :].removeprefix("\n")
    if "\r" in rest:
        rest = rest.replace("\r\n", "\n")
    header, _, ballots = rest.partition("\n")
    sections["VOTES"] = (marks[2][1] + 2, (header, ballots.rstrip("\n")))
    return sections


def read_pabulib(source: str | Path, *, text: str | None = None) -> BudgetProfile:
    """Read a Pabulib ``.pb`` file into a grouped ``BudgetProfile``.

    Raises ``BallotFormatError`` naming the file, the line and the problem.
    """
    path = str(source)
    if text is None:
        try:
            text = Path(source).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise BallotFormatError(f"cannot read the file: {error}", path=path) from error
    sections = _split_sections(text, path)

    meta_line, meta_lines = sections["META"]
    meta: dict[str, Any] = {}
    for offset, row in enumerate(_rows(meta_lines, meta_line)):
        if offset == 0 or not row or not any(cell.strip() for cell in row):
            continue
        if len(row) < 2:
            raise BallotFormatError(
                f"META row {row[0]!r} has no value", path=path, line=meta_line + offset
            )
        meta[row[0].strip()] = ";".join(row[1:]).strip()
    if "budget" not in meta:
        raise BallotFormatError(
            "META has no budget",
            path=path,
            line=meta_line - 1,
            hint="Add a row 'budget;<total money>' to META.",
        )
    vote_type = meta.get("vote_type", "approval").strip()
    if vote_type not in VOTE_TYPES:
        raise BallotFormatError(
            f"unknown vote_type {vote_type!r}",
            path=path,
            hint=f"Use one of {', '.join(VOTE_TYPES)}.",
        )

    project_line, project_lines = sections["PROJECTS"]
    rows = _rows(project_lines, project_line)
    if not rows:
        raise BallotFormatError("PROJECTS has no header row", path=path, line=project_line - 1)
    header = [cell.strip() for cell in rows[0]]
    for needed in ("project_id", "cost"):
        if needed not in header:
            raise BallotFormatError(
                f"PROJECTS header has no {needed!r} column", path=path, line=project_line
            )
    column = {name: i for i, name in enumerate(header)}
    ids: list[str] = []
    cost_values: list[Decimal] = []
    names: dict[str, str] = {}
    selected: list[str] = []
    selected_other: dict[str, int] = {}
    file_votes: dict[str, int] = {}
    file_scores: dict[str, str] = {}
    for offset, row in enumerate(rows[1:], start=1):
        line = project_line + offset
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            row = row + [""] * (len(header) - len(row))
        pid = row[column["project_id"]].strip()
        if not pid:
            raise BallotFormatError("a project has an empty project_id", path=path, line=line)
        if pid in names:
            raise BallotFormatError(f"project {pid!r} is listed twice", path=path, line=line)
        ids.append(pid)
        cost_values.append(_money(row[column["cost"]], path, line, f"cost of project {pid!r}"))
        names[pid] = row[column["name"]].strip() if "name" in column else pid
        if "selected" in column and row[column["selected"]].strip():
            flag = row[column["selected"]].strip()
            if flag not in ("0", "1", "2", "3"):
                raise BallotFormatError(
                    f"selected of project {pid!r} is {flag!r}, expected 0, 1, 2 or 3",
                    path=path,
                    line=line,
                )
            if flag == "1":
                selected.append(pid)
            elif flag in ("2", "3"):
                selected_other[pid] = int(flag)
        if "votes" in column and row[column["votes"]].strip():
            file_votes[pid] = int(_money(row[column["votes"]], path, line, "votes"))
        if "score" in column and row[column["score"]].strip():
            file_scores[pid] = row[column["score"]].strip()

    # Costs and budget in the smallest unit: scale decimals to integers (meta["unit_scale"]).
    budget_value = _money(meta["budget"], path, meta_line, "budget")
    scale = 10 ** max(_places(v) for v in [*cost_values, budget_value])
    costs = np.array([int(v * scale) for v in cost_values], dtype=np.int64)
    budget = int(budget_value * scale)

    votes_line, (votes_header, ballots) = sections["VOTES"]
    approved, weights, points = _read_votes(
        votes_header, ballots, votes_line, ids, vote_type, meta, path
    )

    meta.update(
        vote_type=vote_type,
        rule=meta.get("rule", "unknown"),
        selected=tuple(selected),
        selected_other=selected_other,
        votes=file_votes,
        scores=file_scores,
        path=path,
        unit_scale=scale,
        n_voters=int(weights.sum()),
    )
    return BudgetProfile(
        projects=tuple(ids),
        costs=costs,
        budget=budget,
        approved=approved,
        weights=weights,
        points=points,
        names=names,
        meta=meta,
    )


_BLANK = re.compile(r"^[ \t\r]*$", re.M)


def _field_pattern(index: int) -> str:
    return "(?:[^;\\n]*;){" + str(index) + "}([^;\\n]*)"


def _read_votes(
    header_line: str,
    body: str,
    first_line: int,
    ids: list[str],
    vote_type: str,
    meta: dict[str, Any],
    path: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    if not header_line.strip():
        raise BallotFormatError("VOTES has no header row", path=path, line=first_line - 1)
    header = [cell.strip().strip('"') for cell in header_line.split(";")]
    if "vote" not in header:
        raise BallotFormatError("VOTES header has no 'vote' column", path=path, line=first_line)
    vote_col = header.index("vote")
    wants_points = vote_type in ("cumulative", "scoring")
    if wants_points and "points" not in header:
        raise BallotFormatError(
            f"{vote_type} VOTES need a 'points' column", path=path, line=first_line
        )
    points_col = header.index("points") if wants_points else -1

    if '"' in body:
        # Quoted fields are rare in VOTES; the csv module handles them, line by line.
        reader = csv.reader(io.StringIO(body), delimiter=";", quotechar='"')
        pairs: Iterable[tuple[str, str]] = (
            (
                row[vote_col] if len(row) > vote_col else "",
                row[points_col] if wants_points and len(row) > points_col else "",
            )
            for row in reader
            if row
        )
        counts = Counter(pairs)
    else:
        n_ballots = len(body.split("\n")) - len(_BLANK.findall(body)) if body else 0
        votes = re.compile("^" + _field_pattern(vote_col), re.M).findall(body)
        if wants_points:
            points_text = re.compile("^" + _field_pattern(points_col), re.M).findall(body)
        else:
            points_text = [""] * len(votes)
        if len(votes) != n_ballots or len(points_text) != n_ballots:
            _raise_short_line(body, vote_col, points_col, first_line, path)
        counts = Counter(zip(votes, points_text, strict=True))

    index = {pid: i for i, pid in enumerate(ids)}
    n_projects = len(ids)
    ballots = list(counts.items())
    approved = np.zeros((len(ballots), n_projects), dtype=np.bool_)
    points = (
        np.zeros((len(ballots), n_projects), dtype=np.int64)
        if vote_type != "approval" and vote_type != "choose-1"
        else None
    )
    weights = np.fromiter((n for _, n in ballots), dtype=np.int64, count=len(ballots))
    max_length = int(meta["max_length"]) if str(meta.get("max_length", "")).isdigit() else None
    if vote_type == "ordinal" and max_length is None:
        max_length = max((len(v.split(",")) for (v, _), _ in ballots if v.strip()), default=0)
    for row, ((vote, pts), _) in enumerate(ballots):
        chosen = [p.strip() for p in vote.split(",") if p.strip()] if vote.strip() else []
        try:
            columns = [index[p] for p in chosen]
        except KeyError as error:
            raise BallotFormatError(
                f"a vote names project {error.args[0]!r}, which PROJECTS does not list",
                path=path,
                line=_line_of(body, vote, first_line, vote_col),
                hint="Every project id in VOTES must appear in PROJECTS.",
            ) from None
        if len(set(columns)) != len(columns):
            raise BallotFormatError(
                f"a vote names a project twice: {vote!r}",
                path=path,
                line=_line_of(body, vote, first_line, vote_col),
            )
        approved[row, columns] = True
        if points is None:
            continue
        if vote_type == "ordinal":
            assert max_length is not None
            points[row, columns] = np.arange(max_length, max_length - len(columns), -1)
            continue
        values = [p.strip() for p in pts.split(",")] if pts.strip() else []
        if len(values) != len(columns) or not all(v.lstrip("-").isdigit() for v in values):
            raise BallotFormatError(
                f"points {pts!r} do not match the vote {vote!r} (one whole number per project)",
                path=path,
                line=_line_of(body, vote, first_line, vote_col),
            )
        points[row, columns] = [int(v) for v in values]
    if vote_type == "ordinal":
        meta.setdefault(
            "scoring",
            f"position points: {max_length} for the first, one less for each next position",
        )
    if points is None:
        grouped, grouped_weights = group_rows(approved, weights)
        return grouped, grouped_weights, None
    return approved, weights, points


def _raise_short_line(
    body: str, vote_col: int, points_col: int, first_line: int, path: str
) -> None:
    need = max(vote_col, points_col) + 1
    for offset, line in enumerate(body.split("\n"), start=1):
        if line.strip() and line.count(";") + 1 < need:
            raise BallotFormatError(
                f"a VOTES row has {line.count(';') + 1} fields, the header names at least {need}",
                path=path,
                line=first_line + offset,
            )
    raise BallotFormatError("the VOTES section could not be read", path=path, line=first_line)


def _line_of(body: str, vote: str, first_line: int, column: int) -> int | None:
    """The line of the first ballot whose vote column is ``vote`` (error path only)."""
    for offset, line in enumerate(body.split("\n"), start=1):
        fields = line.split(";")
        if len(fields) > column and fields[column].strip('"') == vote:
            return first_line + offset
    return None


def write_pabulib(
    profile: BudgetProfile, target: str | Path | None = None, *, selected: Iterable[str] = ()
) -> str:
    """Write ``profile`` as a ``.pb`` file (voters numbered 1..n); returns the text.

    ``selected`` marks projects as funded (``selected`` column 1); without it,
    the column repeats ``profile.meta["selected"]``.
    """
    chosen = set(selected) or set(profile.meta.get("selected", ()))
    vote_type = str(profile.meta.get("vote_type", "approval"))
    internal = {
        "vote_type",
        "rule",
        "selected",
        "selected_other",
        "votes",
        "scores",
        "path",
        "unit_scale",
        "n_voters",
        "budget",
        "num_projects",
        "num_votes",
        "scoring",
    }
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quotechar='"', lineterminator="\n")
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerow(["num_projects", len(profile.projects)])
    writer.writerow(["num_votes", profile.n_voters])
    writer.writerow(["budget", profile.budget])
    writer.writerow(["vote_type", vote_type])
    writer.writerow(["rule", profile.meta.get("rule", "unknown")])
    for key, value in profile.meta.items():
        if key not in internal and isinstance(value, str | int):
            writer.writerow([key, value])
    writer.writerow(["PROJECTS"])
    writer.writerow(["project_id", "cost", "votes", "name", "selected"])
    support = (profile.approved * profile.weights[:, None]).sum(axis=0)
    for j, pid in enumerate(profile.projects):
        writer.writerow(
            [
                pid,
                int(profile.costs[j]),
                int(support[j]),
                profile.names.get(pid, pid),
                1 if pid in chosen else 0,
            ]
        )
    writer.writerow(["VOTES"])
    with_points = profile.points is not None and vote_type in ("cumulative", "scoring")
    writer.writerow(["voter_id", "vote", "points"] if with_points else ["voter_id", "vote"])
    voter = 0
    for row in range(profile.approved.shape[0]):
        columns = np.flatnonzero(profile.approved[row])
        if vote_type == "ordinal" and profile.points is not None:
            columns = columns[np.argsort(-profile.points[row, columns], kind="stable")]
        vote = ",".join(profile.projects[c] for c in columns)
        pts = (
            ",".join(str(int(profile.points[row, c])) for c in columns)
            if with_points and profile.points is not None
            else None
        )
        for _ in range(int(profile.weights[row])):
            voter += 1
            writer.writerow([voter, vote] if pts is None else [voter, vote, pts])
    text = out.getvalue()
    if target is not None:
        Path(target).write_text(text, encoding="utf-8")
    return text
