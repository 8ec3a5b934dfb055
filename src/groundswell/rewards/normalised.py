"""The normalised leaderboard: points per opportunity, so part-timers and small networks are not punished.

**An opportunity** is a content item that was aimed at the person (their department and location, or
everyone) and could be shared while they were a member during the period: published before the period
ended, not expired before the period started, and not expired before they joined. Someone who joined in the
middle of the month only counts the items they could still share. Topic targeting is not used (interests
change), and everyone has at least one opportunity, so the ratio is always defined.

**Points per opportunity** = points in the period ÷ opportunities. Ranked with competition ranking on the
ratio rounded to two decimals. This reads every row of the board (one query) plus the items of the period
(three queries); it is computed per request, so it is meant for boards up to tens of thousands of people.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Q

from groundswell.content.models import Item, ItemState
from groundswell.lib.periods import period_end
from groundswell.privacy import visibility
from groundswell.rewards.leaderboard import Scope, board_for
from groundswell.workspaces.models import LeaderboardVisibility, Membership, Workspace

_FOREVER = dt.datetime.max.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class NormalisedRow:
    rank: int
    member_id: int
    display_name: str
    points: int
    opportunities: int
    ratio: float
    is_anonymous: bool


def _bounds(workspace: Workspace, period: str, start: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = ZoneInfo(workspace.timezone)
    begin = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    end_day = period_end(period, start)
    end = _FOREVER if end_day.year >= 9999 else dt.datetime.combine(end_day, dt.time.min, tzinfo=tz)
    return begin, end


def _items(workspace: Workspace, begin: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, set[int], set[int]]]:
    """(last moment it could be shared in the period, target departments, target locations) per item."""
    items = Item.objects.filter(workspace=workspace, published_at__isnull=False, published_at__lt=end).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=begin)
    )
    items = items.filter(state__in=[ItemState.PUBLISHED, ItemState.ARCHIVED])
    rows = list(items.values_list("pk", "expires_at"))
    ids = [pk for pk, _ in rows]
    departments: dict[int, set[int]] = defaultdict(set)
    locations: dict[int, set[int]] = defaultdict(set)
    for item_id, dept in Item.target_departments.through.objects.filter(item_id__in=ids).values_list(
        "item_id", "department_id"
    ):
        departments[item_id].add(dept)
    for item_id, loc in Item.target_locations.through.objects.filter(item_id__in=ids).values_list(
        "item_id", "location_id"
    ):
        locations[item_id].add(loc)
    return [(min(expires or end, end), departments[pk], locations[pk]) for pk, expires in rows]


def opportunities_for(
    items: list[tuple[dt.datetime, set[int], set[int]]],
    people: list[tuple[int, int | None, int | None, dt.datetime]],
    begin: dt.datetime,
) -> dict[int, int]:
    """member id → opportunities, for (member id, department id, location id, joined at) rows."""
    ends_by_group: dict[tuple[int | None, int | None], list[dt.datetime]] = {}
    out: dict[int, int] = {}
    for member_id, dept, loc, joined_at in people:
        group = (dept, loc)
        ends = ends_by_group.get(group)
        if ends is None:
            ends = ends_by_group[group] = sorted(
                last for last, depts, locs in items if (not depts or dept in depts) and (not locs or loc in locs)
            )
        since = max(begin, joined_at)
        out[member_id] = max(1, len(ends) - bisect.bisect_right(ends, since))
    return out


def normalised_board(
    viewer: Membership, period: str, start: dt.date, *, scope: Scope | None = None
) -> list[NormalisedRow]:
    """Everyone on the board as ``viewer`` sees it (ADR 0025), ranked by points per opportunity."""
    workspace = viewer.workspace
    rows = list(
        board_for(viewer, period, start, scope).rows.values_list(
            "member_id",
            "member__department_id",
            "member__location_id",
            "member__joined_at",
            "member__display_name",
            "member__leaderboard_visibility",
            "points",
        )
    )
    if not rows:
        return []
    begin, end = _bounds(workspace, period, start)
    chances = opportunities_for(_items(workspace, begin, end), [(r[0], r[1], r[2], r[3]) for r in rows], begin)
    scored = sorted(
        ((round(points / chances[m], 2), m, name, vis, points) for m, _d, _l, _j, name, vis, points in rows),
        key=lambda t: (-t[0], t[1]),
    )
    out: list[NormalisedRow] = []
    rank = 0
    for position, (ratio, m, name, vis, points) in enumerate(scored):
        if position == 0 or ratio != scored[position - 1][0]:
            rank = position + 1
        out.append(
            NormalisedRow(
                rank=rank,
                member_id=m,
                display_name=visibility.board_name(viewer, m, name, vis),
                points=points,
                opportunities=chances[m],
                ratio=ratio,
                is_anonymous=vis == LeaderboardVisibility.ANONYMOUS,
            )
        )
    return out


def my_opportunities(workspace: Workspace, member: Membership, period: str, start: dt.date) -> int:
    begin, end = _bounds(workspace, period, start)
    people = [(member.pk, member.department_id, member.location_id, member.joined_at)]
    return opportunities_for(_items(workspace, begin, end), people, begin)[member.pk]
