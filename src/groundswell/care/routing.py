"""Who answers a case: a pure function over responders, so the app and ``bench/care`` run the same rules.

Eligible: on shift now (their working hours, in their time zone), not paused, speaking the case's language,
matching its topic (a responder's own skills plus their department's; a responder without any skills takes
every topic), below the workspace's cap of open cases, and not someone the case already escalated away from.
Among the eligible: the least loaded first (open cases now, then cases routed to them in the last week), then
whoever has waited longest since their last case (fairness: work is spread), then the lower id
(deterministic). Skills filter, they do not rank: preferring specialists
would pile their topic on them (bench/care measured it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from groundswell.care.hours import Schedule, Week, on_shift

_NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)
#: The window of ``Responder.recent_cases``.
RECENT = dt.timedelta(days=7)


@dataclass(frozen=True)
class Responder:
    member_id: int
    languages: frozenset[str]
    skills: frozenset[int]  # listening topic ids
    week: Week
    tz: str
    open_cases: int = 0
    last_assigned_at: dt.datetime | None = None
    paused: bool = False
    #: Cases routed to them in the last :data:`RECENT` (fairness between people whose shifts differ).
    recent_cases: int = 0


@dataclass(frozen=True)
class Needs:
    language: str = ""  # "" when the post's language is unknown: anyone may take it
    topic_id: int | None = None
    exclude: frozenset[int] = frozenset()  # earlier assignees of this case


def language_of(lang: str) -> str:
    """``"en-GB"`` → ``"en"``: responders say which languages they speak, not which variants."""
    return lang.strip().lower().replace("_", "-").split("-")[0][:8]


def why_not(r: Responder, needs: Needs, now: dt.datetime, max_open: int) -> str:
    """Why ``r`` cannot take the case now ("" when they can)."""
    if r.member_id in needs.exclude:
        return "already had this case"
    if r.paused:
        return "paused"
    if needs.language and needs.language not in r.languages:
        return "does not speak the language"
    if needs.topic_id is not None and r.skills and needs.topic_id not in r.skills:
        return "other topics"
    if r.open_cases >= max_open:
        return "at the limit of open cases"
    if not on_shift(r.week, r.tz, now):
        return "off shift"
    return ""


def choose(responders: Iterable[Responder], needs: Needs, now: dt.datetime, max_open: int) -> Responder | None:
    """The best responder for ``needs`` at ``now``, or None (the case waits in the queue)."""
    eligible = [r for r in responders if not why_not(r, needs, now, max_open)]
    if not eligible:
        return None

    return min(eligible, key=lambda r: (r.open_cases, r.recent_cases, r.last_assigned_at or _NEVER, r.member_id))


def schedules_for(responders: Iterable[Responder], needs: Needs) -> list[Schedule]:
    """Whose working hours make a case's *staffed time*: responders who are not paused, speak its language
    and take its topic (load and shifts aside). The first-response and escalation clocks run only then."""
    return [
        (r.week, r.tz)
        for r in responders
        if not r.paused
        and (not needs.language or needs.language in r.languages)
        and (needs.topic_id is None or not r.skills or needs.topic_id in r.skills)
    ]


def next_step(escalations_done: int, steps: int) -> str:
    """What an unanswered case's next escalation is: ``"reassign"`` to the next candidate while fewer than
    ``steps`` reassignments happened, then ``"admins"``."""
    return "reassign" if escalations_done < steps else "admins"
