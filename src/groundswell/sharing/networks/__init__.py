"""Network plug-ins. Adding a network: one module in this folder and one entry below."""

from __future__ import annotations

from groundswell.sharing.networks.base import Network, ShareContext
from groundswell.sharing.networks.bluesky import Bluesky
from groundswell.sharing.networks.copy import CopyLink
from groundswell.sharing.networks.email import Email
from groundswell.sharing.networks.facebook import Facebook
from groundswell.sharing.networks.linkedin import LinkedIn
from groundswell.sharing.networks.mastodon import Mastodon
from groundswell.sharing.networks.x import X

REGISTRY: dict[str, Network] = {
    n.key: n for n in (LinkedIn(), X(), Facebook(), Bluesky(), Mastodon(), Email(), CopyLink())
}
NETWORK_CHOICES: list[tuple[str, str]] = [(n.key, n.label) for n in REGISTRY.values()]


def get_network(key: str) -> Network:
    """The network plug-in for ``key``; KeyError for an unknown one."""
    return REGISTRY[key]


__all__ = ["NETWORK_CHOICES", "REGISTRY", "Network", "ShareContext", "get_network"]
