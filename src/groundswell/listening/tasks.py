"""Background work for listening: poll the sources that are due, each in its own task."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from groundswell.core.scheduler import register_periodic
from groundswell.listening import pipeline
from groundswell.listening.models import Source


@task()
def poll_source(source_id: int) -> str:
    """Poll one source that :func:`poll_due_sources` (or "poll now") has claimed."""
    source = Source.objects.select_related("workspace").filter(pk=source_id, is_active=True).first()
    if source is None:
        return "gone"
    result = pipeline.poll_source(source)
    return "failed" if result is None else f"stored {result.stored} of {result.fetched}"


@task()
def poll_due_sources() -> int:
    """Claim every due source (a conditional update: two workers never poll the same one) and poll it."""
    now = timezone.now()
    claimed = 0
    for source_id in pipeline.due_source_ids(now):
        if pipeline.claim(source_id, now):
            poll_source.enqueue(source_id)
            claimed += 1
    return claimed


register_periodic(poll_due_sources, every_seconds=60)
