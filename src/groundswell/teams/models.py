"""Ambassador teams: named groups with a fixed number of seats, a term, a waitlist and a rotation.

Seats are history: a :class:`Seat` row is created when someone joins and closed (``served_until`` and
``ended``) when they leave; it is never deleted or reopened, so the team page can show who served when.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone

from groundswell.workspaces.models import Membership, Workspace


class Team(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    purpose = models.CharField(
        max_length=200, blank=True, help_text="What the team does and where, for example “LinkedIn and Bluesky”."
    )
    seats = models.PositiveSmallIntegerField(default=10, help_text="How many people serve at the same time.")
    term_months = models.PositiveSmallIntegerField(default=12, help_text="How long a term lasts, in months.")
    term_start = models.DateField(help_text="First day of the current term.")
    term_end = models.DateField(help_text="The day the current term ends and the team rotates (not part of it).")
    applications_open = models.BooleanField(default=True, help_text="Members may join the waitlist.")
    auto_rotate = models.BooleanField(
        default=True, help_text="Rotate automatically when the term ends (otherwise an admin rotates by hand)."
    )
    invitation_days = models.PositiveSmallIntegerField(
        default=7, help_text="Days an invitation stays open before it goes to the next person."
    )
    notice_days = models.PositiveSmallIntegerField(
        default=14, help_text="Days before the term ends that members are told they will rotate out."
    )
    #: The ``term_end`` whose advance notice has been sent (claimed with a conditional update).
    notice_sent_for = models.DateField(null=True, blank=True)
    last_rotated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_team_name")]
        indexes = [models.Index(fields=["auto_rotate", "term_end"])]

    def __str__(self) -> str:
        return self.name

    @property
    def term_last_day(self) -> dt.date:
        return self.term_end - dt.timedelta(days=1)


class SeatEnd(models.TextChoices):
    ROTATED = "rotated", "Rotated out at the end of the term"
    LEFT = "left", "Left the team"
    REMOVED = "removed", "Removed by a program admin"
    DEACTIVATED = "deactivated", "No longer a member of the workspace"


class Seat(models.Model):
    """One person's time on a team, from ``served_from`` until ``served_until`` (exclusive, empty while serving)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="seat_history")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="team_seats")
    served_from = models.DateField()
    served_until = models.DateField(null=True, blank=True)
    ended = models.CharField(max_length=12, choices=SeatEnd.choices, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    #: The member asked to go back on the waitlist (at its end) when the term ends.
    reapply = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-served_from", "member__display_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "member"], condition=models.Q(served_until__isnull=True), name="uniq_current_seat"
            )
        ]
        indexes = [models.Index(fields=["team", "served_until"]), models.Index(fields=["member", "served_until"])]

    @property
    def is_current(self) -> bool:
        return self.served_until is None


class EntryStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    INVITED = "invited", "Invited"
    JOINED = "joined", "Joined the team"
    WITHDRAWN = "withdrawn", "Withdrew"
    REMOVED = "removed", "Removed by a program admin"
    DECLINED = "declined", "Declined the invitation"
    EXPIRED = "expired", "Did not answer the invitation in time"
    DEACTIVATED = "deactivated", "Closed: no longer a member of the workspace"


OPEN_ENTRY = (EntryStatus.WAITING, EntryStatus.INVITED)


class WaitlistEntry(models.Model):
    """An application. Ordered by ``position`` (application order; admins may reorder)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="waitlist")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="team_applications")
    note = models.CharField(max_length=280, blank=True)
    position = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=EntryStatus.choices, default=EntryStatus.WAITING)
    reapplied = models.BooleanField(default=False, help_text="Put back on the waitlist at the end of a term served.")
    applied_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "applied_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "member"],
                condition=models.Q(status__in=["waiting", "invited"]),
                name="uniq_open_application",
            )
        ]
        indexes = [models.Index(fields=["team", "status", "position"])]


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"
    CANCELLED = "cancelled", "Cancelled"


class TeamInvitation(models.Model):
    """An offer of a free seat. A pending invitation holds the seat until it is answered or expires."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="team_invitations")
    entry = models.ForeignKey(WaitlistEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    invited_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "member"], condition=models.Q(status="pending"), name="uniq_pending_team_invitation"
            )
        ]
        indexes = [models.Index(fields=["status", "expires_at"]), models.Index(fields=["member", "status"])]

    @property
    def is_pending(self) -> bool:
        return self.status == InvitationStatus.PENDING
