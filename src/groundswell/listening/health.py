"""The state of a source for the health view: a badge, a sentence on what to do, and where to do it.

The problem of the last failure (``Source.error_kind``, a ``Problem``) decides the state; the source's kind
decides the words (Reddit wants an app's client id and secret, Bluesky search a handle and an app password).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from groundswell.listening.models import Source, SourceKind
from groundswell.listening.sources.base import Problem


@dataclass(frozen=True)
class State:
    #: ``ok``, ``paused``, ``waiting`` (never polled), ``manual`` (CSV), ``failing`` or a ``Problem`` value.
    code: str
    label: str
    #: CSS badge class (``published`` green, ``rejected`` red, ``pending`` amber, ``archived`` grey).
    badge: str
    #: What the admin can do about it ("" when nothing is needed).
    advice: str = ""
    link_url: str = ""
    link_label: str = ""


#: The problems the admin must act on (red); the others heal by themselves and are amber.
NEEDS_ACTION = frozenset(
    {
        Problem.NEEDS_CREDENTIALS,
        Problem.CREDENTIALS_REFUSED,
        Problem.FORBIDDEN,
        Problem.NOT_FOUND,
        Problem.INVALID_SETTINGS,
    }
)
LABELS = {
    Problem.NEEDS_CREDENTIALS: "Needs credentials",
    Problem.CREDENTIALS_REFUSED: "Credentials refused",
    Problem.FORBIDDEN: "Forbidden",
    Problem.NOT_FOUND: "Not found",
    Problem.RATE_LIMITED: "Rate limited",
    Problem.UNREACHABLE: "Unreachable",
    Problem.SERVER_ERROR: "Network failing",
    Problem.BAD_ANSWER: "Unexpected answer",
    Problem.INVALID_SETTINGS: "Settings not valid",
    Problem.OTHER: "Failing",
}


def _when(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%-d %b %H:%M")


def _credential_advice(source: Source, problem: Problem) -> str:
    if source.kind == SourceKind.REDDIT:
        if problem is Problem.NEEDS_CREDENTIALS:
            return (
                "Reddit answers only signed-in apps. Create an app at reddit.com/prefs/apps (a “script” or a "
                "“web app”) and enter its client id and secret in Listening credentials."
            )
        return (
            "Reddit refused the client id: check the app's id and secret (and whether it is an installed app) "
            "in Listening credentials. Reddit is not asked again until they change."
        )
    if problem is Problem.NEEDS_CREDENTIALS:
        return (
            "Bluesky search needs a signed-in account. Create an app password on Bluesky (Settings → Privacy and "
            "security → App passwords) and enter the handle and app password in Listening credentials, or switch "
            "this source to the stream, which needs no account."
        )
    return (
        "Bluesky refused the sign-in: check the handle and the app password (it may have been revoked) in "
        "Listening credentials. Bluesky is not asked again until they change."
    )


def state(source: Source, *, status: str) -> State:
    """The source's state; ``status`` is ``queries.health(source)``."""
    if status == "ok":
        return State("ok", "Working", "published")
    if status == "paused":
        if not source.error_kind or (
            source.last_success_at and source.last_error_at and source.last_success_at >= source.last_error_at
        ):
            return State("paused", "Paused", "archived")
        # Paused after a failure: say what the failure needs, so resuming it works.
        failed = state(source, status="failing")
        return State(
            "paused", f"Paused · {failed.label}", "archived", failed.advice, failed.link_url, failed.link_label
        )
    if status == "manual":
        return State("manual", "CSV uploads", "")
    if status == "waiting":
        return State("waiting", "Not polled yet", "pending")
    try:
        problem = Problem(source.error_kind)
    except ValueError:
        problem = Problem.OTHER
    ws = source.workspace.slug
    edit = reverse("listening:source_edit", kwargs={"ws": ws, "source_id": source.pk})
    badge = "rejected" if problem in NEEDS_ACTION else "pending"
    label = LABELS[problem]
    next_try = f" The next try is at {_when(source.next_poll_at)}." if source.is_active else ""
    if problem in (Problem.NEEDS_CREDENTIALS, Problem.CREDENTIALS_REFUSED):
        network = "reddit" if source.kind == SourceKind.REDDIT else "bluesky"
        own = hasattr(source, "own_credential")
        url = edit if own else reverse(f"listening:credential_{network}", kwargs={"ws": ws})
        return State(
            problem.value,
            label,
            badge,
            _credential_advice(source, problem),
            url,
            "This source's credentials" if own else "Listening credentials",
        )
    if problem is Problem.RATE_LIMITED:
        return State(
            problem.value,
            f"{label} until {_when(source.next_poll_at)}",
            badge,
            "The network said to wait; the source is polled again when it allows."
            " If this happens at every poll, poll less often or spread the sources over more credentials.",
        )
    advice = {
        Problem.FORBIDDEN: "The network refuses to show this to an application: the community is private, "
        "quarantined or banned, or the server wants visitors to sign in. Choose a public one in the source's "
        "settings, or pause the source.",
        Problem.NOT_FOUND: "There is nothing at this name or address any more: correct it in the source's settings.",
        Problem.INVALID_SETTINGS: "Correct the source's settings; it is not polled until they are valid.",
        Problem.UNREACHABLE: "The server did not answer; the source is retried with growing pauses."
        + next_try
        + " If this lasts, check the address.",
        Problem.SERVER_ERROR: "The network failed on its side; the source is retried with growing pauses." + next_try,
        Problem.BAD_ANSWER: "The answer was not what the network documents (a wrong address, or a change on their "
        "side); retried with growing pauses." + next_try,
        Problem.OTHER: "Retried with growing pauses." + next_try,
    }[problem]
    if problem in NEEDS_ACTION:
        return State(problem.value, label, badge, advice, edit, "Source settings")
    return State(problem.value, label, badge, advice)
