"""Who answers a case: a pure function over responders, so the app and ``bench/care`` run the same rules.

Eligible: on shift now (their working hours, in their time zone), not paused, speaking the case's language,
matching its topic (a responder's own skills plus their department's; a responder without any skills takes
every topic), below the workspace's cap of open cases, and not someone the case already escalated away from.
Among the eligible: the least loaded first: open cases now, then cases routed to them per hour on shift over
the fairness window (the last :data:`RECENT`, or since they joined when that is later; see
:func:`cases_per_hour`), then whoever has waited longest since their last case, then the lower id
(deterministic). A rate rather than a count, so that someone whose week started later (a Wednesday-to-Sunday
shift, a new volunteer, a part-timer) is not flooded until their count catches up with the full-timers'
(bench/care measured it). Skills filter, they do not rank: preferring specialists would pile their topic on
them (bench/care measured it too).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from groundswell.care.hours import Schedule, Week, on_shift, staffed_minutes

_NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)
#: The fairness window of ``Responder.recent_cases`` and ``Responder.recent_shift_minutes``.
RECENT = dt.timedelta(days=7)
#: :func:`cases_per_hour` divides by at least this many minutes on shift: one case in someone's first half
#: hour is not "two an hour" (they would get nothing more for days), it is one case early in a shift.
MIN_SHIFT_MINUTES = 4 * 60


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
    #: Cases routed to them in the fairness window (:func:`window_start`).
    recent_cases: int = 0
    #: Minutes they were on shift in the same window (by their working hours).
    recent_shift_minutes: float = 0.0


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


def window_start(now: dt.datetime, joined_at: dt.datetime | None) -> dt.datetime:
    """Where a responder's fairness window starts: :data:`RECENT` ago, or when they joined if that is later
    (hours before they joined are not hours in which they could have taken cases)."""
    since = now - RECENT
    return max(since, joined_at) if joined_at is not None else since


def shift_minutes(week: Week, tz: str, start: dt.datetime, end: dt.datetime) -> float:
    """Minutes of ``[start, end)`` that fall in the working hours ``week`` (in ``tz``)."""
    return staffed_minutes([(week, tz)], start, end)


def cases_per_hour(r: Responder) -> float:
    """Cases routed to ``r`` per hour on shift in the fairness window (at least :data:`MIN_SHIFT_MINUTES`)."""
    return r.recent_cases * 60 / max(r.recent_shift_minutes, MIN_SHIFT_MINUTES)


def choose(responders: Iterable[Responder], needs: Needs, now: dt.datetime, max_open: int) -> Responder | None:
    """The best responder for ``needs`` at ``now``, or None (the case waits in the queue)."""
    eligible = [r for r in responders if not why_not(r, needs, now, max_open)]
    if not eligible:
        return None

    return min(eligible, key=lambda r: (r.open_cases, cases_per_hour(r), r.last_assigned_at or _NEVER, r.member_id))


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
