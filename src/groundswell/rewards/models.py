"""Points: per-workspace rules and an append-only ledger."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone

from groundswell.workspaces.models import Membership, Workspace


class Action(models.TextChoices):
    SHARE = "share", "Share made"
    UNIQUE_CLICK = "unique_click", "Unique human click earned"
    SUBMISSION_APPROVED = "submission_approved", "Submitted item approved"
    #: Points per like, repost or reply on a post Groundswell made (networks/sync.py), capped per day.
    ENGAGEMENT = "engagement", "Engagement earned"
    #: A customer question answered from the care inbox (listening).
    ANSWER = "answer", "Customer question answered"
    #: A short lesson completed.
    LESSON = "lesson", "Lesson completed"
    #: A brand-account stewardship shift done (stewards app).
    BRAND_SHIFT = "brand_shift", "Brand-account shift done"
    ADJUSTMENT = "adjustment", "Manual adjustment"


DEFAULT_RULES: dict[str, tuple[int, int | None]] = {
    Action.SHARE: (10, 50),
    Action.UNIQUE_CLICK: (2, 40),
    Action.SUBMISSION_APPROVED: (25, None),
    Action.ENGAGEMENT: (1, 30),
    Action.LESSON: (15, 30),
    Action.BRAND_SHIFT: (40, None),
    Action.ANSWER: (20, 100),
}


class PointsRule(models.Model):
    """How many points an action earns, with an optional daily cap, from a date on.

    Changing a rule adds a new row with a later ``active_from``: history is never rewritten.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="points_rules")
    action = models.CharField(max_length=24, choices=Action.choices)
    points = models.PositiveIntegerField()
    daily_cap = models.PositiveIntegerField(null=True, blank=True, help_text="Most points per person per day")
    active_from = models.DateField(default=dt.date(2000, 1, 1))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["action", "-active_from"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "action", "active_from"], name="uniq_rule_from"),
        ]


class AppendOnlyError(Exception):
    pass


class PointsEntry(models.Model):
    """One line of the points ledger. Never updated, never deleted: corrections are new entries.

    ``key`` makes awarding idempotent (``share:12``, ``click:<uuid>``): the same event never pays twice.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="points_entries")
    action = models.CharField(max_length=24, choices=Action.choices)
    points = models.IntegerField()
    day = models.DateField(help_text="The day in the workspace's time zone, for daily caps and rollups")
    created_at = models.DateTimeField(default=timezone.now)
    key = models.CharField(max_length=80)
    reason = models.CharField(max_length=300, blank=True)
    author = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="uniq_points_key")]
        indexes = [models.Index(fields=["workspace", "member", "action", "day"])]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Points entries are append-only; add an adjustment instead")
        super().save(*args, **kwargs)  # type: ignore[arg-type,unused-ignore]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Points entries are append-only; add an adjustment instead")
