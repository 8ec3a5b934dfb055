"""The share composer: the preview, the counter by the network's rule, the over-limit refusal, suggested
captions as radio choices; and share points only for what happened (ADR 0034)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groundswell.analytics.models import MemberPeriod
from groundswell.content.models import Caption, Item
from groundswell.links.ingest import ClickEvent, write_clicks
from groundswell.networks.models import AccountStatus, ConnectedAccount
from groundswell.rewards.models import Action, PointsEntry
from groundswell.sharing.actions import FIRST_CLICK_REASON, create_share, record_share
from groundswell.sharing.models import Share, ShareMethod
from groundswell.workspaces.models import Membership

pytestmark = pytest.mark.django_db


def share_url(item: Item) -> str:
    return reverse("sharing:share", kwargs={"ws": "acme", "item_id": item.pk})


def share_points(member: Membership) -> list[PointsEntry]:
    return list(PointsEntry.objects.filter(member=member, action=Action.SHARE).order_by("pk"))


def click(share: Share, visitor: str, *, bot: bool = False, at: dt.datetime | None = None) -> ClickEvent:
    return ClickEvent.new(code=share.code, clicked_at=at or timezone.now(), visitor_hash=visitor, is_bot=bot)


# --- the page --------------------------------------------------------------------------------------


def test_preview_shows_the_member_the_text_with_the_link_and_the_card(
    bob_client: Client, bob: Membership, item: Item, settings: Any
) -> None:
    ConnectedAccount.objects.create(
        workspace=bob.workspace, member=bob, network="x", handle="bobby", status=AccountStatus.ACTIVE
    )
    response = bob_client.get(share_url(item), {"network": "x"})
    ctx = response.context
    assert response.status_code == 200
    assert ctx["preview_handle"] == "@bobby" and ctx["preview_label"] == "X"
    assert ctx["preview_text"] == f"{settings.SITE_URL}/•••••••"  # no caption: just the link
    card = ctx["link_card"]
    assert (card.title, card.domain, card.has_image) == ("We launched", "example.com", False)
    assert 'class="item-cover' in response.content.decode()  # no picture: the item's drawn cover
    assert ctx["composer_networks"]["x"] == {
        "label": "X",
        "max": 280,
        "unit": "weighted",
        "url": 23,
        "sep": " ",
        "handle": "@bobby",
        "textIgnored": False,
    }
    html = response.content.decode()
    assert 'id="composer-networks" type="application/json"' in html
    assert f'data-link="{settings.SITE_URL}/•••••••"' in html
    assert "@bobby" in html and "example.com" in html and "We launched" in html
    assert 'class="avatar avatar-md' in html  # the member's avatar, as on every page
    assert ">23 / 280<" in html  # the link alone counts 23 on X


def test_the_item_image_is_the_card_image(bob_client: Client, item: Item) -> None:
    item.image_url = "https://cdn.example.com/launch.png"
    item.save()
    response = bob_client.get(share_url(item))
    assert response.context["link_card"].has_image
    assert 'src="https://cdn.example.com/launch.png"' in response.content.decode()


def test_counter_uses_the_chosen_networks_rule(bob_client: Client, item: Item, settings: Any) -> None:
    caption = "日本語 " + "https://example.com/" + "a" * 100
    Caption.objects.create(item=item, text=caption, position=0)
    ctx = bob_client.get(share_url(item), {"network": "x"}).context
    # 3 CJK x 2 + space + link 23 + space + short link 23
    assert (ctx["length"], ctx["limit"], ctx["over"]) == (6 + 1 + 23 + 1 + 23, 280, False)
    ctx = bob_client.get(share_url(item), {"network": "linkedin"}).context
    link = f"{settings.SITE_URL}/•••••••"
    assert (ctx["length"], ctx["limit"]) == (len(caption) + 2 + len(link), 3000)


def test_over_the_limit_is_refused_with_a_clear_message(bob_client: Client, item: Item) -> None:
    response = bob_client.post(share_url(item), {"network": "x", "caption": "a" * 257, "action": "intent"})
    assert response.status_code == 200
    assert not Share.objects.exists()
    html = response.content.decode()
    assert "X allows 280 characters including the link (a link counts as 23); this has 281. Shorten it by 1." in html
    assert response.context["over"] and response.context["over_by"] == 1
    assert "Shorten it by 1 before you share." in html and 'aria-invalid="true"' in html
    # Exactly at the limit goes through.
    response = bob_client.post(share_url(item), {"network": "x", "caption": "a" * 256, "action": "intent"})
    assert response.status_code == 302 and Share.objects.count() == 1


def test_emoji_fit_by_graphemes_on_bluesky(bob_client: Client, item: Item, settings: Any) -> None:
    room = 300 - 2 - len(f"{settings.SITE_URL}/XXXXXXX")
    response = bob_client.post(share_url(item), {"network": "bluesky", "caption": "👍🏽" * room})
    assert response.status_code == 302
    response = bob_client.post(share_url(item), {"network": "bluesky", "caption": "👍🏽" * (room + 1)})
    assert response.status_code == 200 and "Bluesky allows 300 characters" in response.content.decode()


def test_suggested_captions_are_radio_choices_that_work_without_script(
    bob_client: Client, item: Item, other_workspace: Any
) -> None:
    first = Caption.objects.create(item=item, text="Proud of the team", position=0)
    second = Caption.objects.create(item=item, text="Have a look", network="linkedin", position=1)
    html = bob_client.get(share_url(item)).content.decode()
    assert 'type="radio" name="suggestion" value="" id="suggestion-own" checked' in html
    assert f'name="suggestion" value="{second.pk}"' in html and "Have a look" in html
    # The picked suggestion is what gets shared, whatever the text box says.
    response = bob_client.post(
        share_url(item), {"network": "linkedin", "caption": "typed", "suggestion": str(second.pk)}
    )
    assert response.status_code == 302
    assert Share.objects.get().caption == "Have a look"
    # "My own words": the text box.
    bob_client.post(share_url(item), {"network": "linkedin", "caption": "My words", "suggestion": ""})
    assert Share.objects.order_by("-pk").first().caption == "My words"  # type: ignore[union-attr]
    # Another item's caption (or a made-up id) is no suggestion here: the text box counts.
    other = Item.objects.create(workspace=item.workspace, url="https://example.com/o", title="Other")
    foreign = Caption.objects.create(item=other, text="Not this one", position=0)
    bob_client.post(share_url(item), {"network": "linkedin", "caption": "Typed", "suggestion": str(foreign.pk)})
    assert Share.objects.order_by("-pk").first().caption == "Typed"  # type: ignore[union-attr]
    assert first.pk


def test_share_page_query_count_does_not_grow_with_captions_or_accounts(
    bob_client: Client, bob: Membership, item: Item
) -> None:
    Caption.objects.create(item=item, text="One", position=0)
    with CaptureQueriesContext(connection) as before:
        bob_client.get(share_url(item))
    for i in range(5):
        Caption.objects.create(item=item, text=f"More {i}", position=i + 1)
    for network in ("x", "bluesky", "mastodon"):
        ConnectedAccount.objects.create(
            workspace=bob.workspace, member=bob, network=network, handle=f"b-{network}", status=AccountStatus.ACTIVE
        )
    with CaptureQueriesContext(connection) as after:
        bob_client.get(share_url(item))
    assert len(after) == len(before)


# --- points for what happened -----------------------------------------------------------------------


def test_submitting_a_share_link_earns_nothing_and_counts_a_share_started(
    bob_client: Client, bob: Membership, item: Item
) -> None:
    bob_client.get(share_url(item))
    assert bob_client.post(share_url(item), {"network": "linkedin", "caption": "Hi"}).status_code == 302
    share = Share.objects.get()
    assert share.confirmed_at is None
    assert share_points(bob) == []
    totals = MemberPeriod.objects.get(member=bob, period="a")
    assert (totals.shares, totals.points) == (1, 0)


def test_first_human_click_earns_the_share_points_exactly_once(bob: Membership, item: Item) -> None:
    share = create_share(member=bob, item=item, network="linkedin", caption="Hi")
    # A bot (link preview, crawler) confirms nothing.
    write_clicks([click(share, "crawler", bot=True)])
    share.refresh_from_db()
    assert share.confirmed_at is None and share_points(bob) == []

    when = timezone.now()
    first = click(share, "visitor-1", at=when)
    write_clicks([click(share, "visitor-2", at=when + dt.timedelta(seconds=5)), first])
    share.refresh_from_db()
    assert share.confirmed_at == when  # the earliest human click of the batch
    [entry] = share_points(bob)
    assert (entry.points, entry.key) == (10, f"share:{share.pk}")
    assert entry.reason == FIRST_CLICK_REASON + "1st share confirmed today: 10 points."

    # More clicks, a replay of the same batch: nothing more.
    write_clicks([click(share, "visitor-3"), first])
    assert len(share_points(bob)) == 1
    totals = MemberPeriod.objects.get(member=bob, period="a")
    # 10 for the share, 2 per unique click (3 visitors), the share counted once.
    assert (totals.shares, totals.points) == (1, 10 + 3 * 2)


def test_the_members_own_click_confirms_nothing(bob: Membership, item: Item) -> None:
    from groundswell.rewards.actions import record_member_visitor

    share = create_share(member=bob, item=item, network="linkedin", caption="Hi")
    today = timezone.localdate()
    record_member_visitor(user_id=bob.user_id, workspace_slug="acme", visitor_hash="bobs-browser", day=today)
    write_clicks([click(share, "bobs-browser")])
    share.refresh_from_db()
    assert share.confirmed_at is None and share_points(bob) == []


def test_api_posts_earn_when_the_outbox_confirms_them_not_on_a_click(bob: Membership, item: Item) -> None:
    share = create_share(member=bob, item=item, network="x", caption="Hi", method=ShareMethod.API)
    write_clicks([click(share, "visitor-1")])
    share.refresh_from_db()
    assert share.confirmed_at is None and share_points(bob) == []
    when = timezone.now()
    record_share(share, when)
    share.refresh_from_db()
    assert share.confirmed_at == when
    [entry] = share_points(bob)
    assert entry.reason.startswith("Posted for you on X. 1st share confirmed today")


def test_my_shares_shows_waiting_and_confirmed(bob_client: Client, bob: Membership, item: Item) -> None:
    waiting = create_share(member=bob, item=item, network="linkedin", caption="Waiting")
    confirmed = create_share(member=bob, item=item, network="x", caption="Clicked")
    write_clicks([click(confirmed, "visitor-1")])
    html = bob_client.get(reverse("sharing:mine", kwargs={"ws": "acme"})).content.decode()
    assert "Waiting for a first click" in html and "Confirmed" in html
    rows = {
        s.pk: state for s, _, state in bob_client.get(reverse("sharing:mine", kwargs={"ws": "acme"})).context["rows"]
    }
    assert rows == {waiting.pk: "waiting", confirmed.pk: "confirmed"}
