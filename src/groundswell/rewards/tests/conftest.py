"""Rewards tests are about points and ranking among people who appear on boards.

Since ADR 0025 a member is private until they choose; here the people a test creates have chosen "under my
name" unless the test says otherwise (``leaderboard_visibility=...``). The private default itself, and what
each viewer may see, are tested in ``privacy/tests/test_visibility.py`` and ``test_manager_sweep.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model

from groundswell.workspaces.models import LeaderboardVisibility, Membership, Workspace

User = get_user_model()


@pytest.fixture(autouse=True)
def people_appear_by_name() -> Iterator[None]:
    field = Membership._meta.get_field("leaderboard_visibility")
    default = field.default
    field.default = LeaderboardVisibility.NAME
    try:
        yield
    finally:
        field.default = default


@pytest.fixture
def workspace(workspace: Workspace) -> Workspace:
    """Anonymous rows are listed however few there are (the minimum for anonymity is tested in privacy/)."""
    Workspace.objects.filter(pk=workspace.pk).update(min_group_size=1)
    workspace.min_group_size = 1
    return workspace


def viewer(workspace: Workspace) -> Membership:
    """Someone looking at the boards: appears by name, has no activity of their own."""
    user = User.objects.get_or_create(username="viewer@acme.test", defaults={"email": "viewer@acme.test"})[0]
    return Membership.objects.get_or_create(
        workspace=workspace,
        user=user,
        defaults={"display_name": "Viewer", "leaderboard_visibility": LeaderboardVisibility.NAME},
    )[0]
