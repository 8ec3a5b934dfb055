"""Employee home: what to share next, how I am doing, and how the program is doing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from groundswell.analytics.models import MemberPeriod
from groundswell.content.models import Item
from groundswell.content.targeting import items_for_member
from groundswell.enrolment.queries import enrolment_call_for
from groundswell.goals.models import Goal
from groundswell.goals.progress import goal_progress
from groundswell.lib.periods import ALL_TIME_START, local_day, period_label, period_start
from groundswell.rewards.leaderboard import member_standing
from groundswell.updates.queries import newest_update
from groundswell.workspaces.access import get_membership

HOME_ITEMS = 4
HOME_GOALS = 4


@dataclass(frozen=True)
class HomeItem:
    item: Item
    share_url: str


def share_url(ws: str, item_id: int) -> str:
    """The share page for an item, or the content hub until the share page exists."""
    try:
        return reverse("sharing:share", kwargs={"ws": ws, "item_id": item_id})
    except NoReverseMatch:
        return reverse("content:list", kwargs={"ws": ws})


@login_required
def employee_home(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    workspace = member.workspace
    now = timezone.now()
    today = local_day(now, workspace.timezone)
    month = period_start("m", today)

    items = [
        HomeItem(item=item, share_url=share_url(workspace.slug, item.pk))
        for item in items_for_member(member, now)[: HOME_ITEMS + 1]
    ]
    this_month = member_standing(member, "m", month)
    overall = (
        MemberPeriod.objects.filter(workspace=workspace, member=member, period="a", start=ALL_TIME_START)
        .values_list("points", "shares", "clicks")
        .first()
    ) or (0, 0, 0)
    # Goals whose period could still be running (no goal period is longer than a year).
    recent_goals = list(
        Goal.objects.filter(
            workspace=workspace, period_start__lte=today, period_start__gt=today - dt.timedelta(days=370)
        ).order_by("-period_start", "name")[:50]
    )
    goals = [p for p in goal_progress(recent_goals, today=today) if p.is_current][:HOME_GOALS]
    return render(
        request,
        "core/home.html",
        {
            "member": member,
            "workspace": workspace,
            "nav": "home",
            "items": items[:HOME_ITEMS],
            "more_items": len(items) > HOME_ITEMS,
            "month_label": period_label("m", month),
            "month": this_month,
            "overall_points": overall[0],
            "overall_shares": overall[1],
            "overall_clicks": overall[2],
            "goals": goals,
            "latest_update": newest_update(workspace),
            "enrolment_call": enrolment_call_for(member),
        },
    )
