"""Invalidate cached short-link destinations when what they are made of changes (links/resolver.py)."""

from __future__ import annotations

from typing import Any

from groundswell.content.models import Item
from groundswell.links.resolver import invalidate_links
from groundswell.sharing.models import Share

# What a cached link is made of: destination (kind, URL, title or body) and liveness (state: published,
# archived or unpublished = the link disabled; start; expiry).
LINK_FIELDS = frozenset({"kind", "url", "title", "body", "state", "starts_at", "expires_at"})


def on_item_saved(
    sender: type[Item], instance: Item, created: bool, update_fields: frozenset[str] | None = None, **kwargs: Any
) -> None:
    if created or (update_fields is not None and not LINK_FIELDS & update_fields):
        return
    invalidate_links(list(Share.objects.filter(item_id=instance.pk).values_list("code", flat=True)))


def on_share_deleted(sender: type[Share], instance: Share, **kwargs: Any) -> None:
    invalidate_links([instance.code])
