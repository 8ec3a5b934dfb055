"""Link previews: parsing and the background task, against the loopback page server."""

from __future__ import annotations

from typing import Any

import pytest

from groundswell.content.models import Item, ItemKind, UnfurlState
from groundswell.content.tasks import unfurl_item
from groundswell.content.unfurl import absolute_image_url, fetch_preview, parse_preview
from groundswell.workspaces.models import Workspace


def test_open_graph_wins(page_server: str) -> None:
    preview = fetch_preview(f"{page_server}/og")
    assert preview.title == "Open Graph title"
    assert preview.description == "Open Graph description"
    assert preview.image_url == f"{page_server}/images/card.png"  # relative URL resolved


def test_fallbacks(page_server: str) -> None:
    preview = fetch_preview(f"{page_server}/fallback")
    assert preview.title == "Only a title"
    assert preview.description == "Meta description"
    assert preview.image_url == "https://cdn.example.com/t.jpg"


def test_twitter_cards_and_unsafe_images(page_server: str) -> None:
    preview = fetch_preview(f"{page_server}/twitter")
    assert (preview.title, preview.description) == ("Tweet title", "Tweet description")
    assert preview.image_url == ""  # javascript: is never an image


def test_charset_from_header(page_server: str) -> None:
    assert fetch_preview(f"{page_server}/latin1").title == "Café crème"


def test_relative_image_after_redirect_uses_final_url(page_server: str) -> None:
    assert fetch_preview(f"{page_server}/redirect/1").image_url == f"{page_server}/images/card.png"


def test_parse_handles_garbage() -> None:
    assert parse_preview(b"\xff\xfe<<<not html", "https://example.com/").title == ""
    long = "x" * 1000
    assert len(parse_preview(f'<meta property="og:title" content="{long}">', "https://e.com/").title) == 300


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/a.png", "https://example.com/a.png"),
        ("//cdn.example.com/a.png", "https://cdn.example.com/a.png"),
        ("data:image/png;base64,xx", ""),
        ("javascript:alert(1)", ""),
        ("ftp://example.com/a.png", ""),
        ("", ""),
    ],
)
def test_absolute_image_url(value: str, expected: str) -> None:
    assert absolute_image_url(value, "https://example.com/post/1") == expected


@pytest.mark.django_db
def test_task_fills_only_empty_fields(workspace: Workspace, page_server: str) -> None:
    url = f"{page_server}/og"
    item = Item.objects.create(
        workspace=workspace, kind=ItemKind.URL, url=url, title="Typed by admin", unfurl_state=UnfurlState.PENDING
    )
    unfurl_item.enqueue(item.pk, url)
    item.refresh_from_db()
    assert item.unfurl_state == UnfurlState.DONE and item.unfurl_error == ""
    assert item.title == "Typed by admin"
    assert item.description == "Open Graph description"
    assert item.image_url == f"{page_server}/images/card.png"


@pytest.mark.django_db
def test_task_records_failures(workspace: Workspace, page_server: str, settings: Any) -> None:
    url = f"{page_server}/image"
    item = Item.objects.create(workspace=workspace, kind=ItemKind.URL, url=url, unfurl_state=UnfurlState.PENDING)
    unfurl_item.enqueue(item.pk, url)
    item.refresh_from_db()
    assert item.unfurl_state == UnfurlState.FAILED
    assert "not a web page" in item.unfurl_error

    settings.UNFURL_ALLOW_PRIVATE_ADDRESSES = False
    url = "http://169.254.169.254/latest/meta-data/"
    Item.objects.filter(pk=item.pk).update(url=url)
    unfurl_item.enqueue(item.pk, url)
    item.refresh_from_db()
    assert item.unfurl_state == UnfurlState.FAILED
    assert "only public addresses" in item.unfurl_error


@pytest.mark.django_db
def test_task_drops_results_for_an_old_url(workspace: Workspace, page_server: str) -> None:
    item = Item.objects.create(workspace=workspace, kind=ItemKind.URL, url="https://example.com/new")
    unfurl_item.enqueue(item.pk, f"{page_server}/og")
    item.refresh_from_db()
    assert item.title == "" and item.unfurl_state == UnfurlState.NOT_NEEDED
