"""Shares: one employee sharing one item on one network, with its own tracked short link."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone

from groundswell.content.models import Item
from groundswell.workspaces.models import Membership, Workspace

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
CODE_LENGTH = 7
CODE_REGEX = r"[A-Za-z0-9]{7}"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class ShareMethod(models.TextChoices):
    INTENT = "intent", "Share link"
    API = "api", "Posted by Groundswell"


class Share(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="shares")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="shares")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="shares")
    network = models.CharField(max_length=20)
    caption = models.TextField(max_length=3000, blank=True)
    code = models.CharField(max_length=CODE_LENGTH, unique=True, default=new_code)
    method = models.CharField(max_length=8, choices=ShareMethod.choices, default=ShareMethod.INTENT)
    reach_estimate = models.PositiveIntegerField(default=0)
    # Denormalised counters, incremented in the click-batch transaction (never read-modify-write).
    human_clicks = models.PositiveIntegerField(default=0)
    unique_clicks = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    #: When the share was known to have happened: the outbox posted it (method "api"), or its short link got
    #: its first human click (a share link). Its share points are awarded then (ADR 0034). Empty: waiting.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    #: The outbox job that posts this share through the network's API (method "api"); deleting the share
    #: deletes a job still waiting (``sharing.receivers``).
    outbound = models.OneToOneField(
        "networks.OutboundPost", null=True, blank=True, on_delete=models.SET_NULL, related_name="share"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["workspace", "member", "-created_at"]),
            models.Index(fields=["workspace", "item"]),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.network}: {self.item}"
