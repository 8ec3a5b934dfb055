"""Periodic jobs: points for brand-account shifts that ended, and the e-mail to a steward whose shift started
(both idempotent; see ``actions``)."""

from __future__ import annotations

from django_tasks import task

from groundswell.core.scheduler import register_periodic
from groundswell.stewards.actions import award_finished_shifts, notify_started_shifts


@task()
def award_shift_points() -> int:
    return award_finished_shifts()


register_periodic(award_shift_points, every_seconds=15 * 60)


@task()
def notify_shift_starts() -> int:
    return notify_started_shifts()


register_periodic(notify_shift_starts, every_seconds=5 * 60)
