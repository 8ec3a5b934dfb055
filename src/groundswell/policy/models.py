"""The workspace's social media policy: append-only versions and members' acknowledgements of them."""

from __future__ import annotations

from django.db import models
from django.utils import timezone as djtz

from groundswell.workspaces.models import Membership, Workspace


class PolicyVersion(models.Model):
    """One published version. Never edited: a change is a new version with a higher ``number``."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="policy_versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=160)
    body_markdown = models.TextField()
    checklist = models.JSONField(default=list, blank=True)
    summary_of_changes = models.CharField(max_length=500, blank=True)
    published_at = models.DateTimeField(default=djtz.now)
    published_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["workspace", "number"], name="uniq_policy_version")]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Policy versions are append-only: publish a new version instead.")
        super().save(*args, **kwargs)


class PolicyAcknowledgement(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="policy_acknowledgements")
    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    acknowledged_at = models.DateTimeField(default=djtz.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "version"], name="uniq_policy_ack")]
