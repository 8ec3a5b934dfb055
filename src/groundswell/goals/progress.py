"""Goal progress, read from the workspace-wide ``SegmentPeriod`` rollups (one query for any number of goals)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from groundswell.analytics.models import Dimension, SegmentPeriod
from groundswell.goals.models import Goal, Metric
from groundswell.lib.periods import period_end, period_label

METRIC_FIELDS: dict[str, str] = {
    Metric.CLICKS: "clicks",
    Metric.SHARES: "shares",
    Metric.ACTIVE_AMBASSADORS: "active_members",
    Metric.REACH: "reach",
}


def reach_value(*, estimate: int, measured_reach: int, impressions: int) -> int:
    """The reach goal metric from one rollup row: measured where possible, estimated elsewhere.

    ``estimate`` (the ``reach`` counter) is the sum of share-time audience estimates of the period's shares;
    ``measured_reach`` the part of it belonging to posts whose network reports impressions (those estimates
    are replaced); ``impressions`` the impressions the engagement sync saw during the period. So::

        reach = impressions (where the API gives them) + audience estimate (shares without impressions)
    """
    return max(0, int(estimate) - int(measured_reach)) + int(impressions)


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    value: int
    target: int
    percent: int  # 0-100, for the progress bar
    period_label: str
    elapsed_percent: int  # how much of the period has passed, 0-100
    on_track: bool  # progress is at least as far along as the calendar (or the target is met)
    is_current: bool
    is_past: bool

    @property
    def goal_id(self) -> int:
        return self.goal.pk

    @property
    def metric_label(self) -> str:
        return Metric(self.goal.metric).label

    @property
    def status(self) -> str:
        if self.value >= self.target:
            return "Reached"
        if self.is_past:
            return "Missed"
        if not self.is_current:
            return "Not started"
        return "On track" if self.on_track else "Behind"


def _today(tz_name: str) -> dt.date:
    return timezone.now().astimezone(ZoneInfo(tz_name)).date()


def elapsed_fraction(period: str, start: dt.date, today: dt.date) -> float:
    end = period_end(period, start)
    if today < start:
        return 0.0
    if today >= end:
        return 1.0
    # Count today as under way: on the last day the whole period has (nearly) passed.
    return ((today - start).days + 1) / (end - start).days


def goal_progress(goals: list[Goal], *, today: dt.date | None = None) -> list[GoalProgress]:
    """Progress for ``goals`` (any workspaces, any periods) from one rollup query."""
    if not goals:
        return []
    keys = {(g.workspace_id, g.period, g.period_start) for g in goals}
    condition = reduce(or_, (Q(workspace_id=w, period=p, start=s) for w, p, s in keys))
    totals: dict[tuple[int, str, dt.date], dict[str, int]] = {}
    rows = SegmentPeriod.objects.filter(condition, dimension=Dimension.ALL, key="").values_list(
        "workspace_id",
        "period",
        "start",
        "clicks",
        "shares",
        "active_members",
        "reach",
        "measured_reach",
        "impressions",
    )
    for workspace_id, period, start, clicks, shares, active, estimate, measured, impressions in rows:
        totals[(workspace_id, period, start)] = {
            "clicks": clicks,
            "shares": shares,
            "active_members": active,
            "reach": reach_value(estimate=estimate, measured_reach=measured, impressions=impressions),
        }
    tz_names: dict[int, str] = {}
    out: list[GoalProgress] = []
    for goal in goals:
        if today is None:
            # Pass ``today`` (or select_related the workspace) to avoid one query per workspace here.
            if goal.workspace_id not in tz_names:
                tz_names[goal.workspace_id] = goal.workspace.timezone
            day = _today(tz_names[goal.workspace_id])
        else:
            day = today
        row = totals.get((goal.workspace_id, goal.period, goal.period_start), {})
        value = int(row.get(METRIC_FIELDS[goal.metric], 0))
        target = max(goal.target, 1)
        fraction = value / target
        elapsed = elapsed_fraction(goal.period, goal.period_start, day)
        end = period_end(goal.period, goal.period_start)
        out.append(
            GoalProgress(
                goal=goal,
                value=value,
                target=goal.target,
                percent=min(100, int(fraction * 100)),
                period_label=period_label(goal.period, goal.period_start),
                elapsed_percent=int(elapsed * 100),
                on_track=fraction >= 1 or fraction >= elapsed,
                is_current=goal.period_start <= day < end,
                is_past=day >= end,
            )
        )
    return out
