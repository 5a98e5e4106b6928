"""Participatory budgeting: greedy rules and the Method of Equal Shares (MES).

Every method takes a ``BudgetProfile`` and returns an ``Outcome`` whose
``winners`` are the selected project ids in selection order.

MES (Peters & Skowron 2020; Peters, Pierczyński & Skowron 2021) gives every voter
an equal share ``budget / n`` and funds, round by round, the project whose
supporters can pay for it with the lowest price per unit of utility ``rho``.
Utilities are the project's cost (``utility="cost"``, what the cities using MES
use) or 1 (``utility="cardinality"``). The exact, fast engine is in
``equal_shares.py``; this module adds what cities add: the add-one completion
(found by a search over the share), utilitarian completion and the comparison step.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ConfigError
from ..outcomes import Outcome, Round, TieBreakRecord
from ..profiles import BudgetProfile
from ..registry import method
from ..ties import TieBreaker, break_tie
from .equal_shares import EqualShares, EqualSharesRun, column_totals

VERSION = "1"


# -- shared helpers -------------------------------------------------------------------


def _check_profile(profile: Any) -> BudgetProfile:
    if not isinstance(profile, BudgetProfile):
        raise ConfigError(
            f"budget methods count a BudgetProfile, not {type(profile).__name__}.",
            hint="Read a Pabulib .pb file (communard count FILE --format pabulib).",
        )
    return profile


def _support(profile: BudgetProfile) -> npt.NDArray[np.int64]:
    """Approvals per project (voters listing it)."""
    return column_totals(profile.approved, profile.weights)


def _scores(profile: BudgetProfile) -> npt.NDArray[np.int64]:
    """What greedy ranks by: approvals, or total points for cumulative, scoring, ordinal."""
    if profile.points is None:
        return _support(profile)
    return np.asarray(profile.weights @ profile.points, dtype=np.int64)


def _is_exhaustive(profile: BudgetProfile, chosen: Sequence[int]) -> bool:
    left = profile.budget - int(profile.costs[list(chosen)].sum()) if chosen else profile.budget
    taken = set(chosen)
    return not any(int(c) <= left for p, c in enumerate(profile.costs) if p not in taken)


def _greedy_order(
    profile: BudgetProfile,
    keys: Sequence[Fraction | int],
    tie_break: TieBreaker | None,
    chosen: Sequence[int],
    budget_left: int,
    round_number: int,
    records: list[TieBreakRecord],
    skip: bool,
) -> list[int]:
    """Greedy selection: best key first, each project that fits (or stop at the first that
    does not, without ``skip``). A tie is only broken when it changes what is funded."""
    taken = set(chosen)
    ranked = sorted(
        (p for p in range(len(profile.projects)) if p not in taken), key=lambda p: -keys[p]
    )
    selected: list[int] = []
    left = budget_left
    for _, level in itertools.groupby(ranked, key=lambda p: keys[p]):
        group = list(level)
        costs = [int(profile.costs[p]) for p in group]
        if sum(costs) <= left:
            selected.extend(group)
            left -= sum(costs)
            continue
        fits = [p for p in group if int(profile.costs[p]) <= left]
        if len(group) > 1 and fits:
            names = [profile.projects[p] for p in group]
            if tie_break is None:
                record = TieBreakRecord(
                    round=round_number,
                    purpose="order",
                    tied=tuple(names),
                    chosen=tuple(names),
                    rule="file-order",
                    explanation="Projects with equal support are taken in the order of the "
                    "file's PROJECTS section (as Pabulib's checker does).",
                )
            else:
                record = break_tie(
                    tie_break, names, len(names), purpose="order", round=round_number
                )
            records.append(record)
            order = {name: i for i, name in enumerate(record.chosen)}
            group.sort(key=lambda p: order[profile.projects[p]])
        for p in group:
            if int(profile.costs[p]) <= left:
                selected.append(p)
                left -= int(profile.costs[p])
            elif not skip:
                return selected
    return selected


def _rounds_for_greedy(
    profile: BudgetProfile, selected: Sequence[int], keys: Sequence[Fraction | int], label: str
) -> list[Round]:
    rounds = []
    spent = 0
    for number, p in enumerate(selected, start=1):
        spent += int(profile.costs[p])
        rounds.append(
            Round(
                number=number,
                tallies={profile.projects[p]: keys[p]},
                elected=[profile.projects[p]],
                note=f"{profile.projects[p]} funded ({label} {keys[p]}, cost "
                f"{int(profile.costs[p])}); {profile.budget - spent} left.",
                extra={"cost": int(profile.costs[p]), "spent": spent},
            )
        )
    return rounds


# -- greedy ---------------------------------------------------------------------------


@method(
    "greedy",
    name="Greedy by votes (participatory budgeting)",
    ballot="budget",
    seats="budget",
    aliases=("greedy-pb", "greedy-votes"),
    properties=("exhaustive",),
    reference="Pabulib rules greedy, greedy-no-skip, greedy-threshold (pabulib.org/format); "
    "Faliszewski et al., Participatory Budgeting: Data, Tools and Analysis, IJCAI 2023.",
    version=VERSION,
    options={
        "by": "'votes' (default: approvals, or points for cumulative/scoring/ordinal ballots) "
        "or 'votes-per-cost' (votes divided by cost)",
        "skip": "True (default): skip a project that does not fit and go on; False: stop at "
        "the first that does not fit (greedy-no-skip)",
        "threshold": "minimum votes (or points) a project needs to be funded "
        "(greedy-threshold: min_project_score_threshold)",
        "exclusive": "groups of mutually exclusive project ids: once one is funded, the others "
        "are not (greedy-exclusive)",
    },
)
def greedy(
    profile: BudgetProfile,
    *,
    seats: int = 1,
    tie_break: TieBreaker | None = None,
    by: str = "votes",
    skip: bool = True,
    threshold: int | None = None,
    exclusive: Sequence[Sequence[str]] = (),
    **options: Any,
) -> Outcome:
    """Fund projects from the most voted down, each one that still fits in the budget.

    This is how most cities count (Pabulib ``greedy``). ``skip=False`` stops at the
    first project that does not fit (``greedy-no-skip``); ``threshold`` leaves out
    projects with fewer votes (``greedy-threshold``); ``by="votes-per-cost"`` ranks by
    votes per unit of cost (pabutools' greedy with cardinality satisfaction).
    """
    profile = _check_profile(profile)
    if options:
        raise ConfigError(
            f"greedy has no option {sorted(options)[0]!r}.",
            hint="Options: by, skip, threshold, exclusive.",
        )
    scores = _scores(profile)
    if by == "votes":
        keys: list[Fraction | int] = [int(s) for s in scores]
        label = "votes" if profile.points is None else "points"
    elif by == "votes-per-cost":
        # A project that costs nothing has infinite votes per cost: free projects come
        # first (among themselves by votes), above any ratio the votes can reach.
        above = int(scores.sum()) + 1
        keys = [
            Fraction(int(s), int(c)) if c > 0 else above + int(s)
            for s, c in zip(scores, profile.costs, strict=True)
        ]
        label = "votes per cost"
    else:
        raise ConfigError(f"greedy cannot rank by {by!r}.", hint="Use 'votes' or 'votes-per-cost'.")
    eligible = [
        threshold is None or int(scores[p]) >= threshold for p in range(len(profile.projects))
    ]
    index = {pid: i for i, pid in enumerate(profile.projects)}
    groups = [[index[pid] for pid in group if pid in index] for group in exclusive]
    records: list[TieBreakRecord] = []
    if not groups:
        pool = [p for p in range(len(profile.projects)) if not eligible[p]]
        selected = _greedy_order(profile, keys, tie_break, pool, profile.budget, 1, records, skip)
    else:
        selected = []
        left = profile.budget
        blocked: set[int] = {p for p in range(len(profile.projects)) if not eligible[p]}
        for p in sorted(range(len(profile.projects)), key=lambda p: -keys[p]):
            if p in blocked:
                continue
            if int(profile.costs[p]) <= left:
                selected.append(p)
                left -= int(profile.costs[p])
                for group in groups:
                    if p in group:
                        blocked.update(group)
            elif not skip:
                break
    explanation = [
        f"Budget {profile.budget}; projects ranked by {label}"
        + (f", only those with at least {threshold}" if threshold is not None else "")
        + (
            "; a project that does not fit is skipped."
            if skip
            else "; counting stops at the first project that does not fit."
        ),
        f"Funded {len(selected)} projects for {int(profile.costs[selected].sum())}.",
    ]
    return Outcome(
        method="greedy",
        version=VERSION,
        winners=tuple(profile.projects[p] for p in selected),
        rounds=_rounds_for_greedy(profile, selected, keys, label),
        tie_breaks=records,
        explanation=explanation,
        details={
            "spent": int(profile.costs[selected].sum()) if selected else 0,
            "budget": profile.budget,
        },
    )


# -- Method of Equal Shares ---------------------------------------------------------------

COMPLETIONS = ("none", "add1", "utilitarian", "add1-utilitarian")


def mes_engine(profile: BudgetProfile, utility: str, tie_break: TieBreaker | None) -> EqualShares:
    """The MES engine for a budget profile, with the Pabulib checker's tie order."""
    if utility == "cost":
        utilities = profile.costs
    elif utility == "cardinality":
        utilities = np.ones(len(profile.projects), dtype=np.int64)
    else:
        raise ConfigError(f"MES has no utility {utility!r}.", hint="Use 'cost' or 'cardinality'.")
    costs = profile.costs
    engine = EqualShares(
        profile.approved, profile.weights, costs, utilities, profile.projects, tie_break=tie_break
    )
    support = engine.support
    # Pabulib checker's tie-break for MES: lower cost first, then more approvals.
    engine.prefer = lambda p: (int(costs[p]), -int(support[p]))
    return engine


def _mes_rounds(profile: BudgetProfile, run: EqualSharesRun, utility: str) -> list[Round]:
    rounds = []
    for number, (p, payment, rho, paid, gone) in enumerate(
        zip(run.winners, run.payments, run.rhos, run.paid_by, run.exhausted, strict=True), start=1
    ):
        pid = profile.projects[p]
        rounds.append(
            Round(
                number=number,
                tallies={pid: rho},
                elected=[pid],
                note=f"{pid} (cost {int(profile.costs[p])}) bought by {paid} supporters paying at "
                f"most {payment} each ({gone} paid all they had left); price per unit of "
                f"{utility} utility {rho}.",
                extra={
                    "cost": int(profile.costs[p]),
                    "max_payment": payment,
                    "rho": rho,
                    "paid_by": paid,
                    "exhausted": gone,
                },
            )
        )
    return rounds


ADD1_STOPS = ("over-budget", "exhaustive")


def equal_shares_add1(
    engine: EqualShares,
    profile: BudgetProfile,
    *,
    search: bool = True,
    until: str = "over-budget",
) -> tuple[EqualSharesRun, Fraction, dict[str, Any]]:
    """MES with add-one completion: the run that add-one completion keeps, and its share.

    Add-one (Pabulib ``equalshares/add1``): run MES with the share ``budget / n``; then
    raise every voter's share to ``floor(budget / n) + k`` for k = 1, 2, ... (one unit of
    money per voter at a time), rerunning MES, and keep the last outcome before the first
    one that costs more than the budget. ``until="exhaustive"`` also stops as soon as the
    kept outcome is exhaustive (no further project fits), as equalshares.com's reference
    code does; the default, ``"over-budget"``, is the Pabulib checker's loop, which is
    what Wieliczka 2023 used (its exhaustive MES outcome at a share of 302 was raised
    further, to 315).

    ``search=True`` returns the same run without trying every k: each run reports a
    share below which it makes exactly the same decisions (``stable_until``), and every
    k below it is skipped — those runs would repeat the current outcome, which costs
    no more than the budget (and is not exhaustive), so add-one would go past them too.
    """
    if until not in ADD1_STOPS:
        raise ConfigError(
            f"add-one cannot stop at {until!r}.", hint=f"Use one of {', '.join(ADD1_STOPS)}."
        )
    n = profile.n_voters
    budget = profile.budget
    share = Fraction(budget, n)
    run = engine.run(share, sensitivity=search, settle=False)
    fundable = int((engine.support > 0).sum())
    base = budget // n
    k = 0
    runs = 1
    while base + k < budget and len(run.winners) < fundable:
        if until == "exhaustive" and _is_exhaustive(profile, run.winners):
            break
        k += 1
        if search and run.stable_until > base + k:
            # Never past the largest share the linear loop tries (one voter, whole budget).
            k = min(max(k, math.ceil(run.stable_until) - base), budget - base)
        candidate_share = Fraction(base + k)
        if search:
            candidate = engine.rerun(run, candidate_share)
        else:
            candidate = engine.run(candidate_share, settle=False)
        runs += 1
        if int(profile.costs[candidate.winners].sum()) > budget:
            last = Fraction(base + k - 1)
            if search and last > share:
                # Linear add-one accepts every share up to this one (the skipped shares all
                # repeat the kept outcome): report its share and payments, as it would.
                again = engine.rerun(run, last)
                runs += 1
                if again.winners == run.winners:
                    run, share = again, last
            break
        run, share = candidate, candidate_share
    engine.settle_run(run)
    return run, share, {"share": share, "runs": runs, "share_increase_tried": k}


@method(
    "mes",
    name="Method of Equal Shares (participatory budgeting)",
    ballot="budget",
    seats="budget",
    aliases=("equal-shares-pb", "equalshares"),
    properties=("proportional", "EJR-up-to-one", "exact"),
    reference="Peters & Skowron 2020 (Proportionality and the limits of welfarism, EC'20); "
    "Peters, Pierczyński & Skowron 2021 (Proportional participatory budgeting with additive "
    "utilities, NeurIPS'21); equalshares.com.",
    version=VERSION,
    options={
        "utility": "'cost' (default: a funded project is worth its cost to each supporter, as "
        "cities use MES) or 'cardinality' (worth 1)",
        "completion": "'none' (default), 'add1' (raise every voter's share by one unit at a "
        "time while the outcome fits), 'utilitarian' (fill what is left greedily by votes), "
        "'add1-utilitarian' (both)",
        "comparison_step": "True: compare with greedy by votes; if more voters have more of "
        "their approved projects funded by greedy than by MES, greedy's outcome is used "
        "(Wieliczka)",
        "add1_until": "'over-budget' (default: stop at the first share whose outcome costs "
        "more than the budget, as Pabulib's checker) or 'exhaustive' (also stop once the "
        "outcome is exhaustive, as equalshares.com)",
        "search": "True (default): find add-one's result by skipping shares over which MES "
        "provably does not change; False: rerun for every share",
    },
)
def mes(
    profile: BudgetProfile,
    *,
    seats: int = 1,
    tie_break: TieBreaker | None = None,
    utility: str = "cost",
    completion: str | None = None,
    comparison_step: bool = False,
    search: bool = True,
    add1_until: str = "over-budget",
    **options: Any,
) -> Outcome:
    """Fund projects so that every voter controls an equal share of the budget (MES).

    Each voter gets ``budget / n``. Each round funds the project whose supporters can pay
    its cost at the lowest price per unit of utility (``rho``): each supporter pays
    ``rho × utility`` or everything they have left. Exact ties go to the lower cost, then
    to more approvals (the Pabulib checker's rule), then to ``tie_break``. The rule stops
    when no project can be paid for by its supporters.
    """
    profile = _check_profile(profile)
    if options:
        raise ConfigError(
            f"mes has no option {sorted(options)[0]!r}.",
            hint="Options: utility, completion, comparison_step, add1_until, search.",
        )
    completion = completion or "none"
    if completion not in COMPLETIONS:
        raise ConfigError(
            f"MES has no completion {completion!r}.", hint=f"Use one of {', '.join(COMPLETIONS)}."
        )
    if profile.n_voters == 0:
        return Outcome(
            method="mes",
            version=VERSION,
            winners=(),
            explanation=["No ballots: nothing is funded."],
        )
    engine = mes_engine(profile, utility, tie_break)
    details: dict[str, Any] = {
        "budget": profile.budget,
        "utility": utility,
        "completion": completion,
    }
    share = Fraction(profile.budget, profile.n_voters)
    explanation = [
        f"Each of {profile.n_voters} voters controls {share} of the budget {profile.budget}."
    ]
    if completion.startswith("add1"):
        run, share, info = equal_shares_add1(engine, profile, search=search, until=add1_until)
        details.update(info)
        if share != Fraction(profile.budget, profile.n_voters):
            explanation.append(
                f"Add-one completion: MES run with a share of {share} per voter (tried "
                f"{info['runs']} shares), the largest whose outcome fits the budget."
            )
    else:
        run = engine.run(Fraction(profile.budget, profile.n_voters))
    selected = list(run.winners)
    rounds = _mes_rounds(profile, run, utility)
    records = list(run.tie_breaks)
    if completion.endswith("utilitarian"):
        spent = int(profile.costs[selected].sum()) if selected else 0
        extra = _greedy_order(
            profile,
            [int(s) for s in engine.support],
            tie_break,
            selected,
            profile.budget - spent,
            len(rounds) + 1,
            records,
            True,
        )
        for p in extra:
            rounds.append(
                Round(
                    number=len(rounds) + 1,
                    elected=[profile.projects[p]],
                    tallies={profile.projects[p]: int(engine.support[p])},
                    note=f"{profile.projects[p]} added by utilitarian completion "
                    "(greedy by votes over what is left).",
                )
            )
        selected += extra
    if comparison_step:
        selected, compared = _comparison_step(profile, selected, engine.support)
        details["comparison"] = compared
        explanation.append(compared["explanation"])
        if compared["chosen"] == "greedy":
            rounds.append(
                Round(
                    number=len(rounds) + 1,
                    elected=[profile.projects[p] for p in selected],
                    note="Comparison step: greedy's outcome replaces MES's.",
                )
            )
    spent = int(profile.costs[selected].sum()) if selected else 0
    explanation.append(f"Funded {len(selected)} projects for {spent} of {profile.budget}.")
    details["spent"] = spent
    return Outcome(
        method="mes",
        version=VERSION,
        winners=tuple(profile.projects[p] for p in selected),
        rounds=rounds,
        tie_breaks=records,
        explanation=explanation,
        details=details,
    )


def _comparison_step(
    profile: BudgetProfile, selected: list[int], support: npt.NDArray[np.int64]
) -> tuple[list[int], dict[str, Any]]:
    """Wieliczka's comparison step: greedy replaces MES if more voters prefer it.

    A voter prefers the outcome that funds more of the projects they approved (the
    Pabulib checker's "satisfaction" comparison); greedy is by votes, skipping.
    """
    greedy_set = _greedy_order(
        profile, [int(s) for s in support], None, [], profile.budget, 0, [], True
    )
    a = profile.approved.astype(np.int64)
    mes_sat = a[:, selected].sum(axis=1) if selected else np.zeros(len(a), dtype=np.int64)
    greedy_sat = a[:, greedy_set].sum(axis=1) if greedy_set else np.zeros(len(a), np.int64)
    prefer_mes = int(profile.weights[mes_sat > greedy_sat].sum())
    prefer_greedy = int(profile.weights[greedy_sat > mes_sat].sum())
    chosen = "greedy" if prefer_greedy > prefer_mes else "mes"
    info = {
        "prefer_mes": prefer_mes,
        "prefer_greedy": prefer_greedy,
        "greedy": [profile.projects[p] for p in greedy_set],
        "chosen": chosen,
        "explanation": f"Comparison step: {prefer_mes} voters have more approved projects "
        f"funded by MES, {prefer_greedy} by greedy; {'greedy' if chosen == 'greedy' else 'MES'}"
        " is used.",
    }
    return (greedy_set if chosen == "greedy" else selected), info
