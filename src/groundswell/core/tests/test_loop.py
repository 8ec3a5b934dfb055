"""The core loop at the domain layer: share → click batch → points → rollups."""

from __future__ import annotations

import pytest
from django.utils import timezone

from groundswell.analytics.models import Dimension, MemberPeriod, SegmentPeriod
from groundswell.content.models import Item
from groundswell.links.ingest import ClickEvent, write_clicks
from groundswell.links.models import Click
from groundswell.rewards.models import PointsEntry
from groundswell.sharing.actions import ShareError, create_share
from groundswell.workspaces.models import Membership


def click(code: str, visitor: str = "v1", bot: bool = False) -> ClickEvent:
    return ClickEvent.new(code=code, clicked_at=timezone.now(), visitor_hash=visitor, is_bot=bot)


@pytest.mark.django_db
def test_share_and_clicks_roll_up(bob: Membership, item: Item) -> None:
    share = create_share(member=bob, item=item, network="linkedin", caption="Proud of this")
    events = [
        click(share.code, "v1"),
        click(share.code, "v1"),
        click(share.code, "v2"),
        click(share.code, "b", bot=True),
    ]
    assert write_clicks(events) == 4
    assert write_clicks(events) == 0  # replay is idempotent

    assert Click.objects.filter(is_unique=True).count() == 2
    share.refresh_from_db()
    assert (share.human_clicks, share.unique_clicks) == (3, 2)
    total = PointsEntry.objects.filter(member=bob)
    assert sorted(total.values_list("action", "points")) == [("share", 10), ("unique_click", 2), ("unique_click", 2)]

    month = MemberPeriod.objects.get(member=bob, period="m")
    assert (month.shares, month.clicks, month.unique_clicks, month.bot_clicks, month.points) == (1, 3, 2, 1, 14)
    everyone = SegmentPeriod.objects.get(period="q", dimension=Dimension.ALL)
    assert (everyone.shares, everyone.active_members, everyone.reach) == (1, 1, 300)
    dept = SegmentPeriod.objects.get(period="q", dimension=Dimension.DEPARTMENT)
    assert dept.key == str(bob.department_id) and dept.clicks == 3

    # A second share in the same period does not count the member as active twice.
    create_share(member=bob, item=item, network="x", caption="Again")
    everyone.refresh_from_db()
    assert (everyone.shares, everyone.active_members) == (2, 1)


@pytest.mark.django_db
def test_click_points_respect_daily_cap(bob: Membership, item: Item) -> None:
    share = create_share(member=bob, item=item, network="linkedin", caption="")
    write_clicks([click(share.code, f"visitor-{i}") for i in range(30)])
    assert sum(PointsEntry.objects.filter(action="unique_click").values_list("points", flat=True)) == 40


@pytest.mark.django_db
def test_share_refuses_bad_input(bob: Membership, item: Item, charlie: Membership) -> None:
    with pytest.raises(ShareError, match="Unknown network"):
        create_share(member=bob, item=item, network="myspace", caption="")
    with pytest.raises(ShareError, match="Mastodon server"):
        create_share(member=bob, item=item, network="mastodon", caption="")
    with pytest.raises(ShareError, match="does not exist"):
        create_share(member=charlie, item=item, network="x", caption="")
    with pytest.raises(ShareError, match="280"):
        create_share(member=bob, item=item, network="x", caption="x" * 300)
