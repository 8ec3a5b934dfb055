"""Leagues: weekly cohorts of about 30 people of similar activity, with promotion and relegation.

Every Monday (workspace time) ``draw_week`` seats everyone who takes part:

* people seated last week: the top ``MOVE_SHARE`` of their cohort (by last week's points, with at least one
  point) move up a tier, the bottom ``MOVE_SHARE`` move down one, the others stay;
* everyone else (new members, people back from being hidden) starts in the lowest tier, where they can win;
* the very first draw of a workspace spreads people over the tiers by their points of the 4 weeks before.

Inside a tier, people are sorted by their points of the 4 weeks before the week and cut into cohorts of
about ``COHORT_SIZE``, so a cohort holds people of similar activity. The draw is claimed once per workspace
and week (``LeagueWeek``), so running the task again changes nothing; people who join during the week are
added to the lowest tier's smallest cohort (``place_newcomers``). Private members never take part, and
what a member sees of their cohort follows ``privacy/visibility.py`` like every board.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from groundswell.analytics.models import MemberPeriod
from groundswell.privacy import visibility
from groundswell.rewards.models import LEAGUE_TIERS, LeagueSeat, LeagueWeek, Movement
from groundswell.workspaces.models import LeaderboardVisibility, Membership, Workspace

COHORT_SIZE = 30
MOVE_SHARE = 0.2
SEED_WEEKS = 4
TOP_TIER = len(LEAGUE_TIERS) - 1
_WEEK = dt.timedelta(days=7)


def movers(cohort_size: int) -> int:
    """How many move up (and down) in a cohort of ``cohort_size``: 20%, at least one from 3 people on."""
    if cohort_size < 3:
        return 0
    return max(1, int(cohort_size * MOVE_SHARE))


def _participants(workspace: Workspace) -> list[int]:
    return list(
        Membership.objects.filter(workspace=workspace, is_active=True)
        .filter(visibility.on_boards_filter())
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _seed_points(workspace: Workspace, week: dt.date) -> dict[int, int]:
    rows = (
        MemberPeriod.objects.filter(
            workspace=workspace, period="w", start__gte=week - SEED_WEEKS * _WEEK, start__lt=week
        )
        .order_by()
        .values_list("member_id")
        .annotate(total=Sum("points"))
    )
    return {member_id: int(total or 0) for member_id, total in rows}


def _week_points(workspace: Workspace, week: dt.date) -> dict[int, int]:
    return dict(
        MemberPeriod.objects.filter(workspace=workspace, period="w", start=week).values_list("member_id", "points")
    )


def _cut(members: list[int], seeds: dict[int, int]) -> dict[int, int]:
    """member → cohort number: sorted by seed points (most first), in about ``COHORT_SIZE`` per cohort."""
    ordered = sorted(members, key=lambda m: (-seeds.get(m, 0), m))
    count = max(1, round(len(ordered) / COHORT_SIZE))
    return {m: i * count // len(ordered) for i, m in enumerate(ordered)}


@transaction.atomic
def draw_week(workspace: Workspace, week: dt.date) -> int:
    """Seat everyone taking part for ``week`` (a Monday). Returns how many seats were created.

    Claimed once per workspace and week: a second run only places newcomers.
    """
    _, created = LeagueWeek.objects.get_or_create(workspace=workspace, week=week)
    if not created:
        return place_newcomers(workspace, week)
    participants = _participants(workspace)
    if not participants:
        return 0
    seeds = _seed_points(workspace, week)
    taking_part = set(participants)
    previous = {seat.member_id: seat for seat in LeagueSeat.objects.filter(workspace=workspace, week=week - _WEEK)}
    placed: dict[int, tuple[int, str]] = {}
    if previous:
        last_points = _week_points(workspace, week - _WEEK)
        cohorts: dict[tuple[int, int], list[int]] = defaultdict(list)
        for member_id, seat in previous.items():
            if member_id in taking_part:
                cohorts[(seat.tier, seat.cohort)].append(member_id)
        for (tier, _cohort), members in cohorts.items():
            ranked = sorted(members, key=lambda m: (-last_points.get(m, 0), m))
            k = movers(len(ranked))
            up = {m for m in ranked[:k] if last_points.get(m, 0) > 0} if tier < TOP_TIER else set()
            down = set(ranked[len(ranked) - k :]) - up if tier > 0 and k else set()
            for m in ranked:
                if m in up:
                    placed[m] = (tier + 1, Movement.UP)
                elif m in down:
                    placed[m] = (tier - 1, Movement.DOWN)
                else:
                    placed[m] = (tier, Movement.STAYED)
        for m in participants:
            if m not in placed:
                placed[m] = (0, Movement.NEW)
    else:
        # First draw: spread people over as many tiers as there are full cohorts, by recent activity.
        ordered = sorted(participants, key=lambda m: (seeds.get(m, 0), m))
        tiers = min(len(LEAGUE_TIERS), max(1, len(ordered) // COHORT_SIZE))
        for i, m in enumerate(ordered):
            placed[m] = ((i * tiers // len(ordered)) if seeds.get(m, 0) > 0 else 0, Movement.NEW)
    by_tier: dict[int, list[int]] = defaultdict(list)
    for m, (tier, _movement) in placed.items():
        if m in taking_part:
            by_tier[tier].append(m)
    seats = []
    for tier, members in by_tier.items():
        for m, cohort in _cut(members, seeds).items():
            seats.append(
                LeagueSeat(
                    workspace=workspace,
                    member_id=m,
                    week=week,
                    tier=tier,
                    cohort=cohort,
                    seed_points=seeds.get(m, 0),
                    movement=placed[m][1],
                )
            )
    LeagueSeat.objects.bulk_create(seats, batch_size=1000, ignore_conflicts=True)
    return len(seats)


def place_newcomers(workspace: Workspace, week: dt.date) -> int:
    """Seat people who take part but have no seat this week in the lowest tier's smallest cohorts."""
    seated = set(LeagueSeat.objects.filter(workspace=workspace, week=week).values_list("member_id", flat=True))
    newcomers = [m for m in _participants(workspace) if m not in seated]
    if not newcomers:
        return 0
    sizes: dict[int, int] = defaultdict(int)
    for cohort in LeagueSeat.objects.filter(workspace=workspace, week=week, tier=0).values_list("cohort", flat=True):
        sizes[cohort] += 1
    seats = []
    for m in newcomers:
        open_cohorts = [c for c, n in sizes.items() if n < COHORT_SIZE]
        cohort = min(open_cohorts, key=lambda c: (sizes[c], c)) if open_cohorts else max(sizes, default=-1) + 1
        sizes[cohort] += 1
        seats.append(LeagueSeat(workspace=workspace, member_id=m, week=week, tier=0, cohort=cohort))
    LeagueSeat.objects.bulk_create(seats, ignore_conflicts=True)
    return len(seats)


@dataclass(frozen=True)
class LeagueRow:
    rank: int
    member_id: int
    display_name: str
    points: int
    zone: str  # "up", "down" or ""

    @property
    def is_anonymous(self) -> bool:
        """Shown without a name (its avatar must not carry the person's colour either)."""
        return self.display_name == visibility.ANONYMOUS_NAME


@dataclass(frozen=True)
class LeagueView:
    seat: LeagueSeat
    tier_name: str
    rows: list[LeagueRow]
    promoted: int  # how many move up at the end of the week (0 in the top tier)
    relegated: int  # how many move down (0 in the lowest tier)
    my_rank: int | None
    next_tier: str | None
    lower_tier: str | None


def league_for(member: Membership, week: dt.date) -> LeagueView | None:
    """The member's own cohort this week, ranked by this week's points, as they may see it (ADR 0025: named
    people, anonymous people when the cohort has enough of them, and themselves). Four queries."""
    workspace = member.workspace
    seat = LeagueSeat.objects.filter(workspace=workspace, member=member, week=week).first()
    if seat is None or member.leaderboard_visibility == LeaderboardVisibility.HIDDEN:
        return None
    points = MemberPeriod.objects.filter(
        workspace_id=workspace.pk, member_id=OuterRef("member_id"), period="w", start=week
    ).values("points")[:1]
    cohort = LeagueSeat.objects.filter(
        workspace=workspace, week=week, tier=seat.tier, cohort=seat.cohort, member__is_active=True
    )
    rows = list(
        visibility.board_rows(member, cohort)
        .rows.annotate(week_points=Coalesce(Subquery(points, output_field=IntegerField()), 0))
        .order_by("-week_points", "member_id")
        .values_list("member_id", "member__display_name", "member__leaderboard_visibility", "week_points")
    )
    # How many move is decided on the whole cohort, including the people this member does not see.
    k = movers(cohort.filter(visibility.on_boards_filter("member__")).count())
    promoted = k if seat.tier < TOP_TIER else 0
    relegated = k if seat.tier > 0 else 0
    out: list[LeagueRow] = []
    rank = 0
    previous: int | None = None
    for position, (member_id, name, vis, week_points) in enumerate(rows):
        if week_points != previous:
            rank = position + 1
            previous = week_points
        zone = ""
        if position < promoted and week_points > 0:
            zone = "up"
        elif position >= len(rows) - relegated:
            zone = "down"
        out.append(LeagueRow(rank, member_id, visibility.board_name(member, member_id, name, vis), week_points, zone))
    my_rank = next((r.rank for r in out if r.member_id == member.pk), None)
    return LeagueView(
        seat=seat,
        tier_name=seat.tier_name,
        rows=out,
        promoted=promoted,
        relegated=relegated,
        my_rank=my_rank,
        next_tier=LEAGUE_TIERS[seat.tier + 1] if seat.tier < TOP_TIER else None,
        lower_tier=LEAGUE_TIERS[seat.tier - 1] if seat.tier > 0 else None,
    )
