"""What the content hub shows on screen: titles cut at words, badges grouped, long lists paginated."""

from __future__ import annotations

import pytest
from django.test import Client

from groundswell.content.models import Item, ItemKind
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
