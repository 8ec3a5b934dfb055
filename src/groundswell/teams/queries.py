"""Read queries about teams, for this app and others (the leaderboard's "team" scope uses these)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from groundswell.teams.models import EntryStatus, InvitationStatus, Seat, Team, TeamInvitation, WaitlistEntry
from groundswell.workspaces.models import Membership, Workspace


def _serving_on(day: dt.date) -> Q:
    return Q(served_from__lte=day) & (Q(served_until__isnull=True) | Q(served_until__gt=day))


def member_ids_on(team: Team, day: dt.date) -> set[int]:
    """The ids of the memberships that held a seat on ``team`` on ``day`` (one query)."""
    return set(Seat.objects.filter(_serving_on(day), team=team).values_list("member_id", flat=True))


def teams_of(member: Membership, day: dt.date) -> list[Team]:
    """The teams ``member`` served on on ``day``, by name (one query)."""
    return list(
        Team.objects.filter(
            workspace_id=member.workspace_id,
            seat_history__in=Seat.objects.filter(_serving_on(day), member=member),
        )
        .distinct()
        .order_by("name")
    )


def _count(queryset: QuerySet[Any]) -> Subquery:
    """A correlated ``COUNT(*)`` (no joins multiplying rows, however long the history grows)."""
    counted = queryset.order_by().values("team_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))  # type: ignore[return-value]


def teams_with_counts(workspace: Workspace) -> QuerySet[Team]:
    """The workspace's teams with ``serving``, ``waiting`` and ``offered`` counts (one query)."""
    return Team.objects.filter(workspace=workspace).annotate(
        serving=_count(Seat.objects.filter(team=OuterRef("pk"), served_until__isnull=True)),
        waiting=_count(WaitlistEntry.objects.filter(team=OuterRef("pk"), status=EntryStatus.WAITING)),
        offered=_count(TeamInvitation.objects.filter(team=OuterRef("pk"), status=InvitationStatus.PENDING)),
    )


def pending_invitations(member: Membership) -> list[TeamInvitation]:
    return list(
        TeamInvitation.objects.filter(member=member, status=InvitationStatus.PENDING)
        .select_related("team")
        .order_by("expires_at")
    )


def waitlist_position(entry: WaitlistEntry) -> int:
    """1 for the head of the waitlist."""
    earlier = WaitlistEntry.objects.filter(team_id=entry.team_id, status=EntryStatus.WAITING).filter(
        Q(position__lt=entry.position)
        | Q(position=entry.position, applied_at__lt=entry.applied_at)
        | Q(position=entry.position, applied_at=entry.applied_at, id__lt=entry.pk)
    )
    return earlier.count() + 1
