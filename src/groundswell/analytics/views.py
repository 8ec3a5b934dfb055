"""The program dashboard for managers and admins: aggregates only, all read from rollups."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from groundswell.analytics.charts import CHART_CSP, activity_chart, breakdown_chart
from groundswell.analytics.models import Dimension
from groundswell.analytics.queries import (
    BreakdownRow,
    DayPoint,
    breakdown_range,
    participation,
    series,
    top_items,
)
from groundswell.core.dbrouter import reads_from_replica
from groundswell.lib.export import csv_response
from groundswell.lib.periods import local_day, period_label, period_start
from groundswell.privacy.visibility import fold_small_groups
from groundswell.workspaces.access import get_membership, require_role
from groundswell.workspaces.models import Membership, Role, Workspace

RANGES = (30, 90)
DEFAULT_RANGE = 30


@dataclass(frozen=True)
class Window:
    days: int
    start: dt.date
    end: dt.date  # inclusive (today)


def _window(request: HttpRequest, workspace: Workspace) -> Window:
    try:
        days = int(request.GET.get("days", DEFAULT_RANGE))
    except ValueError:
        days = DEFAULT_RANGE
    if days not in RANGES:
        days = DEFAULT_RANGE
    end = local_day(timezone.now(), workspace.timezone)
    return Window(days=days, start=end - dt.timedelta(days=days - 1), end=end)


def _manager(request: HttpRequest, ws: str) -> Membership:
    member = get_membership(request.user, ws)
    require_role(member, Role.MANAGER)
    return member


@dataclass(frozen=True)
class Totals:
    shares: int
    clicks: int
    unique: int
    bot_clicks: int
    reach: int
    engagements: int = 0
    impressions: int = 0

    @property
    def clicks_per_share(self) -> float:
        return self.clicks / self.shares if self.shares else 0.0


def _totals(points: list[DayPoint]) -> Totals:
    return Totals(
        shares=sum(p.shares for p in points),
        clicks=sum(p.clicks for p in points),
        unique=sum(p.unique for p in points),
        bot_clicks=sum(p.bot_clicks for p in points),
        reach=sum(p.reach for p in points),
        engagements=sum(p.engagements for p in points),
        impressions=sum(p.impressions for p in points),
    )


def _as_row(totals: Totals) -> BreakdownRow:
    """The workspace's figures as a breakdown row (what the "everyone else" row is computed from)."""
    return BreakdownRow(
        key="",
        label="",
        shares=totals.shares,
        clicks=totals.clicks,
        unique=totals.unique,
        reach=totals.reach,
        active_members=None,
        engagements=totals.engagements,
        impressions=totals.impressions,
    )


@login_required
@reads_from_replica
def dashboard(request: HttpRequest, ws: str) -> HttpResponse:
    member = _manager(request, ws)
    workspace = member.workspace
    window = _window(request, workspace)
    points = series(workspace, window.start, window.end)
    month = period_start("m", window.end)
    quarter = period_start("q", window.end)
    base = reverse("analytics:dashboard", kwargs={"ws": workspace.slug})
    totals = _totals(points)
    departments = fold_small_groups(
        member,
        Dimension.DEPARTMENT,
        breakdown_range(workspace, Dimension.DEPARTMENT, window.start, window.end),
        _as_row(totals),
    )
    networks = breakdown_range(workspace, Dimension.NETWORK, window.start, window.end)
    return render(
        request,
        "analytics/dashboard.html",
        {
            "workspace": workspace,
            "member": member,
            "nav": "dashboard",
            "window": window,
            "ranges": [(d, f"Last {d} days", f"{base}?days={d}") for d in RANGES],
            "totals": totals,
            "points": points,
            "has_activity": bool(totals.shares or totals.clicks or totals.engagements or totals.impressions),
            "participation_month": participation(workspace, "m", month),
            "participation_quarter": participation(workspace, "q", quarter),
            "month_label": period_label("m", month),
            "quarter_label": period_label("q", quarter),
            "top": top_items(workspace, window.start, window.end, 10),
            "departments": departments,
            "networks": networks,
            "max_dept_clicks": max((r.clicks for r in departments), default=0),
            "max_net_clicks": max((r.clicks for r in networks), default=0),
        },
    )


def _svg(body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_CSP
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


#: The dashboard's charts (``chart/<kind>.svg``); the empty-workspace guard test requests each one.
CHART_KINDS = ("activity", "departments", "networks")


@login_required
@reads_from_replica
def chart(request: HttpRequest, ws: str, kind: str) -> HttpResponse:
    member = _manager(request, ws)
    workspace = member.workspace
    window = _window(request, workspace)
    span = f"last {window.days} days"
    if kind == "activity":
        return _svg(activity_chart(series(workspace, window.start, window.end), f"Human clicks and shares, {span}"))
    if kind == "departments":
        rows = breakdown_range(workspace, Dimension.DEPARTMENT, window.start, window.end)
        total = _as_row(_totals(series(workspace, window.start, window.end)))
        folded = fold_small_groups(member, Dimension.DEPARTMENT, rows, total)
        return _svg(breakdown_chart(folded, f"By department, {span}"))
    if kind == "networks":
        rows = breakdown_range(workspace, Dimension.NETWORK, window.start, window.end)
        return _svg(breakdown_chart(rows, f"By network, {span}"))
    raise Http404("No such chart")


@login_required
@reads_from_replica
def export_daily(request: HttpRequest, ws: str) -> HttpResponse:
    member = _manager(request, ws)
    workspace = member.workspace
    window = _window(request, workspace)
    response, writer = csv_response(f"groundswell-{workspace.slug}-daily-{window.start}-{window.end}.csv")
    writer.writerow(["date", "shares", "human_clicks", "unique_clicks", "bot_clicks", "estimated_reach", "points"])
    for p in series(workspace, window.start, window.end):
        writer.writerow([p.day.isoformat(), p.shares, p.clicks, p.unique, p.bot_clicks, p.reach, p.points])
    return response


@login_required
@reads_from_replica
def export_items(request: HttpRequest, ws: str) -> HttpResponse:
    member = _manager(request, ws)
    workspace = member.workspace
    window = _window(request, workspace)
    response, writer = csv_response(f"groundswell-{workspace.slug}-items-{window.start}-{window.end}.csv")
    writer.writerow(["item_id", "title", "url", "shares", "human_clicks", "unique_clicks", "estimated_reach"])
    for item in top_items(workspace, window.start, window.end, limit=10_000):
        writer.writerow([item.item_id, item.title, item.url, item.shares, item.clicks, item.unique, item.reach])
    return response
