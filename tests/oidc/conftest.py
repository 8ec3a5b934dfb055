"""Makes the session-scoped ``oidc_provider`` fixture available to the tests in this directory."""

from __future__ import annotations

import pytest

from groundswell.conftest import alice, berlin, other_workspace, sales, workspace

from .server import oidc_provider

__all__ = ["alice", "berlin", "oidc_provider", "other_workspace", "sales", "workspace"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "xdist_group(name): run these tests in the same xdist worker")
