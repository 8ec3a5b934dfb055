"""Brand accounts (the workspace's own accounts on networks), stewards' shifts, and brand posts.

A :class:`BrandAccount` points at a workspace-owned :class:`~groundswell.networks.models.ConnectedAccount`
(no member: ADR 0010). Volunteers run it in :class:`Shift`\\s that never overlap; the outgoing steward writes
a hand-over note for the next one. A :class:`BrandPost` is what a steward wrote for the account: waiting for
an admin's approval, not approved (with the reason), withdrawn unreviewed because its author is no longer a
member (with the reason), or handed to the posting outbox (``outbound``), which then says what happened to it.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone

from groundswell.networks.models import ConnectedAccount, OutboundPost
from groundswell.workspaces.models import Membership, Workspace


class BrandAccount(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    account = models.OneToOneField(ConnectedAccount, on_delete=models.CASCADE, related_name="brand")
    require_approval = models.BooleanField(
        default=False, help_text="Stewards' posts wait for a program admin's approval before they are posted."
    )
    connected_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["account__network", "account__handle"]

    def __str__(self) -> str:
        return f"{self.account.network}:{self.account.handle}"


class ShiftStatus(models.TextChoices):
    ASSIGNED = "assigned", "Assigned"
    DECLINED = "declined", "Declined"
    GAVE_UP = "gave_up", "Given up"


class Shift(models.Model):
    """A steward runs a brand account from ``starts_at`` to ``ends_at``. Assigned shifts of one account never
    overlap (checked in ``actions.assign_shift`` with the account's row locked)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    brand = models.ForeignKey(BrandAccount, on_delete=models.CASCADE, related_name="shifts")
    steward = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="brand_shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=ShiftStatus.choices, default=ShiftStatus.ASSIGNED)
    handover_note = models.TextField(blank=True)
    handover_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True, help_text="When the steward declined or gave it up")
    release_reason = models.CharField(max_length=300, blank=True)
    points_awarded_at = models.DateTimeField(null=True, blank=True)
    start_notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the steward was e-mailed that the shift started (with the hand-over)"
    )
    assigned_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["brand", "starts_at"]),
            models.Index(fields=["status", "ends_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"shift {self.pk} of {self.steward_id} on {self.brand_id}"

    def is_current(self, now: dt.datetime) -> bool:
        return self.status == ShiftStatus.ASSIGNED and self.starts_at <= now < self.ends_at

    def is_upcoming(self, now: dt.datetime) -> bool:
        return self.status == ShiftStatus.ASSIGNED and now < self.starts_at

    def is_done(self, now: dt.datetime) -> bool:
        return self.status == ShiftStatus.ASSIGNED and self.ends_at <= now


class BrandPostStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    REJECTED = "rejected", "Not approved"
    QUEUED = "queued", "In the outbox"
    WITHDRAWN = "withdrawn", "Withdrawn"


class BrandPost(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    brand = models.ForeignKey(BrandAccount, on_delete=models.CASCADE, related_name="posts")
    shift = models.ForeignKey(Shift, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts")
    author = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="brand_posts")
    text = models.TextField()
    link_url = models.URLField(max_length=2000, blank=True)
    scheduled_for = models.DateTimeField(null=True, blank=True, help_text="Empty: as soon as it may go out")
    status = models.CharField(max_length=10, choices=BrandPostStatus.choices)
    review_reason = models.CharField(max_length=500, blank=True)
    reviewed_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    outbound = models.OneToOneField(
        OutboundPost, null=True, blank=True, on_delete=models.SET_NULL, related_name="brand_post"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "status"])]

    def __str__(self) -> str:
        return f"brand post {self.pk} on {self.brand_id}"
