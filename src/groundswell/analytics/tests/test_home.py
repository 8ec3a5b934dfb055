"""Employee home (core/home.py and the panels the domains register: <app>/home.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groundswell.analytics.tests.helpers import grow, publish, share_with_clicks
from groundswell.content.models import Item
from groundswell.goals.actions import create_goal
from groundswell.privacy.actions import set_leaderboard_visibility
from groundswell.workspaces.models import LeaderboardVisibility, Membership, Workspace


@pytest.mark.django_db
def test_empty_home_says_what_happens_next(workspace: Workspace, bob: Membership, bob_client: Client) -> None:
    response = bob_client.get(reverse("core:home", kwargs={"ws": "acme"}))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing to share yet" in body and "your program admin will post content here" in body.lower()
    assert "No goals for this period yet" in body


@pytest.mark.django_db
def test_home_shows_items_stats_rank_and_goals(
    workspace: Workspace, alice: Membership, bob: Membership, bob_client: Client, carol: Membership, item: Item
) -> None:
    # Carol chose to appear by name, so she is ahead of Bob on his board (ADR 0025: private by default).
    set_leaderboard_visibility(carol, LeaderboardVisibility.NAME)
    share_with_clicks(carol, item, 10)
    share_with_clicks(bob, item, 3)
    create_goal(
        workspace=workspace,
        author=alice,
        name="Clicks this month",
        metric="clicks",
        target=100,
        period="m",
        day=timezone.now().date(),
    )
    response = bob_client.get(reverse("core:home", kwargs={"ws": "acme"}))
    ctx = response.context
    assert [h.item for h in ctx["items"]] == [item]
    assert ctx["month"].rank == 2 and ctx["month"].points == 16
    assert (ctx["overall_points"], ctx["overall_shares"], ctx["overall_clicks"]) == (16, 1, 3)
    assert [g.value for g in ctx["goals"]] == [13]
    body = response.content.decode()
    assert "We launched" in body and "#2" in body and "Clicks this month" in body and "<progress" in body


@pytest.mark.django_db
def test_home_query_count_is_constant(
    workspace: Workspace, alice: Membership, bob: Membership, bob_client: Client, item: Item
) -> None:
    url = reverse("core:home", kwargs={"ws": "acme"})
    share_with_clicks(bob, item, 2)
    create_goal(
        workspace=workspace, author=alice, name="G1", metric="shares", target=10, period="w", day=timezone.now().date()
    )

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert bob_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(8):
        publish(workspace, f"Item {i}", alice)
    grow(workspace, item, 20)
    share_with_clicks(bob, item, 5, when=timezone.now() - dt.timedelta(days=1))
    for metric in ("clicks", "active", "reach"):
        create_goal(
            workspace=workspace,
            author=alice,
            name=metric,
            metric=metric,
            target=10,
            period="q",
            day=timezone.now().date(),
        )
    assert count() == before
    assert len(bob_client.get(url).context["items"]) == 4


@pytest.mark.django_db
def test_outsider_gets_404(workspace: Workspace, charlie_client: Client) -> None:
    assert charlie_client.get(reverse("core:home", kwargs={"ws": "acme"})).status_code == 404
