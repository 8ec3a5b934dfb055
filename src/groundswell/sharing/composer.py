"""What the share composer shows: the post as the chosen network will show it, and its length by that
network's rule (``networks/length.py``; ``static/groundswell/composer.js`` mirrors both)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from groundswell.content.models import Caption, Item
from groundswell.networks.models import ConnectedAccount
from groundswell.networks.registry import NETWORKS
from groundswell.workspaces.models import Membership

#: The short link before the share exists: as long as a real one (7 characters), so every rule counts it the
#: same (``check_share`` validates with ``XXXXXXX``).
LINK_PLACEHOLDER = "•" * 7


def preview_link() -> str:
    return f"{settings.SITE_URL}/{LINK_PLACEHOLDER}"


def handles(member: Membership) -> dict[str, str]:
    """The member's handle per network, from their connected accounts (their own, not the company's)."""
    found: dict[str, str] = {}
    for network, handle in (
        ConnectedAccount.objects.filter(workspace_id=member.workspace_id, member=member)
        .order_by("pk")
        .values_list("network", "handle")
    ):
        if handle:
            found.setdefault(network, handle if handle.startswith("@") else f"@{handle}")
    return found


def post_text(network: str, caption: str, link: str) -> str:
    """The post as the network composes it: the caption, then the link."""
    known = NETWORKS.get(network)
    separator = known.link_separator if known else "\n\n"
    caption = caption.strip()
    return f"{caption}{separator}{link}" if caption else link


def count(network: str, caption: str) -> tuple[int, int]:
    """(length of the post with the short link by the network's rule, the network's limit or 0)."""
    known = NETWORKS.get(network)
    text = post_text(network, caption, preview_link())
    if known is None:
        return len(text), 0
    return known.count(text), known.max_length


@dataclass(frozen=True)
class LinkCard:
    """The link card under the post; its picture is the item's (``content/_item_cover.html`` draws a cover
    when there is none)."""

    has_image: bool
    title: str
    domain: str


def link_card(item: Item) -> LinkCard:
    domain = urlsplit(item.url).hostname if item.url else urlsplit(settings.SITE_URL).hostname
    return LinkCard(
        has_image=bool(item.image or item.image_url),
        title=item.display_title,
        domain=(domain or "").removeprefix("www."),
    )


def networks_json(member: Membership) -> dict[str, dict[str, object]]:
    """Per network, what the composer's script needs: label, limit, counting rule, link separator, handle."""
    own = handles(member)
    return {
        key: {
            "label": n.label,
            "max": n.max_length,
            **n.length_rule.as_json(),
            "sep": n.link_separator,
            "handle": own.get(key, ""),
            "textIgnored": key == "facebook",
        }
        for key, n in NETWORKS.items()
    }


def suggestion_for(captions: list[Caption], value: str) -> Caption | None:
    """The suggested caption picked as a radio choice (``suggestion=<id>``), or None for "my own words"."""
    return next((c for c in captions if str(c.pk) == value), None)
