from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groundswell.analytics.tests.helpers import grow, share_with_clicks
from groundswell.conftest import make_member
from groundswell.content.models import Item
from groundswell.lib.periods import ALL_TIME_START, period_start
from groundswell.rewards.actions import adjust_points
from groundswell.rewards.leaderboard import ANONYMOUS_NAME, Scope, leaderboard, member_rank, member_standing
from groundswell.rewards.tests.conftest import viewer
from groundswell.workspaces.models import Department, Membership, Workspace


def month() -> dt.date:
    return period_start("m", timezone.now().date())


@pytest.mark.django_db
def test_ranking_ties_visibility_and_departments(
    workspace: Workspace, bob: Membership, carol: Membership, alice: Membership, item: Item, sales: Department
) -> None:
    share_with_clicks(bob, item, 3)  # 10 + 3*2 = 16
    share_with_clicks(carol, item, 3)  # 16 (tie)
    share_with_clicks(alice, item, 0)  # 0: a share link earns its 10 at its first human click
    dave = make_member(workspace, "dave@acme.test", leaderboard_visibility="anonymous")
    share_with_clicks(dave, item, 10)  # 30
    erin = make_member(workspace, "erin@acme.test", leaderboard_visibility="hidden")
    share_with_clicks(erin, item, 20)  # 50, hidden

    rows = leaderboard(viewer(workspace), "m", month())
    assert [(r.rank, r.display_name, r.points) for r in rows] == [
        (1, ANONYMOUS_NAME, 30),
        (2, "Bob", 16),
        (2, "Carol", 16),
        (4, "Alice", 0),
    ]
    assert rows[0].is_anonymous and rows[1].shares == 1 and rows[1].clicks == 3

    page2 = leaderboard(viewer(workspace), "m", month(), limit=2, offset=2)
    assert [(r.rank, r.points) for r in page2] == [(2, 16), (4, 0)]

    assert member_rank(bob, "m", month()) == 2
    assert member_rank(alice, "m", month()) == 4
    # A private member is on nobody else's board, but sees their own place (and that nobody else does).
    standing = member_standing(erin, "m", month())
    assert standing is not None and standing.points == 50 and standing.rank == 1 and not standing.listed

    sales_rows = leaderboard(viewer(workspace), "m", month(), scope=Scope(department_id=sales.pk))
    assert [r.display_name for r in sales_rows] == ["Bob", "Carol"]
    assert member_standing(bob, "m", month(), scope=Scope(department_id=sales.pk)).rank == 1  # type: ignore[union-attr]

    # All time includes a negative adjustment.
    adjust_points(member=bob, points=-6, reason="Duplicate", author=alice, key="adj:1", day=timezone.now().date())
    assert [r.points for r in leaderboard(viewer(workspace), "a", ALL_TIME_START)][:4] == [30, 16, 10, 0]


@pytest.mark.django_db
def test_no_activity_means_no_rank(workspace: Workspace, bob: Membership) -> None:
    assert leaderboard(viewer(workspace), "w", period_start("w", timezone.now().date())) == []
    assert member_rank(bob, "w", period_start("w", timezone.now().date())) is None


@pytest.mark.django_db
def test_leaderboard_page_tabs_and_my_row(
    workspace: Workspace, bob: Membership, bob_client: Client, carol: Membership, item: Item
) -> None:
    url = reverse("rewards:leaderboard", kwargs={"ws": "acme"})
    response = bob_client.get(url)
    assert response.status_code == 200
    assert b"Nobody is on the board yet" in response.content

    share_with_clicks(carol, item, 5)
    share_with_clicks(bob, item, 1)
    for period in ("w", "m", "q", "a"):
        response = bob_client.get(url, {"period": period})
        assert response.status_code == 200
        body = response.content.decode()
        assert "Carol" in body and 'class="me-row"' in body
        assert response.context["mine"].rank == 2

    # Bob is not on a one-row page, but his own row and rank are still shown.
    from groundswell.rewards import views

    views.PAGE_SIZE, old = 1, views.PAGE_SIZE
    try:
        response = bob_client.get(url)
    finally:
        views.PAGE_SIZE = old
    assert not response.context["me_listed"]
    assert "#2" in response.content.decode()
    assert response.context["next_url"]


@pytest.mark.django_db
def test_leaderboard_department_filter(
    workspace: Workspace, bob: Membership, bob_client: Client, alice: Membership, item: Item, sales: Department
) -> None:
    share_with_clicks(alice, item, 9)
    share_with_clicks(bob, item, 1)
    response = bob_client.get(reverse("rewards:leaderboard", kwargs={"ws": "acme"}), {"dept": sales.pk})
    assert [r.display_name for r in response.context["rows"]] == ["Bob"]
    assert response.context["mine"].rank == 1
    response = bob_client.get(reverse("rewards:leaderboard", kwargs={"ws": "acme"}), {"dept": "999999"})
    assert [r.display_name for r in response.context["rows"]] == ["Alice", "Bob"]


@pytest.mark.django_db
def test_leaderboard_query_count_is_constant(
    workspace: Workspace, bob: Membership, bob_client: Client, item: Item, sales: Department
) -> None:
    url = reverse("rewards:leaderboard", kwargs={"ws": "acme"})
    share_with_clicks(bob, item, 1)
    grow(workspace, item, 3, prefix="a")

    def count(params: dict[str, str]) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert bob_client.get(url, params).status_code == 200
        return len(ctx.captured_queries)

    before = [count({}), count({"dept": str(sales.pk)}), count({"page": "2"}), count({"period": "a"})]
    grow(workspace, item, 30, prefix="b", department=sales)
    after = [count({}), count({"dept": str(sales.pk)}), count({"page": "2"}), count({"period": "a"})]
    assert before == after


@pytest.mark.django_db
def test_history_lists_my_points_only(
    workspace: Workspace, bob: Membership, bob_client: Client, carol: Membership, alice: Membership, item: Item
) -> None:
    url = reverse("rewards:history", kwargs={"ws": "acme"})
    assert b"No points yet" in bob_client.get(url).content
    share_with_clicks(bob, item, 2)
    share_with_clicks(carol, item, 7)
    adjust_points(member=bob, points=-3, reason="Typo fix", author=alice, key="adj:2", day=timezone.now().date())
    response = bob_client.get(url)
    body = response.content.decode()
    assert "Share confirmed" in body and "Unique human click earned" in body and "Typo fix" in body
    assert response.context["total"] == 10 + 4 - 3
    assert len(response.context["page"].object_list) == 4  # share, 2 clicks, adjustment — none of Carol's


@pytest.mark.django_db
def test_rules_page_admin_only_and_append_only(
    workspace: Workspace, alice_client: Client, bob_client: Client, carol: Membership
) -> None:
    from groundswell.conftest import client_for
    from groundswell.rewards.models import PointsRule

    url = reverse("rewards:rules", kwargs={"ws": "acme"})
    assert bob_client.get(url).status_code == 404
    assert client_for(carol).get(url).status_code == 404
    response = alice_client.get(url)
    assert response.status_code == 200 and b"Share confirmed" in response.content

    today = timezone.now().date()
    yesterday = today - dt.timedelta(days=1)
    response = alice_client.post(url, {"action": "share", "points": "5", "daily_cap": "", "active_from": yesterday})
    assert response.status_code == 200 and b"past points are never recalculated" in response.content
    assert PointsRule.objects.filter(workspace=workspace, action="share").count() == 1

    future = today + dt.timedelta(days=7)
    response = alice_client.post(url, {"action": "share", "points": "5", "daily_cap": "20", "active_from": future})
    assert response.status_code == 302
    assert PointsRule.objects.filter(workspace=workspace, action="share").count() == 2
    old = PointsRule.objects.get(workspace=workspace, action="share", active_from=dt.date(2000, 1, 1))
    assert (old.points, old.daily_cap) == (10, 50)  # history untouched
    response = alice_client.get(url)
    assert [line.rule.active_from for line in response.context["scheduled"]] == [future]
    # The same day twice is refused rather than overwritten.
    response = alice_client.post(url, {"action": "share", "points": "7", "daily_cap": "", "active_from": future})
    assert response.status_code == 200 and b"already a rule" in response.content


@pytest.mark.django_db
def test_outsider_gets_404_everywhere(workspace: Workspace, charlie_client: Client) -> None:
    for name in ("leaderboard", "history", "rules"):
        assert charlie_client.get(reverse(f"rewards:{name}", kwargs={"ws": "acme"})).status_code == 404
    assert charlie_client.post(reverse("rewards:rules", kwargs={"ws": "acme"}), {}).status_code == 404


@pytest.mark.django_db
def test_anonymous_user_is_sent_to_login(workspace: Workspace) -> None:
    response = Client().get(reverse("rewards:leaderboard", kwargs={"ws": "acme"}))
    assert response.status_code == 302


@pytest.mark.django_db
def test_top_view_asks_the_visibility_rule_once(
    workspace: Workspace, bob: Membership, bob_client: Client, item: Item
) -> None:
    """The rule's count of anonymous people reads the whole board: the rows and the viewer's standing share
    one answer (bench/dashboard: it was asked twice per page)."""
    share_with_clicks(bob, item, 1)
    grow(workspace, item, 3, prefix="a")
    with CaptureQueriesContext(connection) as ctx:
        assert bob_client.get(reverse("rewards:leaderboard", kwargs={"ws": "acme"})).status_code == 200
    anonymous_counts = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith("SELECT COUNT(*)")
        and "'anonymous'" in q["sql"]
        and period_start("m", timezone.now().date()).isoformat() in q["sql"]  # this month's board, not last month's
    ]
    assert len(anonymous_counts) == 1, anonymous_counts
