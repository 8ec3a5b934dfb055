"""/api/leaderboard and /api/goals."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import Http404, HttpRequest
from ninja import Router
from ninja.params.functions import Query

from groundswell.analytics.models import MemberPeriod
from groundswell.api.auth import member_of
from groundswell.api.endpoints.common import DEFAULT_PAGE, ERRORS, ERRORS_404, MAX_OFFSET, MAX_PAGE, local_today
from groundswell.api.schemas import MAX_ID, GoalOut, GoalPage, LeaderboardOut, LeaderboardRowOut, StandingOut
from groundswell.goals.models import Goal
from groundswell.goals.progress import goal_progress
from groundswell.lib.periods import period_end, period_start
from groundswell.rewards.leaderboard import leaderboard as domain_leaderboard
from groundswell.rewards.leaderboard import member_standing
from groundswell.workspaces.models import Department, LeaderboardVisibility

router = Router(tags=["Leaderboard and goals"])
_ONE_DAY = dt.timedelta(days=1)

PeriodName = Literal["week", "month", "quarter", "all"]
PERIOD_KEYS = {"week": "w", "month": "m", "quarter": "q", "all": "a", "year": "y"}
PERIOD_NAMES = {v: k for k, v in PERIOD_KEYS.items()}


def _board_size(workspace_id: int, period: str, start: dt.date, department_id: int | None) -> int:
    """How many people are on the board (the same rows ``rewards.leaderboard`` ranks)."""
    qs = MemberPeriod.objects.filter(
        workspace_id=workspace_id, period=period, start=start, member__is_active=True
    ).exclude(member__leaderboard_visibility=LeaderboardVisibility.HIDDEN)
    if department_id is not None:
        qs = qs.filter(member__department_id=department_id)
    return qs.count()


@router.get(
    "/leaderboard",
    response={200: LeaderboardOut, **ERRORS_404},
    summary="Leaderboard",
    operation_id="leaderboard",
)
def leaderboard(
    request: HttpRequest,
    period: Annotated[PeriodName, Query(description="The current week, month or quarter, or all time.")] = "month",
    department: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this department (its id).")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size (1-100).")] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Results to skip.")] = 0,
) -> LeaderboardOut:
    """People ranked by points in the current period (competition ranking: 1, 2, 2, 4). People who chose
    not to appear are left out; people who chose to appear anonymously are listed without name or id.
    `me` is your own standing."""
    me = member_of(request)
    workspace = me.workspace
    if department is not None and not Department.objects.filter(workspace=workspace, pk=department).exists():
        raise Http404("No such department")
    key = PERIOD_KEYS[period]
    start = period_start(key, local_today(me))
    rows = domain_leaderboard(workspace, key, start, department_id=department, limit=limit, offset=offset)
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
    standing = member_standing(workspace, me, key, start, department_id=department)
    return LeaderboardOut(
        total=_board_size(workspace.pk, key, start, department),
        limit=limit,
        offset=offset,
        period=period,
        start=start,
        department_id=department,
        results=results,
        me=StandingOut(
            rank=standing.rank,
            points=standing.points,
            shares=standing.shares,
            clicks=standing.clicks,
            unique_clicks=standing.unique_clicks,
            reach=standing.reach,
        )
        if standing
        else None,
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
