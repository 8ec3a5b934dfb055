"""/api/leaderboard and /api/goals."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import Http404, HttpRequest
from ninja import Router
from ninja.errors import HttpError
from ninja.params.functions import Query

from groundswell.api.auth import member_of
from groundswell.api.endpoints.common import DEFAULT_PAGE, ERRORS, ERRORS_404, MAX_OFFSET, MAX_PAGE, local_today
from groundswell.api.schemas import (
    MAX_ID,
    GoalOut,
    GoalPage,
    LeaderboardOut,
    LeaderboardRowOut,
    LeagueOut,
    LeagueRowOut,
    StandingOut,
)
from groundswell.goals.models import Goal
from groundswell.goals.progress import goal_progress
from groundswell.lib.periods import period_end, period_start
from groundswell.rewards.leaderboard import ANONYMOUS_NAME, EVERYONE, Scope, board_size, member_standing
from groundswell.rewards.leaderboard import leaderboard as domain_leaderboard
from groundswell.rewards.leaderboard import near_me as domain_near_me
from groundswell.rewards.leagues import league_for
from groundswell.rewards.teams import team_directory
from groundswell.workspaces.models import Department, Location

router = Router(tags=["Leaderboard and goals"])
_ONE_DAY = dt.timedelta(days=1)

PeriodName = Literal["week", "month", "quarter", "year", "all"]
PERIOD_KEYS = {"week": "w", "month": "m", "quarter": "q", "all": "a", "year": "y"}
PERIOD_NAMES = {v: k for k, v in PERIOD_KEYS.items()}


@router.get(
    "/leaderboard",
    response={200: LeaderboardOut, **ERRORS_404},
    summary="Leaderboard",
    operation_id="leaderboard",
)
def leaderboard(
    request: HttpRequest,
    period: Annotated[
        PeriodName, Query(description="The current week, month, quarter or year, or all time.")
    ] = "month",
    department: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this department (its id).")] = None,
    location: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this location (its id).")] = None,
    team: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this team (its id), when teams are available.")
    ] = None,
    near_me: Annotated[bool, Query(description="Only the five people above and below you.")] = False,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size (1-100).")] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Results to skip.")] = 0,
) -> LeaderboardOut:
    """People ranked by points in the current period (competition ranking: 1, 2, 2, 4), as the privacy rule
    lets you see them (ADR 0025): people are listed by name only when they chose it; people who chose to
    appear anonymously are listed without name or id, and only where at least the workspace's minimum group
    size of people appear anonymously on that board; private people (the default) are left out. You always
    see your own row, even when private.
    At most one of `department`, `location` and `team`. `near_me` gives the five people above and below you
    with their real ranks (no paging). `me` is your own standing."""
    me = member_of(request)
    workspace = me.workspace
    if sum(x is not None for x in (department, location, team)) > 1:
        raise HttpError(422, "Choose at most one of department, location and team.")
    key = PERIOD_KEYS[period]
    today = local_today(me)
    start = period_start(key, today)
    scope = EVERYONE
    if department is not None:
        if not Department.objects.filter(workspace=workspace, pk=department).exists():
            raise Http404("No such department")
        scope = Scope(department_id=department)
    elif location is not None:
        if not Location.objects.filter(workspace=workspace, pk=location).exists():
            raise Http404("No such location")
        scope = Scope(location_id=location)
    elif team is not None:
        directory = team_directory()
        member_ids = directory.member_ids(workspace, team, today) if directory is not None else None
        if member_ids is None:
            raise Http404("No such team")
        scope = Scope(member_ids=member_ids)
    if near_me:
        rows = domain_near_me(me, key, start, scope=scope)
        limit, offset = len(rows), 0
    else:
        rows = domain_leaderboard(me, key, start, scope=scope, limit=limit, offset=offset)
    results = [
        LeaderboardRowOut(
            rank=row.rank,
            member_id=None if row.is_anonymous and row.member_id != me.pk else row.member_id,
            display_name=row.display_name,
            is_anonymous=row.is_anonymous,
            points=row.points,
            shares=row.shares,
            clicks=row.clicks,
            is_me=row.member_id == me.pk,
        )
        for row in rows
    ]
    standing = member_standing(me, key, start, scope=scope)
    return LeaderboardOut(
        total=board_size(me, key, start, scope),
        limit=limit,
        offset=offset,
        period=period,
        start=start,
        department_id=department,
        location_id=location,
        team_id=team,
        near_me=near_me,
        results=results,
        me=StandingOut(
            rank=standing.rank,
            points=standing.points,
            shares=standing.shares,
            clicks=standing.clicks,
            unique_clicks=standing.unique_clicks,
            reach=standing.reach,
            listed=standing.listed,
        )
        if standing
        else None,
    )


@router.get(
    "/league/me",
    response={200: LeagueOut, **ERRORS_404},
    summary="My league",
    operation_id="my_league",
)
def my_league(request: HttpRequest) -> LeagueOut:
    """Your league group this week: about 30 people of similar activity ranked by this week's points, and how
    many move up or down at the end of the week. 404 when you are not in a league (you chose not to appear
    on leaderboards, or the week's draw has not seated you yet)."""
    me = member_of(request)
    week = period_start("w", local_today(me))
    view = league_for(me, week)
    if view is None:
        raise Http404("You are not in a league this week")
    return LeagueOut(
        week=week,
        tier=view.seat.tier,
        tier_name=view.tier_name,
        movement=view.seat.movement,  # type: ignore[arg-type]
        my_rank=view.my_rank,
        promoted=view.promoted,
        relegated=view.relegated,
        results=[
            LeagueRowOut(
                rank=row.rank,
                member_id=None if row.display_name == ANONYMOUS_NAME and row.member_id != me.pk else row.member_id,
                display_name=row.display_name,
                points=row.points,
                zone=row.zone,  # type: ignore[arg-type]
                is_me=row.member_id == me.pk,
            )
            for row in view.rows
        ],
    )


GoalFilter = Literal["current", "past", "upcoming", "all"]


@router.get(
    "/goals",
    response={200: GoalPage, **ERRORS},
    summary="Program goals",
    operation_id="list_goals",
)
def goals(
    request: HttpRequest,
    when: Annotated[GoalFilter, Query(description="current (period includes today), past, upcoming or all.")] = "all",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size (1-100).")] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Results to skip.")] = 0,
) -> GoalPage:
    """The program's goals with their progress (from the workspace-wide rollups), newest period first."""
    me = member_of(request)
    today = local_today(me)
    all_goals = list(Goal.objects.filter(workspace_id=me.workspace_id).order_by("-period_start", "name", "id"))
    if when != "all":

        def matches(goal: Goal) -> bool:
            end = period_end(goal.period, goal.period_start)
            if when == "current":
                return goal.period_start <= today < end
            if when == "past":
                return end <= today
            return goal.period_start > today

        all_goals = [g for g in all_goals if matches(g)]
    page = all_goals[offset : offset + limit]
    results = [
        GoalOut(
            id=p.goal.pk,
            name=p.goal.name,
            metric=p.goal.metric,  # type: ignore[arg-type]
            target=p.target,
            value=p.value,
            percent=p.percent,
            period=PERIOD_NAMES[p.goal.period],  # type: ignore[arg-type]
            period_start=p.goal.period_start,
            period_end=period_end(p.goal.period, p.goal.period_start) - _ONE_DAY,
            period_label=p.period_label,
            elapsed_percent=p.elapsed_percent,
            on_track=p.on_track,
            status=p.status,  # type: ignore[arg-type]
            is_current=p.is_current,
        )
        for p in goal_progress(page, today=today)
    ]
    return GoalPage(total=len(all_goals), limit=limit, offset=offset, results=results)
