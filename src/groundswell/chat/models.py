"""Slack and Microsoft Teams: a workspace's chat installation, members' linked chat identities, the delivery
log of messages sent (claimed before sending, at most once), and inbound requests already seen (replays).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from groundswell.networks.crypto import EncryptedTextField
from groundswell.workspaces.models import Membership, Workspace


class Platform(models.TextChoices):
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"


class InstallationState(models.TextChoices):
    ACTIVE = "active", "Connected"
    REVOKED = "revoked", "Removed from the chat workspace"
    FAILING = "failing", "Needs attention"


class ChatInstallation(models.Model):
    """One workspace's connection to one chat platform.

    Slack: the OAuth v2 install of the Slack app into a Slack workspace (``external_id`` is the Slack team id,
    ``bot_token`` the ``xoxb-`` token, encrypted at rest). Teams: the bot installed in a tenant
    (``external_id`` the tenant id, ``service_url`` where the Bot Connector is reached; the bot's own
    credentials come from the environment).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="chat_installations")
    platform = models.CharField(max_length=8, choices=Platform.choices)
    external_id = models.CharField(max_length=128)
    name = models.CharField(max_length=200, blank=True)
    bot_token = EncryptedTextField(blank=True)
    bot_user_id = models.CharField(max_length=128, blank=True)
    service_url = models.URLField(max_length=500, blank=True)
    #: Where new items, the digest and the tip of the week are posted (empty: direct messages only).
    channel_id = models.CharField(max_length=256, blank=True)
    channel_name = models.CharField(max_length=200, blank=True)
    #: A Teams conversation reference (JSON) for the channel, kept to post proactively.
    channel_reference = models.JSONField(default=dict, blank=True)
    announce_items = models.BooleanField(default=True)
    send_digest = models.BooleanField(default=True)
    send_tips = models.BooleanField(default=True)
    state = models.CharField(max_length=8, choices=InstallationState.choices, default=InstallationState.ACTIVE)
    last_error = models.CharField(max_length=300, blank=True)
    installed_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    installed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "platform"], name="uniq_chat_installation")]
        indexes = [models.Index(fields=["platform", "external_id"])]

    def __str__(self) -> str:
        return f"{self.get_platform_display()}: {self.name or self.external_id}"


class ChatIdentity(models.Model):
    """A member's chat user, linked by the member (signed in to Groundswell) after the bot asked them.

    ``conversation_id`` is the direct-message channel (Slack) or the one-to-one conversation (Teams), with
    ``conversation_reference`` holding what Teams needs to post there proactively.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="chat_identities")
    platform = models.CharField(max_length=8, choices=Platform.choices)
    external_team_id = models.CharField(max_length=128)
    external_user_id = models.CharField(max_length=128)
    display_name = models.CharField(max_length=200, blank=True)
    conversation_id = models.CharField(max_length=256, blank=True)
    conversation_reference = models.JSONField(default=dict, blank=True)
    #: The member wants direct messages (items for them, cases routed to them, the tip of the week).
    direct_messages = models.BooleanField(default=True)
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "platform"], name="uniq_chat_identity_member"),
            models.UniqueConstraint(
                fields=["workspace", "platform", "external_team_id", "external_user_id"],
                name="uniq_chat_identity_user",
            ),
        ]


class MessageStatus(models.TextChoices):
    CLAIMED = "claimed", "Being sent"
    RETRYING = "retrying", "Waiting to try again"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class ChatMessage(models.Model):
    """One message to one place (a channel or a member's direct conversation), claimed before it is sent.

    ``key`` names what it is about ("item:42", "digest:w2026-12-07", "case:7", "tip:2026-W50"); the unique
    constraint makes a second worker, or a rerun, send nothing.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    installation = models.ForeignKey(ChatInstallation, on_delete=models.CASCADE, related_name="messages")
    key = models.CharField(max_length=64)
    target = models.CharField(max_length=256)
    member = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=8, choices=MessageStatus.choices, default=MessageStatus.CLAIMED)
    attempts = models.PositiveSmallIntegerField(default=0)
    external_id = models.CharField(max_length=256, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    #: The message as sent (``OutgoingMessage.as_dict``), so a retry sends the same thing.
    payload = models.JSONField(default=dict, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    #: When the recipient used the message's action (a routed case acknowledged from chat).
    acted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["installation", "key", "target"], name="uniq_chat_message"),
        ]


class SeenRequest(models.Model):
    """An inbound request already handled (the hash of its signature), so a replay inside the allowed
    clock window is refused. Rows older than the window are pruned."""

    platform = models.CharField(max_length=8, choices=Platform.choices)
    digest = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)
