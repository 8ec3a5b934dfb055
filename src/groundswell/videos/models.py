"""Short videos recorded or uploaded by members, transcoded by the worker (ffmpeg) to a web format.

The original is kept until the web version exists; every file lives in the private storage and is served
by access-checked views with range requests. A video becomes public only through a share of an item that
shows it (``content.Item.video``).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from groundswell.lib.storage import private_storage
from groundswell.workspaces.models import Membership, Workspace


class VideoState(models.TextChoices):
    UPLOADED = "uploaded", "Waiting to be processed"
    PROCESSING = "processing", "Processing"
    READY = "ready", "Ready"
    FAILED = "failed", "Could not be processed"


class Video(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="videos")
    uploaded_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="videos")
    title = models.CharField(max_length=200, blank=True)
    original = models.FileField(storage=private_storage, upload_to="videos/originals/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    original_size = models.PositiveBigIntegerField(default=0)
    #: The web version: MP4 (H.264 video, AAC audio, faststart) made by the worker.
    web = models.FileField(storage=private_storage, upload_to="videos/web/%Y/%m/", blank=True)
    poster = models.FileField(storage=private_storage, upload_to="videos/posters/%Y/%m/", blank=True)
    #: WebVTT captions (validated before they are stored); uploaded or edited by the author.
    captions_vtt = models.TextField(blank=True)
    captions_language = models.CharField(max_length=16, default="en")
    duration_seconds = models.FloatField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(max_length=12, choices=VideoState.choices, default=VideoState.UPLOADED)
    error = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    #: When a worker claimed it (state "processing"); a claim older than the transcode timeout is stale (the
    #: worker died) and may be taken again.
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return self.title or self.original_name or f"Video {self.pk}"

    @property
    def is_ready(self) -> bool:
        return self.state == VideoState.READY
