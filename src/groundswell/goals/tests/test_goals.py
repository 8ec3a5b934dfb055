from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groundswell.analytics.tests.helpers import grow, share_with_clicks
from groundswell.conftest import client_for
from groundswell.content.models import Item
from groundswell.goals.actions import create_goal
from groundswell.goals.models import Goal
from groundswell.goals.progress import elapsed_fraction, goal_progress
from groundswell.lib.periods import period_start
from groundswell.workspaces.models import Membership, Workspace


def today() -> dt.date:
    return timezone.now().date()


@pytest.mark.django_db
def test_goal_progress_reads_rollups_in_one_query(
    workspace: Workspace, alice: Membership, bob: Membership, carol: Membership, item: Item
) -> None:
    share_with_clicks(bob, item, 4)
    share_with_clicks(carol, item, 2, bots=3)
    share_with_clicks(bob, item, 0, network="x")
    goals = [
        create_goal(workspace=workspace, author=alice, name=m, metric=m, target=10, period=p, day=today())
        for m, p in (("clicks", "m"), ("shares", "q"), ("active", "w"), ("reach", "y"))
    ]
    last_year = create_goal(
        workspace=workspace, author=alice, name="old", metric="clicks", target=5, period="y", day=dt.date(2020, 5, 5)
    )
    assert last_year.period_start == dt.date(2020, 1, 1)
    with CaptureQueriesContext(connection) as ctx:
        progress = goal_progress([*goals, last_year], today=today())
    assert len(ctx.captured_queries) == 1
    values = {p.goal.name: p.value for p in progress}
    assert values == {"clicks": 6, "shares": 3, "active": 2, "reach": 300 + 0 + 300, "old": 0}
    clicks = progress[0]
    assert clicks.percent == 60 and clicks.is_current and clicks.period_label
    reach = progress[3]
    assert reach.percent == 100 and reach.status == "Reached" and reach.on_track
    old = progress[4]
    assert old.is_past and old.status == "Missed" and not old.on_track


def test_elapsed_fraction() -> None:
    start = dt.date(2026, 1, 1)
    assert elapsed_fraction("m", start, dt.date(2025, 12, 31)) == 0
    assert elapsed_fraction("m", start, dt.date(2026, 1, 31)) == 1
    assert elapsed_fraction("m", start, dt.date(2026, 2, 1)) == 1
    assert 0.48 < elapsed_fraction("m", start, dt.date(2026, 1, 15)) < 0.5


@pytest.mark.django_db
def test_program_page_for_everyone_and_query_count(
    workspace: Workspace, alice: Membership, bob: Membership, bob_client: Client, item: Item
) -> None:
    url = reverse("goals:program", kwargs={"ws": "acme"})
    response = bob_client.get(url)
    assert response.status_code == 200
    assert b"has not written the vision yet" in response.content
    assert b"No goals for the current period" in response.content
    assert b"New goal" not in response.content

    workspace.vision = "Tell the world what we build."
    workspace.save()
    for metric in ("clicks", "shares", "active", "reach"):
        create_goal(
            workspace=workspace, author=alice, name=f"Goal {metric}", metric=metric, target=50, period="m", day=today()
        )
    share_with_clicks(bob, item, 5)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = bob_client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    before = count()
    grow(workspace, item, 10)
    assert count() == before
    body = bob_client.get(url).content.decode()
    assert "Tell the world what we build." in body and "<progress" in body and "Goal clicks" in body
    assert 'style="' not in body and "<script>" not in body


@pytest.mark.django_db
def test_admin_manages_goals_and_vision(workspace: Workspace, alice: Membership, alice_client: Client) -> None:
    create_url = reverse("goals:create", kwargs={"ws": "acme"})
    assert alice_client.get(create_url).status_code == 200
    response = alice_client.post(create_url, {"name": "Clicks", "metric": "clicks", "target": "500", "period": "q"})
    assert response.status_code == 302
    goal = Goal.objects.get(workspace=workspace)
    assert goal.period_start == period_start("q", today()) and goal.created_by == alice

    edit_url = reverse("goals:edit", kwargs={"ws": "acme", "goal_id": goal.pk})
    response = alice_client.post(
        edit_url, {"name": "Clicks in March", "metric": "shares", "target": "40", "period": "m", "day": "2026-03-17"}
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.name, goal.metric, goal.target, goal.period_start) == (
        "Clicks in March",
        "shares",
        40,
        dt.date(2026, 3, 1),
    )

    response = alice_client.post(create_url, {"name": "", "metric": "clicks", "target": "0", "period": "q"})
    assert response.status_code == 200 and Goal.objects.count() == 1

    vision_url = reverse("goals:vision", kwargs={"ws": "acme"})
    assert alice_client.post(vision_url, {"vision": "  Be heard.  "}).status_code == 302
    workspace.refresh_from_db()
    assert workspace.vision == "Be heard."

    delete_url = reverse("goals:delete", kwargs={"ws": "acme", "goal_id": goal.pk})
    assert alice_client.get(delete_url).status_code == 405
    assert alice_client.post(delete_url).status_code == 302
    assert not Goal.objects.exists()


@pytest.mark.django_db
def test_employees_and_managers_cannot_edit(
    workspace: Workspace, alice: Membership, bob_client: Client, carol: Membership
) -> None:
    goal = create_goal(workspace=workspace, author=alice, name="G", metric="clicks", target=5, period="m", day=today())
    carol_client = client_for(carol)
    for client in (bob_client, carol_client):
        assert client.get(reverse("goals:create", kwargs={"ws": "acme"})).status_code == 404
        assert client.post(reverse("goals:vision", kwargs={"ws": "acme"}), {"vision": "x"}).status_code == 404
        assert client.post(reverse("goals:delete", kwargs={"ws": "acme", "goal_id": goal.pk})).status_code == 404
        assert client.get(reverse("goals:program", kwargs={"ws": "acme"})).status_code == 200
    assert Goal.objects.filter(pk=goal.pk).exists()


@pytest.mark.django_db
def test_outsider_gets_404(
    workspace: Workspace, alice: Membership, charlie: Membership, charlie_client: Client
) -> None:
    goal = create_goal(workspace=workspace, author=alice, name="G", metric="clicks", target=5, period="m", day=today())
    urls = [
        reverse("goals:program", kwargs={"ws": "acme"}),
        reverse("goals:vision", kwargs={"ws": "acme"}),
        reverse("goals:create", kwargs={"ws": "acme"}),
        reverse("goals:edit", kwargs={"ws": "acme", "goal_id": goal.pk}),
    ]
    for url in urls:
        assert charlie_client.get(url).status_code == 404
    assert charlie_client.post(reverse("goals:delete", kwargs={"ws": "acme", "goal_id": goal.pk})).status_code == 404
    # Charlie is an admin of Globex: a Globex URL with Acme's goal id is a 404 too.
    assert charlie_client.get(reverse("goals:edit", kwargs={"ws": "globex", "goal_id": goal.pk})).status_code == 404
    assert charlie_client.post(reverse("goals:delete", kwargs={"ws": "globex", "goal_id": goal.pk})).status_code == 404
    assert Goal.objects.filter(pk=goal.pk).exists()
