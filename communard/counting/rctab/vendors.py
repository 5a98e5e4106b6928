"""Readers for the vendor CVR formats RCTab accepts: CDF XML, Dominion, Hart, Clear Ballot."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import BallotFormatError
from .config import CvrSource, RctabConfig
from .cvr import Ballot, CandidateNames


def _unsupported(source: CvrSource) -> BallotFormatError:
    return BallotFormatError(
        f"the {source.provider!r} CVR format is not supported yet",
        path=str(source.path),
        hint="Convert the CVRs to CDF JSON or generic CSV.",
    )


def read_cdf_xml(source: CvrSource, config: RctabConfig, names: CandidateNames) -> Iterator[Ballot]:
    raise _unsupported(source)


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
