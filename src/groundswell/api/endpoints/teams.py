"""/api/teams: the ambassador teams, your own teams, applying and withdrawing."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.params.functions import Path, Query
from pydantic import ConfigDict, Field

from groundswell.api.auth import member_of
from groundswell.api.endpoints.common import DEFAULT_PAGE, ERRORS, ERRORS_404, MAX_OFFSET, MAX_PAGE
from groundswell.api.schemas import MAX_ID, Page
from groundswell.teams import actions
from groundswell.teams.models import (
    OPEN_ENTRY,
    EntryStatus,
    InvitationStatus,
    Seat,
    Team,
    TeamInvitation,
    WaitlistEntry,
)
from groundswell.teams.queries import teams_with_counts, waitlist_position
from groundswell.workspaces.access import get_for_workspace
from groundswell.workspaces.models import Membership

router = Router(tags=["Teams"])

MyStatus = Literal["member", "invited", "waiting", "none"]


class TeamOut(Schema):
    id: int = Field(examples=[3])
    name: str = Field(examples=["LinkedIn crew 2027"])
    purpose: str = Field(examples=["LinkedIn"])
    description: str = Field(examples=["Share our engineering stories on LinkedIn, about twice a week."])
    seats: int = Field(description="How many serve at once.", examples=[10])
    taken: int = Field(description="Seats held now.", examples=[8])
    free: int = Field(description="Seats neither held nor offered to someone.", examples=[1])
    waiting: int = Field(description="People on the waitlist.", examples=[4])
    applications_open: bool = Field(examples=[True])
    auto_rotate: bool = Field(examples=[True])
    term_start: dt.date = Field(description="First day of the current term.")
    term_last_day: dt.date = Field(description="Last day of the current term; the team rotates the day after.")
    my_status: MyStatus = Field(description="Whether you are on the team, invited, on the waitlist, or none.")
    my_position: int | None = Field(default=None, description="Your place on the waitlist (1 = next).")
    my_invitation_expires_at: dt.datetime | None = Field(default=None, description="Answer your invitation by.")


class TeamPage(Page):
    results: list[TeamOut]


class ApplyIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"note": "I post about our product every week."}]})

    note: str = Field(default="", max_length=280, description="A short note for the program admins (optional).")


def _statuses(me: Membership, team_ids: list[int]) -> dict[int, tuple[MyStatus, int | None, dt.datetime | None]]:
    out: dict[int, tuple[MyStatus, int | None, dt.datetime | None]] = {}
    for entry in WaitlistEntry.objects.filter(member=me, team_id__in=team_ids, status=EntryStatus.WAITING):
        out[entry.team_id] = ("waiting", waitlist_position(entry), None)
    for invitation in TeamInvitation.objects.filter(member=me, team_id__in=team_ids, status=InvitationStatus.PENDING):
        out[invitation.team_id] = ("invited", None, invitation.expires_at)
    for team_id in Seat.objects.filter(member=me, team_id__in=team_ids, served_until__isnull=True).values_list(
        "team_id", flat=True
    ):
        out[team_id] = ("member", None, None)
    return out


def _page(me: Membership, qs: QuerySet[Team], limit: int, offset: int) -> TeamPage:
    qs = qs.order_by("name", "id")
    total = qs.count()
    teams = list(qs[offset : offset + limit])
    statuses = _statuses(me, [t.pk for t in teams])
    results = []
    for t in teams:
        status, position, expires = statuses.get(t.pk, ("none", None, None))
        serving, waiting, offered = t.serving, t.waiting, t.offered  # type: ignore[attr-defined]
        results.append(
            TeamOut(
                id=t.pk,
                name=t.name,
                purpose=t.purpose,
                description=t.description,
                seats=t.seats,
                taken=serving,
                free=max(0, t.seats - serving - offered),
                waiting=waiting,
                applications_open=t.applications_open,
                auto_rotate=t.auto_rotate,
                term_start=t.term_start,
                term_last_day=t.term_last_day,
                my_status=status,
                my_position=position,
                my_invitation_expires_at=expires,
            )
        )
    return TeamPage(total=total, limit=limit, offset=offset, results=results)


Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size (1-100).")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Results to skip.")]
TeamId = Annotated[int, Path(ge=1, le=MAX_ID, description="The team's id.")]


@router.get("/teams", response={200: TeamPage, **ERRORS}, summary="List teams", operation_id="list_teams")
def list_teams(request: HttpRequest, limit: Limit = DEFAULT_PAGE, offset: Offset = 0) -> TeamPage:
    """The workspace's ambassador teams by name, with seats, the waitlist's length and your own status."""
    me = member_of(request)
    return _page(me, teams_with_counts(me.workspace), limit, offset)


@router.get("/teams/mine", response={200: TeamPage, **ERRORS}, summary="My teams", operation_id="my_teams")
def my_teams(request: HttpRequest, limit: Limit = DEFAULT_PAGE, offset: Offset = 0) -> TeamPage:
    """The teams you are on, are invited to, or wait for."""
    me = member_of(request)
    seated = Seat.objects.filter(member=me, served_until__isnull=True).values("team_id")
    applied = WaitlistEntry.objects.filter(member=me, status__in=OPEN_ENTRY).values("team_id")
    invited = TeamInvitation.objects.filter(member=me, status=InvitationStatus.PENDING).values("team_id")
    qs = teams_with_counts(me.workspace).filter(Q(pk__in=seated) | Q(pk__in=applied) | Q(pk__in=invited))
    return _page(me, qs, limit, offset)


def _one(me: Membership, team_id: int) -> TeamOut:
    return _page(me, teams_with_counts(me.workspace).filter(pk=team_id), 1, 0).results[0]


@router.post(
    "/teams/{team_id}/apply",
    response={200: TeamOut, **ERRORS_404},
    summary="Apply to a team",
    operation_id="apply_to_team",
)
def apply(request: HttpRequest, team_id: TeamId, payload: ApplyIn) -> TeamOut:
    """Join the team's waitlist, at its end. If a seat is free you are invited at once (`my_status` is
    `invited`; accept on the team page or through the link in the email). Applying when applications are
    closed, or when you are already on the team or its waitlist, is a 422 with the reason in `detail`."""
    me = member_of(request)
    team = get_for_workspace(Team.objects.select_related("workspace"), me.workspace, pk=team_id)
    try:
        actions.apply_to_team(team=team, member=me, note=payload.note)
    except actions.TeamError as exc:
        raise HttpError(422, str(exc)) from None
    return _one(me, team.pk)


@router.post(
    "/teams/{team_id}/withdraw",
    response={200: TeamOut, **ERRORS_404},
    summary="Withdraw an application",
    operation_id="withdraw_from_team",
)
def withdraw(request: HttpRequest, team_id: TeamId) -> TeamOut:
    """Leave the team's waitlist (an invitation you have not answered is cancelled). A 422 if you are not
    on the waitlist."""
    me = member_of(request)
    team = get_for_workspace(Team.objects.select_related("workspace"), me.workspace, pk=team_id)
    try:
        actions.withdraw_application(team=team, member=me)
    except actions.TeamError as exc:
        raise HttpError(422, str(exc)) from None
    return _one(me, team.pk)
