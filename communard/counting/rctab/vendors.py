"""Readers for the vendor CVR formats RCTab accepts: CDF XML, Dominion, Hart, Clear Ballot."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

from ..errors import BallotFormatError
from .config import CvrSource, RctabConfig
from .cvr import Ballot, CandidateNames, cdf_ballots


def _unsupported(source: CvrSource) -> BallotFormatError:
    return BallotFormatError(
        f"the {source.provider!r} CVR format is not supported yet",
        path=str(source.path),
        hint="Convert the CVRs to CDF JSON or generic CSV.",
    )


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


def read_cdf_xml(source: CvrSource, config: RctabConfig, names: CandidateNames) -> Iterator[Ballot]:
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


def read_dominion(
    source: CvrSource, config: RctabConfig, names: CandidateNames
) -> Iterator[Ballot]:
    raise _unsupported(source)


def read_hart(source: CvrSource, config: RctabConfig, names: CandidateNames) -> Iterator[Ballot]:
    raise _unsupported(source)


def read_clear_ballot(
    source: CvrSource, config: RctabConfig, names: CandidateNames
) -> Iterator[Ballot]:
    raise _unsupported(source)
