"""RCTab contest configurations: reading and validating the config JSON.

An RCTab config has four parts: ``outputSettings`` (labels for the report),
``cvrFileSources`` (where the ballots are and in which format), ``candidates`` and
``rules``. ``load_config`` reads one and checks every field, collecting all problems into
one ``ConfigError`` whose message names each field and how to fix it, as RCTab's own
validation does before it counts anything.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import ConfigError

UWI = "Undeclared Write-ins"
OVERVOTE = "overvote"

PROVIDERS = ("ess", "genericCsv", "cdf", "clearBallot", "dominion", "hart")
TIEBREAK_MODES = (
    "random",
    "stopCountingAndAsk",
    "previousRoundCountsThenRandom",
    "previousRoundCountsThenAsk",
    "useCandidateOrder",
    "generatePermutation",
)
RANDOM_TIEBREAK_MODES = ("random", "previousRoundCountsThenRandom", "generatePermutation")
OVERVOTE_RULES = ("alwaysSkipToNextRank", "exhaustImmediately", "exhaustIfMultipleContinuing")
WINNER_MODES = (
    "singleWinnerMajority",
    "multiWinnerAllowOnlyOneWinnerPerRound",
    "multiWinnerAllowMultipleWinnersPerRound",
    "bottomsUp",
    "bottomsUpUsingPercentageThreshold",
    "multiPassIrv",
)
# RCTab's bounds (ContestConfig): a java.util.Random seed must fit in 48 bits.
MIN_RANDOM_SEED = -140737488355328
MAX_RANDOM_SEED = 140737488355327
UNLIMITED = -1


@dataclass(frozen=True)
class CvrSource:
    """One entry of ``cvrFileSources``: a CVR file (or folder) and how to read it."""

    provider: str
    path: Path
    file_path: str
    contest_id: str = ""
    first_vote_column: int | None = None
    first_vote_row: int | None = None
    id_column: int | None = None
    precinct_column: int | None = None
    batch_column: int | None = None
    overvote_label: str = ""
    overvote_delimiter: str = ""
    skipped_rank_label: str = ""
    uwi_label: str = ""
    treat_blank_as_uwi: bool = False


@dataclass(frozen=True)
class Candidate:
    """A declared candidate: the reported ``name``, other spellings, and exclusion."""

    name: str
    aliases: tuple[str, ...] = ()
    excluded: bool = False


@dataclass
class RctabConfig:
    """A validated RCTab contest configuration."""

    path: Path
    contest_name: str
    contest_date: str
    jurisdiction: str
    office: str
    sources: tuple[CvrSource, ...]
    candidates: tuple[Candidate, ...]
    winner_mode: str
    number_of_winners: int
    overvote_rule: str
    max_skipped_ranks: int  # UNLIMITED (-1) for "unlimited"
    max_rankings: int  # resolved: "max" is the number of declared candidates
    max_rankings_is_max: bool
    tiebreak_mode: str
    random_seed: int | None
    decimal_places: int
    minimum_vote_threshold: Decimal
    batch_elimination: bool
    continue_until_two: bool
    first_round_determines_threshold: bool
    stop_tabulation_early_after: int | None
    exhaust_on_duplicate: bool
    non_integer_threshold: bool
    hare_quota: bool
    bottoms_up_percentage: Decimal | None
    cutoff_elimination: bool
    tabulate_by_precinct: bool = False
    tabulate_by_batch: bool = False
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def declared_names(self) -> list[str]:
        return [c.name for c in self.candidates]

    @property
    def has_uwi(self) -> bool:
        """Whether any source can produce undeclared write-ins (RCTab then adds the
        ``Undeclared Write-ins`` pseudo-candidate to the contest)."""
        return any(s.uwi_label or s.treat_blank_as_uwi for s in self.sources)

    @property
    def candidate_names(self) -> list[str]:
        """All candidate names of the contest, the UWI pseudo-candidate last."""
        names = self.declared_names
        return [*names, UWI] if self.has_uwi else names

    @property
    def excluded(self) -> frozenset[str]:
        return frozenset(c.name for c in self.candidates if c.excluded)

    @property
    def num_declared(self) -> int:
        return len(self.candidates)

    @property
    def num_candidates(self) -> int:
        return len(self.candidate_names)

    @property
    def single_winner(self) -> bool:
        """RCTab reports "Single-Winner" for plain IRV and for each pass of multi-pass IRV."""
        return self.winner_mode in ("singleWinnerMajority", "multiPassIrv")

    @property
    def bottoms_up(self) -> bool:
        return self.winner_mode == "bottomsUp"

    @property
    def bottoms_up_threshold(self) -> bool:
        return self.winner_mode == "bottomsUpUsingPercentageThreshold"

    @property
    def only_one_winner_per_round(self) -> bool:
        return self.winner_mode == "multiWinnerAllowOnlyOneWinnerPerRound"

    @property
    def uses_surpluses(self) -> bool:
        """Multi-seat STV modes transfer surpluses; bottoms-up modes do not."""
        return self.number_of_winners > 1 and self.winner_mode in (
            "multiWinnerAllowOnlyOneWinnerPerRound",
            "multiWinnerAllowMultipleWinnersPerRound",
        )


class _Checker:
    """Collects validation problems, each naming the field and the fix."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[str] = []

    def add(self, where: str, problem: str, fix: str) -> None:
        self.problems.append(f"{where}: {problem} — {fix}")

    def text(self, data: dict[str, Any], key: str, where: str) -> str:
        value = data.get(key, "")
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.add(f"{where}.{key}", f"expected text, got {value!r}", "write it as a string")
            return ""
        return str(value).strip()

    def flag(self, data: dict[str, Any], key: str, where: str) -> bool:
        value = data.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.add(
                f"{where}.{key}",
                f"must be true or false, not {value!r}",
                f"write {key}: true or {key}: false (without quotes)",
            )
            return False
        return value

    def integer(
        self,
        data: dict[str, Any],
        key: str,
        where: str,
        low: int,
        high: int,
        *,
        required: bool,
        special: dict[str, int] | None = None,
    ) -> int | None:
        value = data.get(key)
        text = "" if value is None else str(value).strip()
        if special and text in special:
            return special[text]
        extra = f" or {' / '.join(repr(k) for k in special)}" if special else ""
        if text == "":
            if required:
                self.add(
                    f"{where}.{key}",
                    "is required",
                    f"give a whole number from {low} to {high}{extra}",
                )
            return None
        try:
            number = int(text)
        except ValueError:
            number = None
        if isinstance(value, bool) or number is None or not low <= number <= high:
            self.add(
                f"{where}.{key}",
                f"{value!r} is not a whole number from {low} to {high}{extra}",
                f"give a whole number from {low} to {high}{extra}",
            )
            return None
        return number

    def choice(self, data: dict[str, Any], key: str, where: str, options: tuple[str, ...]) -> str:
        value = data.get(key)
        if value not in options:
            self.add(
                f"{where}.{key}",
                f"{value!r} is not a known value" if value else "is required",
                f"use one of: {', '.join(options)}",
            )
            return ""
        return str(value)


def load_config(path: str | Path) -> RctabConfig:
    """Read and validate an RCTab contest config file.

    Raises ``ConfigError`` listing every problem found (field, problem, fix).
    """
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"RCTab config {path} does not exist.", hint="Check the path to the config file."
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(
            f"RCTab config {path} is not valid JSON: {error}.",
            hint="Fix the JSON syntax (an RCTab config is one JSON object).",
        ) from error
    if not isinstance(raw, dict):
        raise ConfigError(
            f"RCTab config {path} is not a JSON object.",
            hint="An RCTab config is one JSON object with outputSettings, "
            "cvrFileSources, candidates and rules.",
        )
    return parse_config(raw, path)


def parse_config(raw: dict[str, Any], path: Path, *, require_sources: bool = True) -> RctabConfig:
    """Validate an already-parsed config (``path`` locates relative CVR paths).

    ``require_sources=False`` accepts a config without CVR sources, for counting ballots
    that are already in memory.
    """
    check = _Checker(path)
    base = path.parent

    if not str(raw.get("tabulatorVersion") or "").strip():
        check.add(
            "tabulatorVersion",
            "is required",
            'add "tabulatorVersion": "TEST" or the RCTab version that wrote the config',
        )

    output = raw.get("outputSettings")
    if not isinstance(output, dict):
        check.add("outputSettings", "is missing", "add an outputSettings object with contestName")
        output = {}
    contest_name = check.text(output, "contestName", "outputSettings")
    if not contest_name:
        check.add("outputSettings.contestName", "is required", "name the contest")

    candidates = _parse_candidates(raw.get("candidates"), check)
    declared = len(candidates)
    sources = (
        _parse_sources(raw.get("cvrFileSources"), base, check)
        if require_sources or raw.get("cvrFileSources")
        else []
    )

    rules = raw.get("rules")
    if not isinstance(rules, dict):
        check.add("rules", "is missing", "add a rules object")
        rules = {}
    w = "rules"
    winner_mode = check.choice(rules, "winnerElectionMode", w, WINNER_MODES)
    overvote_rule = check.choice(rules, "overvoteRule", w, OVERVOTE_RULES)
    tiebreak_mode = check.choice(rules, "tiebreakMode", w, TIEBREAK_MODES)
    min_winners = 0 if winner_mode == "bottomsUpUsingPercentageThreshold" else 1
    winners = check.integer(
        rules, "numberOfWinners", w, min_winners, max(declared, 1) + 1000, required=True
    )
    if winner_mode == "bottomsUpUsingPercentageThreshold" and winners not in (None, 0):
        check.add(
            "rules.numberOfWinners",
            "must be 0 with bottomsUpUsingPercentageThreshold",
            "set numberOfWinners to 0: the percentage decides how many win",
        )
    if winner_mode == "singleWinnerMajority" and winners not in (None, 1):
        check.add(
            "rules.numberOfWinners",
            "must be 1 with singleWinnerMajority",
            "set numberOfWinners to 1, or choose a multi-winner winnerElectionMode",
        )
    decimals = check.integer(rules, "decimalPlacesForVoteArithmetic", w, 1, 20, required=True)
    max_skipped = check.integer(
        rules,
        "maxSkippedRanksAllowed",
        w,
        0,
        1_000_000,
        required=True,
        special={"unlimited": UNLIMITED},
    )
    max_rankings = check.integer(
        rules, "maxRankingsAllowed", w, 1, 1_000_000, required=True, special={"max": UNLIMITED}
    )
    minimum = check.integer(rules, "minimumVoteThreshold", w, 0, 1_000_000, required=False)
    stop_early = check.integer(
        rules, "stopTabulationEarlyAfterRound", w, 1, 1_000_000, required=False
    )
    seed = check.integer(
        rules,
        "randomSeed",
        w,
        MIN_RANDOM_SEED,
        MAX_RANDOM_SEED,
        required=tiebreak_mode in RANDOM_TIEBREAK_MODES,
    )
    percentage: Decimal | None = None
    if winner_mode == "bottomsUpUsingPercentageThreshold":
        pct = check.integer(
            rules, "multiSeatBottomsUpPercentageThreshold", w, 1, 100, required=True
        )
        if pct is not None:
            percentage = Decimal(pct) / Decimal(100)

    flags = {
        key: check.flag(rules, key, w)
        for key in (
            "batchElimination",
            "continueUntilTwoCandidatesRemain",
            "doesFirstRoundDetermineThreshold",
            "exhaustOnDuplicateCandidate",
            "nonIntegerWinningThreshold",
            "hareQuota",
            "cutoffElimination",
        )
    }
    multi = winners is not None and winners > 1
    if flags["batchElimination"] and multi and winner_mode != "multiPassIrv":
        check.add(
            "rules.batchElimination",
            "only applies to single-winner counts",
            "set batchElimination to false, or use multiPassIrv",
        )
    if flags["continueUntilTwoCandidatesRemain"] and multi and winner_mode != "multiPassIrv":
        check.add(
            "rules.continueUntilTwoCandidatesRemain",
            "only applies to single-winner counts",
            "set continueUntilTwoCandidatesRemain to false",
        )
    if flags["hareQuota"] and flags["nonIntegerWinningThreshold"]:
        check.add(
            "rules.hareQuota",
            "cannot be combined with nonIntegerWinningThreshold",
            "choose one of the two threshold options",
        )
    if overvote_rule == "exhaustIfMultipleContinuing" and any(s.overvote_label for s in sources):
        check.add(
            "rules.overvoteRule",
            "exhaustIfMultipleContinuing cannot be used with an overvoteLabel",
            "use overvoteDelimiter in the CVR source, or another overvoteRule",
        )

    if check.problems:
        listing = "\n  - ".join(check.problems)
        raise ConfigError(
            f"RCTab config {path} is invalid ({len(check.problems)} problem"
            f"{'s' if len(check.problems) != 1 else ''}):\n  - {listing}",
            hint="Fix the fields named above and count again.",
            problems=list(check.problems),
        )

    assert winners is not None and decimals is not None  # guaranteed by the checks above
    assert max_skipped is not None and max_rankings is not None
    return RctabConfig(
        path=path,
        contest_name=contest_name,
        contest_date=check.text(output, "contestDate", "outputSettings"),
        jurisdiction=check.text(output, "contestJurisdiction", "outputSettings"),
        office=check.text(output, "contestOffice", "outputSettings"),
        sources=tuple(sources),
        candidates=tuple(candidates),
        winner_mode=winner_mode,
        number_of_winners=winners,
        overvote_rule=overvote_rule,
        max_skipped_ranks=max_skipped,
        max_rankings=declared if max_rankings == UNLIMITED else max_rankings,
        max_rankings_is_max=max_rankings == UNLIMITED,
        tiebreak_mode=tiebreak_mode,
        random_seed=seed,
        decimal_places=decimals,
        minimum_vote_threshold=Decimal(minimum or 0),
        batch_elimination=flags["batchElimination"],
        continue_until_two=flags["continueUntilTwoCandidatesRemain"],
        first_round_determines_threshold=flags["doesFirstRoundDetermineThreshold"],
        stop_tabulation_early_after=stop_early,
        exhaust_on_duplicate=flags["exhaustOnDuplicateCandidate"],
        non_integer_threshold=flags["nonIntegerWinningThreshold"],
        hare_quota=flags["hareQuota"],
        bottoms_up_percentage=percentage,
        cutoff_elimination=flags["cutoffElimination"],
        tabulate_by_precinct=bool(output.get("tabulateByPrecinct") is True),
        tabulate_by_batch=bool(output.get("tabulateByBatch") is True),
        raw=raw,
    )


def _parse_candidates(data: Any, check: _Checker) -> list[Candidate]:
    if not isinstance(data, list) or not data:
        check.add("candidates", "lists no candidate", "add at least one candidate with a name")
        return []
    seen: set[str] = set()
    result = []
    for i, item in enumerate(data):
        where = f"candidates[{i}]"
        if not isinstance(item, dict):
            check.add(where, "is not an object", 'write {"name": "...", "aliases": []}')
            continue
        name = check.text(item, "name", where)
        if not name:
            check.add(f"{where}.name", "is required", "give every candidate a name")
            continue
        aliases_raw = item.get("aliases") or []
        if not isinstance(aliases_raw, list):
            check.add(f"{where}.aliases", "must be a list", 'write "aliases": ["CODE", ...]')
            aliases_raw = []
        aliases = tuple(str(a).strip() for a in aliases_raw if str(a).strip())
        for spelling in (name, *aliases):
            if spelling in seen:
                check.add(
                    f"{where}",
                    f"the name or alias {spelling!r} is used twice",
                    "give each candidate distinct names and aliases",
                )
            if spelling.lower() in (UWI.lower(), OVERVOTE, "exhausted", "residual surplus"):
                check.add(f"{where}", f"{spelling!r} is a reserved word", "rename the candidate")
            seen.add(spelling)
        result.append(Candidate(name, aliases, check.flag(item, "excluded", where)))
    return result


def _parse_sources(data: Any, base: Path, check: _Checker) -> list[CvrSource]:
    if not isinstance(data, list) or not data:
        check.add(
            "cvrFileSources",
            "lists no CVR file",
            "add at least one source with provider and filePath",
        )
        return []
    result = []
    seen_paths: set[Path] = set()
    for i, item in enumerate(data):
        where = f"cvrFileSources[{i}]"
        if not isinstance(item, dict):
            check.add(where, "is not an object", "write a source object")
            continue
        provider = check.choice(item, "provider", where, PROVIDERS)
        file_path = check.text(item, "filePath", where)
        if not file_path:
            check.add(f"{where}.filePath", "is required", "give the CVR file (or folder) path")
            continue
        # Normalise without following links, so two linked copies stay two sources.
        resolved = Path(os.path.normpath(os.path.abspath(base / file_path)))
        if resolved in seen_paths:
            check.add(
                f"{where}.filePath", f"{file_path!r} is listed twice", "list each CVR file once"
            )
        seen_paths.add(resolved)
        if not resolved.exists():
            check.add(
                f"{where}.filePath",
                f"{file_path!r} does not exist (looked at {resolved})",
                "correct the path; relative paths start at the config file's folder",
            )
        tabular = provider in ("ess", "genericCsv")
        first_col = check.integer(item, "firstVoteColumnIndex", where, 1, 1000, required=tabular)
        first_row = check.integer(item, "firstVoteRowIndex", where, 1, 100_000, required=tabular)
        id_col = check.integer(item, "idColumnIndex", where, 1, 1000, required=False)
        precinct_col = check.integer(item, "precinctColumnIndex", where, 1, 1000, required=False)
        batch_col = check.integer(item, "batchColumnIndex", where, 1, 1000, required=False)
        contest_id = check.text(item, "contestId", where)
        if provider in ("cdf", "dominion", "hart", "clearBallot") and not contest_id:
            check.add(
                f"{where}.contestId",
                f"is required for provider {provider!r}",
                "give the contest id (or name) the CVRs use for this contest",
            )
        overvote_label = check.text(item, "overvoteLabel", where)
        overvote_delimiter = str(item.get("overvoteDelimiter") or "")
        if overvote_label and overvote_delimiter:
            check.add(
                f"{where}.overvoteDelimiter",
                "cannot be used with overvoteLabel",
                "keep one of overvoteLabel and overvoteDelimiter",
            )
        skipped = check.text(item, "skippedRankLabel", where) or check.text(
            item, "undervoteLabel", where
        )
        result.append(
            CvrSource(
                provider=provider,
                path=resolved,
                file_path=file_path,
                contest_id=contest_id,
                first_vote_column=first_col,
                first_vote_row=first_row,
                id_column=id_col,
                precinct_column=precinct_col,
                batch_column=batch_col,
                overvote_label=overvote_label,
                overvote_delimiter=overvote_delimiter,
                skipped_rank_label=skipped,
                uwi_label=check.text(item, "undeclaredWriteInLabel", where),
                treat_blank_as_uwi=check.flag(item, "treatBlankAsUndeclaredWriteIn", where),
            )
        )
    return result
