"""The privacy centre's own records: a member's choices, their data exports, and the audit log of requests."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone

from groundswell.workspaces.models import Membership, Workspace

#: How long a finished export can be downloaded.
EXPORT_TTL = dt.timedelta(days=7)


class MemberPrivacy(models.Model):
    """A member's privacy switches that have no home elsewhere (leaderboard visibility lives on Membership).

    No row means the defaults: statistics are not shared with the manager (see ADR 0012).
    """

    member = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="privacy")
    share_stats_with_manager = models.BooleanField(
        default=False,
        help_text="My manager may see my own statistics (shares, clicks, points) on their team page.",
    )
    updated_at = models.DateTimeField(default=timezone.now)


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Building your archive"
    DONE = "done", "Ready to download"
    FAILED = "failed", "Failed"


class DataExport(models.Model):
    """One "export my data" request: a job row with progress, and the finished archive (a .zip).

    The archive is kept in the database, not in media storage, so that no URL can serve it to anybody but
    its owner (the download view checks the membership), and it is deleted when it expires.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    total_steps = models.PositiveIntegerField(default=0)
    done_steps = models.PositiveIntegerField(default=0)
    archive = models.BinaryField(null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(default=0)
    failure = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["member", "-created_at"])]

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return int(100 * self.done_steps / self.total_steps) if self.total_steps else 0

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

    def is_downloadable(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.status == ExportStatus.DONE
            and self.expires_at is not None
            and self.expires_at > now
            and self.size > 0  # not ``archive``: it is deferred when only the status is needed
        )


class PrivacyAction(models.TextChoices):
    EXPORT = "export", "Exported their data"
    DELETE = "delete", "Deleted their data"
    LEAVE = "leave", "Left the program"
    VISIBILITY = "visibility", "Changed leaderboard visibility"
    MANAGER_SHARING = "manager_sharing", "Changed sharing with their manager"


class PrivacyEvent(models.Model):
    """The audit log of privacy requests, for program admins: who asked for what, when — never any content.

    ``member_number`` is the membership's id, kept as a plain number so that the line survives when the
    membership is anonymised (and the admin can still count requests per person).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    member_number = models.PositiveBigIntegerField()
    action = models.CharField(max_length=16, choices=PrivacyAction.choices)
    #: The new setting for a switch ("anonymous", "on"), never any of the member's content.
    detail = models.CharField(max_length=40, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["workspace", "-at"])]
