"""Leaderboard reads. Everything comes from ``MemberPeriod`` rollups, never from raw clicks.

Every read takes the person looking (``viewer``): who is on a board, and under what name, is decided by the
one rule in ``privacy/visibility.py`` (ADR 0025). People appear by name only by their own choice,
anonymously only where enough people are anonymous, and never when private (the default); the viewer also
sees their own row and place, even when nobody else does.

Ranking is competition ranking on points ("1, 2, 2, 4"): a person's rank is one more than the number of
people on the viewer's board with strictly more points in the period.

Query budget (constant whatever the size of the workspace; each read adds one count for the rule):

* ``leaderboard``: two queries (three when ``offset > 0``, to rank the first row of the page); with
  ``previous_start`` each row also carries its rank on the previous period's board, computed by subqueries
  inside the same statement (no query per row, no extra query);
* ``member_standing`` / ``member_rank``: two queries;
* ``near_me``: six queries (the rule, standing, above, below, and two counts for the ranks).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from groundswell.analytics.models import MemberPeriod
from groundswell.privacy import visibility
from groundswell.privacy.visibility import ANONYMOUS_NAME
from groundswell.workspaces.models import LeaderboardVisibility, Membership

__all__ = ["ANONYMOUS_NAME", "EVERYONE", "LeaderboardRow", "Scope", "Standing", "leaderboard", "near_me"]


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    member_id: int
    display_name: str
    points: int
    shares: int
    clicks: int
    is_anonymous: bool = False
    #: The person's rank on the previous period's board as the viewer would have seen it (the same rule), or
    #: ``None`` when they had no points then or the trend was not asked for.
    previous_rank: int | None = None

    @property
    def rank_change(self) -> int | None:
        """Places gained since the previous period (negative: lost), ``None`` when new or not asked."""
        return None if self.previous_rank is None else self.previous_rank - self.rank


@dataclass(frozen=True)
class Standing:
    """The viewer's own totals for a period, with their place on the board as they see it (``None`` when
    they are not in the board's scope or inactive). ``listed`` says whether others see them there."""

    rank: int | None
    points: int
    shares: int
    clicks: int
    unique_clicks: int
    reach: int
    listed: bool = True


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


def _scope(scope: Scope | None) -> Scope:
    return EVERYONE if scope is None else scope


def _whole_board(workspace_id: int, period: str, start: dt.date, scope: Scope) -> QuerySet[MemberPeriod]:
    """Everyone in the scope with activity in the period, before the rule: never shown as it is."""
    qs = MemberPeriod.objects.filter(workspace_id=workspace_id, period=period, start=start, member__is_active=True)
    if scope.department_id is not None:
        qs = qs.filter(member__department_id=scope.department_id)
    if scope.location_id is not None:
        qs = qs.filter(member__location_id=scope.location_id)
    if scope.member_ids is not None:
        qs = qs.filter(member_id__in=sorted(scope.member_ids))
    return qs


def board_for(
    viewer: Membership, period: str, start: dt.date, scope: Scope | None = None
) -> visibility.Board[MemberPeriod]:
    """The board as ``viewer`` may see it (``privacy.visibility.board_rows``)."""
    return visibility.board_rows(viewer, _whole_board(viewer.workspace_id, period, start, _scope(scope)))


def board_size(viewer: Membership, period: str, start: dt.date, scope: Scope | None = None) -> int:
    """How many people are on the board as ``viewer`` sees it (the rows ``leaderboard`` ranks)."""
    return board_for(viewer, period, start, scope).rows.count()


_ROW_FIELDS = ("member_id", "member__display_name", "member__leaderboard_visibility", "points", "shares", "clicks")


def _row(
    viewer: Membership, rank: int, values: tuple[int, str, str, int, int, int], previous_rank: int | None = None
) -> LeaderboardRow:
    member_id, name, vis, points, shares, clicks = values
    return LeaderboardRow(
        previous_rank=previous_rank,
        rank=rank,
        member_id=member_id,
        display_name=visibility.board_name(viewer, member_id, name, vis),
        points=points,
        shares=shares,
        clicks=clicks,
        is_anonymous=vis == LeaderboardVisibility.ANONYMOUS,
    )


def leaderboard(
    viewer: Membership,
    period: str,
    start: dt.date,
    *,
    scope: Scope | None = None,
    limit: int = 50,
    offset: int = 0,
    previous_start: dt.date | None = None,
    seen: visibility.Board[MemberPeriod] | None = None,
) -> list[LeaderboardRow]:
    """The ranked board for one period as ``viewer`` sees it (``start`` is the period's first day).

    With ``previous_start`` (the previous period's first day) each row carries its previous rank. ``seen`` is
    ``board_for(viewer, period, start, scope)`` when the caller already has it (a page that also shows the
    viewer's standing asks the rule once: its count of anonymous people reads the whole board)."""
    limit = max(0, min(limit, 500))
    offset = max(0, offset)
    board = (seen if seen is not None else board_for(viewer, period, start, scope)).rows
    ordered = board.order_by("-points", "member_id")
    rows = list(ordered.values_list(*_ROW_FIELDS)[offset : offset + limit])
    previous: list[int | None] = []
    if previous_start is not None:
        # A second query for the page's people only: annotated on the page query itself, the previous ranks
        # were computed for every row of the board before the sort and the limit (bench/dashboard: 730 ms).
        ranks = _previous_ranks(viewer, period, previous_start, _scope(scope), [r[0] for r in rows])
        previous = [ranks.get(r[0]) for r in rows]
    if not rows:
        return []
    first_rank = 1 if offset == 0 else 1 + board.filter(points__gt=rows[0][3]).count()
    out: list[LeaderboardRow] = []
    previous_points: int | None = None
    rank = first_rank
    for position, values in enumerate(rows):
        points = values[3]
        if position > 0 and points != previous_points:
            rank = offset + position + 1
        previous_points = points
        out.append(_row(viewer, rank, values, previous[position] if previous else None))
    return out


def _previous_ranks(
    viewer: Membership, period: str, previous_start: dt.date, scope: Scope, member_ids: list[int]
) -> dict[int, int | None]:
    """The competition rank on the previous period's board, as ``viewer`` sees that board, of each of
    ``member_ids`` (absent: no points then).

    Three queries whoever is on the page: the rule's count, the page's people's previous points, and how many
    people the viewer sees at each points value above the lowest of those (a short histogram, one pass over
    the top of the board). Counting the people ahead of each row separately took 50 counts of up to the whole
    board (bench/dashboard: the month board's p95 was 714 ms)."""
    seen = board_for(viewer, period, previous_start, scope)
    mine = dict(seen.rows.filter(member_id__in=member_ids or [0]).values_list("member_id", "points"))
    floor = min(mine.values(), default=2**31 - 1)
    histogram = list(
        seen.rows.filter(points__gt=floor)
        .order_by()
        .values_list("points")
        .annotate(n=Count("id"))
        .order_by("-points")
        .values_list("points", "n")
    )
    return {member_id: 1 + sum(n for value, n in histogram if value > points) for member_id, points in mine.items()}


def _standing(
    viewer: Membership, board: visibility.Board[MemberPeriod], scope: Scope, period: str, start: dt.date
) -> Standing | None:
    above = (
        board.rows.filter(points__gt=OuterRef("points"))
        .order_by()
        .values("workspace_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    row = (
        MemberPeriod.objects.filter(workspace_id=viewer.workspace_id, member_id=viewer.pk, period=period, start=start)
        .annotate(above=Coalesce(Subquery(above, output_field=IntegerField()), 0))
        .values_list("points", "shares", "clicks", "unique_clicks", "reach", "above")
        .first()
    )
    if row is None:
        return None
    points, shares, clicks, unique_clicks, reach, above_count = row
    on_board = viewer.is_active and scope.includes(viewer)
    return Standing(
        rank=1 + int(above_count) if on_board else None,
        points=points,
        shares=shares,
        clicks=clicks,
        unique_clicks=unique_clicks,
        reach=reach,
        listed=bool(on_board) and board.listed(viewer),
    )


def member_standing(
    viewer: Membership,
    period: str,
    start: dt.date,
    *,
    scope: Scope | None = None,
    seen: visibility.Board[MemberPeriod] | None = None,
) -> Standing | None:
    """The viewer's own totals and place for the period; ``None`` when they have no activity.

    ``seen``: the board as the viewer sees it, when the caller already has it (see ``leaderboard``)."""
    scope = _scope(scope)
    return _standing(
        viewer, seen if seen is not None else board_for(viewer, period, start, scope), scope, period, start
    )


def member_rank(viewer: Membership, period: str, start: dt.date) -> int | None:
    """The viewer's place on the company board for the period, or ``None`` (no activity yet)."""
    standing = member_standing(viewer, period, start)
    return standing.rank if standing else None


def near_me(
    viewer: Membership,
    period: str,
    start: dt.date,
    *,
    scope: Scope | None = None,
    around: int = 5,
) -> list[LeaderboardRow]:
    """Up to ``around`` people above the viewer, the viewer, and up to ``around`` below, with their real
    competition ranks on the viewer's board. Empty when the viewer has no activity in the scope.

    The board's order is (points desc, member id); "above" means earlier in that order.
    """
    scope = _scope(scope)
    board = board_for(viewer, period, start, scope)
    standing = _standing(viewer, board, scope, period, start)
    if standing is None or standing.rank is None:
        return []
    rows = board.rows
    p = standing.points
    before = Q(points__gt=p) | Q(points=p, member_id__lt=viewer.pk)
    above = list(rows.filter(before).order_by("points", "-member_id").values_list(*_ROW_FIELDS)[:around])[::-1]
    below = list(
        rows.filter(Q(points__lt=p) | Q(points=p, member_id__gt=viewer.pk))
        .order_by("-points", "member_id")
        .values_list(*_ROW_FIELDS)[:around]
    )
    me = (viewer.pk, viewer.display_name, viewer.leaderboard_visibility, p, standing.shares, standing.clicks)
    window = [*above, me, *below]
    # Ranks from the viewer's own rank (people with more points than them, already counted) and two small
    # counts on the index: ties before the viewer, and people between the viewer and the first row. Both
    # are asked even when empty, so the page always needs the same number of queries.
    ties_before = rows.filter(points=p, member_id__lt=viewer.pk).count()
    between = rows.filter(points__gt=p, points__lte=window[0][3]).count()
    first_rank = standing.rank - between  # 1 + people with more points than the first row
    first_position = standing.rank - 1 + ties_before - len(above)  # 0-based place of the first row
    out: list[LeaderboardRow] = []
    rank = first_rank
    for i, values in enumerate(window):
        if i > 0 and values[3] != window[i - 1][3]:
            rank = first_position + i + 1
        out.append(_row(viewer, rank, values))
    return out
