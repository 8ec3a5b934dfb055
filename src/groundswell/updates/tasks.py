"""Background work for the digest: every few minutes, send a batch of due digests."""

from __future__ import annotations

from django_tasks import task

from groundswell.core.scheduler import register_periodic

DIGEST_INTERVAL_SECONDS = 300


@task()
def send_digests() -> int:
    """Send due digests in batches; several workers may run this at once (deliveries are claimed)."""
    from groundswell.updates.digest import BATCH_SIZE, send_due_digests

    total = 0
    while True:
        result = send_due_digests(limit=BATCH_SIZE)
        total += result.sent
        if result.handled < BATCH_SIZE:
            return total


register_periodic(send_digests, DIGEST_INTERVAL_SECONDS)
