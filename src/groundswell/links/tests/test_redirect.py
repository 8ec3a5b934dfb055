"""The short link through Django: redirect, click recording, 404/410, public item page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from groundswell.analytics.models import MemberPeriod
from groundswell.content.models import Item, ItemState
from groundswell.links.buffer import ClickBuffer
from groundswell.links.models import Click
from groundswell.links.tests.conftest import BROWSER, CHROME
from groundswell.links.visitor import visitor_hash
from groundswell.sharing.models import Share

pytestmark = pytest.mark.django_db


def expected_location(share: Share) -> str:
    return (
        "https://example.com/launch?utm_source=linkedin&utm_medium=employee_advocacy"
        f"&utm_campaign=we-launched-{share.item_id}&utm_content={share.code}"
    )


def test_redirect_adds_exact_utm_and_is_not_cached(client: Client, share: Share, click_buffer: ClickBuffer) -> None:
    response = client.get(f"/{share.code}", HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 302
    assert response["Location"] == expected_location(share)
    assert response["Cache-Control"] == "no-store"
    assert len(click_buffer) == 1

    click_buffer.flush()
    click = Click.objects.get()
    assert (click.share_id, click.is_bot, click.is_unique) == (share.pk, False, True)
    assert click.visitor_hash == visitor_hash("127.0.0.1", BROWSER, dt.datetime.now(dt.UTC).date())
    assert "127.0.0.1" not in click.visitor_hash
    share.refresh_from_db()
    assert (share.human_clicks, share.unique_clicks) == (1, 1)


def test_existing_query_and_fragment_preserved(client: Client, share: Share, item: Item) -> None:
    Item.objects.filter(pk=item.pk).update(url="https://example.com/launch?ref=news&lang=de#pricing")
    response = client.get(f"/{share.code}", HTTP_USER_AGENT=BROWSER)
    assert response["Location"] == (
        "https://example.com/launch?ref=news&lang=de&utm_source=linkedin&utm_medium=employee_advocacy"
        f"&utm_campaign=we-launched-{item.pk}&utm_content={share.code}#pricing"
    )


def test_bots_and_head_are_recorded_but_not_counted(client: Client, share: Share, click_buffer: ClickBuffer) -> None:
    assert client.get(f"/{share.code}", HTTP_USER_AGENT="LinkedInBot/1.0 (compatible; Mozilla/5.0)").status_code == 302
    assert client.get(f"/{share.code}", HTTP_USER_AGENT="facebookexternalhit/1.1").status_code == 302
    assert client.head(f"/{share.code}", HTTP_USER_AGENT=BROWSER).status_code == 302
    assert client.get(f"/{share.code}", HTTP_USER_AGENT="curl/8.5.0").status_code == 302
    assert client.get(f"/{share.code}", HTTP_USER_AGENT=BROWSER).status_code == 302
    click_buffer.flush()

    assert Click.objects.count() == 5
    assert Click.objects.filter(is_bot=True).count() == 4
    assert not Click.objects.filter(is_bot=True, is_unique=True).exists()
    share.refresh_from_db()
    assert (share.human_clicks, share.unique_clicks) == (1, 1)
    month = MemberPeriod.objects.get(member=share.member, period="m")
    assert (month.clicks, month.unique_clicks, month.bot_clicks) == (1, 1, 4)


def test_unique_flag_per_visitor(client: Client, share: Share, click_buffer: ClickBuffer) -> None:
    for agent in (BROWSER, BROWSER, CHROME, BROWSER):
        client.get(f"/{share.code}", HTTP_USER_AGENT=agent)
    click_buffer.flush()
    client.get(f"/{share.code}", HTTP_USER_AGENT=CHROME)  # again, in a later batch
    click_buffer.flush()
    assert Click.objects.count() == 5
    assert Click.objects.filter(is_unique=True).count() == 2
    share.refresh_from_db()
    assert (share.human_clicks, share.unique_clicks) == (5, 2)


def test_forwarded_for_ignored_unless_trusted(
    client: Client, share: Share, click_buffer: ClickBuffer, settings: Any
) -> None:
    today = dt.datetime.now(dt.UTC).date()
    client.get(f"/{share.code}", HTTP_USER_AGENT=BROWSER, HTTP_X_FORWARDED_FOR="6.6.6.6")
    settings.TRUSTED_PROXY_COUNT = 1
    client.get(f"/{share.code}", HTTP_USER_AGENT=BROWSER, HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4")
    click_buffer.flush()
    hashes = set(Click.objects.values_list("visitor_hash", flat=True))
    assert hashes == {visitor_hash("127.0.0.1", BROWSER, today), visitor_hash("1.2.3.4", BROWSER, today)}


def test_unknown_code_is_a_404_page(client: Client, db: None, click_buffer: ClickBuffer) -> None:
    response = client.get("/Zz9Zz9Z", HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 404
    assert b"short link does not exist" in response.content
    assert len(click_buffer) == 0


@pytest.mark.parametrize(
    "change",
    [
        {"state": ItemState.ARCHIVED},
        {"expires_at": timezone.now() - dt.timedelta(minutes=1)},
    ],
    ids=["archived", "expired"],
)
def test_archived_or_expired_is_a_friendly_410(
    client: Client, share: Share, item: Item, click_buffer: ClickBuffer, change: dict[str, object]
) -> None:
    Item.objects.filter(pk=item.pk).update(**change)
    response = client.get(f"/{share.code}", HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 410
    assert b"no longer shared" in response.content
    assert response["Cache-Control"] == "no-store"
    assert len(click_buffer) == 0


def test_expiry_applies_even_from_a_warm_cache(client: Client, share: Share, item: Item, link_resolver: object) -> None:
    from groundswell.links.resolver import LinkResolver, set_resolver

    set_resolver(LinkResolver(ttl=3600, disk=None))
    Item.objects.filter(pk=item.pk).update(expires_at=timezone.now() + dt.timedelta(seconds=1))
    assert client.get(f"/{share.code}", HTTP_USER_AGENT=BROWSER).status_code == 302
    Item.objects.filter(pk=item.pk).update(expires_at=None)  # the cache does not see this…
    future = timezone.now() + dt.timedelta(seconds=2)
    from unittest import mock

    with mock.patch("groundswell.links.views.time.time", return_value=future.timestamp()):
        assert client.get(f"/{share.code}", HTTP_USER_AGENT=BROWSER).status_code == 410  # …but expiry holds


def test_destination_never_comes_from_the_request(client: Client, share: Share, text_share: Share) -> None:
    response = client.get(
        f"/{share.code}?next=https://evil.test/&url=https://evil.test/",
        HTTP_USER_AGENT=BROWSER,
        HTTP_HOST="evil.test",
        HTTP_X_FORWARDED_HOST="evil.test",
        HTTP_REFERER="https://evil.test/",
    )
    assert response.status_code == 302
    assert response["Location"] == expected_location(share)
    response = client.get(f"/{text_share.code}?next=https://evil.test/", HTTP_HOST="evil.test")
    assert response["Location"] == f"http://testserver/p/{text_share.code}"


def test_post_is_not_allowed(client: Client, share: Share) -> None:
    assert client.post(f"/{share.code}").status_code == 405


@pytest.mark.urls("groundswell.links.tests.urls")
def test_text_item_lands_on_public_page(client: Client, text_share: Share, click_buffer: ClickBuffer) -> None:
    response = client.get(f"/{text_share.code}", HTTP_USER_AGENT=BROWSER, follow=True)
    assert response.redirect_chain == [(f"http://testserver/p/{text_share.code}", 302)]
    assert response.status_code == 200
    assert b"Ten years of Acme!" in response.content
    assert b'property="og:title"' in response.content
    assert "Content-Security-Policy" in response.headers
    assert len(click_buffer) == 1  # the landing page itself records nothing


@pytest.mark.urls("groundswell.links.tests.urls")
def test_public_page_404_and_410(client: Client, text_share: Share) -> None:
    assert client.get("/p/Zz9Zz9Z").status_code == 404
    Item.objects.filter(pk=text_share.item_id).update(state=ItemState.ARCHIVED)
    assert client.get(f"/p/{text_share.code}").status_code == 410
