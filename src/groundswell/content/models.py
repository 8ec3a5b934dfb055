"""The content hub: shareable items with suggested captions, topics and targeting."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone

from groundswell.videos.models import Video
from groundswell.workspaces.models import Department, Location, Membership, Workspace


class Topic(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="topics")
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "slug"], name="uniq_topic_slug")]

    def __str__(self) -> str:
        return self.name


class ItemKind(models.TextChoices):
    URL = "url", "Link"
    TEXT = "text", "Text post"
    IMAGE = "image", "Image"
    VIDEO = "video", "Video"


class ItemState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING = "pending", "Pending approval"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    ARCHIVED = "archived", "Archived"


class UnfurlState(models.TextChoices):
    NOT_NEEDED = "none", "Not needed"
    PENDING = "pending", "Fetching preview"
    DONE = "done", "Preview fetched"
    FAILED = "failed", "Preview failed"


class Item(models.Model):
    """Something employees may share: a link, a text post, an image or a video."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=8, choices=ItemKind.choices, default=ItemKind.URL)
    state = models.CharField(max_length=12, choices=ItemState.choices, default=ItemState.DRAFT)
    url = models.URLField(max_length=2000, blank=True)
    title = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    image_url = models.URLField(max_length=2000, blank=True)
    image = models.ImageField(upload_to="items/%Y/%m/", blank=True)
    body = models.TextField(blank=True, help_text="The text of a text post.")
    #: The video a video item shows (its share link opens a public page that plays it).
    video = models.ForeignKey(Video, null=True, blank=True, on_delete=models.RESTRICT, related_name="items")
    topics = models.ManyToManyField(Topic, blank=True, related_name="items")
    target_departments = models.ManyToManyField(Department, blank=True, related_name="+")
    target_locations = models.ManyToManyField(Location, blank=True, related_name="+")
    target_topics = models.ManyToManyField(
        Topic, blank=True, related_name="+", help_text="Only members interested in one of these topics see it."
    )
    starts_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="submitted_items"
    )
    reviewed_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rejection_reason = models.TextField(blank=True)
    unfurl_state = models.CharField(max_length=8, choices=UnfurlState.choices, default=UnfurlState.NOT_NEEDED)
    unfurl_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # When its audience was told it is there to share (notify); empty while an item scheduled for later waits.
    announced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        indexes = [
            models.Index(fields=["workspace", "state", "-published_at"]),
            models.Index(
                fields=["starts_at"],
                name="item_awaiting_announcement",
                condition=Q(state="published", announced_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        if self.body:
            return _first_words(self.body, 80)
        return self.url or f"Item {self.pk}"

    def is_live(self, now: dt.datetime | None = None) -> bool:
        """Published and inside its start/expiry window."""
        now = now or timezone.now()
        if self.state != ItemState.PUBLISHED:
            return False
        if self.starts_at and self.starts_at > now:
            return False
        return not (self.expires_at and self.expires_at <= now)

    @staticmethod
    def live_q(now: dt.datetime) -> Q:
        return (
            Q(state=ItemState.PUBLISHED)
            & (Q(starts_at__isnull=True) | Q(starts_at__lte=now))
            & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        )


class Caption(models.Model):
    """A suggested caption. ``network`` empty means it suits any network."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="captions")
    network = models.CharField(max_length=20, blank=True)
    text = models.TextField(max_length=3000)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


def _first_words(text: str, limit: int) -> str:
    """The start of ``text`` up to ``limit`` characters, cut at a word boundary (never mid-word)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:.-") + "…"
