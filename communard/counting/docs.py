"""The method pages of the documentation, generated from the registry so they cannot drift.

``pages()`` returns ``{"README.md": index, "<id>.md": page, ...}`` for
``docs/methods/``: one page per registered method (name, id, aliases, ballot
kind, seats, version, what it does — its docstring —, options, claimed
properties, reference, how to call it). A test compares the committed pages
with these; after changing a method, regenerate them::

    python -m communard.counting.docs docs/methods
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

from .registry import MethodInfo, all_methods

PROPERTIES = {
    "anonymity": "Anonymity: every voter counts the same; swapping two voters' ballots "
    "changes nothing.",
    "anonymous": "Anonymity: every voter counts the same; swapping two voters' ballots "
    "changes nothing.",
    "neutrality": "Neutrality: no option is favoured; renaming the options renames the result.",
    "majority": "Majority: an option ranked first by more than half the voters wins.",
    "condorcet-winner": "Condorcet winner: an option preferred head to head to every other "
    "option by a majority wins.",
    "smith": "Smith: the winner is in the Smith set, the smallest group of options that each "
    "beat every option outside it.",
    "monotonicity": "Monotonicity: more support for a winner (a higher rank, grade or score, "
    "or a vote moved to yes) never makes it lose.",
    "conserves-votes": "Conservation: every vote is accounted for in every round (with an "
    "option, exhausted, or lost to rounding as the rule prescribes).",
}

SEATS = {
    "single": "one winner",
    "multi": "several seats",
    "any": "one or several seats (`seats=N`)",
    "budget": "a set of projects within a budget",
}

BALLOTS = {
    "yesno": "yes / no / abstain counts (`YesNoProfile`)",
    "consent": "consent, stand-aside and block counts, with reasons (`YesNoProfile`)",
    "choice": "one choice each (`RankedProfile`: the first preference counts)",
    "ranked": "rankings, possibly truncated (`RankedProfile`)",
    "approval": "approvals (`ApprovalProfile`)",
    "score": "scores (`ScoreProfile`)",
    "grades": "grades on a named scale (`ScoreProfile` with `scale`)",
    "budget": "a participatory budget (`BudgetProfile`)",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def method_page(info: MethodInfo) -> str:
    """The Markdown page of one method."""
    doc = inspect.getdoc(info.function) or info.summary or ""
    lines = [
        f"# {info.name}",
        "",
        "<!-- Generated from the registry by communard.counting.docs; do not edit. -->",
        "",
        "| | |",
        "|---|---|",
        f"| id | `{info.id}` |",
        f"| aliases | {', '.join(f'`{a}`' for a in info.aliases) or '—'} |",
        f"| ballots | {BALLOTS.get(info.ballot, info.ballot)} |",
        f"| seats | {SEATS.get(info.seats, info.seats)} |",
        f"| version | {info.version} |",
        "",
        doc,
        "",
        "## Options",
        "",
    ]
    if info.options:
        lines += ["| option | meaning |", "|---|---|"]
        lines += [f"| `{name}` | {_cell(text)} |" for name, text in sorted(info.options.items())]
    else:
        lines.append("None beyond `seats` and `tie_break`.")
    lines += [
        "",
        "Every method also takes `seats` and `tie_break` (a rule such as "
        "`permutation:A,B,C`; see [counting](../counting.md#ties)).",
        "",
        "## Properties it claims",
        "",
    ]
    if info.properties:
        lines += [f"- {PROPERTIES.get(p, p)}" for p in sorted(info.properties)]
    else:
        lines.append("None claimed.")
    lines += [
        "",
        "## Use",
        "",
        "```python",
        "from communard.counting import count",
        "",
        f'outcome = count("{info.id}", profile)',
        "print(outcome.winners, outcome.explanation)",
        "```",
        "",
        "```sh",
        f"communard count BALLOTS_FILE --method {info.id}",
        "```",
        "",
        "## Reference",
        "",
        info.reference or "—",
        "",
    ]
    return "\n".join(lines)


def index_page(methods: list[MethodInfo]) -> str:
    """The Markdown index of every method."""
    lines = [
        "# Counting methods",
        "",
        "<!-- Generated from the registry by communard.counting.docs; do not edit. -->",
        "",
        "Every method communard counts with, from its registry. How to count, the "
        "exactness rule and tie-breaks: [counting](../counting.md).",
        "",
        "| id | method | ballots | seats | aliases |",
        "|---|---|---|---|---|",
    ]
    for info in methods:
        aliases = ", ".join(f"`{a}`" for a in info.aliases) or "—"
        lines.append(
            f"| [`{info.id}`]({info.id}.md) | {_cell(info.name)} | {info.ballot} | "
            f"{info.seats} | {aliases} |"
        )
    lines.append("")
    return "\n".join(lines)


def pages() -> dict[str, str]:
    """Every page of ``docs/methods/``, by file name."""
    methods = all_methods()
    result = {"README.md": index_page(methods)}
    for info in methods:
        result[f"{info.id}.md"] = method_page(info)
    return result


if __name__ == "__main__":
    # Tooling, not the engine: the only place this module touches files.
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/methods")
    target.mkdir(parents=True, exist_ok=True)
    generated = pages()
    for stale in target.glob("*.md"):
        if stale.name not in generated:
            stale.unlink()
    for name, text in generated.items():
        (target / name).write_text(text, encoding="utf-8")
    print(f"Wrote {len(generated)} pages to {target}.")
