"""Periodic job of customer care: open missed cases and triage items, escalate what nobody answered in time, route what waits in the queue, and
tell responders whose posted answer did not go out or is stuck on its way (all idempotent; see ``actions``)."""

from __future__ import annotations

from django_tasks import task

from groundswell.care.actions import (
    escalate_overdue,
    notify_failed_replies,
    notify_stuck_replies,
    open_cases_for,
    open_missed_cases,
    open_missed_triage,
    open_triage_for,
    route_waiting,
)
from groundswell.core.scheduler import register_periodic


@task()
def open_cases_for_posts(post_ids: list[int]) -> int:
    """Open and route cases for the brand questions and complaints among posts listening just stored, and put
    the other brand mentions that may need a reply in the triage queue (ADR 0028)."""
    from groundswell.listening.models import Mention

    mentions = list(Mention.objects.filter(post_id__in=post_ids, topic__kind="brand"))
    return len(open_cases_for(mentions)) + len(open_triage_for(mentions))


@task()
def care_tick() -> int:
    return (
        open_missed_cases()
        + open_missed_triage()
        + escalate_overdue()
        + route_waiting()
        + notify_failed_replies()
        + notify_stuck_replies()
    )


register_periodic(care_tick, every_seconds=60)
