"""Leaderboard reads. Everything comes from ``MemberPeriod`` rollups, never from raw clicks.

Ranking is competition ranking on points ("1, 2, 2, 4"): a member's rank is one more than the number of
visible members with strictly more points in the period. Members who chose ``hidden`` are left out of the
board (and of everyone's rank); ``anonymous`` members are listed as "Anonymous ambassador".

Query budget (constant whatever the size of the workspace):

* ``leaderboard``: one query (two when ``offset > 0``, to rank the first row of the page);
* ``member_standing`` / ``member_rank``: one query;
* ``near_me``: five queries (standing, above, below, and two counts for the ranks).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from groundswell.analytics.models import MemberPeriod
from groundswell.workspaces.models import LeaderboardVisibility, Membership, Workspace

ANONYMOUS_NAME = "Anonymous ambassador"


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    member_id: int
    display_name: str
    points: int
    shares: int
    clicks: int
    is_anonymous: bool = False


@dataclass(frozen=True)
class Standing:
    """One member's own totals for a period, with their rank (``None`` when hidden or inactive)."""

    rank: int | None
    points: int
    shares: int
    clicks: int
    unique_clicks: int
    reach: int


def public_name(display_name: str, visibility: str) -> str:
    return ANONYMOUS_NAME if visibility == LeaderboardVisibility.ANONYMOUS else display_name


@dataclass(frozen=True)
class Scope:
    """Who is on the board: the whole company, or one department, location or team (its member ids)."""

    department_id: int | None = None
    location_id: int | None = None
    member_ids: frozenset[int] | None = None

    def includes(self, member: Membership) -> bool:
        return (
            (self.department_id is None or member.department_id == self.department_id)
            and (self.location_id is None or member.location_id == self.location_id)
            and (self.member_ids is None or member.pk in self.member_ids)
        )


EVERYONE = Scope()


def _scope(scope: Scope | None, department_id: int | None) -> Scope:
    if scope is not None:
        return scope
    return Scope(department_id=department_id) if department_id is not None else EVERYONE


def _board(
    workspace_id: int, period: str, start: dt.date, department_id: int | None, scope: Scope | None = None
) -> QuerySet[MemberPeriod]:
    scope = _scope(scope, department_id)
    qs = MemberPeriod.objects.filter(
        workspace_id=workspace_id, period=period, start=start, member__is_active=True
    ).exclude(member__leaderboard_visibility=LeaderboardVisibility.HIDDEN)
    if scope.department_id is not None:
        qs = qs.filter(member__department_id=scope.department_id)
    if scope.location_id is not None:
        qs = qs.filter(member__location_id=scope.location_id)
    if scope.member_ids is not None:
        qs = qs.filter(member_id__in=sorted(scope.member_ids))
    return qs


def board_size(workspace_id: int, period: str, start: dt.date, scope: Scope | None = None) -> int:
    """How many people are on the board (the rows ``leaderboard`` ranks)."""
    return _board(workspace_id, period, start, None, scope).count()


_ROW_FIELDS = ("member_id", "member__display_name", "member__leaderboard_visibility", "points", "shares", "clicks")


def _row(rank: int, values: tuple[int, str, str, int, int, int]) -> LeaderboardRow:
    member_id, name, visibility, points, shares, clicks = values
    return LeaderboardRow(
        rank=rank,
        member_id=member_id,
        display_name=public_name(name, visibility),
        points=points,
        shares=shares,
        clicks=clicks,
        is_anonymous=visibility == LeaderboardVisibility.ANONYMOUS,
    )


def leaderboard(
    workspace: Workspace,
    period: str,
    start: dt.date,
    *,
    department_id: int | None = None,
    scope: Scope | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[LeaderboardRow]:
    """The ranked board for one period (``start`` is the period's first day, see ``lib.periods``)."""
    limit = max(0, min(limit, 500))
    offset = max(0, offset)
    board = _board(workspace.pk, period, start, department_id, scope)
    rows = list(
        board.order_by("-points", "member_id").values_list(
            "member_id",
            "member__display_name",
            "member__leaderboard_visibility",
            "points",
            "shares",
            "clicks",
        )[offset : offset + limit]
    )
    if not rows:
        return []
    first_rank = 1 if offset == 0 else 1 + board.filter(points__gt=rows[0][3]).count()
    out: list[LeaderboardRow] = []
    previous_points: int | None = None
    rank = first_rank
    for position, (member_id, name, visibility, points, shares, clicks) in enumerate(rows):
        if position > 0 and points != previous_points:
            rank = offset + position + 1
        previous_points = points
        out.append(
            LeaderboardRow(
                rank=rank,
                member_id=member_id,
                display_name=public_name(name, visibility),
                points=points,
                shares=shares,
                clicks=clicks,
                is_anonymous=visibility == LeaderboardVisibility.ANONYMOUS,
            )
        )
    return out


def member_standing(
    workspace: Workspace,
    member: Membership,
    period: str,
    start: dt.date,
    *,
    department_id: int | None = None,
    scope: Scope | None = None,
) -> Standing | None:
    """The member's totals and rank for the period in one query; ``None`` when they have no activity."""
    scope = _scope(scope, department_id)
    above = (
        _board(workspace.pk, period, start, None, scope)
        .filter(points__gt=OuterRef("points"))
        .order_by()
        .values("workspace_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    row = (
        MemberPeriod.objects.filter(workspace_id=workspace.pk, member_id=member.pk, period=period, start=start)
        .annotate(above=Coalesce(Subquery(above, output_field=IntegerField()), 0))
        .values_list("points", "shares", "clicks", "unique_clicks", "reach", "above")
        .first()
    )
    if row is None:
        return None
    points, shares, clicks, unique_clicks, reach, above_count = row
    ranked = (
        member.is_active and member.leaderboard_visibility != LeaderboardVisibility.HIDDEN and scope.includes(member)
    )
    return Standing(
        rank=1 + int(above_count) if ranked else None,
        points=points,
        shares=shares,
        clicks=clicks,
        unique_clicks=unique_clicks,
        reach=reach,
    )


def member_rank(workspace: Workspace, member: Membership, period: str, start: dt.date) -> int | None:
    """The member's rank on the board for the period, or ``None`` (no activity yet, or hidden)."""
    standing = member_standing(workspace, member, period, start)
    return standing.rank if standing else None


def visible_filter() -> Q:
    """Memberships that appear on leaderboards (for callers that build their own queries)."""
    return Q(is_active=True) & ~Q(leaderboard_visibility=LeaderboardVisibility.HIDDEN)


def near_me(
    workspace: Workspace,
    member: Membership,
    period: str,
    start: dt.date,
    *,
    scope: Scope | None = None,
    around: int = 5,
) -> list[LeaderboardRow]:
    """Up to ``around`` people above the member, the member, and up to ``around`` below, with their real
    competition ranks. Empty when the member is not on the board. Four queries, whatever the board's size.

    The board's order is (points desc, member id); "above" means earlier in that order.
    """
    scope = _scope(scope, None)
    standing = member_standing(workspace, member, period, start, scope=scope)
    if standing is None or standing.rank is None:
        return []
    board = _board(workspace.pk, period, start, None, scope)
    p = standing.points
    before = Q(points__gt=p) | Q(points=p, member_id__lt=member.pk)
    above = list(board.filter(before).order_by("points", "-member_id").values_list(*_ROW_FIELDS)[:around])[::-1]
    below = list(
        board.filter(Q(points__lt=p) | Q(points=p, member_id__gt=member.pk))
        .order_by("-points", "member_id")
        .values_list(*_ROW_FIELDS)[:around]
    )
    me = (member.pk, member.display_name, member.leaderboard_visibility, p, standing.shares, standing.clicks)
    window = [*above, me, *below]
    # Ranks from the member's own rank (people with more points than them, already counted) and two small
    # counts on the index: ties before the member, and people between the member and the first row. Both
    # are asked even when empty, so the page always needs the same number of queries.
    ties_before = board.filter(points=p, member_id__lt=member.pk).count()
    between = board.filter(points__gt=p, points__lte=window[0][3]).count()
    first_rank = standing.rank - between  # 1 + people with more points than the first row
    first_position = standing.rank - 1 + ties_before - len(above)  # 0-based place of the first row
    out: list[LeaderboardRow] = []
    rank = first_rank
    for i, values in enumerate(window):
        if i > 0 and values[3] != window[i - 1][3]:
            rank = first_position + i + 1
        out.append(_row(rank, values))
    return out
