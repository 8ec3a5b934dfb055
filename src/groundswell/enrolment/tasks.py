"""Background work: emailing a call for interest in batches."""

from __future__ import annotations

from django_tasks import task

from groundswell.core.scheduler import register_periodic
from groundswell.enrolment import actions
from groundswell.enrolment.models import CallForInterest

BATCH_SIZE = 100


@task()
def send_call_emails(call_id: int) -> int:
    """Send one batch of a call's emails and queue the next batch while there are more (idempotent)."""
    call = CallForInterest.objects.select_related("workspace", "opened_by").filter(pk=call_id).first()
    if call is None:
        return 0
    sent = actions.email_call_batch(call, limit=BATCH_SIZE)
    if sent == BATCH_SIZE:
        send_call_emails.enqueue(call_id)
    return sent


@task()
def resume_call_emails() -> int:
    """Pick up calls whose emailing stopped (a crashed worker, an SMTP outage): one batch each."""
    sent = 0
    for call in CallForInterest.objects.filter(closed_at__isnull=True).select_related("workspace", "opened_by"):
        sent += actions.email_call_batch(call, limit=BATCH_SIZE)
    return sent


register_periodic(resume_call_emails, every_seconds=900)
