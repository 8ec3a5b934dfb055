"""SCIM provisioning: the workspace's bearer tokens, what the identity provider calls people and departments,
and a log of every write it made."""

from __future__ import annotations

import hashlib

from django.db import models
from django.utils import timezone as djtz

from groundswell.workspaces.models import Department, Membership, Workspace


class ScimToken(models.Model):
    """A bearer token for one workspace's identity provider. Shown once; only its SHA-256 is kept."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="scim_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=djtz.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class ScimUser(models.Model):
    """How the identity provider knows a member: its ``userName`` and ``externalId``.

    Only members the provider created or matched have one; everyone else is listed under their email.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="scim")
    user_name = models.CharField(max_length=254)
    external_id = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(default=djtz.now)
    updated_at = models.DateTimeField(default=djtz.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user_name"], name="uniq_scim_user_name"),
            models.UniqueConstraint(
                fields=["workspace", "external_id"], condition=~models.Q(external_id=""), name="uniq_scim_user_external"
            ),
        ]

    def __str__(self) -> str:
        return self.user_name


class ScimGroup(models.Model):
    """The identity provider's ``externalId`` for a department (a SCIM Group)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    department = models.OneToOneField(Department, on_delete=models.CASCADE, related_name="scim")
    external_id = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(default=djtz.now)
    updated_at = models.DateTimeField(default=djtz.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"],
                condition=~models.Q(external_id=""),
                name="uniq_scim_group_external",
            ),
        ]

    def __str__(self) -> str:
        return self.external_id or str(self.department_id)


class ScimEvent(models.Model):
    """One write made through SCIM: which token, which person or department, what changed."""

    class Operation(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DEACTIVATE = "deactivate", "Deactivated"
        REACTIVATE = "reactivate", "Reactivated"
        DELETE = "delete", "Deleted"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="scim_events")
    token = models.ForeignKey(ScimToken, null=True, on_delete=models.SET_NULL, related_name="events")
    token_name = models.CharField(max_length=80)
    resource_type = models.CharField(max_length=8)  # "User" or "Group"
    resource_id = models.CharField(max_length=32)
    member = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    label = models.CharField(max_length=254, help_text="Who or what, as it was called at the time.")
    operation = models.CharField(max_length=12, choices=Operation.choices)
    changes = models.JSONField(default=dict, blank=True)  # {"department": ["Sales", "Marketing"], ...}
    created_at = models.DateTimeField(default=djtz.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.operation} {self.resource_type} {self.label}"

    def change_lines(self) -> list[str]:
        """The changes in words: "department: Sales → Marketing", "members added: Ann, Bo"."""
        lines: list[str] = []
        for key, value in self.changes.items():
            if isinstance(value, dict) and set(value) == {"from", "to"}:
                lines.append(f"{key}: {_shown(value['from'])} → {_shown(value['to'])}")
            elif isinstance(value, list):
                lines.append(f"{key}: {', '.join(str(v) for v in value)}")
            else:
                lines.append(f"{key}: {_shown(value)}")
        return lines


def _shown(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
