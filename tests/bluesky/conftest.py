"""Makes the session-scoped ``bluesky_network`` fixture available to the tests in this directory."""

from __future__ import annotations

import pytest

from .network import bluesky_network

__all__ = ["bluesky_network"]


def pytest_configure(config: pytest.Config) -> None:
    # pytest-xdist registers this marker; declare it too so `-p no:xdist` still passes --strict-markers.
    config.addinivalue_line("markers", "xdist_group(name): run these tests in the same xdist worker")
