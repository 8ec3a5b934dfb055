"""The dashboard's date-range picker: presets and own dates in the URL, the comparison with the previous
period (a second series, KPI deltas), clear errors for bad input, the CSVs following the range, the workspace's
time zone for day boundaries, and a query count that does not grow with the data or the range."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groundswell.analytics.tests.helpers import grow, publish, share_with_clicks
from groundswell.content.models import Item
from groundswell.workspaces.models import Department, Membership, Workspace

URL = "/w/acme/dashboard/"


def today() -> dt.date:
    return timezone.now().date()


def chart(body: str, name: str) -> dict[str, object]:
    marker = f'<script id="{name}" type="application/json">'
    start = body.index(marker) + len(marker)
    data: dict[str, object] = json.loads(body[start : body.index("</script>", start)])
    return data


@pytest.mark.django_db
def test_compare_off_and_on(alice_client: Client, bob: Membership, item: Item) -> None:
    share_with_clicks(bob, item, 4, when=timezone.now() - dt.timedelta(days=9))  # the previous 7 days
    share_with_clicks(bob, item, 6)
    share_with_clicks(bob, item, 2)

    off = alice_client.get(URL, {"range": "7d"})
    body = off.content.decode()
    assert off.status_code == 200 and off.context["previous"] is None
    activity = chart(body, "chart-activity-data")
    assert activity["type"] == "line" and len(activity["labels"]) == 7  # type: ignore[arg-type]
    assert [s["label"] for s in activity["series"]] == ["Human clicks", "Shares"]  # type: ignore[attr-defined]
    assert activity["series"][0]["data"][-1] == 8  # type: ignore[index]
    assert 'class="delta' not in body and "Previous period</th>" not in body
    assert 'href="/w/acme/dashboard/?range=7d&amp;compare=1"' in body  # the toggle keeps the range

    on = alice_client.get(URL, {"range": "7d", "compare": "1"})
    body = on.content.decode()
    previous = on.context["previous"]
    assert (previous.start, previous.end) == (today() - dt.timedelta(days=13), today() - dt.timedelta(days=7))
    activity = chart(body, "chart-activity-data")
    labels = [s["label"] for s in activity["series"]]  # type: ignore[attr-defined]
    assert labels == ["Human clicks", "Shares", "Human clicks, previous period", "Shares, previous period"]
    assert sum(activity["series"][2]["data"]) == 4  # type: ignore[index]
    assert activity["series"][2]["dates"][0] == previous.start.strftime("%d %b")  # type: ignore[index]
    kpis = {k.label: k for k in on.context["kpis"]}
    assert (kpis["Human clicks"].value, kpis["Human clicks"].previous) == (8, 4)
    assert kpis["Human clicks"].delta_text == "+100%" and kpis["Shares started"].delta_text == "+100%"
    assert kpis["Engagements"].delta_text == "\u2013"
    assert '<div class="delta up"><span class="delta-value">+100%</span>' in body
    # The table behind the chart gains the previous period's columns, one row per day.
    assert "Previous period</th>" in body and "Human clicks before</th>" in body
    assert body.count('<th scope="row">') == 7
    assert 'href="/w/acme/dashboard/?range=7d"' in body and "Stop comparing" in body


def test_kpi_delta_wording() -> None:
    from groundswell.analytics.views import Kpi

    assert Kpi("x", 5, 10).delta_text == "\u221250%" and Kpi("x", 5, 10).direction == "down"
    assert Kpi("x", 3, 0).delta_text == "new" and Kpi("x", 3, 3).delta_text == "0%"
    assert Kpi("x", 3).delta_text == "" and Kpi("x", 3).direction == "flat"


@pytest.mark.django_db
def test_charts_and_tables_hold_the_same_figures(
    alice_client: Client, bob: Membership, carol: Membership, item: Item
) -> None:
    share_with_clicks(bob, item, 3)
    share_with_clicks(carol, item, 5, network="x")
    body = alice_client.get(URL, {"range": "month"}).content.decode()
    networks = chart(body, "chart-networks-data")
    assert networks["type"] == "bar" and networks["labels"] == ["X", "LinkedIn"]
    assert networks["series"][0]["data"] == [5, 3]  # type: ignore[index]
    assert '<caption class="sr-only">Human clicks and shares per network in this month</caption>' in body
    assert "<summary>Show as table</summary>" in body
    assert 'role="img" aria-label="Line chart of human clicks and shares per day in this month' in body
    assert 'style="' not in body and "<script>" not in body  # CSP: no inline script or style


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"range": "custom", "from": "2026-05-10", "to": "2026-05-01"}, "The start date is after the end date"),
        ({"range": "custom", "from": "2020-01-01", "to": "2026-05-01"}, "the longest is 731 days (two years)"),
        ({"range": "custom", "from": "31/12/2025", "to": "2026-05-01"}, "is not a date: use the form 2026-01-31"),
        ({"range": "custom", "from": "2026-05-01", "to": "2026-02-30"}, "is not a date"),
        ({"range": "custom", "from": "99999-12-31"}, "is not a date"),
        ({"range": "sideways"}, "Unknown range"),
    ],
    ids=["from-after-to", "too-long", "malformed", "no-such-day", "five-digit-year", "unknown"],
)
def test_bad_ranges_say_why_on_the_page(alice_client: Client, params: dict[str, str], message: str) -> None:
    response = alice_client.get(URL, params)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body and 'role="alert"' in body and "Showing the last 30 days instead." in body
    assert response.context["window"].days == 30
    # The form keeps what was typed so it can be corrected.
    assert f'value="{params.get("from", "")}"' in body
    daily = alice_client.get(reverse("analytics:export_daily", kwargs={"ws": "acme"}), params)
    assert daily.status_code == 400 and message in daily.content.decode()


@pytest.mark.django_db
def test_csv_exports_follow_the_range(alice_client: Client, bob: Membership, item: Item) -> None:
    share_with_clicks(bob, item, 2, when=timezone.now() - dt.timedelta(days=3))
    start, end = today() - dt.timedelta(days=5), today() - dt.timedelta(days=2)
    params = {"range": "custom", "from": start.isoformat(), "to": end.isoformat()}
    response = alice_client.get(reverse("analytics:export_daily", kwargs={"ws": "acme"}), params)
    assert f'groundswell-acme-daily-{start}-{end}.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [r[0] for r in rows[1:]] == [(start + dt.timedelta(days=i)).isoformat() for i in range(4)]
    assert sum(int(r[2]) for r in rows[1:]) == 2
    items = alice_client.get(reverse("analytics:export_items", kwargs={"ws": "acme"}), {"range": "custom",
                             "from": today().isoformat()})  # fmt: skip
    assert len(list(csv.reader(io.StringIO(items.content.decode())))) == 1  # the share was 3 days ago
    body = alice_client.get(URL, params).content.decode()
    assert f'href="/w/acme/dashboard/export/daily.csv?range=custom&amp;from={start}&amp;to={end}"' in body


@pytest.mark.django_db
def test_day_boundaries_are_the_workspace_time_zone(workspace: Workspace, alice_client: Client) -> None:
    workspace.timezone = "Pacific/Kiritimati"  # UTC+14: already tomorrow at noon UTC
    workspace.save(update_fields=["timezone"])
    with time_machine.travel(dt.datetime(2026, 5, 14, 12, 0, tzinfo=dt.UTC), tick=False):
        window = alice_client.get(URL, {"range": "7d"}).context["window"]
        assert (window.start, window.end) == (dt.date(2026, 5, 9), dt.date(2026, 5, 15))
        # An end date after the workspace's today is cut to today (nothing is counted later).
        custom = alice_client.get(URL, {"range": "custom", "from": "2026-05-01", "to": "2026-06-01"})
        assert custom.context["window"].end == dt.date(2026, 5, 15) and custom.context["range_error"] == ""


@pytest.mark.django_db
def test_query_count_is_flat_with_compare_and_long_ranges(
    workspace: Workspace, alice: Membership, bob: Membership, carol: Membership, item: Item, sales: Department
) -> None:
    from groundswell.conftest import client_for

    client = client_for(carol)
    share_with_clicks(bob, item, 3, when=timezone.now() - dt.timedelta(days=40))
    share_with_clicks(bob, item, 1, when=timezone.now() - dt.timedelta(days=2))
    share_with_clicks(alice, item, 2, network="x")

    def count(params: dict[str, str]) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL, params)
        assert response.status_code == 200 and response.context["range_error"] == ""
        return len(ctx.captured_queries)

    plain = count({"range": "30d"})
    compared = count({"range": "30d", "compare": "1"})
    assert compared == plain + 1  # the previous period's daily series, one query
    year = (today() - dt.timedelta(days=700)).isoformat()
    assert count({"range": "custom", "from": year, "compare": "1"}) == compared
    grow(workspace, item, 15, department=sales)
    grow(workspace, publish(workspace, "Second", alice), 5, prefix="more")
    assert count({"range": "30d", "compare": "1"}) == compared
    assert count({"range": "ytd"}) == plain


@pytest.mark.django_db
def test_svg_charts_follow_the_range_for_the_pdf_and_old_links(
    alice_client: Client, bob: Membership, item: Item
) -> None:
    share_with_clicks(bob, item, 3)
    url = reverse("analytics:chart", kwargs={"ws": "acme", "kind": "activity"})
    svg = alice_client.get(url, {"range": "month"})
    assert svg.status_code == 200 and b"Human clicks and shares in this month" in svg.content
    bad = alice_client.get(url, {"range": "custom", "from": "nope"})
    assert bad.status_code == 200 and b"the last 30 days" in bad.content
