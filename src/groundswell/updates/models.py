"""Program updates (progress news from the admins) and the email digest: preferences and deliveries."""

from __future__ import annotations

import html

from django.db import models
from django.utils import timezone as djtz
from django.utils.html import strip_tags
from django.utils.text import Truncator

from groundswell.goals.models import Goal
from groundswell.policy.rendering import render_markdown
from groundswell.workspaces.models import Membership, Workspace


class Update(models.Model):
    """One piece of progress news. Deleting sets ``deleted_at`` (soft delete): digests already sent link here.

    When the post names a goal, the goal's progress at posting time is copied into the ``goal_*_at_post``
    fields, so the page can show "then" next to "now".
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="updates")
    title = models.CharField(max_length=160)
    body_markdown = models.TextField()
    goal = models.ForeignKey(Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="updates")
    goal_value_at_post = models.PositiveIntegerField(null=True, blank=True)
    goal_percent_at_post = models.PositiveSmallIntegerField(null=True, blank=True)
    pinned = models.BooleanField(default=False)
    author = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    posted_at = models.DateTimeField(default=djtz.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-posted_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "deleted_at", "posted_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace"],
                condition=models.Q(pinned=True, deleted_at__isnull=True),
                name="one_pinned_update",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def excerpt(self) -> str:
        """The start of the text, without Markdown (for cards, the home page and the digest)."""
        text = " ".join(html.unescape(strip_tags(render_markdown(self.body_markdown))).split())
        return Truncator(text).chars(200)


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly (Monday morning)"
    DAILY = "daily", "Daily (every morning)"
    NEVER = "never", "Never"


DEFAULT_FREQUENCY = Frequency.WEEKLY


class DigestPreference(models.Model):
    """A member's digest choice. No row means the default (weekly)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="digest_preference")
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=DEFAULT_FREQUENCY)
    updated_at = models.DateTimeField(default=djtz.now)


class DeliveryStatus(models.TextChoices):
    CLAIMED = "claimed", "Being sent"
    SENT = "sent", "Sent"
    EMPTY = "empty", "Nothing new: not sent"
    FAILED = "failed", "Failed"


class DigestDelivery(models.Model):
    """One digest for one member and one period (``w2026-11-30`` or ``d2026-12-01``).

    The row is created (claimed) *before* the email is sent, and the unique constraint lets exactly one
    worker create it: a second worker, or a re-run after a crash, finds the row and sends nothing.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="digest_deliveries")
    period_key = models.CharField(max_length=16)
    status = models.CharField(max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.CLAIMED)
    attempts = models.PositiveSmallIntegerField(default=1)
    claimed_at = models.DateTimeField(default=djtz.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-claimed_at"]
        constraints = [models.UniqueConstraint(fields=["member", "period_key"], name="uniq_digest_delivery")]
        indexes = [models.Index(fields=["member", "status", "sent_at"])]
