"""Readers for the vendor CVR formats RCTab accepts: CDF XML, Dominion, Hart, Clear Ballot."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import BallotFormatError
from .config import CvrSource, RctabConfig
from .cvr import CandidateNames, Vote, _as_list, build_ballot, cdf_ballots


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def xml_to_data(element: ET.Element) -> Any:
    """An XML element as the JSON shape of the same CDF document (``ObjectId`` → ``@id``,
    ``xsi:type`` → ``@type``, repeated children → lists, leaves → text)."""
    children = list(element)
    if not children and not element.attrib:
        return (element.text or "").strip()
    data: dict[str, Any] = {}
    for key, value in element.attrib.items():
        name = _local(key)
        data["@id" if name == "ObjectId" else "@type" if name == "type" else name] = value
    for child in children:
        key = _local(child.tag)
        value = xml_to_data(child)
        if key in data:
            if not isinstance(data[key], list):
                data[key] = [data[key]]
            data[key].append(value)
        else:
            data[key] = value
    return data


def read_cdf_xml(source: CvrSource, config: RctabConfig, names: CandidateNames) -> Iterator[Vote]:
    """NIST CDF cast vote records in XML, read through their JSON shape."""
    where = str(source.path)
    try:
        root = ET.parse(source.path).getroot()
    except (OSError, ET.ParseError) as error:
        raise BallotFormatError(f"not a readable CDF XML file: {error}", path=where) from error
    data = xml_to_data(root)
    if not isinstance(data, dict):
        raise BallotFormatError("the CDF XML file holds no cast vote records", path=where)
    yield from cdf_ballots(data, source, names, where)


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError) as error:
        raise BallotFormatError(f"not a readable JSON file: {error}", path=str(path)) from error


def read_dominion(source: CvrSource, config: RctabConfig, names: CandidateNames) -> Iterator[Vote]:
    """Dominion Democracy Suite: a folder of ``CvrExport*.json`` files (and manifests).

    Each session is one ballot; the adjudicated ``Modified`` record replaces an
    ``Original`` that is not current. Marks flagged ``IsAmbiguous`` are not votes. Candidate ids
    are matched against the config's aliases; the ``undeclaredWriteInLabel`` names the
    write-in candidate id. A session without the contest is not a ballot in it.
    """
    folder = source.path
    exports = sorted(folder.glob("CvrExport*.json")) if folder.is_dir() else []
    if not exports:
        raise BallotFormatError(
            "no CvrExport*.json file in this Dominion folder",
            path=str(folder),
            hint="Point filePath at the folder holding the Dominion CVR export.",
        )
    contest = source.contest_id
    precincts: dict[Any, str] = {}
    manifest = folder / "PrecinctManifest.json"
    if manifest.exists():
        for entry in (_load_json(manifest) or {}).get("List", []):
            precincts[entry.get("Id")] = str(entry.get("Description"))
    # A contest the scanner flagged "InvalidContest" is not counted (RCTab 2.0 leaves the
    # ballot out of the contest altogether).
    invalid: set[Any] = set()
    outstack = folder / "OutstackConditionManifest.json"
    if outstack.exists():
        for entry in (_load_json(outstack) or {}).get("List", []):
            if entry.get("Description") == "InvalidContest":
                invalid.add(entry.get("Id"))
    for export in exports:
        where = str(export)
        data = _load_json(export)
        for session in data.get("Sessions", []):
            # RCTab reads the original record when it is current, else the adjudicated
            # ("Modified") one, and skips the session when there is neither.
            record = session.get("Original") or {}
            if not record.get("IsCurrent", True):
                record = session.get("Modified")
                if not record:
                    continue
            cards = record.get("Cards")
            contests = (
                [c for card in cards for c in card.get("Contests", [])]
                if cards is not None
                else record.get("Contests", [])
            )
            found = False
            marks: list[tuple[int, str]] = []
            for entry in contests:
                if str(entry.get("Id")) != contest:
                    continue
                if invalid.intersection(entry.get("OutstackConditionIds") or ()):
                    continue
                found = True
                for mark in entry.get("Marks", []):
                    if mark.get("IsAmbiguous"):
                        continue
                    code = str(mark.get("CandidateId"))
                    rank = int(mark.get("Rank", 0))
                    if rank < 1 or rank > config.max_rankings:
                        continue
                    marks.append((rank, names.resolve(code, source, where, None)))
            if found:
                precinct_id = record.get("PrecinctId")
                precinct = None if precinct_id is None else precincts.get(precinct_id)
                if precinct_id is not None and precinct is None:
                    raise BallotFormatError(
                        f"precinct id {precinct_id} is not in PrecinctManifest.json",
                        path=where,
                    )
                yield build_ballot(marks), precinct, str(session.get("BatchId"))


def read_hart(source: CvrSource, config: RctabConfig, names: CandidateNames) -> Iterator[Vote]:
    """Hart Verity: a folder of per-ballot XML files (``Cvr/Contests/Contest/Options``).

    An option's ``Id`` is the candidate (matched against the aliases); its ``Value`` holds
    one 0/1 digit per rank. A write-in option counts for undeclared write-ins.
    A ballot without the contest is not a ballot in it.
    """
    folder = source.path
    files = sorted(folder.glob("*.xml")) if folder.is_dir() else [folder]
    for path in files:
        where = str(path)
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError) as error:
            raise BallotFormatError(f"not a readable Hart XML file: {error}", path=where) from error
        data = xml_to_data(root)
        if not isinstance(data, dict):
            continue
        contests = data.get("Contests") or {}
        found = False
        marks: list[tuple[int, str]] = []
        for contest in _as_list(contests.get("Contest") if isinstance(contests, dict) else None):
            if str(contest.get("Id")) != source.contest_id:
                continue
            found = True
            options = contest.get("Options") or {}
            for option in _as_list(options.get("Option") if isinstance(options, dict) else None):
                code = str(option.get("Id"))
                if "WriteInData" in option and source.uwi_label and code not in names.lookup:
                    code = source.uwi_label
                name = names.resolve(code, source, where, None)
                # Value is a string of 0/1 digits, one per rank: "010000" marks rank 2.
                for position, digit in enumerate(str(option.get("Value") or ""), start=1):
                    if digit == "1" and position <= config.max_rankings:
                        marks.append((position, name))
        if found:
            yield build_ballot(marks), None, None


def read_clear_ballot(
    source: CvrSource, config: RctabConfig, names: CandidateNames
) -> Iterator[Vote]:
    """Clear Ballot ClearVote CSV: one 0/1 column per (candidate, rank), headed
    ``Choice_<id>_<n>:<contest>:<rank>:<vote for>:<candidate>:<party>``; one row per ballot."""
    where = str(source.path)
    try:
        handle = open(source.path, encoding="utf-8-sig", newline="")  # noqa: SIM115
    except OSError as error:
        raise BallotFormatError(f"cannot open the file: {error}", path=where) from error
    with handle:
        rows = csv.reader(handle)
        header = next(rows, None)
        if header is None:
            raise BallotFormatError("the file is empty", path=where)
        columns: list[tuple[int, int, str]] = []
        for index, title in enumerate(header):
            if not title.startswith("Choice_"):
                continue
            parts = title.split(":")
            if len(parts) < 6:
                raise BallotFormatError(
                    f"column {index + 1} header {title!r} is not Choice_…:contest:rank:…:"
                    "candidate:party",
                    path=where,
                    line=1,
                )
            contest = ":".join(parts[1:-4])
            if contest != source.contest_id:
                continue
            try:
                rank = int(parts[-4])
            except ValueError:
                raise BallotFormatError(
                    f"column {index + 1} header {title!r} has no rank number", path=where, line=1
                ) from None
            if rank > config.max_rankings:
                continue
            columns.append((index, rank, names.resolve(parts[-2].strip(), source, where, 1)))
        if not columns:
            raise BallotFormatError(
                f"no column belongs to the contest {source.contest_id!r}",
                path=where,
                line=1,
                hint="Set contestId to the contest name used in the column headers.",
            )
        for row in rows:
            if not row:
                continue
            marks = [
                (rank, name)
                for index, rank, name in columns
                if index < len(row) and row[index].strip() == "1"
            ]
            yield build_ballot(marks), None, None
