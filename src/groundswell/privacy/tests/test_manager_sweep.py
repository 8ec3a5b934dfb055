"""A manager's view of a report never depends on whether the report opted out, declined or never answered.

The method of ADR 0008, widened to every page and API read that shows per-person activity (ADR 0025): render
everything the manager can reach — every page under ``/w/<ws>/`` without a query, and the boards of every
scope, period and view, near me, points per opportunity, the league, the dashboard with its charts and CSV
exports, the team page, the contest and bonus pages, and every API read (leaderboards of every scope, near me,
league, statistics) — once for each state of bob, a report with plenty of activity, and require the same
bytes (apart from CSRF tokens and the random ids pygal gives its charts):

* never answered: bob never opened the privacy centre and ignored the call for interest;
* opted out: bob chose "under my name" and went back to private, and turned sharing with his manager on and
  off again;
* declined: bob said "not now" to the call for interest.

And the sweep is not vacuous: the moment bob chooses "under my name", the manager's boards change.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.analytics.rollups import Delta, RollupBatch
from groundswell.api.tokens import create_token
from groundswell.conftest import client_for, make_member
from groundswell.enrolment import actions as enrolment
from groundswell.enrolment.tests.helpers import join, open_a_call
from groundswell.enrolment.tests.test_manager_privacy import CSRF, api_gets, reachable_pages
from groundswell.lib.periods import local_day, period_start
from groundswell.privacy import actions as privacy
from groundswell.recognition import actions as recognition
from groundswell.rewards.actions import adjust_points
from groundswell.rewards.models import LeagueSeat
from groundswell.teams.models import Seat, Team
from groundswell.workspaces.models import Department, Location, Membership, Role, Workspace

pytestmark = pytest.mark.django_db

PERIODS = ("w", "m", "q", "y", "a")
VIEWS = ("top", "near", "normalised")
API_PERIODS = ("week", "month", "quarter", "year", "all")


def _activity(member: Membership, day: dt.date, points: int, shares: int, clicks: int) -> None:
    adjust_points(member=member, points=points, reason="sweep", author=None, key=f"sweep:{member.pk}:{day}", day=day)
    batch = RollupBatch()
    batch.add(
        workspace_id=member.workspace_id,
        member_id=member.pk,
        department_id=member.department_id,
        location_id=member.location_id,
        day=day,
        network="linkedin",
        item_id=None,
        delta=Delta(shares=shares, clicks=clicks, unique_clicks=clicks),
    )
    batch.write()


@pytest.fixture
def company(workspace: Workspace, sales: Department, berlin: Location, alice: Membership) -> dict[str, Any]:
    """Carol manages Sales: bob (the report the sweep changes), five more reports, and a company around them
    — people by name, anonymously and private, a team, a league, a drawn and an open contest, a closed bonus
    period and an open call for interest."""
    today = local_day(timezone.now(), workspace.timezone)
    last_month = period_start("m", today) - dt.timedelta(days=3)
    carol = make_member(workspace, "carol@acme.test", Role.MANAGER, department=sales, location=berlin)
    bob = make_member(workspace, "bob@acme.test", department=sales, location=berlin, manager=carol)
    reports = [
        make_member(workspace, f"r{i}@acme.test", department=sales, location=berlin, manager=carol) for i in range(5)
    ]
    marketing = Department.objects.create(workspace=workspace, name="Marketing")
    others = [make_member(workspace, f"m{i}@acme.test", department=marketing, location=berlin) for i in range(8)]
    for m in (carol, reports[0], others[0], others[1]):
        privacy.set_leaderboard_visibility(m, "name")
    for m in others[2:8]:
        privacy.set_leaderboard_visibility(m, "anonymous")
    privacy.set_leaderboard_visibility(reports[1], "anonymous")
    privacy.set_manager_sharing(reports[2], True)
    for i, m in enumerate([bob, carol, *reports, *others]):
        _activity(m, today, 40 + 7 * i, 2 + i % 3, 5 + i)
        _activity(m, last_month, 30 + 5 * i, 1, 3)

    team = Team.objects.create(workspace=workspace, name="Launch crew", seats=6, term_start=today, term_end=today)
    for m in (carol, bob, reports[0], reports[1], reports[3], others[0]):
        Seat.objects.create(team=team, member=m, served_from=today - dt.timedelta(days=30))
    week = period_start("w", today)
    for m in (carol, bob, *reports, *others):  # bob's seat is from a week he appeared: a stale seat shows nothing
        LeagueSeat.objects.create(workspace=workspace, member=m, week=week, tier=0, cohort=0)

    start = period_start("m", last_month)
    drawn = recognition.create_contest(
        workspace=workspace, by=alice, name="Last month's raffle", goal="Share", starts_on=start, ends_on=last_month,
        method="raffle", prizes=2, prize_description="Tickets", threshold_points=1, points_cap=100, cooldown=0,
        department_id=sales.pk,
    )  # fmt: skip
    recognition.draw_contest(contest=drawn, by=alice, today=today)
    running = recognition.create_contest(
        workspace=workspace, by=alice, name="This month", goal="Share", starts_on=period_start("m", today),
        ends_on=today + dt.timedelta(days=40), method="top", prizes=1, prize_description="Lunch",
        threshold_points=1, points_cap=100, cooldown=0,
    )  # fmt: skip
    bonus = recognition.create_bonus_period(
        workspace=workspace, by=alice, name="Bonus", starts_on=start, ends_on=last_month, currency="EUR",
        pool_cents=100_000, threshold=1, cap=1000, floor_cents=0, ceiling_cents=50_000,
    )  # fmt: skip
    recognition.close_bonus_period(period=bonus, by=alice, today=today)
    call = open_a_call(alice)
    join(reports[3], "share")
    return {
        "carol": carol,
        "bob": bob,
        "reports": reports,
        "team": team,
        "call": call,
        "contests": [drawn, running],
        "bonus": bonus,
        "sales": sales,
        "berlin": berlin,
    }


def board_urls(c: dict[str, Any]) -> list[str]:
    ws = c["carol"].workspace.slug
    base = reverse("rewards:leaderboard", kwargs={"ws": ws})
    boards = ["company", f"dept:{c['sales'].pk}", f"loc:{c['berlin'].pk}", f"team:{c['team'].pk}"]
    urls = [f"{base}?period={p}&view={v}&board={b}" for p in PERIODS for v in VIEWS for b in boards]
    urls.append(reverse("rewards:league", kwargs={"ws": ws}))
    urls.append(reverse("privacy:team", kwargs={"ws": ws}))
    for days in (30, 90):
        for name in ("analytics:dashboard", "analytics:export_daily", "analytics:export_items"):
            urls.append(f"{reverse(name, kwargs={'ws': ws})}?days={days}")
        for kind in ("activity", "departments", "networks"):
            urls.append(f"{reverse('analytics:chart', kwargs={'ws': ws, 'kind': kind})}?days={days}")
    urls.append(reverse("recognition:overview", kwargs={"ws": ws}))
    for contest in c["contests"]:
        urls.append(reverse("recognition:contest", kwargs={"ws": ws, "contest_id": contest.pk}))
    urls.append(reverse("recognition:bonus", kwargs={"ws": ws, "period_id": c["bonus"].pk}))
    urls.append(reverse("recognition:payroll", kwargs={"ws": ws, "period_id": c["bonus"].pk}))
    return urls


def api_reads(c: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    reads = list(api_gets(c["bob"]))
    for period in API_PERIODS:
        for scope in ({}, {"department": c["sales"].pk}, {"location": c["berlin"].pk}, {"team": c["team"].pk}):
            reads.append(("/api/leaderboard", {"period": period, **scope}))
            reads.append(("/api/leaderboard", {"period": period, "near_me": "true", **scope}))
    reads.append(("/api/league/me", {}))
    for group in ("day", "week", "month"):
        reads.append(("/api/stats/clicks", {"group": group}))
        reads.append(("/api/stats/clicks", {"group": group, "member": c["bob"].pk}))
    reads.append(("/api/shares", {"member": c["bob"].pk}))
    return reads


_TOKENS: dict[int, str] = {}
#: pygal gives every chart it draws a fresh random id; the figures are what must not change.
CHART_ID = re.compile(r"chart-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def snapshot(c: dict[str, Any]) -> dict[str, tuple[int, str]]:
    manager: Membership = c["carol"]
    web = client_for(manager)
    if manager.pk not in _TOKENS:
        _TOKENS[manager.pk] = create_token(manager, "sweep")[1]
    api = Client()
    seen: dict[str, tuple[int, str]] = {}
    pages = reachable_pages(manager.workspace, c["bob"], c["call"]) + board_urls(c)
    for url in pages:
        r = web.get(url)
        seen[url] = (r.status_code, CHART_ID.sub("chart", CSRF.sub(r"\1\2", r.content.decode(errors="replace"))))
    for path, query in api_reads(c):
        r = api.get(path, query, headers={"Authorization": f"Bearer {_TOKENS[manager.pk]}"})
        seen[f"{path}?{sorted(query.items())}"] = (r.status_code, r.content.decode(errors="replace"))
    return seen


def changed(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> list[str]:
    assert before.keys() == after.keys()
    return [url for url in before if before[url] != after[url]]


@pytest.fixture(autouse=True)
def _fresh_tokens() -> None:
    _TOKENS.clear()


def _text(html: str) -> str:
    """The words a reader sees: tags and their attributes (nonces, tokens, icon paths) left out, so a random
    attribute value that happens to contain "R4" is not taken for a person's name."""
    return " ".join(re.sub(r"<[^>]*>", " ", html).split())


def test_the_sweep_reads_every_board_and_shows_real_people(company: dict[str, Any]) -> None:
    seen = snapshot(company)
    ok = [url for url, (status, _) in seen.items() if status == 200]
    not_ok = {url: status for url, (status, _) in seen.items() if status != 200}
    assert len(ok) >= 150, (len(ok), not_ok)  # 120 boards, the dashboard family, recognition, the API…
    base = reverse("rewards:leaderboard", kwargs={"ws": "acme"})
    company_board = _text(seen[f"{base}?period=m&view=top&board=company"][1])
    assert "R0" in company_board and "Anonymous ambassador" in company_board  # named and anonymous rows
    assert not re.search(r"\b(Bob|R4)\b", company_board)  # private people: on no board
    sales_board = _text(seen[f"{base}?period=m&view=top&board=dept:{company['sales'].pk}"][1])
    assert "R0" in sales_board and "Anonymous ambassador" not in sales_board  # one anonymous in Sales: left out
    team_page = _text(seen[reverse("privacy:team", kwargs={"ws": "acme"})][1])
    assert "Keeps their statistics private" in team_page and "R2" in team_page
    assert seen[f"/api/stats/clicks?{sorted({'group': 'day', 'member': company['bob'].pk}.items())}"][0] == 404


def test_manager_view_is_the_same_whether_a_report_opted_out_declined_or_never_answered(
    company: dict[str, Any],
) -> None:
    bob = company["bob"]
    never_answered = snapshot(company)

    privacy.set_leaderboard_visibility(bob, "name")
    privacy.set_leaderboard_visibility(bob, "hidden")
    privacy.set_manager_sharing(bob, True)
    privacy.set_manager_sharing(bob, False)
    opted_out = snapshot(company)
    assert not changed(never_answered, opted_out), changed(never_answered, opted_out)

    enrolment.decline(bob)
    declined = snapshot(company)
    assert not changed(never_answered, declined), changed(never_answered, declined)

    # Not vacuous: bob choosing to appear by name changes what his manager's boards show.
    privacy.set_leaderboard_visibility(bob, "name")
    named = snapshot(company)
    base = reverse("rewards:leaderboard", kwargs={"ws": "acme"})
    assert f"{base}?period=m&view=top&board=dept:{company['sales'].pk}" in changed(never_answered, named)
    assert any(url.startswith("/api/leaderboard") for url in changed(never_answered, named))
