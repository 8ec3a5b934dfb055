"""The program dashboard for managers and admins: aggregates only, all read from rollups."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from groundswell.analytics.chart_data import activity_data, breakdown_data
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
from groundswell.analytics.ranges import PRESETS, DateRange, RangeChoice, parse_range
from groundswell.core.dbrouter import reads_from_replica
from groundswell.lib.export import csv_response
from groundswell.lib.periods import local_day, period_label, period_start
from groundswell.privacy.visibility import fold_small_groups
from groundswell.workspaces.access import get_membership, require_role
from groundswell.workspaces.models import Membership, Role, Workspace


def _range(request: HttpRequest, workspace: Workspace) -> RangeChoice:
    """The range the query string asks for, days counted in the workspace's time zone."""
    return parse_range(request.GET, local_day(timezone.now(), workspace.timezone))


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


@dataclass(frozen=True)
class Kpi:
    label: str
    value: int | float
    previous: int | float | None = None  # the previous period's figure when comparing
    decimals: int = 0

    @property
    def delta_percent(self) -> int | None:
        """The change against the previous period in whole percent; None without a comparison or from 0."""
        if self.previous is None or not self.previous:
            return None
        return round(100 * (self.value - self.previous) / self.previous)

    @property
    def delta_text(self) -> str:
        """A signed percentage ("+12%", minus sign for a fall, "0%"); "new" from nothing; a dash when both are 0."""
        if self.previous is None:
            return ""
        if not self.previous:
            return "new" if self.value else "\u2013"
        percent = self.delta_percent or 0
        return f"+{percent}%" if percent > 0 else (f"\u2212{-percent}%" if percent < 0 else "0%")

    @property
    def direction(self) -> str:
        if self.previous is None or self.value == self.previous:
            return "flat"
        return "up" if self.value > self.previous else "down"


def _kpis(totals: Totals, before: Totals | None) -> list[Kpi]:
    def pick(name: str) -> int | None:
        return getattr(before, name) if before is not None else None

    return [
        Kpi("Shares started", totals.shares, pick("shares")),
        Kpi("Human clicks", totals.clicks, pick("clicks")),
        Kpi("Unique visitors", totals.unique, pick("unique")),
        Kpi("Estimated reach", totals.reach, pick("reach")),
        Kpi("Engagements", totals.engagements, pick("engagements")),
        Kpi("Impressions", totals.impressions, pick("impressions")),
        Kpi(
            "Clicks per share",
            totals.clicks_per_share,
            before.clicks_per_share if before is not None else None,
            decimals=1,
        ),
    ]


_SPANS = {
    "7d": "the last 7 days",
    "30d": "the last 30 days",
    "90d": "the last 90 days",
    "month": "this month",
    "last-month": "last month",
    "quarter": "this quarter",
    "ytd": "the year to date",
}


def _span(window: DateRange) -> str:
    """The range in words, to follow "in" ("in the last 30 days", "in 01 Jan 2026 to 31 Jan 2026" with a dash)."""
    return _SPANS.get(window.preset) or f"{window.start:%d %b %Y} \u2013 {window.end:%d %b %Y}"


@login_required
@reads_from_replica
def dashboard(request: HttpRequest, ws: str) -> HttpResponse:
    member = _manager(request, ws)
    workspace = member.workspace
    choice = _range(request, workspace)
    window = choice.range
    points = series(workspace, window.start, window.end)
    previous = window.previous() if window.compare else None
    # The comparison costs one query more (its daily series), whatever the size of either period.
    before = series(workspace, previous.start, previous.end) if previous is not None else None
    month = period_start("m", window.end)
    quarter = period_start("q", window.end)
    base = reverse("analytics:dashboard", kwargs={"ws": workspace.slug})
    totals = _totals(points)
    before_totals = _totals(before) if before is not None else None
    departments = fold_small_groups(
        member,
        Dimension.DEPARTMENT,
        breakdown_range(workspace, Dimension.DEPARTMENT, window.start, window.end),
        _as_row(totals),
    )
    networks = breakdown_range(workspace, Dimension.NETWORK, window.start, window.end)
    span = _span(window)
    return render(
        request,
        "analytics/dashboard.html",
        {
            "workspace": workspace,
            "member": member,
            "nav": "dashboard",
            "window": window,
            "previous": previous,
            "range_error": choice.error,
            "span": span,
            "query": window.query(),
            "presets": [
                (key, label, f"{base}?{window.query(preset=key)}", key == window.preset)
                for key, label in PRESETS.items()
            ],
            "compare_url": f"{base}?{window.query(compare=not window.compare)}",
            "totals": totals,
            "kpis": _kpis(totals, before_totals),
            "points": points,
            "rows": list(zip(points, before, strict=True)) if before is not None else [(p, None) for p in points],
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
            "activity_chart": activity_data(points, before, title=f"Human clicks and shares per day in {span}"),
            "department_chart": breakdown_data(departments, title=f"By department in {span}"),
            "network_chart": breakdown_data(networks, title=f"By network in {span}"),
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
    window = _range(request, workspace).range
    span = _span(window)
    if kind == "activity":
        return _svg(activity_chart(series(workspace, window.start, window.end), f"Human clicks and shares in {span}"))
    if kind == "departments":
        rows = breakdown_range(workspace, Dimension.DEPARTMENT, window.start, window.end)
        total = _as_row(_totals(series(workspace, window.start, window.end)))
        folded = fold_small_groups(member, Dimension.DEPARTMENT, rows, total)
        return _svg(breakdown_chart(folded, f"By department in {span}"))
    if kind == "networks":
        rows = breakdown_range(workspace, Dimension.NETWORK, window.start, window.end)
        return _svg(breakdown_chart(rows, f"By network in {span}"))
    raise Http404("No such chart")


@login_required
@reads_from_replica
def export_daily(request: HttpRequest, ws: str) -> HttpResponse:
    member = _manager(request, ws)
    workspace = member.workspace
    choice = _range(request, workspace)
    if choice.error:
        return HttpResponseBadRequest(choice.error, content_type="text/plain; charset=utf-8")
    window = choice.range
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
    choice = _range(request, workspace)
    if choice.error:
        return HttpResponseBadRequest(choice.error, content_type="text/plain; charset=utf-8")
    window = choice.range
    response, writer = csv_response(f"groundswell-{workspace.slug}-items-{window.start}-{window.end}.csv")
    writer.writerow(["item_id", "title", "url", "shares", "human_clicks", "unique_clicks", "estimated_reach"])
    for item in top_items(workspace, window.start, window.end, limit=10_000):
        writer.writerow([item.item_id, item.title, item.url, item.shares, item.clicks, item.unique, item.reach])
    return response
