"""Badges are awarded by a periodic job that reads the points ledger forward from a cursor."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from groundswell.core.scheduler import register_periodic
from groundswell.lib.periods import local_day
from groundswell.recognition.actions import award_badges
from groundswell.workspaces.models import Workspace


@task()
def award_all_badges() -> int:
    added = 0
    now = timezone.now()
    for workspace in Workspace.objects.all():
        added += award_badges(workspace, today=local_day(now, workspace.timezone))
    return added


register_periodic(award_all_badges, every_seconds=600)
