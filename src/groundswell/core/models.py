"""Core bookkeeping shared by every app."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class PeriodicRun(models.Model):
    """When a periodic job (see ``groundswell.core.scheduler``) is next due.

    Workers claim a run with one conditional UPDATE (``next_run_at <= now``), so when several workers
    run, exactly one of them enqueues each run.
    """

    name = models.CharField(max_length=200, unique=True)
    next_run_at = models.DateTimeField(default=timezone.now)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_claimed_by = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
