"""Leagues: first draw by recent activity, weekly promotion and relegation, newcomers in the lowest tier,
hidden members left out, idempotent draws, and the league page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groundswell.analytics.rollups import Delta, RollupBatch
from groundswell.conftest import client_for, make_member
from groundswell.lib.periods import period_start
from groundswell.rewards.leagues import draw_week, league_for, movers
from groundswell.rewards.models import LEAGUE_TIERS, LeagueSeat, Movement
from groundswell.rewards.tasks import draw_leagues
from groundswell.workspaces.models import Membership, Workspace

WEEK = period_start("w", dt.date(2026, 11, 30))  # a Monday
LAST = WEEK - dt.timedelta(days=7)


def give(member: Membership, points: int, day: dt.date) -> None:
    batch = RollupBatch()
    batch.add(
        workspace_id=member.workspace_id,
        member_id=member.pk,
        department_id=None,
        location_id=None,
        day=day,
        delta=Delta(points=points),
    )
    batch.write()


def crowd(workspace: Workspace, n: int, prefix: str = "m") -> list[Membership]:
    return [make_member(workspace, f"{prefix}{i}@acme.test") for i in range(n)]


def test_movers() -> None:
    assert [movers(n) for n in (1, 2, 3, 9, 10, 30, 31)] == [0, 0, 1, 1, 2, 6, 6]


@pytest.mark.django_db
def test_first_draw_spreads_people_by_recent_activity_in_cohorts_of_about_30(workspace: Workspace) -> None:
    members = crowd(workspace, 95)
    for i, m in enumerate(members[:80]):
        give(m, 10 + i, LAST - dt.timedelta(days=3))  # the 4 weeks before count
    hidden = make_member(workspace, "hidden@acme.test", leaderboard_visibility="hidden")
    assert draw_week(workspace, WEEK) == 95
    seats = {s.member_id: s for s in LeagueSeat.objects.filter(week=WEEK)}
    assert hidden.pk not in seats
    tiers = {s.tier for s in seats.values()}
    assert tiers == {0, 1, 2}  # 95 people: three full cohorts' worth of tiers
    assert all(seats[m.pk].tier == 0 for m in members[80:])  # no activity: the first tier
    assert seats[members[79].pk].tier == 2 and seats[members[0].pk].tier == 0
    sizes: dict[tuple[int, int], int] = {}
    for s in seats.values():
        sizes[(s.tier, s.cohort)] = sizes.get((s.tier, s.cohort), 0) + 1
    assert all(15 <= n <= 45 for n in sizes.values())
    assert {s.movement for s in seats.values()} == {Movement.NEW}
    # Idempotent: a second run (the task runs hourly) draws nothing new.
    assert draw_week(workspace, WEEK) == 0
    assert LeagueSeat.objects.filter(week=WEEK).count() == 95


@pytest.mark.django_db
def test_weekly_promotion_relegation_and_newcomers(workspace: Workspace) -> None:
    members = crowd(workspace, 10)
    for m in members:
        LeagueSeat.objects.create(workspace=workspace, member=m, week=LAST, tier=1, cohort=0)
    for i, m in enumerate(members):
        give(m, 100 - i * 10 if i < 9 else 0, LAST + dt.timedelta(days=2))
    newcomer = make_member(workspace, "new@acme.test")
    draw_week(workspace, WEEK)
    seats = {s.member_id: s for s in LeagueSeat.objects.filter(week=WEEK)}
    k = movers(10)
    assert k == 2
    assert [seats[m.pk].tier for m in members] == [2, 2, 1, 1, 1, 1, 1, 1, 0, 0]
    assert seats[members[0].pk].movement == Movement.UP and seats[members[9].pk].movement == Movement.DOWN
    assert seats[members[4].pk].movement == Movement.STAYED
    assert (seats[newcomer.pk].tier, seats[newcomer.pk].movement) == (0, Movement.NEW)

    # Someone who joins during the week is seated by the next hourly run, in the lowest tier.
    late = make_member(workspace, "late@acme.test")
    assert draw_week(workspace, WEEK) == 1
    assert LeagueSeat.objects.get(member=late, week=WEEK).tier == 0


@pytest.mark.django_db
def test_nobody_moves_up_without_points_or_beyond_the_top(workspace: Workspace) -> None:
    top = crowd(workspace, 5, "top")
    for m in top:
        LeagueSeat.objects.create(workspace=workspace, member=m, week=LAST, tier=len(LEAGUE_TIERS) - 1, cohort=0)
    idle = crowd(workspace, 5, "idle")
    for m in idle:
        LeagueSeat.objects.create(workspace=workspace, member=m, week=LAST, tier=0, cohort=0)
    give(top[0], 50, LAST)
    draw_week(workspace, WEEK)
    seats = {s.member_id: s.tier for s in LeagueSeat.objects.filter(week=WEEK)}
    assert seats[top[0].pk] == len(LEAGUE_TIERS) - 1
    assert seats[top[-1].pk] == len(LEAGUE_TIERS) - 2
    assert all(seats[m.pk] == 0 for m in idle)  # no points: nobody promoted, and no tier below the first


@pytest.mark.django_db
def test_league_page_shows_my_cohort_position_and_lines(workspace: Workspace, bob: Membership) -> None:
    week = period_start("w", timezone.localdate())
    others = crowd(workspace, 9)
    for i, m in enumerate([bob, *others]):
        LeagueSeat.objects.create(workspace=workspace, member=m, week=week, tier=1, cohort=0)
        give(m, 5 * (10 - i), week)
    anon = others[0]
    Membership.objects.filter(pk=anon.pk).update(leaderboard_visibility="anonymous")
    LeagueSeat.objects.create(
        workspace=workspace, member=make_member(workspace, "far@acme.test"), week=week, tier=1, cohort=1
    )
    url = reverse("rewards:league", kwargs={"ws": "acme"})
    client = client_for(bob)
    page = client.get(url)
    assert page.status_code == 200
    league = page.context["league"]
    assert league.tier_name == LEAGUE_TIERS[1] and league.my_rank == 1 and len(league.rows) == 10
    assert [r.zone for r in league.rows] == ["up", "up"] + [""] * 6 + ["down", "down"]
    assert league.rows[1].display_name == "Anonymous ambassador"
    assert b"Promotion line" in page.content and b"Relegation line" in page.content

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for m in crowd(workspace, 20, "more"):
        LeagueSeat.objects.create(workspace=workspace, member=m, week=week, tier=1, cohort=0)
    assert count() == before

    Membership.objects.filter(pk=bob.pk).update(leaderboard_visibility="hidden")
    page = client.get(url)
    assert page.context["league"] is None and b"not taking part in leagues" in page.content
    bob.refresh_from_db()
    assert league_for(bob, week) is None


@pytest.mark.django_db
def test_league_page_before_the_draw_and_for_outsiders(
    workspace: Workspace, bob: Membership, charlie: Membership
) -> None:
    url = reverse("rewards:league", kwargs={"ws": "acme"})
    page = client_for(bob).get(url)
    assert page.status_code == 200 and b"Your league starts soon" in page.content
    assert client_for(charlie).get(url).status_code == 404
    assert client_for(charlie).post(url).status_code == 404


@pytest.mark.django_db
def test_the_periodic_task_draws_every_workspace_once(workspace: Workspace, other_workspace: Workspace) -> None:
    crowd(workspace, 3)
    make_member(other_workspace, "g@globex.test")
    assert draw_leagues.call() == 4
    assert draw_leagues.call() == 0
    assert LeagueSeat.objects.filter(workspace=other_workspace).count() == 1
