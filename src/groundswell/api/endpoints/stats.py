"""/api/stats: clicks over time and top items, read from the analytics rollups."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.db.models import QuerySet, Sum
from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError
from ninja.params.functions import Query

from groundswell.analytics.models import Dimension, ItemDay, MemberPeriod, SegmentPeriod
from groundswell.api.auth import member_of
from groundswell.api.endpoints.common import ERRORS, ERRORS_404, MAX_OFFSET, MAX_PAGE, local_today, require_manager
from groundswell.api.schemas import ClicksBucket, ClicksOut, CountersOut, ErrorOut, ItemStatOut, ItemStatsOut
from groundswell.content.models import Item
from groundswell.lib.periods import period_end, period_start
from groundswell.privacy.visibility import can_see_member_stats
from groundswell.workspaces.models import Membership

router = Router(tags=["Statistics"])

Group = Literal["day", "week", "month"]
GROUP_PERIOD = {"day": "d", "week": "w", "month": "m"}
DEFAULT_SPAN = {"day": dt.timedelta(days=29), "week": dt.timedelta(weeks=11), "month": dt.timedelta(days=334)}
MAX_BUCKETS = 400
MAX_ITEM_RANGE_DAYS = 366 * 2
COUNTER_FIELDS = ("shares", "clicks", "unique_clicks", "reach")


def _range(
    start: dt.date | None, end: dt.date | None, default_span: dt.timedelta, today: dt.date
) -> tuple[dt.date, dt.date]:
    end = end or today
    if start is None:
        try:
            start = end - default_span
        except OverflowError:  # the span reaches before 0001-01-01: start there
            start = dt.date.min
    if start > end:
        raise HttpError(422, "start must be on or before end.")
    return start, end


def _visible_member(viewer: Membership, member_id: int) -> Membership:
    """The member whose own numbers were asked for, if ``viewer`` may see them (privacy/visibility.py); else 404."""
    subject = Membership.objects.filter(workspace_id=viewer.workspace_id, pk=member_id).first()
    if subject is None or not can_see_member_stats(viewer, subject):
        raise HttpError(404, "No such member, or their statistics are not shared with you.")
    return subject


@router.get(
    "/stats/clicks",
    response={200: ClicksOut, **ERRORS_404},
    summary="Clicks over time",
    operation_id="stats_clicks",
)
def clicks(
    request: HttpRequest,
    start: Annotated[
        dt.date | None, Query(description="First day (YYYY-MM-DD); default: 30 days, 12 weeks or 12 months before end.")
    ] = None,
    end: Annotated[dt.date | None, Query(description="Last day (YYYY-MM-DD), inclusive; default: today.")] = None,
    group: Annotated[Group, Query(description="Bucket size: day, week (ISO, from Monday) or month.")] = "day",
    member: Annotated[
        int | None,
        Query(
            description="One member's own numbers (a membership id): yourself; program admins: anyone; "
            "managers: their direct reports who share their statistics with them. Anyone else: 404."
        ),
    ] = None,
) -> ClicksOut:
    """Shares, human clicks, unique clicks and estimated reach per day, week or month, with zero buckets
    filled in. Managers and program admins get the whole workspace; employees get their own numbers; with
    ``member``, one person's numbers if the privacy centre lets you see them.
    Days are in the workspace's time zone. At most 400 buckets per request."""
    viewer = member_of(request)
    subject = viewer if member is None else _visible_member(viewer, member)
    start, end = _range(start, end, DEFAULT_SPAN[group], local_today(viewer))
    period = GROUP_PERIOD[group]
    first = period_start(period, start)
    buckets: list[dt.date] = []
    cursor = first
    while cursor <= end:
        buckets.append(cursor)
        if len(buckets) > MAX_BUCKETS:
            raise HttpError(
                422, f"That range has more than {MAX_BUCKETS} {group}s; choose a shorter range or a larger group."
            )
        try:
            cursor = period_end(period, cursor)
        except (OverflowError, ValueError):  # the bucket after 9999-12-31: the calendar ends here
            break
    rows: QuerySet[Any, tuple[Any, ...]]
    if viewer.is_manager and member is None:
        scope: Literal["workspace", "member"] = "workspace"
        rows = SegmentPeriod.objects.filter(
            workspace_id=viewer.workspace_id,
            period=period,
            start__gte=first,
            start__lte=end,
            dimension=Dimension.ALL,
            key="",
        ).values_list("start", *COUNTER_FIELDS)
    else:
        scope = "member"
        rows = MemberPeriod.objects.filter(
            workspace_id=viewer.workspace_id, member_id=subject.pk, period=period, start__gte=first, start__lte=end
        ).values_list("start", *COUNTER_FIELDS)
    by_start = {row[0]: row[1:] for row in rows}
    series = []
    for bucket in buckets:
        shares, clicks_, unique, reach = by_start.get(bucket, (0, 0, 0, 0))
        series.append(ClicksBucket(start=bucket, shares=shares, clicks=clicks_, unique_clicks=unique, reach=reach))
    totals = CountersOut(
        shares=sum(b.shares for b in series),
        clicks=sum(b.clicks for b in series),
        unique_clicks=sum(b.unique_clicks for b in series),
        reach=sum(b.reach for b in series),
    )
    return ClicksOut(scope=scope, group=group, start=first, end=end, totals=totals, series=series)


@router.get(
    "/stats/items",
    response={200: ItemStatsOut, 403: ErrorOut, **ERRORS},
    summary="Top items",
    operation_id="stats_items",
)
def top_items(
    request: HttpRequest,
    start: Annotated[dt.date | None, Query(description="First day (YYYY-MM-DD); default: 30 days before end.")] = None,
    end: Annotated[dt.date | None, Query(description="Last day (YYYY-MM-DD), inclusive; default: today.")] = None,
    network: Annotated[str | None, Query(max_length=20, description="Only activity on this network.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="How many items (1-100).")] = 10,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Results to skip.")] = 0,
) -> ItemStatsOut:
    """Managers and program admins: the items with the most human clicks in the range (then most shares),
    with their shares, unique clicks and estimated reach. At most two years per request."""
    member = member_of(request)
    require_manager(member, "see item statistics")
    start, end = _range(start, end, dt.timedelta(days=29), local_today(member))
    if (end - start).days > MAX_ITEM_RANGE_DAYS:
        raise HttpError(422, "Choose a range of at most two years.")
    qs = ItemDay.objects.filter(workspace_id=member.workspace_id, day__gte=start, day__lte=end)
    if network:
        qs = qs.filter(network=network)
    grouped = (
        qs.values("item_id")
        .annotate(
            sum_shares=Sum("shares"), sum_clicks=Sum("clicks"), sum_unique=Sum("unique_clicks"), sum_reach=Sum("reach")
        )
        .order_by("-sum_clicks", "-sum_shares", "item_id")
    )
    total = grouped.count()
    rows = list(grouped[offset : offset + limit])
    titles = {
        item.pk: item.display_title
        for item in Item.objects.filter(workspace_id=member.workspace_id, pk__in=[r["item_id"] for r in rows])
    }
    results = [
        ItemStatOut(
            item_id=r["item_id"],
            title=titles.get(r["item_id"], ""),
            shares=r["sum_shares"] or 0,
            clicks=r["sum_clicks"] or 0,
            unique_clicks=r["sum_unique"] or 0,
            reach=r["sum_reach"] or 0,
        )
        for r in rows
    ]
    return ItemStatsOut(total=total, limit=limit, offset=offset, start=start, end=end, results=results)
