"""The periodic engagement sync (every 15 minutes). Imported by ``networks/tasks.py`` so the worker registers it."""

from __future__ import annotations

from django_tasks import task

from groundswell.core.scheduler import register_periodic
from groundswell.networks.sync import SYNC_EVERY_SECONDS, sync_engagement


@task()
def sync_engagement_task() -> int:
    """Fetch metrics of recent posts; returns how many snapshots were stored."""
    return sync_engagement().snapshots


register_periodic(sync_engagement_task, every_seconds=SYNC_EVERY_SECONDS)
