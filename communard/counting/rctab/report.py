"""RCTab's detailed reports (JSON and CSV), written from our tabulation.

The layout is RCTab 2.0's "summary" report (``jsonFormatVersion`` 1 and "CSV Format
Version" 1), field for field, so that a report from communard can be compared with one from
RCTab: numbers print as Java's ``BigDecimal.toString`` prints them (Python's ``Decimal``
follows the same decimal specification), percentages are truncated to two decimals, and
lists of candidates decided in one round follow the iteration order of the Java hash map
RCTab keeps them in.

``detailed_report_json(config_path)`` and ``detailed_report_csv(config_path)`` read the
config and its CVRs, count, and return the report; for multi-pass IRV they return the
report of the last pass (``detailed_reports_*`` return every pass).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal
from pathlib import Path
from typing import Any

from .config import UWI, RctabConfig, load_config
from .cvr import read_ballots
from .javacompat import hash_order
from .results import (
    DID_NOT_RANK,
    EXHAUSTED,
    FINAL_SURPLUS,
    OVERVOTES,
    REPEATED,
    SKIPPED,
    ZERO,
    RoundResult,
    SliceResult,
    TabulationResult,
)
from .tabulator import tabulate

GENERATED_BY = "communard"
_DECIMAL32 = Context(prec=7, rounding=ROUND_HALF_EVEN)
_INACTIVE_ROWS = (
    ("Overvotes", "overvotes", OVERVOTES),
    ("Skipped Rankings", "skippedRankings", SKIPPED),
    ("Exhausted Choices", "exhaustedChoices", EXHAUSTED),
    ("Repeated Rankings", "repeatedRankings", REPEATED),
)


def java_decimal(value: Decimal | int) -> str:
    """``BigDecimal.toString()``: the same scientific-notation rule as ``Decimal``."""
    return str(value)


def run(config_path: str | Path) -> list[TabulationResult]:
    """Read an RCTab config and its CVRs and count them (one result per pass)."""
    config = load_config(config_path)
    return tabulate(config, read_ballots(config))


def detailed_reports_json(config_path: str | Path) -> list[dict[str, Any]]:
    """Every report RCTab would write (one per pass for multi-pass IRV), as JSON data."""
    return [report_json(result) for result in run(config_path)]


def detailed_reports_csv(config_path: str | Path) -> list[str]:
    """Every CSV report RCTab would write (one per pass for multi-pass IRV)."""
    return [report_csv(result) for result in run(config_path)]


def detailed_report_json(config_path: str | Path) -> dict[str, Any]:
    """RCTab's detailed report as JSON data (the last pass for multi-pass IRV)."""
    return detailed_reports_json(config_path)[-1]


def detailed_report_csv(config_path: str | Path) -> str:
    """RCTab's detailed report as CSV text (the last pass for multi-pass IRV)."""
    return detailed_reports_csv(config_path)[-1]


def _summary_numbers(rounds: list[RoundResult]) -> tuple[Decimal, Decimal]:
    first = rounds[0]
    no_rankings = first.inactive[DID_NOT_RANK]
    total = first.active_sum + first.inactive_sum
    return total, no_rankings


def _view(
    result: TabulationResult, piece: SliceResult | None
) -> tuple[list[RoundResult], dict[int, dict[str, dict[str, Decimal]]]]:
    if piece is None:
        return result.rounds, result.transfers
    return piece.rounds, piece.transfers


def slice_reports(result: TabulationResult) -> list[SliceResult]:
    """The precincts and batches a tabulation also reports on, in a stable order."""
    return [result.slices[key] for key in sorted(result.slices)]


def report_json(result: TabulationResult, piece: SliceResult | None = None) -> dict[str, Any]:
    """The ``*_detailed_report.json`` data of one tabulation (or of one precinct or batch
    of it: that slice's tallies, under the whole contest's decisions)."""
    config = result.config
    rounds, all_transfers = _view(result, piece)
    total, no_rankings = _summary_numbers(rounds)
    round_to_winners = result.round_to_winners()
    round_to_eliminated = result.round_to_eliminated()
    last = len(rounds)
    results = []
    for rnd in rounds:
        actions: list[dict[str, Any]] = []
        transfers = all_transfers.get(rnd.number + 1, {})
        for kind, names in (
            ("elected", round_to_winners.get(rnd.number, [])),
            ("eliminated", round_to_eliminated.get(rnd.number, [])),
        ):
            for name in names:
                moved = transfers.get(name, {})
                actions.append(
                    {
                        kind: name,
                        "transfers": {k: java_decimal(moved[k]) for k in sorted(moved)},
                    }
                )
        inactive = {key: java_decimal(rnd.inactive[status]) for _, key, status in _INACTIVE_ROWS}
        if result_uses_surpluses(result) and rnd.number == last:
            inactive["finalRoundSurplus"] = java_decimal(rnd.inactive[FINAL_SURPLUS])
        results.append(
            {
                "inactiveBallots": dict(sorted(inactive.items())),
                "round": rnd.number,
                "tally": {k: java_decimal(rnd.tally[k]) for k in sorted(rnd.tally)},
                "tallyResults": actions,
                "threshold": java_decimal(rnd.threshold),
            }
        )
    labels = {
        "contest": config.contest_name,
        "date": config.contest_date,
        "generatedBy": GENERATED_BY,
        "jurisdiction": config.jurisdiction,
        "office": config.office,
    }
    if piece is not None:
        labels[piece.kind] = piece.id
    return {
        "config": dict(sorted(labels.items())),
        "jsonFormatVersion": "1",
        "results": results,
        "summary": {
            "finalThreshold": java_decimal(rounds[-1].threshold),
            "numCandidates": len(config.candidate_names),
            "numWinners": result.number_of_winners,
            "totalNumBallots": java_decimal(total),
            "undervotes": int(no_rankings),
        },
    }


def result_uses_surpluses(result: TabulationResult) -> bool:
    return result.number_of_winners > 1 and result.config.winner_mode in (
        "multiWinnerAllowOnlyOneWinnerPerRound",
        "multiWinnerAllowMultipleWinnersPerRound",
    )


def _percent(votes: Decimal, divisor: Decimal) -> str:
    # RCTab: votes.divide(divisor, DECIMAL32).scaleByPowerOfTen(4).intValue() / 100.0, printed
    # by Java's Double.toString: i.e. truncated to two decimals, trailing zeros dropped.
    share = _DECIMAL32.divide(votes, divisor)
    hundredths = int(share.scaleb(4))
    whole, part = divmod(hundredths, 100)
    if part == 0:
        return f"{whole}.0%"
    if part % 10 == 0:
        return f"{whole}.{part // 10}%"
    return f"{whole}.{part:02d}%"


def _csv_field(value: str, first: bool) -> str:
    # Apache Commons CSV, CSVFormat.DEFAULT (QuoteMode.MINIMAL): quote an empty first field,
    # a field starting with a character up to '#', or holding a delimiter, quote or line
    # break, or ending in whitespace.
    if value == "":
        quote = first
    else:
        quote = value[0] <= "#" or any(ch in value for ch in ',"\r\n') or value[-1] <= " "
    if quote:
        return '"' + value.replace('"', '""') + '"'
    return value


def _csv_line(cells: list[str]) -> str:
    return ",".join(_csv_field(cell, i == 0) for i, cell in enumerate(cells))


def _is_java_zero(value: Decimal) -> bool:
    # BigDecimal.equals(ZERO) is scale-sensitive: 0.0000 is not equal to 0.
    return value == 0 and value.as_tuple().exponent == 0


def sorted_candidates(result: TabulationResult) -> list[str]:
    """Round-1 candidates by votes, most first, ties in hash-map order, write-ins last."""
    tally = result.rounds[0].tally
    names = hash_order(tally)
    regular = sorted((n for n in names if n != UWI), key=lambda n: -tally[n])
    return regular + [n for n in names if n == UWI]


def report_csv(result: TabulationResult, piece: SliceResult | None = None) -> str:
    """The ``*_detailed_report.csv`` text of one tabulation (or of one precinct or batch)."""
    config: RctabConfig = result.config
    rounds, _ = _view(result, piece)
    n = len(rounds)
    total, no_rankings = _summary_numbers(rounds)
    last_line = (
        [piece.kind.title(), piece.id]
        if piece is not None
        else ["Final Threshold", java_decimal(rounds[-1].threshold)]
    )
    # On a slice report, the decisions are the contest's: RCTab marks them with a dagger.
    dagger = "†" if piece is not None else ""
    lines: list[list[str]] = [
        ["Contest Information"],
        ["Generated By", GENERATED_BY],
        ["CSV Format Version", "1"],
        [
            "Type of Election",
            "Single-Winner" if config.winner_mode == "singleWinnerMajority" else "Multi-Winner",
        ],
        ["Contest", config.contest_name],
        ["Jurisdiction", config.jurisdiction],
        ["Office", config.office],
        ["Date", config.contest_date],
        ["Winner(s)", ", ".join(result.winners)],
        last_line,
        [],
        ["Contest Summary"],
        ["Number to be Elected", _to_be_elected(result)],
        ["Number of Candidates", str(_num_candidates(result))],
        ["Total Number of Ballots", java_decimal(total)],
        ["Number of Undervotes (No Rankings)", java_decimal(no_rankings)],
        [],
    ]
    header = ["Rounds"]
    for number in range(1, n + 1):
        header += [f"Round {number} Votes", "% of vote", "transfer"]
    lines.append(header)
    marked = result.tie_decided
    for label, mapping in (
        ("Eliminated", result.round_to_eliminated()),
        ("Elected", result.round_to_winners()),
    ):
        row = [label + dagger]
        for number in range(1, n + 1):
            names = [
                f"{name}*" if (number, name) in marked else name for name in mapping.get(number, [])
            ]
            row += ["; ".join(names), "", ""]
        lines.append(row)

    # The share of the vote is of each round's votes for one seat (or a percentage
    # threshold), and of round 1's votes when round 1 fixes the threshold.
    per_round = config.number_of_winners <= 1 and not config.first_round_determines_threshold
    for name in sorted_candidates(result):
        row = [name]
        for i, rnd in enumerate(rounds):
            votes = rnd.tally.get(name, ZERO)
            divisor = (rnd if per_round else rounds[0]).active_and_locked_in
            row.append(java_decimal(votes))
            row.append(_percent(votes, divisor) if divisor != 0 else "")
            if i + 1 < n:
                row.append(java_decimal(rounds[i + 1].tally.get(name, ZERO) - votes))
            else:
                row.append("0")
        lines.append(row)

    row = ["Active Ballots"]
    for rnd in rounds:
        row += [java_decimal(rnd.active_and_locked_in), "", ""]
    lines.append(row)
    if piece is None:
        row = ["Current Round Threshold"]
        for rnd in rounds:
            row += [java_decimal(rnd.threshold), "", ""]
        lines.append(row)
    for label, _, status in _INACTIVE_ROWS:
        row = [f"Inactive Ballots by {label}"]
        for i, rnd in enumerate(rounds):
            row += [java_decimal(rnd.inactive[status]), ""]
            if i + 1 < n:
                row.append(java_decimal(rounds[i + 1].inactive[status] - rnd.inactive[status]))
            else:
                row.append("0")
        lines.append(row)
    row = ["Inactive Ballots Total"]
    for i, rnd in enumerate(rounds):
        row += [java_decimal(rnd.inactive_sum - no_rankings), ""]
        if i + 1 < n:
            row.append(java_decimal(rounds[i + 1].inactive_sum - rnd.inactive_sum))
        else:
            row.append("0")
    lines.append(row)
    if piece is None and rounds[-1].residual_surplus > 0:
        row = ["Residual surplus"]
        for rnd in rounds:
            row += [java_decimal(rnd.residual_surplus), "", ""]
        lines.append(row)
    if result_uses_surpluses(result):
        row = ["Final Round Surplus"]
        for rnd in rounds:
            surplus = rnd.inactive[FINAL_SURPLUS]
            row += ["" if _is_java_zero(surplus) else java_decimal(surplus), "", ""]
        lines.append(row)
    if piece is not None:
        lines += [
            [],
            [
                "†Elect/Eliminate decisions are from the full contest. All other results on "
                f"this report are at the {piece.kind} level."
            ],
        ]
    if marked:
        lines += [[], ["*Tie resolved in accordance with election law"]]
    return "".join(_csv_line(cells) + "\n" for cells in lines)


def _to_be_elected(result: TabulationResult) -> str:
    config = result.config
    if config.winner_mode == "bottomsUpUsingPercentageThreshold":
        percent = config.raw.get("rules", {}).get("multiSeatBottomsUpPercentageThreshold")
        return f"All candidates over the {str(percent).strip()}% threshold"
    return str(result.number_of_winners)


def summary_report_csv(result: TabulationResult) -> str:
    """RCTab's summary CSV: the detailed CSV without the inactive-ballot breakdown rows."""
    lines = report_csv(result).splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith("Inactive Ballots by"))


def _num_candidates(result: TabulationResult) -> int:
    excluded = result.config.excluded | result.extra_excluded
    return sum(1 for c in result.config.candidate_names if c not in excluded)
