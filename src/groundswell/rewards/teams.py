"""The team scope of leaderboards, against a small interface: the teams app is optional.

``groundswell.teams`` provides ``queries.member_ids_on(team, day)`` (the members on a team on a day). When
the app is not installed or does not provide it, ``team_directory()`` is ``None`` and the team scope is hidden.
Tests install a stub with ``set_team_directory``.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from typing import Any, Protocol

from django.apps import apps

from groundswell.workspaces.models import Workspace


class TeamDirectory(Protocol):
    def teams(self, workspace: Workspace) -> list[tuple[int, str]]:
        """(id, name) of the workspace's teams, for the scope picker."""
        ...

    def member_ids(self, workspace: Workspace, team_id: int, day: dt.date) -> frozenset[int] | None:
        """The members on the team on ``day``; ``None`` when the team is not one of the workspace's."""
        ...


class _TeamsApp:
    """The directory backed by the teams app."""

    def __init__(self, team_model: Any, member_ids_on: Callable[[Any, dt.date], Any]) -> None:
        self.team_model = team_model
        self.member_ids_on = member_ids_on

    def teams(self, workspace: Workspace) -> list[tuple[int, str]]:
        return list(self.team_model.objects.filter(workspace=workspace).order_by("name").values_list("pk", "name"))

    def member_ids(self, workspace: Workspace, team_id: int, day: dt.date) -> frozenset[int] | None:
        team = self.team_model.objects.filter(workspace=workspace, pk=team_id).first()
        if team is None:
            return None
        return frozenset(int(m) for m in self.member_ids_on(team, day))


_override: list[TeamDirectory | None] = []


def set_team_directory(directory: TeamDirectory | None) -> None:
    """Replace the directory (tests); ``reset_team_directory`` goes back to the teams app."""
    _override[:] = [directory]


def reset_team_directory() -> None:
    _override.clear()


def team_directory() -> TeamDirectory | None:
    if _override:
        return _override[0]
    if not apps.is_installed("groundswell.teams"):
        return None
    try:
        team_model = getattr(importlib.import_module("groundswell.teams.models"), "Team")  # noqa: B009
        member_ids_on = getattr(importlib.import_module("groundswell.teams.queries"), "member_ids_on")  # noqa: B009
    except (ImportError, AttributeError):
        return None
    return _TeamsApp(team_model, member_ids_on)
