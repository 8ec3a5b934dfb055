"""The chatter audit: who gets the report by email, and which reports were sent (claimed before sending)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from groundswell.workspaces.models import Membership, Workspace


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly (Monday morning, the week before)"
    MONTHLY = "monthly", "Monthly (on the 1st, the month before)"


class ReportSubscription(models.Model):
    """A member who receives the chatter audit by email, set up by a program admin or manager."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="audit_subscriptions")
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    created_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["frequency", "pk"]
        constraints = [models.UniqueConstraint(fields=["member", "frequency"], name="uniq_audit_subscription")]


class DeliveryStatus(models.TextChoices):
    CLAIMED = "claimed", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class ReportDelivery(models.Model):
    """One emailed report for one member and period (``w2026-11-23``: that week; ``m2026-11``: that month).

    Created (claimed) *before* the email is sent under a unique constraint, so a second worker or a re-run
    sends nothing (ADR 0019).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="audit_deliveries")
    period_key = models.CharField(max_length=16)
    status = models.CharField(max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.CLAIMED)
    attempts = models.PositiveSmallIntegerField(default=1)
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-claimed_at"]
        constraints = [models.UniqueConstraint(fields=["member", "period_key"], name="uniq_audit_delivery")]
