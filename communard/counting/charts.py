"""Charts of a count as SVG or HTML text: pure string building, no dependencies, no I/O.

- A count of several rounds is drawn as rcvis draws one: a column of bars per
  round, each option's votes as a bar, and bands carrying votes from round to
  round — kept votes straight across, transfers from the eliminated or elected
  option to where they went, exhausted ballots to their own bar.
- A participatory budget is drawn as the budget bar split among the funded
  projects, then one bar per project.
- A count of one round is drawn as bars, longest first.

Coordinates are presentation only: they are computed in floats from the exact
tallies and never feed back into a count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from .errors import ConfigError
from .outcomes import Outcome, exact_json

PALETTE = (
    "#c0392b",
    "#2471a3",
    "#229954",
    "#d68910",
    "#7d3c98",
    "#17a589",
    "#a04000",
    "#2e4053",
    "#cb4335",
    "#1f618d",
    "#b7950b",
    "#6c3483",
    "#148f77",
    "#ba4a00",
    "#5d6d7e",
    "#884ea0",
)
EXHAUSTED = "exhausted"
EXHAUSTED_COLOUR = "#aab7b8"
FONT = "font-family='system-ui, sans-serif' font-size='12'"


def _number(value: Any) -> float:
    # Drawing only: an exact tally becomes a coordinate here and nowhere else.
    return float(value)


def _shown(value: Any) -> str:
    return str(exact_json(value))


def _colours(names: Sequence[str]) -> dict[str, str]:
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
    colours[EXHAUSTED] = EXHAUSTED_COLOUR
    return colours


def _svg(width: float, height: float, body: list[str], title: str) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width:.0f} {height:.0f}' "
        f"width='{width:.0f}' height='{height:.0f}' role='img' aria-label='{escape(title)}'>\n"
        f"<title>{escape(title)}</title>\n" + "\n".join(body) + "\n</svg>\n"
    )


def _band(x1: float, y1: float, x2: float, y2: float, h: float, colour: str, tip: str) -> str:
    mid = (x1 + x2) / 2
    path = (
        f"M{x1:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} {x2:.1f},{y2:.1f} "
        f"L{x2:.1f},{y2 + h:.1f} C{mid:.1f},{y2 + h:.1f} {mid:.1f},{y1 + h:.1f} "
        f"{x1:.1f},{y1 + h:.1f} Z"
    )
    return (
        f"<path d='{path}' fill='{colour}' fill-opacity='0.35'><title>{escape(tip)}</title></path>"
    )


def rounds_svg(outcome: Outcome) -> str:
    """The rounds of a count with transfers between them (a Sankey diagram, as rcvis draws)."""
    rounds = outcome.rounds
    names: list[str] = []
    for r in rounds:
        for name in sorted(r.tallies, key=lambda n: -_number(r.tallies[n])):
            if name not in names:
                names.append(name)
    colours = _colours(names)
    show_exhausted = any(_number(r.exhausted) for r in rounds)
    longest = max((len(f"{n} {_shown(rounds[0].tallies.get(n, 0))}") for n in names), default=8)
    # About 7 pixels a character at 12 px: room for the first column's labels.
    column_gap, bar, left, top, plot = 190.0, 16.0, max(150.0, 7.0 * longest + 16), 40.0, 420.0
    gap = 6.0
    totals = [sum(_number(v) for v in r.tallies.values()) + _number(r.exhausted) for r in rounds]
    biggest = max(totals, default=0.0) or 1.0
    slots = len(names) + (1 if show_exhausted else 0)
    scale = (plot - gap * max(slots - 1, 0)) / biggest
    width = left + column_gap * max(len(rounds) - 1, 0) + bar + 170
    height = top + plot + 40
    body: list[str] = []
    positions: list[dict[str, tuple[float, float]]] = []
    for index, r in enumerate(rounds):
        x = left + column_gap * index
        y = top
        placed: dict[str, tuple[float, float]] = {}
        entries = [(n, _number(r.tallies[n])) for n in names if n in r.tallies]
        if show_exhausted:
            entries.append((EXHAUSTED, _number(r.exhausted)))
        for name, value in entries:
            h = value * scale
            placed[name] = (y, h)
            status = (
                " (elected)"
                if name in r.elected
                else " (eliminated)"
                if name in r.eliminated
                else ""
            )
            raw = r.exhausted if name == EXHAUSTED else r.tallies[name]
            tip = f"Round {r.number}: {name} {_shown(raw)}{status}"
            body.append(
                f"<rect x='{x:.1f}' y='{y:.1f}' width='{bar}' height='{max(h, 0.5):.1f}' "
                f"fill='{colours[name]}'><title>{escape(tip)}</title></rect>"
            )
            if index == 0 or index == len(rounds) - 1 or name in r.elected:
                anchor, tx = ("end", x - 6) if index == 0 else ("start", x + bar + 6)
                mark = " ✔" if name in r.elected else ""
                body.append(
                    f"<text x='{tx:.1f}' y='{y + h / 2 + 4:.1f}' text-anchor='{anchor}' "
                    f"{FONT}>{escape(name)} {escape(_shown(raw))}{mark}</text>"
                )
            y += h + gap
        positions.append(placed)
        body.append(
            f"<text x='{x + bar / 2:.1f}' y='{top - 14:.1f}' text-anchor='middle' "
            f"{FONT} font-weight='bold'>Round {r.number}</text>"
        )
    for index in range(len(rounds) - 1):
        here, there = rounds[index], rounds[index + 1]
        x1 = left + column_gap * index + bar
        x2 = left + column_gap * (index + 1)
        out_cursor = {n: positions[index][n][0] for n in positions[index]}
        in_cursor = {n: positions[index + 1][n][0] for n in positions[index + 1]}
        transfers: Mapping[str, Mapping[str, Any]] = here.transfers or {}
        for name in positions[index]:
            if name not in positions[index + 1]:
                continue
            value = _number(here.exhausted) if name == EXHAUSTED else _number(here.tallies[name])
            sent = sum(_number(v) for v in transfers.get(name, {}).values())
            kept = min(
                value - sent,
                _number(there.exhausted) if name == EXHAUSTED else _number(there.tallies[name]),
            )
            if kept <= 0:
                continue
            h = kept * scale
            body.append(
                _band(
                    x1,
                    out_cursor[name],
                    x2,
                    in_cursor[name],
                    h,
                    colours[name],
                    f"{name} keeps {kept:g}",
                )
            )
            out_cursor[name] += h
            in_cursor[name] += h
        for source, destinations in transfers.items():
            if source not in out_cursor:
                continue
            for destination, amount in destinations.items():
                target = EXHAUSTED if destination.lower() == EXHAUSTED else destination
                if target not in in_cursor or _number(amount) <= 0:
                    continue
                h = _number(amount) * scale
                body.append(
                    _band(
                        x1,
                        out_cursor[source],
                        x2,
                        in_cursor[target],
                        h,
                        colours.get(source, EXHAUSTED_COLOUR),
                        f"{source} → {destination}: {_shown(amount)}",
                    )
                )
                out_cursor[source] += h
                in_cursor[target] += h
    return _svg(width, height, body, f"{outcome.method}: votes round by round")


def bars_svg(tallies: Mapping[str, Any], title: str, winners: Sequence[str] = ()) -> str:
    """Horizontal bars, longest first, the winners marked."""
    ordered = sorted(tallies, key=lambda n: -_number(tallies[n]))
    colours = _colours(list(tallies))
    biggest = max((_number(v) for v in tallies.values()), default=0.0) or 1.0
    left, row, length = 170.0, 26.0, 420.0
    body: list[str] = []
    for i, name in enumerate(ordered):
        y = 20 + i * row
        w = max(_number(tallies[name]), 0.0) / biggest * length
        mark = " ✔" if name in winners else ""
        body.append(
            f"<text x='{left - 8}' y='{y + 14}' text-anchor='end' {FONT}>"
            f"{escape(name)}{mark}</text>"
        )
        body.append(
            f"<rect x='{left}' y='{y}' width='{max(w, 0.5):.1f}' height='{row - 8}' "
            f"fill='{colours[name]}'><title>{escape(name)}: "
            f"{escape(_shown(tallies[name]))}</title></rect>"
        )
        body.append(
            f"<text x='{left + w + 6:.1f}' y='{y + 14}' {FONT}>"
            f"{escape(_shown(tallies[name]))}</text>"
        )
    return _svg(left + length + 90, 30 + row * len(ordered), body, title)


def budget_svg(outcome: Outcome) -> str:
    """The budget split among funded projects, then each funded project's cost and votes."""
    budget = _number(outcome.details.get("budget", 0)) or 1.0
    funded = [
        (name, r.extra.get("cost"), r.tallies.get(name))
        for r in outcome.rounds
        for name in r.elected
    ]
    colours = _colours([name for name, _, _ in funded])
    left, length, row = 170.0, 480.0, 24.0
    body = [
        f"<text x='{left}' y='18' {FONT} font-weight='bold'>Budget "
        f"{escape(_shown(outcome.details.get('budget', '')))}, spent "
        f"{escape(_shown(outcome.details.get('spent', '')))}</text>",
        f"<rect x='{left}' y='26' width='{length}' height='22' fill='#eeeeee'/>",
    ]
    x = left
    for name, cost, _ in funded:
        w = _number(cost or 0) / budget * length
        body.append(
            f"<rect x='{x:.1f}' y='26' width='{w:.1f}' height='22' "
            f"fill='{colours[name]}'><title>{escape(name)}: "
            f"{escape(_shown(cost))}</title></rect>"
        )
        x += w
    costliest = max((_number(c or 0) for _, c, _ in funded), default=0.0) or 1.0
    for i, (name, cost, votes) in enumerate(funded):
        y = 64 + i * row
        w = _number(cost or 0) / costliest * length
        body.append(
            f"<text x='{left - 8}' y='{y + 13}' text-anchor='end' {FONT}>{escape(name)}</text>"
        )
        body.append(
            f"<rect x='{left}' y='{y}' width='{max(w, 0.5):.1f}' height='{row - 8}' "
            f"fill='{colours[name]}'/>"
        )
        body.append(
            f"<text x='{left + w + 6:.1f}' y='{y + 13}' {FONT}>cost "
            f"{escape(_shown(cost))}, votes {escape(_shown(votes))}</text>"
        )
    return _svg(
        left + length + 200, 74 + row * len(funded), body, f"{outcome.method}: funded projects"
    )


def render_svg(outcome: Outcome) -> str:
    """The chart that fits the outcome, as an SVG document."""
    if "budget" in outcome.details and "spent" in outcome.details:
        return budget_svg(outcome)
    if len(outcome.rounds) > 1:
        return rounds_svg(outcome)
    tallies = outcome.rounds[0].tallies if outcome.rounds else {}
    return bars_svg(tallies, f"{outcome.method}: result", outcome.winners)


def render_html(outcome: Outcome) -> str:
    """A self-contained HTML page: the chart, the explanation and the rounds."""
    lines = "".join(f"<li>{escape(line)}</li>" for line in outcome.explanation)
    names: list[str] = []
    for r in outcome.rounds:
        names.extend(n for n in r.tallies if n not in names)
    head = "".join(f"<th>Round {r.number}</th>" for r in outcome.rounds)
    rows = "".join(
        f"<tr><th>{escape(n)}</th>"
        + "".join(
            f"<td>{escape(_shown(r.tallies[n])) if n in r.tallies else ''}</td>"
            for r in outcome.rounds
        )
        + "</tr>"
        for n in names
    )
    winners = ", ".join(outcome.winners) or "none"
    tied = (
        f"<p><strong>Tied, undecided:</strong> {escape(', '.join(outcome.tied))}</p>"
        if outcome.tied
        else ""
    )
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(outcome.method)} count</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem}"
        "td{text-align:right}</style></head><body>"
        f"<h1>{escape(outcome.method)} (version {escape(outcome.version)})</h1>"
        f"<p><strong>Winners:</strong> {escape(winners)}</p>{tied}"
        f"{render_svg(outcome)}<ol>{lines}</ol>"
        f"<table><tr><th></th>{head}</tr>{rows}</table></body></html>\n"
    )


def render_chart(outcome: Outcome, suffix: str) -> str:
    """The chart as the text of a ``.svg`` or ``.html`` file, chosen by ``suffix``."""
    kind = suffix.lower().lstrip(".")
    if kind == "svg":
        return render_svg(outcome)
    if kind in ("html", "htm"):
        return render_html(outcome)
    raise ConfigError(
        f"Charts are written as .svg or .html, not {suffix!r}.",
        hint="Name the chart file out.svg or out.html.",
    )
