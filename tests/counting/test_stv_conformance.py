"""STV counts against the Droop reference dumps, stage by stage, and real published winners.

Each dump (``stv/droop/ref/dump/<blt>-<rule>.txt``) holds one row per action
of the reference count; we compare, for every stage, the quota, the
non-transferable votes (Meek: the residual), and each candidate's state, votes
and (Meek) keep factor. Droop breaks ties by its tie order (the file's [tie]
line, else ballot-file order), which ``FileOrder`` reproduces.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from communard.counting import count
from communard.counting.formats.blt import read_blt
from communard.counting.formats.preflib import read_preflib
from communard.counting.methods.stv_core import FileOrder
from communard.counting.outcomes import Outcome

pytestmark = pytest.mark.conformance

STATES = {"H": "hopeful", "E": "elected", "e": "elected", "D": "excluded", "d": "excluded"}
GLASGOW = [
    "Anderston-City",
    "Baillieston",
    "Calton",
    "Canal",
    "Craigton",
    "Drumchapel-Anniesland",
    "East-Centre",
    "Garscadden-Scotsounhill",
    "Govan",
    "Greater-Pollock",
    "Hillhead",
    "Langside",
    "Linn",
    "Maryhill-Kelvin",
    "Newlands-Auldburn",
    "North-East",
    "Partick-West",
    "Pollokshields",
    "Shettleston",
    "Southside-Central",
    "Springburn",
]
SMALL = ["42", "42t", "42u", "513", "M135", "SC", "SCw", "SCwopt", "SC-Vm-12"]
RULES = {
    "scotland-fixed-p5-d5": ("scottish-stv", {}),
    "wigm-prf-fixed-p4-d4": ("wigm", {}),
    "wigm-prf-batch-fixed-p4-d4": ("wigm", {"batch": True}),
    "meek-prf-o6-fixed-p9-d9": ("meek", {}),
    "meek-o10-rational-d12": ("meek", {"arithmetic": "rational"}),
    "wigm-rational-d12": ("wigm", {"arithmetic": "rational"}),
    "mpls-fixed-p4-d4": ("minneapolis-stv", {}),
    "cfer-fixed-p5-d5": ("cfer", {}),
    "cfer-batch-fixed-p5-d5": ("cfer", {"batch": True}),
    "warren-o10-rational-d12": ("warren", {}),
    "meek-o9-guarded-p18-g9-d18": ("meek", {"arithmetic": "guarded"}),
    "wigm-guarded-p18-g9-d18": ("wigm", {"arithmetic": "guarded"}),
    "warren-o9-guarded-p18-g9-d18": ("warren", {"arithmetic": "guarded"}),
    "qpq-guarded-p9-g9-d9": ("qpq", {}),
}

# Droop ships no exact-arithmetic reference counts for these files.
NO_REFERENCE = {
    (name, rule)
    for name in ("42u", "M135", "SCw", "SCwopt")
    for rule in ("meek-o10-rational-d12", "wigm-rational-d12", "warren-o10-rational-d12")
} | {("SC-Vm-12", "warren-o10-rational-d12")}

Stage = tuple[Decimal, Decimal | None, dict[str, tuple[str, Decimal, Decimal | None]]]


def _norm(name: str) -> str:
    # Droop's dumps collapse runs of spaces inside names ("Ellen  Hurcombe").
    return " ".join(name.split())


def parse_dump(path: Path) -> list[Stage]:
    """The reference's values at the end of each stage (round), in stage order."""
    stages: dict[int, tuple[Stage, str]] = {}
    header: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        f = line.split("\t")
        if f[0] == "R":
            header = f
            continue
        if f[0] == "X" or f[1] in ("log", "round") or len(f) < 5:
            continue
        meek = header[3] == "Votes"
        # QPQ dumps have no non-transferable column; their "vote" is the quotient.
        qpq = header[3] == "1.name"
        width, start = (4, 6) if meek else (3, 3 if qpq else 4)
        cands = {
            _norm(f[i]): (f[i + 1], Decimal(f[i + 2]), Decimal(f[i + 3]) if meek else None)
            for i in range(start, len(f), width)
        }
        loose = None if qpq else Decimal(f[5] if meek else f[3])
        stage: Stage = (Decimal(f[2]), loose, cands)
        number = int(f[0])
        if meek and number in stages and stages[number][1] == "defeat":
            # Meek: a stage's values are those at its defeat; later rows only close the count.
            old = stages[number][0]
            stage = (old[0], old[1], {n: (cands[n][0], v, k) for n, (_, v, k) in old[2].items()})
            stages[number] = (stage, "defeat")
        else:
            stages[number] = (stage, f[1])
    return [stages[k][0] for k in sorted(stages)]


def shown(value: Any, places: int) -> Any:
    """A value as the reference prints it: rounded half up to ``places``."""
    if isinstance(value, Decimal) and -int(value.as_tuple().exponent) > places:
        value = Fraction(value)
    if not isinstance(value, Fraction):
        return value
    scaled = (value + Fraction(1, 2 * 10**places)) * 10**places
    return Decimal(scaled.numerator // scaled.denominator).scaleb(-places)


def compare(outcome: Outcome, reference: list[Stage]) -> list[str]:
    """Every difference between our stages and the reference's, in words."""
    problems = []
    if len(reference) != len(outcome.rounds):
        problems.append(f"{len(outcome.rounds)} stages, reference has {len(reference)}")
    for number, ((quota, loose, cands), ours) in enumerate(
        zip(reference, outcome.rounds, strict=False), start=1
    ):
        places = -int(quota.as_tuple().exponent)
        tallies = {_norm(k): shown(v, places) for k, v in ours.tallies.items()}
        states = {_norm(k): v for k, v in ours.extra["states"].items()}
        keeps = {_norm(k): shown(v, places) for k, v in ours.extra.get("keep_factors", {}).items()}
        threshold, exhausted = shown(ours.threshold, places), shown(ours.exhausted, places)
        if threshold != quota:
            problems.append(f"stage {number}: quota {threshold}, reference {quota}")
        if loose is not None and exhausted != loose:
            problems.append(f"stage {number}: non-transferable {exhausted}, reference {loose}")
        for name, (code, vote, keep) in cands.items():
            if tallies.get(name, 0) != vote or states[name] != STATES[code]:
                problems.append(
                    f"stage {number}: {name} {states[name]} {tallies.get(name)}, "
                    f"reference {STATES[code]} {vote}"
                )
            if keep is not None and keeps[name] != keep:
                problems.append(
                    f"stage {number}: {name} keep factor {keeps[name]}, reference {keep}"
                )
    return problems


def _count_blt(path: Path, rule: str) -> Outcome:
    method_id, options = RULES[rule]
    profile = read_blt(path)
    order = profile.meta.get("tie_order") or profile.options
    return count(method_id, profile, tie_break=FileOrder(tuple(order)), **options)


def _cases() -> list[Any]:
    cases = [
        pytest.param(f"scotland/{ward}-2007", "scotland-fixed-p5-d5", id=f"{ward}-scotland")
        for ward in GLASGOW
    ]
    cases += [
        pytest.param(f"scotland/{name}", "scotland-fixed-p5-d5", id=f"{name}-scotland")
        for name in ("weak-defeat", "weak-surplus")
    ]
    cases += [
        pytest.param(f"mpls/{name}", "mpls-fixed-p4-d4", id=f"{name}-mpls")
        for name in ("loser", "tie", "undeclared")
    ]
    cases += [
        pytest.param(f"cfer/{name}", "cfer-fixed-p5-d5", id=f"{name}-cfer")
        for name in ("dk1-2", "dk1-3", "dk1-3-2", "dk2-2", "dk2-3", "dk2-3-2")
    ]
    cases += [
        pytest.param(f"qpq/qpq{n}", "qpq-guarded-p9-g9-d9", id=f"qpq{n}-qpq") for n in range(1, 6)
    ]
    cases += [
        pytest.param(f"meek/{name}", "meek-o9-guarded-p18-g9-d18", id=f"{name}-meek-guarded")
        for name in ("eq1", "eq2")
    ]
    cases += [
        pytest.param(name, rule, id=f"{name}-{rule}")
        for name in SMALL
        for rule in RULES
        if (name, rule) not in NO_REFERENCE
    ]
    return cases


@pytest.mark.parametrize(("name", "rule"), _cases())
def test_droop_reference_stage_by_stage(conformance_dir: Path, name: str, rule: str) -> None:
    droop = conformance_dir / "stv" / "droop"
    dump = droop / "ref" / "dump" / f"{name}-{rule}.txt"
    assert dump.exists(), f"the reference has no {rule} dump for {name}"
    outcome = _count_blt(droop / "blt" / f"{name}.blt", rule)
    assert compare(outcome, parse_dump(dump)) == []


def _readme_rows(conformance_dir: Path, prefix: str) -> dict[int, list[str]]:
    """Rows of the PrefLib README's outcome tables for files named ``<prefix>NNNNNNNN.soi``."""
    rows = {}
    for line in (conformance_dir / "preflib" / "README.md").read_text().splitlines():
        cells = [c.strip() for c in line.split("|")[1:-1]]
        if cells and cells[0].startswith(prefix) and cells[0].endswith(".soi"):
            rows[int(cells[0][len(prefix) : -4])] = cells
    return rows


def _names(cell: str) -> set[str]:
    """'Nina Baker (Gr); Philip Braat (Lab)' or 'A (FG), B (FF)' → lower-case surnames."""
    cleaned = re.sub(r"\([^)]*\)", "", cell)
    return {part.split()[-1].lower() for part in re.split(r"[;,]", cleaned) if part.strip()}


def _surnames_elected(winners: tuple[str, ...], expected: set[str]) -> set[str]:
    # PrefLib's Irish names carry party suffixes ("Joan Burton Lab"): find each surname.
    return {s for s in expected for w in winners if s in w.lower().split()}


@pytest.mark.parametrize("ward", range(1, 22))
def test_preflib_glasgow_published_winners(conformance_dir: Path, ward: int) -> None:
    """Each Glasgow 2007 ward from PrefLib elects the README's winners, as the .blt count does."""
    row = _readme_rows(conformance_dir, "00008-")[ward]
    seats, expected = int(row[2]), _names(row[5])
    path = conformance_dir / "preflib" / "00008-glasgow" / f"00008-{ward:08d}.soi"
    outcome = count("scottish-stv", read_preflib(path), seats=seats)
    assert len(outcome.winners) == seats
    assert {w.split()[-1].lower() for w in outcome.winners} == expected
    blt = conformance_dir / "stv" / "droop" / "blt" / "scotland" / f"{GLASGOW[ward - 1]}-2007.blt"
    from_blt = count("scottish-stv", read_blt(blt))
    assert [r.tallies for r in outcome.rounds] != [] and len(outcome.rounds) == len(from_blt.rounds)
    assert {_norm(w).lower() for w in outcome.winners} == {
        _norm(w).lower() for w in from_blt.winners
    }


@pytest.mark.parametrize("method_id", ["scottish-stv", "wigm", "meek"])
@pytest.mark.parametrize("number", [1, 2, 3])
def test_preflib_irish_2002_winners(conformance_dir: Path, number: int, method_id: str) -> None:
    """Irish 2002 winners (the official count used random last-parcel samples; winners agree)."""
    row = _readme_rows(conformance_dir, "00001-")[number]
    seats, expected = int(row[2]), _names(row[5])
    path = conformance_dir / "preflib" / "00001-irish" / f"00001-{number:08d}.soi"
    outcome = count(method_id, read_preflib(path), seats=seats)
    assert len(outcome.winners) == seats
    assert _surnames_elected(outcome.winners, expected) == expected
