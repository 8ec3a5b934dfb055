"""The one registry of networks: one line per network, whose folder is ``networks/<key>/``.

``NETWORKS`` lists every network members can share to, each with its share-intent builder
(``networks/<key>/intent.py``: key, label, length limit, compose link). ``PLUGINS`` lists the networks
Groundswell can also post to through their API (``networks/<key>/plugin.py``), loaded on first use.
"""

from __future__ import annotations

import importlib

from groundswell.networks.base import NetworkClient
from groundswell.networks.bluesky.intent import Bluesky
from groundswell.networks.copy.intent import CopyLink
from groundswell.networks.email.intent import Email
from groundswell.networks.facebook.intent import Facebook
from groundswell.networks.intent import Network, ShareContext
from groundswell.networks.linkedin.intent import LinkedIn
from groundswell.networks.mastodon.intent import Mastodon
from groundswell.networks.x.intent import X

NETWORKS: dict[str, Network] = {
    n.key: n for n in (LinkedIn(), X(), Facebook(), Bluesky(), Mastodon(), Email(), CopyLink())
}
NETWORK_CHOICES: list[tuple[str, str]] = [(n.key, n.label) for n in NETWORKS.values()]

PLUGINS = {
    "bluesky": "groundswell.networks.bluesky.plugin",
    "mastodon": "groundswell.networks.mastodon.plugin",
    "linkedin": "groundswell.networks.linkedin.plugin",
    "x": "groundswell.networks.x.plugin",
    "facebook": "groundswell.networks.facebook.plugin",
}


def get_network(key: str) -> Network:
    """The network ``key`` (its label, limit and compose link); KeyError for an unknown one."""
    return NETWORKS[key]


def label(key: str) -> str:
    """The network's label, or the key itself for one this server does not know."""
    network = NETWORKS.get(key)
    return network.label if network is not None else key


def get_client(key: str) -> NetworkClient:
    """The API plug-in for ``key`` (KeyError when the network has no API posting)."""
    module = importlib.import_module(PLUGINS[key])
    client: NetworkClient = module.Client()
    return client


def available() -> list[str]:
    """The networks with API posting."""
    return list(PLUGINS)


__all__ = [
    "NETWORKS",
    "NETWORK_CHOICES",
    "PLUGINS",
    "Network",
    "ShareContext",
    "available",
    "get_client",
    "get_network",
    "label",
]
