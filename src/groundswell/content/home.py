"""Content's panel on the employee home: what to share next."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from groundswell.content.models import Item
from groundswell.content.targeting import items_for_member
from groundswell.core.home import Home, HomePanel, share_url

HOME_ITEMS = 4


@dataclass(frozen=True)
class HomeItem:
    item: Item
    share_url: str


def ready_to_share(home: Home) -> Mapping[str, object]:
    items = [
        HomeItem(item=item, share_url=share_url(home.workspace.slug, item.pk))
        for item in items_for_member(home.member, home.now)[: HOME_ITEMS + 1]
    ]
    return {"items": items[:HOME_ITEMS], "more_items": len(items) > HOME_ITEMS}


PANEL = HomePanel(name="content", order=40, template="content/_home_items.html", context=ready_to_share)
