"""Who answers a case: a pure function over responders, so the app and ``bench/care`` run the same rules.

Eligible: on shift now (their working hours, in their time zone), not paused, speaking the case's language,
matching its topic (a responder's own skills plus their department's; a responder without any skills takes
every topic), below the workspace's cap of open cases, and not someone the case already escalated away from.
Among the eligible: the least loaded first, then a topic specialist before a generalist, then whoever has
waited longest since their last case (fairness: work is spread), then the lower id (deterministic).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from groundswell.care.hours import Week, on_shift

_NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)


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

    def rank(r: Responder) -> tuple[int, int, dt.datetime, int]:
        specialist = needs.topic_id is not None and needs.topic_id in r.skills
        return (r.open_cases, 0 if specialist else 1, r.last_assigned_at or _NEVER, r.member_id)

    return min(eligible, key=rank)


def next_step(escalations_done: int, steps: int) -> str:
    """What an unanswered case's next escalation is: ``"reassign"`` to the next candidate while fewer than
    ``steps`` reassignments happened, then ``"admins"``."""
    return "reassign" if escalations_done < steps else "admins"
