from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groundswell.analytics.models import Dimension
from groundswell.analytics.queries import breakdown, breakdown_range, participation, series, top_items
from groundswell.analytics.tests.helpers import grow, publish, share_with_clicks
from groundswell.conftest import client_for
from groundswell.content.models import Item
from groundswell.lib.periods import period_start
from groundswell.workspaces.models import Department, Membership, Workspace


def today() -> dt.date:
    return timezone.now().date()


@pytest.mark.django_db
def test_queries_read_rollups(
    workspace: Workspace, alice: Membership, bob: Membership, carol: Membership, item: Item, sales: Department
) -> None:
    other = publish(workspace, "=HYPERLINK(evil)", alice)
    three_days_ago = timezone.now() - dt.timedelta(days=3)
    share_with_clicks(bob, item, 4, bots=2, when=three_days_ago)
    share_with_clicks(carol, other, 6, network="x")
    share_with_clicks(alice, item, 1, network="x")

    points = series(workspace, today() - dt.timedelta(days=6), today())
    assert len(points) == 7 and points[0].day == today() - dt.timedelta(days=6)
    assert [(p.shares, p.clicks) for p in points if p.shares] == [(1, 4), (2, 7)]
    assert points[3].bot_clicks == 2 and points[3].unique == 4

    top = top_items(workspace, today() - dt.timedelta(days=30), today(), 5)
    assert [(t.title, t.clicks, t.shares) for t in top] == [("=HYPERLINK(evil)", 6, 1), ("We launched", 5, 2)]

    depts = breakdown(workspace, Dimension.DEPARTMENT, "m", period_start("m", today()))
    if period_start("m", three_days_ago.date()) == period_start("m", today()):
        assert [(d.label, d.shares, d.clicks, d.active_members) for d in depts] == [("Sales", 2, 10, 2)]
    nets = breakdown_range(workspace, Dimension.NETWORK, today() - dt.timedelta(days=30), today())
    assert [(n.label, n.clicks, n.active_members) for n in nets] == [("X", 7, None), ("LinkedIn", 4, None)]

    part = participation(workspace, "a", dt.date(2000, 1, 1))
    assert (part.active, part.members, part.percent) == (3, 3, 100)


@pytest.mark.django_db
def test_dashboard_roles(workspace: Workspace, alice_client: Client, bob_client: Client, carol: Membership) -> None:
    url = reverse("analytics:dashboard", kwargs={"ws": "acme"})
    assert bob_client.get(url).status_code == 404
    for client in (alice_client, client_for(carol)):
        response = client.get(url)
        assert response.status_code == 200
        assert b"No activity in the last 30 days" in response.content
    assert alice_client.get(url, {"days": "90"}).context["window"].days == 90
    assert alice_client.get(url, {"days": "7000"}).context["window"].days == 30


@pytest.mark.django_db
def test_dashboard_shows_aggregates_with_constant_queries(
    workspace: Workspace, alice: Membership, bob: Membership, carol: Membership, item: Item, sales: Department
) -> None:
    client = client_for(carol)  # a manager
    url = reverse("analytics:dashboard", kwargs={"ws": "acme"})
    share_with_clicks(bob, item, 3)
    share_with_clicks(alice, item, 2, network="x")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    before = count()
    grow(workspace, item, 25, department=sales)
    grow(workspace, publish(workspace, "Second", alice), 10, prefix="more")
    assert count() == before

    response = client.get(url)
    body = response.content.decode()
    assert response.context["totals"].shares == 37
    assert "Top content" in body and "We launched" in body and "Sales" in body
    assert '<canvas data-chart="chart-activity-data"' in body and 'id="chart-activity-data"' in body
    assert '<canvas data-chart="chart-departments-data"' in body and '<canvas data-chart="chart-networks-data"' in body
    assert "/static/vendor/chart.js/chart.umd.min.js" in body and "/static/groundswell/charts.js" in body
    # Aggregates only: no member names on the manager's dashboard.
    assert "Bob" not in body.replace("Bob", "", 0) or "Extra0" not in body
    assert "Extra0" not in body and "Bob</td>" not in body
    assert 'style="' not in body


@pytest.mark.django_db
def test_charts_are_svg_with_their_own_csp(
    workspace: Workspace, alice_client: Client, bob: Membership, item: Item
) -> None:
    share_with_clicks(bob, item, 3)
    for kind in ("activity", "departments", "networks"):
        response = alice_client.get(reverse("analytics:chart", kwargs={"ws": "acme", "kind": kind}), {"days": "90"})
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml"
        assert response["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
        assert response.content.lstrip().startswith(b"<svg")
        assert b"<script" not in response.content
    assert alice_client.get(reverse("analytics:chart", kwargs={"ws": "acme", "kind": "nope"})).status_code == 404


@pytest.mark.django_db
def test_csv_exports(
    workspace: Workspace, alice: Membership, alice_client: Client, bob: Membership, item: Item
) -> None:
    share_with_clicks(bob, item, 3, bots=1)
    share_with_clicks(bob, publish(workspace, "=cmd|' /C calc'!A0", alice), 1)
    response = alice_client.get(reverse("analytics:export_daily", kwargs={"ws": "acme"}), {"days": "90"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="groundswell-acme-daily-')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["date", "shares", "human_clicks"] and len(rows) == 91
    assert rows[-1][:5] == [today().isoformat(), "2", "4", "4", "1"]

    response = alice_client.get(reverse("analytics:export_items", kwargs={"ws": "acme"}))
    assert 'filename="groundswell-acme-items-' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][1:5] == ["We launched", "https://example.com/launch", "1", "3"]
    assert rows[2][1].startswith("'=")  # formula neutralised


@pytest.mark.django_db
def test_employees_and_outsiders_get_404(
    workspace: Workspace, bob_client: Client, charlie_client: Client, alice: Membership
) -> None:
    urls = [
        reverse("analytics:dashboard", kwargs={"ws": "acme"}),
        reverse("analytics:chart", kwargs={"ws": "acme", "kind": "activity"}),
        reverse("analytics:export_daily", kwargs={"ws": "acme"}),
        reverse("analytics:export_items", kwargs={"ws": "acme"}),
    ]
    for url in urls:
        assert bob_client.get(url).status_code == 404
        assert charlie_client.get(url).status_code == 404


@pytest.mark.django_db
def test_dashboard_hides_all_zero_columns_and_balances_kpis(
    workspace: Workspace, alice_client: Client, bob: Membership, item: Item
) -> None:
    share_with_clicks(bob, item, 3)
    body = alice_client.get(reverse("analytics:dashboard", kwargs={"ws": "acme"})).content.decode()
    assert '<div class="stats kpis">' in body
    # No network reported engagements or impressions: their columns are left out of every table…
    assert "By network" in body and "Top content" in body
    assert '<th scope="col" class="num">Engagements</th>' not in body
    assert 'class="num hide-sm">Engagements</th>' not in body and "Impressions</th>" not in body
    # …but the KPI tiles still say 0, so nobody wonders where the figure went.
    assert '<div class="label">Engagements</div>' in body
