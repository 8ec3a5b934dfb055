"""Dashboard reads. Only rollups (``SegmentPeriod``, ``ItemDay``) are read here, never raw clicks, so every
function costs a constant number of queries whatever the size of the workspace.

Date ranges are inclusive: ``start`` and ``end`` are both days in the workspace's time zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum

from groundswell.analytics.models import Dimension, ItemDay, SegmentPeriod
from groundswell.workspaces.models import Department, Location, Membership, Workspace


@dataclass(frozen=True)
class DayPoint:
    day: dt.date
    shares: int
    clicks: int  # human clicks
    unique: int
    bot_clicks: int = 0
    reach: int = 0
    points: int = 0
    engagements: int = 0  # likes + reposts + replies seen by the engagement sync that day
    impressions: int = 0  # where the network's API reports them


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    label: str
    shares: int
    clicks: int
    unique: int
    reach: int
    active_members: int | None  # None when it cannot be known (networks, or summed over several days)
    engagements: int = 0
    impressions: int = 0


@dataclass(frozen=True)
class TopItem:
    item_id: int
    title: str
    url: str
    shares: int
    clicks: int
    unique: int
    reach: int
    engagements: int = 0
    impressions: int = 0


@dataclass(frozen=True)
class Participation:
    active: int
    members: int

    @property
    def percent(self) -> int:
        return round(100 * self.active / self.members) if self.members else 0


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def series(workspace: Workspace, start: dt.date, end: dt.date) -> list[DayPoint]:
    """One point per day from ``start`` to ``end`` (inclusive), zero-filled."""
    rows = {
        r["start"]: r
        for r in SegmentPeriod.objects.filter(
            workspace_id=workspace.pk,
            period="d",
            start__gte=start,
            start__lte=end,
            dimension=Dimension.ALL,
            key="",
        ).values(
            "start", "shares", "clicks", "unique_clicks", "bot_clicks", "reach", "points", "engagements", "impressions"
        )
    }
    out = []
    for day in _days(start, end):
        r = rows.get(day)
        out.append(
            DayPoint(
                day=day,
                shares=r["shares"] if r else 0,
                clicks=r["clicks"] if r else 0,
                unique=r["unique_clicks"] if r else 0,
                bot_clicks=r["bot_clicks"] if r else 0,
                reach=r["reach"] if r else 0,
                points=r["points"] if r else 0,
                engagements=r["engagements"] if r else 0,
                impressions=r["impressions"] if r else 0,
            )
        )
    return out


def _labels(workspace: Workspace, dimension: str, keys: list[str]) -> dict[str, str]:
    if dimension == Dimension.NETWORK:
        from groundswell.networks.registry import NETWORKS

        return {k: (NETWORKS[k].label if k in NETWORKS else k) for k in keys}
    model: type[Department] | type[Location] = Department if dimension == Dimension.DEPARTMENT else Location
    ids = [int(k) for k in keys if k.isdigit()]
    if not ids:
        return {}
    return {
        str(pk): name
        for pk, name in model.objects.filter(workspace_id=workspace.pk, pk__in=ids).values_list("pk", "name")
    }


_Row = tuple[str, int, int, int, int, int | None, int, int]


def _breakdown_rows(workspace: Workspace, dimension: str, rows: list[_Row]) -> list[BreakdownRow]:
    """``rows``: (key, shares, clicks, unique clicks, reach, active members or None, engagements, impressions)."""
    labels = _labels(workspace, dimension, [key for key, *_ in rows])
    out = [
        BreakdownRow(
            key=key,
            label=labels.get(key, "(deleted)"),
            shares=int(shares or 0),
            clicks=int(clicks or 0),
            unique=int(unique or 0),
            reach=int(reach or 0),
            active_members=None if active is None or dimension == Dimension.NETWORK else int(active),
            engagements=int(engagements or 0),
            impressions=int(impressions or 0),
        )
        for key, shares, clicks, unique, reach, active, engagements, impressions in rows
    ]
    out.sort(key=lambda b: (-b.clicks, -b.shares, b.label))
    return out


def breakdown(workspace: Workspace, dimension: str, period: str, start: dt.date) -> list[BreakdownRow]:
    """Totals per department (``dept``), location (``loc``) or network (``net``) for one calendar period."""
    rows: list[_Row] = list(
        SegmentPeriod.objects.filter(
            workspace_id=workspace.pk, period=period, start=start, dimension=dimension
        ).values_list(
            "key", "shares", "clicks", "unique_clicks", "reach", "active_members", "engagements", "impressions"
        )
    )
    return _breakdown_rows(workspace, dimension, rows)


def breakdown_range(workspace: Workspace, dimension: str, start: dt.date, end: dt.date) -> list[BreakdownRow]:
    """Like ``breakdown`` but summed over the days ``start`` to ``end`` (active members are not additive: None)."""
    rows: list[_Row] = [
        (
            str(r["key"]),
            r["s_shares"],
            r["s_clicks"],
            r["s_unique"],
            r["s_reach"],
            None,
            r["s_engagements"],
            r["s_impressions"],
        )
        for r in SegmentPeriod.objects.filter(
            workspace_id=workspace.pk, period="d", start__gte=start, start__lte=end, dimension=dimension
        )
        .values("key")
        .annotate(
            s_shares=Sum("shares"),
            s_clicks=Sum("clicks"),
            s_unique=Sum("unique_clicks"),
            s_reach=Sum("reach"),
            s_engagements=Sum("engagements"),
            s_impressions=Sum("impressions"),
        )
        .order_by()
    ]
    return _breakdown_rows(workspace, dimension, rows)


def top_items(workspace: Workspace, start: dt.date, end: dt.date, limit: int = 10) -> list[TopItem]:
    """The items with the most human clicks (then shares) between ``start`` and ``end``, from ``ItemDay``."""
    rows = (
        ItemDay.objects.filter(workspace_id=workspace.pk, day__gte=start, day__lte=end)
        .values("item_id", "item__title", "item__body", "item__url")
        .annotate(
            s_shares=Sum("shares"),
            s_clicks=Sum("clicks"),
            s_unique=Sum("unique_clicks"),
            s_reach=Sum("reach"),
            s_engagements=Sum("engagements"),
            s_impressions=Sum("impressions"),
        )
        .order_by("-s_clicks", "-s_shares", "item_id")[: max(0, limit)]
    )
    out = []
    for r in rows:
        title = r["item__title"] or (r["item__body"] or "")[:80] or r["item__url"] or f"Item {r['item_id']}"
        out.append(
            TopItem(
                item_id=r["item_id"],
                title=title,
                url=r["item__url"] or "",
                shares=int(r["s_shares"] or 0),
                clicks=int(r["s_clicks"] or 0),
                unique=int(r["s_unique"] or 0),
                reach=int(r["s_reach"] or 0),
                engagements=int(r["s_engagements"] or 0),
                impressions=int(r["s_impressions"] or 0),
            )
        )
    return out


def participation(workspace: Workspace, period: str, start: dt.date) -> Participation:
    """Members who shared at least once in the period, out of the workspace's active members."""
    active = (
        SegmentPeriod.objects.filter(
            workspace_id=workspace.pk, period=period, start=start, dimension=Dimension.ALL, key=""
        )
        .values_list("active_members", flat=True)
        .first()
    )
    members = Membership.objects.filter(workspace_id=workspace.pk, is_active=True).count()
    return Participation(active=int(active or 0), members=members)
