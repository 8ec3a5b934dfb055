from __future__ import annotations

import datetime as dt

import pytest

from groundswell.analytics.rollups import Delta, RollupBatch
from groundswell.api.endpoints.common import local_today
from groundswell.api.schemas import ClicksOut, ItemStatsOut


def record(member, day, *, item=None, network="linkedin", **delta):
    batch = RollupBatch()
    batch.add(
        workspace_id=member.workspace_id,
        member_id=member.pk,
        department_id=member.department_id,
        location_id=member.location_id,
        day=day,
        network=network,
        item_id=item.pk if item else None,
        delta=Delta(**delta),
    )
    batch.write()


def test_clicks_scope_by_role(bob_api, carol_api, charlie_api, bob, carol, item):
    today = local_today(bob)
    record(bob, today, item=item, clicks=5, unique_clicks=4, shares=1, reach=300)
    record(carol, today, item=item, clicks=2, unique_clicks=2)
    mine = ClicksOut.model_validate(bob_api.get("/api/stats/clicks").json())
    assert mine.scope == "member" and mine.totals.clicks == 5 and mine.totals.reach == 300
    assert len(mine.series) == 30 and mine.series[-1].start == today and mine.series[-1].clicks == 5
    everyone = ClicksOut.model_validate(carol_api.get("/api/stats/clicks").json())
    assert everyone.scope == "workspace" and everyone.totals.clicks == 7
    outsider = charlie_api.get("/api/stats/clicks").json()
    assert outsider["totals"]["clicks"] == 0


def test_clicks_grouping(carol_api, bob):
    record(bob, dt.date(2026, 3, 3), clicks=1)
    record(bob, dt.date(2026, 3, 20), clicks=2)
    record(bob, dt.date(2026, 4, 2), clicks=4)
    params = {"start": "2026-03-01", "end": "2026-04-30"}
    by_month = carol_api.get("/api/stats/clicks", {**params, "group": "month"}).json()
    assert [(b["start"], b["clicks"]) for b in by_month["series"]] == [("2026-03-01", 3), ("2026-04-01", 4)]
    by_week = carol_api.get("/api/stats/clicks", {**params, "group": "week"}).json()
    assert by_week["start"] == "2026-02-23"  # the Monday of the first week
    assert sum(b["clicks"] for b in by_week["series"]) == 7
    by_day = carol_api.get("/api/stats/clicks", {**params, "group": "day"}).json()
    assert len(by_day["series"]) == 61


def test_clicks_validation(bob_api):
    response = bob_api.get("/api/stats/clicks", {"start": "2026-05-01", "end": "2026-04-01"})
    assert response.status_code == 422 and "start" in response.json()["detail"]
    response = bob_api.get("/api/stats/clicks", {"start": "yesterday"})
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["query", "start"]
    assert bob_api.get("/api/stats/clicks", {"group": "year"}).status_code == 422
    response = bob_api.get("/api/stats/clicks", {"start": "2000-01-01", "end": "2026-01-01"})
    assert response.status_code == 422 and "400" in response.json()["detail"]


@pytest.mark.parametrize(
    ("params", "first", "last"),
    [
        ({"end": "0001-01-01"}, "0001-01-01", "0001-01-01"),  # the default span reaches before the first day
        ({"end": "0001-01-20", "group": "month"}, "0001-01-01", "0001-01-01"),
        ({"start": "9999-12-31", "end": "9999-12-31"}, "9999-12-31", "9999-12-31"),  # the next bucket is past the last
        ({"start": "9999-12-01", "end": "9999-12-31", "group": "month"}, "9999-12-01", "9999-12-01"),
        ({"start": "9999-12-27", "end": "9999-12-31", "group": "week"}, "9999-12-27", "9999-12-27"),
    ],
)
def test_clicks_at_the_ends_of_the_calendar(carol_api, params, first, last):
    """Found by the API fuzzer (bench/fuzz): dates next to 0001-01-01 or 9999-12-31 were a 500 (OverflowError)."""
    response = carol_api.get("/api/stats/clicks", params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["start"] == first and body["series"][0]["start"] == first and body["series"][-1]["start"] == last
    assert body["totals"]["clicks"] == 0


def test_top_items_at_the_first_day_of_the_calendar(carol_api):
    response = carol_api.get("/api/stats/items", {"end": "0001-01-10"})
    assert response.status_code == 200, response.content
    assert response.json()["start"] == "0001-01-01"


def test_top_items(carol_api, bob_api, charlie_api, alice_api, bob, item, workspace, alice):
    from groundswell.api.tests.test_items import make_item

    other = make_item(workspace, alice, title="Second")
    today = local_today(bob)
    record(bob, today, item=item, clicks=3, shares=1)
    record(bob, today, item=other, network="x", clicks=9, shares=2)
    body = ItemStatsOut.model_validate(carol_api.get("/api/stats/items").json())
    assert [(r.item_id, r.clicks) for r in body.results] == [(other.pk, 9), (item.pk, 3)]
    assert body.total == 2 and body.results[0].title == "Second"
    only_x = alice_api.get("/api/stats/items", {"network": "x"}).json()
    assert [r["item_id"] for r in only_x["results"]] == [other.pk]
    assert bob_api.get("/api/stats/items").status_code == 403
    assert charlie_api.get("/api/stats/items").json()["total"] == 0
    assert carol_api.get("/api/stats/items", {"start": "2020-01-01", "end": "2026-01-01"}).status_code == 422
