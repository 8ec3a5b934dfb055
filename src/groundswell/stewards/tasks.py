"""Periodic job: points for brand-account shifts that ended (idempotent; see ``actions.award_finished_shifts``)."""

from __future__ import annotations

from django_tasks import task

from groundswell.core.scheduler import register_periodic
from groundswell.stewards.actions import award_finished_shifts


@task()
def award_shift_points() -> int:
    return award_finished_shifts()


register_periodic(award_shift_points, every_seconds=15 * 60)
