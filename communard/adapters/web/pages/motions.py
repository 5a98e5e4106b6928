"""Pages of motions: the list, the motion page with its live tally, and every action on it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import Response

from communard import errors
from communard.adapters.web.context import Viewer, ask, perform, require_actor, resolve_viewer
from communard.adapters.web.pages.rendering import acting, done, in_commune, render, templates
from communard.adapters.web.problems import status_for
from communard.adapters.web.templating import duration, entry_summary, fraction, percent

router = APIRouter()

STATE_FILTERS: list[tuple[str, str]] = [
    ("", "All"),
    ("draft", "Draft"),
    ("seconding", "Seconding"),
    ("deliberation", "Deliberation"),
    ("voting", "Voting"),
    ("adopted", "Adopted"),
    ("rejected", "Rejected"),
    ("lapsed", "Lapsed"),
    ("withdrawn", "Withdrawn"),
]


@router.get("/c/{slug}/motions")
def motions(request: Request, slug: str, state: str = Query("")) -> Response:
    """The motions, filtered by state."""
    viewer = resolve_viewer(request)
    context = in_commune(viewer, slug)
    known = {value for value, _ in STATE_FILTERS}
    state = state if state in known else ""
    rows = ask(viewer, "motion.list", commune=slug, state=state or None)
    return render(
        request, "motions.html", motions=rows, states=STATE_FILTERS, state=state, **context
    )


def seconders(count: int) -> str:
    """Who admits a motion of a class: "2 members second it"."""
    if count == 0:
        return "proposed (no seconds needed)"
    return f"{count} member{'s' if count != 1 else ''} second it"


def decision_classes(commune: dict[str, Any]) -> list[dict[str, str]]:
    """The charter's decision classes, each with a one-line summary of its procedure."""
    return [
        {
            "id": dc["id"],
            "name": dc["title"],
            # "Seconds" would read as a duration here; say who seconds.
            "summary": f"Admitted when {seconders(dc['seconds'])}; deliberation "
            f"{duration(dc['deliberation_seconds'])}, voting {duration(dc['voting_seconds'])}; "
            f"adopted with {'more than' if dc.get('strict', True) else 'at least'} "
            f"{fraction(dc['threshold'])} of "
            f"{'the votes for or against' if dc['threshold_of'] == 'cast' else 'the members'}, "
            f"if {percent(dc['quorum'])} of members take part.",
        }
        # The everyday class first: it is the one most motions belong to.
        for dc in sorted(
            commune["charter"]["classes"].values(), key=lambda dc: dc["id"] != "ordinary"
        )
    ]


@router.get("/c/{slug}/motions/new")
def new_motion_form(request: Request, slug: str) -> Response:
    """The form to propose a motion, with the charter's decision classes."""
    viewer = resolve_viewer(request)
    require_actor(viewer)
    context = in_commune(viewer, slug)
    return render(
        request,
        "motion_new.html",
        form={},
        decision_classes=decision_classes(context["commune"]),
        **context,
    )


@router.post("/c/{slug}/motions/new")
def propose(
    request: Request,
    slug: str,
    title: str = Form(""),
    text: str = Form(""),
    decision_class: str = Form(""),
    intent: str = Form("propose"),
    csrf_token: str = Form(""),
) -> Response:
    """Propose a motion (``motion.propose``) or save a draft (``motion.draft``).

    On an error the form comes back filled in, with the message and hint.
    """
    viewer = acting(request, csrf_token)
    command_id = "motion.draft" if intent == "draft" else "motion.propose"
    payload = {"commune": slug, "title": title, "body": text, "decision_class": decision_class}
    try:
        result = perform(viewer, command_id, payload)
    except (errors.InvalidInput, errors.Forbidden) as exc:
        context = in_commune(viewer, slug)
        return render(
            request,
            "motion_new.html",
            status_for(exc),
            form={"title": title, "text": text, "decision_class": decision_class},
            decision_classes=decision_classes(context["commune"]),
            problem=exc,
            **context,
        )
    return done(request, f"/c/{slug}/motions/{result['motion']}", command_id)


@router.post("/c/{slug}/motions/{number}/ratify")
def propose_ratification(
    request: Request, slug: str, number: int, csrf_token: str = Form("")
) -> Response:
    """Propose that the assembly ratify an emergency decision, in the class its charter names."""
    viewer = acting(request, csrf_token)
    emergency = ask(viewer, "motion.get", commune=slug, motion=number)
    payload = {
        "commune": slug,
        "decision_class": emergency["decision_class"].get("ratified_by") or "ordinary",
        "title": f"Ratification of “{emergency['title']}”",
        "body": f"The assembly ratifies the emergency decision No. {number}, "
        f"“{emergency['title']}”, which otherwise lapses.",
        "ratifies": number,
    }
    result = perform(viewer, "motion.propose", payload)
    return done(request, f"/c/{slug}/motions/{result['motion']}", "motion.propose")


@router.post("/c/{slug}/motions/{number}/propose")
def propose_draft(request: Request, slug: str, number: int, csrf_token: str = Form("")) -> Response:
    """Put a draft before the assembly (``motion.propose`` with the draft's number)."""
    viewer = acting(request, csrf_token)
    perform(viewer, "motion.propose", {"commune": slug, "draft": number})
    return done(request, f"/c/{slug}/motions/{number}", "motion.propose")


def tally_view(motion: dict[str, Any]) -> dict[str, Any]:
    """Totals, bar widths (out of 1000) and the roll call of a motion's ballots."""
    tally = motion["tally"]
    counts = {c: int(tally.get(c, 0)) for c in ("for", "against", "abstain")}
    total = sum(counts.values())
    bar = {c: (n * 1000 // total if total else 0) for c, n in counts.items()}
    return {
        **counts,
        "total": total,
        "members": tally.get("electorate"),
        "bar": bar,
        "ballots": motion["roll_call"],
        # A decided motion's outcome says the figures; its long roll call can fold away.
        "closed": motion["state"] != "voting",
        "folded": motion["state"] != "voting" and len(motion["roll_call"]) > 12,
    }


DECISION_WORDS = {
    "adopted": "Adopted",
    "rejected": "Rejected",
    "lapsed": "Lapsed: too few members took part",
}


def outcome_view(outcome: dict[str, Any] | None) -> dict[str, Any] | None:
    """The outcome of a count in words: the decision, then how quorum and threshold were met.

    The figures are the count's own (recorded on the journal); this only says them in words.
    """
    if not outcome or "decision" not in outcome:
        return None
    counts = {c: int(outcome.get(c) or 0) for c in ("for", "against", "abstain")}
    took_part = sum(counts.values())
    electorate = int(outcome.get("electorate") or 0)
    lines = []
    if outcome.get("quorum") is not None:
        met = "met" if outcome.get("quorum_met") else "not met"
        lines.append(
            f"Quorum {met}: {took_part} of {electorate} members took part "
            f"(abstentions count); the charter asks for {percent(outcome['quorum'])} of members."
        )
    if outcome.get("threshold") is not None and outcome.get("quorum_met", True):
        of_cast = outcome.get("threshold_of") == "cast"
        base = counts["for"] + counts["against"] if of_cast else electorate
        needed = "more than" if outcome.get("strict") else "at least"
        met = "met" if outcome.get("threshold_met") else "not met"
        lines.append(
            f"Threshold {met}: {counts['for']} for out of {base} "
            f"{'votes for or against' if of_cast else 'members'}; "
            f"it needs {needed} {fraction(outcome['threshold'])}."
        )
    return {
        "decision": outcome["decision"],
        "headline": DECISION_WORDS.get(outcome["decision"], str(outcome["decision"]).title()),
        "explanation": outcome.get("explanation", ""),
        "lines": lines,
        # The count's notes restate the threshold; they are shown only when its line is not.
        "notes": [] if len(lines) > 1 else [str(n) for n in outcome.get("notes") or []],
        "closed_at": outcome.get("closed_at"),
        "method": outcome.get("method"),
    }


def _motion_page(viewer: Viewer, slug: str, number: int) -> dict[str, Any]:
    motion = ask(viewer, "motion.get", commune=slug, motion=number)
    history = [{**e, "summary": entry_summary(e)} for e in motion["history"]]
    can = dict(motion["you"] or {})
    closes = motion.get("voting_closes_at")
    # Reading a motion settles it, so this is rare: a window that ended while the page rendered.
    can["may_close"] = bool(
        can
        and motion["state"] == "voting"
        and closes
        and datetime.fromisoformat(closes) <= viewer.application.queries.clock()
    )
    return {
        "motion": motion,
        "can": can,
        "tally": tally_view(motion),
        "outcome": outcome_view(motion.get("outcome")),
        "history": history,
    }


@router.get("/c/{slug}/motions/{number}")
def motion(request: Request, slug: str, number: int) -> Response:
    """A motion: text, amendments, comments, actions, roll call, outcome and history."""
    viewer = resolve_viewer(request)
    context = in_commune(viewer, slug)
    return render(request, "motion.html", **_motion_page(viewer, slug, number), **context)


@router.get("/c/{slug}/motions/{number}/tally")
def tally_fragment(request: Request, slug: str, number: int) -> Response:
    """The live roll-call tally as an HTML fragment (polled by communard.js)."""
    viewer = resolve_viewer(request)
    motion = ask(viewer, "motion.get", commune=slug, motion=number)
    response = templates.TemplateResponse(
        request, "_tally.html", {"viewer": viewer, "tally": tally_view(motion)}
    )
    response.headers["Cache-Control"] = "no-store"
    # communard.js stops polling and offers the outcome once the vote is no longer open.
    response.headers["X-Motion-State"] = motion["state"]
    return response


def _motion_action(command_id: str) -> Any:
    """A form POST performing ``command_id`` on a motion, then back to the motion page."""

    def action(request: Request, slug: str, number: int, csrf_token: str = Form("")) -> Response:
        viewer = acting(request, csrf_token)
        perform(viewer, command_id, {"commune": slug, "motion": number})
        return done(request, f"/c/{slug}/motions/{number}", command_id)

    action.__doc__ = f"Perform ``{command_id}`` on the motion and return to its page."
    return action


for _path, _command in (
    ("second", "motion.second"),
    ("open-vote", "motion.open_vote"),
    ("close", "motion.close"),
    ("withdraw", "motion.withdraw"),
):
    router.add_api_route(
        f"/c/{{slug}}/motions/{{number}}/{_path}", _motion_action(_command), methods=["POST"]
    )


@router.post("/c/{slug}/motions/{number}/vote")
def vote(
    request: Request,
    slug: str,
    number: int,
    choice: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    """Cast or change a roll-call ballot (``vote.cast``)."""
    viewer = acting(request, csrf_token)
    perform(viewer, "vote.cast", {"commune": slug, "motion": number, "choice": choice})
    return done(request, f"/c/{slug}/motions/{number}#roll-call", "vote.cast")


@router.post("/c/{slug}/motions/{number}/comment")
def comment(
    request: Request, slug: str, number: int, text: str = Form(""), csrf_token: str = Form("")
) -> Response:
    """Post a comment in the deliberation (``motion.comment``)."""
    viewer = acting(request, csrf_token)
    perform(viewer, "motion.comment", {"commune": slug, "motion": number, "body": text})
    return done(request, f"/c/{slug}/motions/{number}#deliberation", "motion.comment")


@router.post("/c/{slug}/motions/{number}/amend")
def amend(
    request: Request,
    slug: str,
    number: int,
    title: str = Form(""),
    text: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    """Move an amendment: a new wording of the motion (``motion.amend``)."""
    viewer = acting(request, csrf_token)
    payload = {"commune": slug, "motion": number, "title": title, "body": text}
    perform(viewer, "motion.amend", payload)
    return done(request, f"/c/{slug}/motions/{number}#amendments", "motion.amend")


@router.post("/c/{slug}/motions/{number}/amendments/{amendment}/accept")
def accept_amendment(
    request: Request, slug: str, number: int, amendment: int, csrf_token: str = Form("")
) -> Response:
    """The mover accepts an amendment into the motion (``amendment.accept``)."""
    viewer = acting(request, csrf_token)
    perform(viewer, "amendment.accept", {"commune": slug, "amendment": amendment})
    return done(request, f"/c/{slug}/motions/{number}#amendments", "amendment.accept")
