"""Connected accounts, the posting outbox, and engagement snapshots of the posts we made."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from groundswell.networks.base import TokenSet
from groundswell.networks.crypto import EncryptedTextField
from groundswell.workspaces.models import Membership, Workspace


class AccountStatus(models.TextChoices):
    ACTIVE = "active", "Connected"
    RECONNECT = "reconnect", "Needs reconnecting"


class ConnectedAccount(models.Model):
    """An account on a network, connected through the network's authorisation.

    Usually a member's own account (``member`` set). With no ``member`` it is the workspace's own account
    (a brand account, see ``stewards``): it is on nobody's Accounts page, its posts are no member's shares,
    and it stays when the admin who connected it leaves (ADR 0010).

    Tokens are encrypted at rest. Groundswell never reads the account's feed; it posts what it is asked
    to and reads the metrics of those posts only.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(
        Membership,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="connected_accounts",
        help_text="The member whose account it is; empty for an account the workspace owns.",
    )
    network = models.CharField(max_length=20)
    remote_id = models.CharField(max_length=255, help_text="The network's id for the account (DID, user id…)")
    handle = models.CharField(max_length=255)
    service_url = models.CharField(max_length=300, blank=True, help_text="Mastodon instance or Bluesky PDS")
    scopes = models.JSONField(default=list)
    access_token = EncryptedTextField()
    refresh_token = EncryptedTextField(blank=True, default="")
    token_expires_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=AccountStatus.choices, default=AccountStatus.ACTIVE)
    status_message = models.CharField(max_length=300, blank=True)
    connected_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    auto_post = models.BooleanField(
        default=False,
        help_text="Post items my program admin sends to ambassadors from this account; "
        "I can cancel any post before it goes out.",
    )

    class Meta:
        ordering = ["network", "handle"]
        constraints = [
            models.UniqueConstraint(fields=["member", "network", "remote_id"], name="uniq_connected_account"),
            models.UniqueConstraint(
                fields=["workspace", "network", "remote_id"],
                condition=models.Q(member__isnull=True),
                name="uniq_workspace_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.network}:{self.handle}"

    @property
    def is_workspace_owned(self) -> bool:
        return self.member_id is None

    def tokens(self) -> TokenSet:
        return TokenSet(
            access_token=self.access_token,
            refresh_token=self.refresh_token or "",
            expires_at=self.token_expires_at,
            scopes=list(self.scopes),
            remote_id=self.remote_id,
            handle=self.handle,
            service_url=self.service_url,
        )


class MastodonApp(models.Model):
    """Groundswell's app registration on one Mastodon instance (created on first use)."""

    instance = models.CharField(max_length=253, unique=True)
    client_id = models.CharField(max_length=255)
    client_secret = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)


class PostingPolicy(models.Model):
    """Per-workspace rules for posts Groundswell makes on members' behalf."""

    class UnchangedCaption(models.TextChoices):
        ALLOW = "allow", "Allow"
        WARN = "warn", "Warn the member"
        BLOCK = "block", "Block until edited"

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="posting_policy")
    disclosure = models.CharField(
        max_length=80, blank=True, help_text='Added to every post when set, for example "#employee".'
    )
    unchanged_caption = models.CharField(max_length=5, choices=UnchangedCaption.choices, default=UnchangedCaption.WARN)
    max_per_day_per_network = models.PositiveSmallIntegerField(default=3)
    max_per_week_per_network = models.PositiveSmallIntegerField(default=10)
    blocked_words = models.TextField(
        blank=True, help_text="One word or phrase per line; posts containing them are refused."
    )
    stagger_minutes = models.PositiveIntegerField(
        default=240, help_text="Window over which posts of the same item by many members are spread."
    )


class PostStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    SENDING = "sending", "Sending"
    RETRYING = "retrying", "Waiting to retry"
    SENT = "sent", "Posted"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class OutboundPost(models.Model):
    """One post Groundswell makes: a job in the outbox with an idempotency key.

    The outbox delivers jobs and knows nothing about what they are for: a member's post of an item is
    linked from its share (``sharing.Share.outbound``, reverse name ``share``); a post on a workspace-owned
    account (a brand post, see ``stewards``) or a reply to a customer (``reply_to`` set, see ``care``) has
    no share.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(ConnectedAccount, null=True, on_delete=models.SET_NULL, related_name="posts")
    text = models.TextField()
    link_url = models.URLField(max_length=2000, blank=True)
    link_title = models.CharField(max_length=300, blank=True)
    link_description = models.TextField(blank=True)
    link_image_url = models.URLField(max_length=2000, blank=True)
    reply_to = models.JSONField(
        default=dict, blank=True, help_text="The post this one answers: {uri, url, root_uri}; empty for a post"
    )
    idempotency_key = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=PostStatus.choices, default=PostStatus.SCHEDULED)
    scheduled_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    maybe_accepted = models.BooleanField(
        default=False, help_text="A previous attempt may have reached the network: look before posting again."
    )
    remote_id = models.CharField(max_length=300, blank=True)
    remote_url = models.URLField(max_length=2000, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-scheduled_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]


class OutboundPostLog(models.Model):
    """What happened to an outbox job, line by line (NetBox-style jobs you can see into)."""

    post = models.ForeignKey(OutboundPost, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(default=timezone.now)
    level = models.CharField(max_length=8, default="info")
    message = models.CharField(max_length=500)

    class Meta:
        ordering = ["at", "id"]


class EngagementSnapshot(models.Model):
    """Cumulative counts for one post at one time: the engagement time series."""

    post = models.ForeignKey(OutboundPost, on_delete=models.CASCADE, related_name="snapshots")
    fetched_at = models.DateTimeField(default=timezone.now)
    likes = models.PositiveIntegerField(default=0)
    reposts = models.PositiveIntegerField(default=0)
    replies = models.PositiveIntegerField(default=0)
    impressions = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["post", "fetched_at"]
        indexes = [models.Index(fields=["post", "-fetched_at"])]
