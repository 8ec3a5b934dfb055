"""Workspaces (one company's program) and the people in them."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone as djtz


def validate_timezone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (for example Europe/Berlin).")


class Workspace(models.Model):
    """One company's advocacy program. An agency runs several; they never see each other's data."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    vision = models.TextField(
        blank=True, help_text="Why the program exists and what it is trying to achieve, in plain words."
    )
    min_group_size = models.PositiveSmallIntegerField(
        default=5,
        db_default=5,
        help_text="Managers see totals for a group of people only when it has at least this many members, "
        "so nobody can be singled out.",
    )
    created_at = models.DateTimeField(default=djtz.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_department_name")]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_location_name")]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", "Program admin"
    MANAGER = "manager", "Manager"
    EMPLOYEE = "employee", "Employee"


class LeaderboardVisibility(models.TextChoices):
    """How a member appears on boards (ADR 0025). Private until the member chooses otherwise."""

    HIDDEN = "hidden", "Private: only I see my place"
    ANONYMOUS = "anonymous", "Anonymously"
    NAME = "name", "Under my name"


class Membership(models.Model):
    """A person in a workspace. Everything an employee does is attributed to a membership, not a user."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.EMPLOYEE)
    display_name = models.CharField(max_length=120)
    title = models.CharField(max_length=120, blank=True)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    manager = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    interests = models.ManyToManyField("content.Topic", blank=True, related_name="interested_members")
    mastodon_instance = models.CharField(
        max_length=253, blank=True, help_text="Your Mastodon server, for example mastodon.social"
    )
    audience_size = models.PositiveIntegerField(
        default=0, help_text="Roughly how many people follow you across networks (used to estimate reach)."
    )
    leaderboard_visibility = models.CharField(
        max_length=12,
        choices=LeaderboardVisibility.choices,
        default=LeaderboardVisibility.HIDDEN,
        help_text="Set only by the member in the privacy centre (privacy.actions.set_leaderboard_visibility).",
    )
    is_active = models.BooleanField(default=True)
    awaiting_acceptance = models.BooleanField(
        default=False,
        db_default=False,
        help_text="Provisioned by this workspace on an account that belongs to another one: inactive, and grants "
        "nothing, until the person accepts the invitation while signed in (ADR 0024).",
    )
    joined_at = models.DateTimeField(default=djtz.now)
    employee_id = models.CharField(max_length=64, blank=True, help_text="The HR system's identifier (optional).")

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="uniq_membership"),
            models.UniqueConstraint(
                fields=["workspace", "employee_id"],
                condition=~models.Q(employee_id=""),
                name="uniq_member_employee_id",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "department"]),
            models.Index(fields=["workspace", "role"]),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_manager(self) -> bool:
        return self.role in (Role.ADMIN, Role.MANAGER)


def _invitation_expiry() -> datetime:
    return djtz.now() + timedelta(days=14)


class Invitation(models.Model):
    """An emailed invitation. Only a hash of the token is stored."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.EMPLOYEE)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=djtz.now)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > djtz.now()


class ApiToken(models.Model):
    """A personal API token. The secret is shown once; only its SHA-256 is kept."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_tokens")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=djtz.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded"
    PREVIEWED = "previewed", "Ready to import"
    RUNNING = "running", "Importing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ImportJob(models.Model):
    """One CSV import of employees: the file, its preview, and the progress and outcome of applying it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="import_jobs")
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    file_name = models.CharField(max_length=255)
    content = models.TextField(help_text="The uploaded CSV, decoded.")
    send_invitations = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"row": 3, "column": "email", "message": "…"}]
    preview = models.JSONField(default=list, blank=True)  # the first rows as they will be imported
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(default=djtz.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 100
