"""What the content hub shows on screen: titles cut at words, badges grouped, long lists paginated."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from groundswell.content.models import Item, ItemKind, ItemState
from groundswell.workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db


def test_untitled_item_title_is_cut_at_a_word_not_mid_word(workspace: Workspace, alice: Membership) -> None:
    body = "Our spring collection lands next week with forty new colours and a recycled fabric line for everyone"
    item = Item(workspace=workspace, kind=ItemKind.TEXT, body=body, created_by=alice)
    title = item.display_title
    assert title.endswith("…") and len(title) <= 81
    assert body.startswith(title[:-1]) and body[len(title) - 1] == " "
    assert Item(workspace=workspace, kind=ItemKind.TEXT, body="Short post").display_title == "Short post"
    assert Item(workspace=workspace, kind=ItemKind.TEXT, body="y" * 200).display_title == "y" * 80 + "…"


def test_card_badges_sit_in_one_row(alice_client: Client, item: Item) -> None:
    html = alice_client.get(f"/w/{item.workspace.slug}/content/list/").content.decode()
    assert '<p class="badges">' in html
    assert 'class="item-title clamp-3"' in html


def test_hub_is_paginated_and_keeps_its_filters(alice_client: Client, workspace: Workspace, alice: Membership) -> None:
    for n in range(35):
        Item.objects.create(
            workspace=workspace,
            kind=ItemKind.TEXT,
            state=ItemState.PUBLISHED,
            title=f"Launch note {n:02d}",
            body="x",
            created_by=alice,
            published_at=timezone.now(),
        )
    base = f"/w/{workspace.slug}/content/list/"
    first = alice_client.get(base, {"state": "published", "q": "launch"}).content.decode()
    assert first.count('class="card item-card"') == 30
    assert "Page 1 of 2" in first
    assert 'href="?state=published&amp;q=launch&amp;page=2"' in first
    second = alice_client.get(base, {"state": "published", "q": "launch", "page": "2"}).content.decode()
    assert second.count('class="card item-card"') == 5
    assert 'href="?state=published&amp;q=launch&amp;page=1"' in second
    # A bad or too-high page number gives a real page, not an error.
    assert alice_client.get(base, {"page": "nope"}).status_code == 200
    assert "Page 2 of 2" in alice_client.get(base, {"page": "99"}).content.decode()
