"""Program goals: a metric, a target and a calendar period; progress comes from the rollups."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from groundswell.workspaces.models import Membership, Workspace


class Metric(models.TextChoices):
    """What a goal counts, per calendar period, from the workspace-wide rollups.

    ``REACH`` is the measured reach where we have it and the estimate elsewhere: impressions reported by
    the networks whose API gives them (counted on the day the engagement sync sees them), plus the
    share-time audience estimate (the member's audience size) of every share in the period whose post
    has no impressions. A post's estimate is dropped once its impressions are measured.
    """

    CLICKS = "clicks", "Human clicks"
    SHARES = "shares", "Shares"
    ACTIVE_AMBASSADORS = "active", "Active ambassadors"
    REACH = "reach", "Reach (impressions, or estimated audience)"


class PeriodKind(models.TextChoices):
    WEEK = "w", "Week"
    MONTH = "m", "Month"
    QUARTER = "q", "Quarter"
    YEAR = "y", "Year"


class Goal(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="goals")
    name = models.CharField(max_length=160)
    metric = models.CharField(max_length=8, choices=Metric.choices)
    target = models.PositiveIntegerField()
    period = models.CharField(max_length=1, choices=PeriodKind.choices, default=PeriodKind.QUARTER)
    period_start = models.DateField(help_text="First day of the period (normalised to the period's start)")
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period_start", "name"]

    def __str__(self) -> str:
        return self.name
