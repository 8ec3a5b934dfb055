"""Network plug-ins with API posting. One line per network; a plug-in lives in ``networks/<key>/``."""

from __future__ import annotations

import importlib

from groundswell.networks.base import NetworkClient

PLUGINS = {
    "bluesky": "groundswell.networks.bluesky.plugin",
    "mastodon": "groundswell.networks.mastodon.plugin",
    "linkedin": "groundswell.networks.linkedin.plugin",
    "x": "groundswell.networks.x.plugin",
    "facebook": "groundswell.networks.facebook.plugin",
}


def get_client(key: str) -> NetworkClient:
    """The plug-in for ``key`` (KeyError when the network has no API posting)."""
    module = importlib.import_module(PLUGINS[key])
    client: NetworkClient = module.Client()
    return client


def available() -> list[str]:
    return list(PLUGINS)
