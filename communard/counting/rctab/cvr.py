"""Cast vote records as RCTab reads them, and the readers for its input formats.

Every reader turns a CVR source into ``Ballot``s: a ballot is a tuple of
``(rank, candidates)`` pairs in rank order, listing only the ranks that carry a mark
(RCTab's ``CandidateRankingsList``); ``candidates`` holds the config names of everyone
marked at that rank (several = an overvote), the ``Undeclared Write-ins`` pseudo-candidate,
or the explicit ``overvote`` label. Identical ballots are then grouped with a count, so the
tabulator works on distinct ballots only.

Readers here: ES&S (through the ``*.xlsx.sheet1.csv[.gz]`` dumps beside each workbook),
generic CSV, NIST CDF (JSON and XML), Dominion JSON, Hart XML and Clear Ballot CSV (the
last four in ``vendors.py``). A CVR that cannot be read raises ``BallotFormatError`` naming
the file, the line and the problem.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BallotFormatError
from .config import OVERVOTE, UWI, CvrSource, RctabConfig

Ranking = tuple[int, tuple[str, ...]]
Ballot = tuple[Ranking, ...]
# A ballot with the precinct and the batch it belongs to (None when the CVR has none).
Vote = tuple[Ballot, str | None, str | None]


@dataclass
class BallotGroups:
    """Distinct ballots with the number of voters who cast each, in first-seen order.

    When the count is also reported by precinct or by batch, ballots are distinct per
    (ballot, precinct, batch) and ``precincts`` / ``batches`` say where each group is from.
    """

    ballots: list[Ballot]
    weights: list[int]
    precincts: list[str | None] | None = None
    batches: list[str | None] | None = None

    @property
    def total(self) -> int:
        return sum(self.weights)


class CandidateNames:
    """Maps the spellings found in CVRs (names, aliases, labels) to config names."""

    def __init__(self, config: RctabConfig) -> None:
        self.lookup: dict[str, str] = {}
        for candidate in config.candidates:
            self.lookup[candidate.name] = candidate.name
            for alias in candidate.aliases:
                self.lookup[alias] = candidate.name

    def resolve(self, text: str, source: CvrSource, where: str, line: int | None) -> str:
        if source.uwi_label and text == source.uwi_label:
            return UWI
        if source.overvote_label and text == source.overvote_label:
            return OVERVOTE
        name = self.lookup.get(text)
        if name is None:
            raise BallotFormatError(
                f"unrecognized candidate {text!r}",
                path=where,
                line=line,
                hint="Add it to the config's candidates (as a name or an alias), or set the "
                "source's undeclaredWriteInLabel if it is a write-in.",
            )
        return name


def group_ballots(ballots: Iterable[Ballot]) -> BallotGroups:
    """Group identical ballots, keeping the order in which each first appears."""
    counts: dict[Ballot, int] = {}
    for ballot in ballots:
        counts[ballot] = counts.get(ballot, 0) + 1
    return BallotGroups(list(counts), list(counts.values()))


def group_votes(votes: Iterable[Vote], *, by_precinct: bool, by_batch: bool) -> BallotGroups:
    """Group identical ballots, and keep precincts / batches apart when reported by them."""
    if not (by_precinct or by_batch):
        return group_ballots(vote[0] for vote in votes)
    counts: dict[Vote, int] = {}
    for ballot, precinct, batch in votes:
        key = (ballot, precinct if by_precinct else None, batch if by_batch else None)
        counts[key] = counts.get(key, 0) + 1
    keys = list(counts)
    return BallotGroups(
        [k[0] for k in keys],
        list(counts.values()),
        [k[1] for k in keys] if by_precinct else None,
        [k[2] for k in keys] if by_batch else None,
    )


def read_ballots(config: RctabConfig) -> BallotGroups:
    """Read every CVR source of ``config`` and group the ballots."""
    from . import vendors

    names = CandidateNames(config)
    readers = {
        "ess": read_ess,
        "genericCsv": read_generic_csv,
        "cdf": read_cdf,
        "dominion": vendors.read_dominion,
        "hart": vendors.read_hart,
        "clearBallot": vendors.read_clear_ballot,
    }

    def everything() -> Iterator[Vote]:
        for source in config.sources:
            yield from readers[source.provider](source, config, names)

    return group_votes(
        everything(), by_precinct=config.tabulate_by_precinct, by_batch=config.tabulate_by_batch
    )


def _slice_cell(row: list[str], column: int | None, missing: str) -> str | None:
    """The precinct or batch in a row's column (``missing`` when blank; None: no column)."""
    if column is None:
        return None
    text = row[column - 1].strip() if column - 1 < len(row) else ""
    return text or missing


def build_ballot(marks: Iterable[tuple[int, str]]) -> Ballot:
    """Gather (rank, candidate) marks into a ballot: ranks ascending, candidates in order."""
    by_rank: dict[int, list[str]] = {}
    for rank, candidate in marks:
        at_rank = by_rank.setdefault(rank, [])
        if candidate not in at_rank:
            at_rank.append(candidate)
    return tuple((rank, tuple(by_rank[rank])) for rank in sorted(by_rank))


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path), encoding="utf-8", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def _sheet_dump(source: CvrSource) -> Path:
    """The CSV dump of an ES&S workbook's first sheet, which the corpus keeps beside it."""
    for suffix in (".sheet1.csv", ".sheet1.csv.gz"):
        candidate = source.path.with_name(source.path.name + suffix)
        if candidate.exists():
            return candidate
    if source.path.suffix.lower() == ".csv":
        return source.path
    raise BallotFormatError(
        "cannot read the .xlsx workbook directly",
        path=str(source.path),
        hint=f"Export its first sheet as CSV to {source.path.name}.sheet1.csv beside it.",
    )


def _cell_marks(
    cell: str,
    rank: int,
    source: CvrSource,
    names: CandidateNames,
    where: str,
    line: int,
) -> list[tuple[int, str]]:
    """The marks one ES&S-style cell holds at ``rank`` (none for a skipped rank)."""
    text = cell.strip()
    if text == "":
        return [(rank, UWI)] if source.treat_blank_as_uwi else []
    if source.skipped_rank_label and text == source.skipped_rank_label:
        return []
    if source.overvote_delimiter and source.overvote_delimiter in text:
        parts = [p.strip() for p in text.split(source.overvote_delimiter)]
        return [(rank, names.resolve(p, source, where, line)) for p in parts if p]
    return [(rank, names.resolve(text, source, where, line))]


def read_ess(source: CvrSource, config: RctabConfig, names: CandidateNames) -> Iterator[Vote]:
    """ES&S: one row per ballot from ``firstVoteRowIndex``, one column per rank from
    ``firstVoteColumnIndex``; only the first ``maxRankingsAllowed`` rank columns are read."""
    path = _sheet_dump(source)
    where = str(source.path)
    first_row = source.first_vote_row or 1
    first_col = (source.first_vote_column or 1) - 1
    last_col = first_col + config.max_rankings
    # Identical rank cells give identical ballots: read each distinct row once.
    seen: dict[tuple[str, ...], Ballot] = {}
    with _open_text(path) as handle:
        for line, row in enumerate(csv.reader(handle), start=1):
            if line < first_row:
                continue
            cells = tuple(row[first_col:last_col])
            ballot = seen.get(cells)
            if ballot is None:
                # An empty row is a ballot with no rankings (RCTab counts it as an undervote).
                marks: list[tuple[int, str]] = []
                for rank, cell in enumerate(cells, start=1):
                    marks.extend(_cell_marks(cell, rank, source, names, where, line))
                ballot = seen[cells] = build_ballot(marks)
            yield (
                ballot,
                _slice_cell(row, source.precinct_column, "missing_precinct_id"),
                _slice_cell(row, source.batch_column, "missing_batch_id"),
            )


def read_generic_csv(
    source: CvrSource, config: RctabConfig, names: CandidateNames
) -> Iterator[Vote]:
    """Generic CSV: a header row names one column per candidate (from
    ``firstVoteColumnIndex``); each ballot row holds, under a candidate, the rank given to
    that candidate. A rank above ``maxRankingsAllowed`` is an error, as in RCTab."""
    where = str(source.path)
    first_row = source.first_vote_row or 2
    first_col = (source.first_vote_column or 1) - 1
    with _open_text(source.path) as handle:
        rows = csv.reader(handle)
        header: list[str] | None = None
        for line, row in enumerate(rows, start=1):
            if line == first_row - 1:
                header = [
                    names.resolve(cell.strip(), source, where, line) if cell.strip() else ""
                    for cell in row[first_col:]
                ]
                continue
            if line < first_row or not any(cell.strip() for cell in row):
                continue
            if header is None:
                raise BallotFormatError(
                    "no header row naming the candidates",
                    path=where,
                    line=line,
                    hint="firstVoteRowIndex must point at the row after the header.",
                )
            marks = []
            for offset, cell in enumerate(row[first_col:]):
                text = cell.strip()
                if not text:
                    continue
                if offset >= len(header) or not header[offset]:
                    raise BallotFormatError(
                        f"a rank in column {first_col + offset + 1} has no candidate header",
                        path=where,
                        line=line,
                    )
                try:
                    rank = int(text)
                except ValueError:
                    raise BallotFormatError(
                        f"{text!r} under {header[offset]!r} is not a rank number",
                        path=where,
                        line=line,
                    ) from None
                if rank < 1 or rank > config.max_rankings:
                    raise BallotFormatError(
                        f"rank {rank} for {header[offset]!r} is outside 1..{config.max_rankings}"
                        " (maxRankingsAllowed)",
                        path=where,
                        line=line,
                        hint="Raise rules.maxRankingsAllowed or correct the CVR.",
                    )
                marks.append((rank, header[offset]))
            yield (
                build_ballot(marks),
                _slice_cell(row, source.precinct_column, "no precinct id"),
                _slice_cell(row, source.batch_column, "no batch id"),
            )


def read_cdf(source: CvrSource, config: RctabConfig, names: CandidateNames) -> Iterator[Vote]:
    """NIST SP 1500-103 cast vote records, JSON or XML."""
    if source.path.suffix.lower() == ".xml":
        from .vendors import read_cdf_xml

        yield from read_cdf_xml(source, config, names)
        return
    where = str(source.path)
    try:
        data = json.loads(source.path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise BallotFormatError(f"not a readable CDF JSON file: {error}", path=where) from error
    yield from cdf_ballots(data, source, names, where)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def cdf_ballots(
    data: dict[str, Any], source: CvrSource, names: CandidateNames, where: str
) -> Iterator[Vote]:
    """Ballots from a parsed CDF document (JSON shape; the XML reader converts to it)."""
    candidate_names: dict[str, str] = {}
    selection_names: dict[str, str] = {}
    contest_ids: set[str] = set()
    for election in _as_list(data.get("Election")):
        for candidate in _as_list(election.get("Candidate")):
            candidate_names[str(candidate.get("@id"))] = str(candidate.get("Name", "")).strip()
        for contest in _as_list(election.get("Contest")):
            contest_id = str(contest.get("@id"))
            if source.contest_id not in (contest_id, str(contest.get("Name", "")).strip()):
                continue
            contest_ids.add(contest_id)
            for selection in _as_list(contest.get("ContestSelection")):
                ids = _as_list(selection.get("CandidateIds") or selection.get("CandidateId"))
                if str(selection.get("IsWriteIn", "")).lower() == "true" or (
                    "WriteIn" in str(selection.get("@type", ""))
                ):
                    code = UWI
                elif ids:
                    code = candidate_names.get(str(ids[0]), str(ids[0]))
                else:
                    code = str(selection.get("Code") or selection.get("@id"))
                selection_names[str(selection.get("@id"))] = code
    if not contest_ids:
        raise BallotFormatError(
            f"no contest with id or name {source.contest_id!r}",
            path=where,
            hint="Set the source's contestId to a Contest @id or Name in the file.",
        )
    for number, cvr in enumerate(_as_list(data.get("CVR")), start=1):
        snapshots = _as_list(cvr.get("CVRSnapshot"))
        current = cvr.get("CurrentSnapshotId")
        snapshot = next((s for s in snapshots if s.get("@id") == current), None)
        if snapshot is None and snapshots:
            snapshot = snapshots[0]
        marks: list[tuple[int, str]] = []
        in_contest = False
        for contest in _as_list((snapshot or {}).get("CVRContest")):
            if str(contest.get("ContestId")) not in contest_ids:
                continue
            in_contest = True
            for selection in _as_list(contest.get("CVRContestSelection")):
                selection_id = selection.get("ContestSelectionId")
                if selection_id is None:
                    # A write-in mark with no contest selection of its own.
                    if not source.uwi_label:
                        continue
                    found: str | None = UWI
                else:
                    found = selection_names.get(str(selection_id))
                if found is None:
                    raise BallotFormatError(
                        f"CVR {number} names an unknown contest selection "
                        f"{selection.get('ContestSelectionId')!r}",
                        path=where,
                    )
                name = found if found == UWI else names.resolve(found, source, where, None)
                for position in _as_list(selection.get("SelectionPosition")):
                    if str(position.get("HasIndication", "yes")).lower() == "no":
                        continue
                    if str(position.get("IsAllocable", "yes")).lower() == "no":
                        continue
                    rank = position.get("Rank")
                    if rank is None:
                        continue
                    marks.append((int(rank), name))
        if in_contest:  # a CVR without this contest is not a ballot in it
            yield build_ballot(marks), None, None
