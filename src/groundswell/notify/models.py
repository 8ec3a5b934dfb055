"""Push subscriptions (one per member and browser) and each member's choice of channel per kind of notice."""

from __future__ import annotations

import hashlib

from django.db import models
from django.utils import timezone

from groundswell.networks.crypto import EncryptedTextField
from groundswell.workspaces.models import Membership, Workspace


class Kind(models.TextChoices):
    NEW_ITEM = "new_item", "A new item to share"
    CASE_ROUTED = "case_routed", "A customer case routed to me"
    SHIFT_STARTED = "shift_started", "My brand-account shift starts"
    CONTEST_RESULT = "contest_result", "A contest result"


class Channel(models.TextChoices):
    PUSH = "push", "Push to my devices"
    EMAIL = "email", "E-mail"
    OFF = "off", "Off"


#: What a member gets without having chosen: the e-mail that existed before push (a routed case, a shift that
#: starts); nothing for new items (the digest lists them) and contest results (never e-mailed before).
EMAIL_BY_DEFAULT: frozenset[str] = frozenset({Kind.CASE_ROUTED, Kind.SHIFT_STARTED})


def endpoint_digest(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()


class PushSubscription(models.Model):
    """A browser's push subscription (the Push API's endpoint and keys) for one member.

    The keys are encrypted at rest; the endpoint is unique per member through its SHA-256 (endpoints run to
    hundreds of characters). A push service that answers 404/410 has dropped it: the row is deleted then.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=2000)
    endpoint_sha256 = models.CharField(max_length=64)
    p256dh = EncryptedTextField()
    auth = EncryptedTextField()
    device = models.CharField(max_length=120, blank=True, help_text="A label for the device list (browser, system)")
    created_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["member", "endpoint_sha256"], name="uniq_push_subscription"),
        ]

    def __str__(self) -> str:
        return f"push subscription {self.pk} of {self.member_id}"

    def as_info(self) -> dict[str, object]:
        """The ``subscription_info`` pywebpush takes."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class NotificationPreference(models.Model):
    """A member's channel for one kind of notice; no row means the default (see ``actions.channel_for``)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "kind"], name="uniq_notification_preference")]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.kind} by {self.channel}"
