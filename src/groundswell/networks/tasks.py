"""Background work for the posting outbox: deliver due posts every 30 seconds (and right after "post now")."""

from __future__ import annotations

from django_tasks import task

from groundswell.core.scheduler import register_periodic

DELIVERY_INTERVAL_SECONDS = 30


@task()
def deliver_due_posts() -> int:
    """Send every outbox job that is due. Safe to run in several workers at once (jobs are claimed)."""
    from groundswell.networks.outbox import deliver_due

    return deliver_due()


register_periodic(deliver_due_posts, DELIVERY_INTERVAL_SECONDS)

# Engagement sync registers its own periodic job.
from groundswell.networks import sync_tasks  # noqa: E402,F401
