"""Background work for the audit: every few minutes, email the reports that are due."""

from __future__ import annotations

from django_tasks import task

from groundswell.core.scheduler import register_periodic

SEND_INTERVAL_SECONDS = 600


@task()
def send_audit_reports() -> int:
    """Send due reports in batches; several workers may run this at once (deliveries are claimed)."""
    from groundswell.audit.delivery import BATCH_SIZE, send_due_reports

    total = 0
    while True:
        result = send_due_reports(limit=BATCH_SIZE)
        total += result.sent
        if result.handled < BATCH_SIZE:
            return total


register_periodic(send_audit_reports, SEND_INTERVAL_SECONDS)
