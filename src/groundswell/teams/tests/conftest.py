from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from groundswell.conftest import make_member
from groundswell.teams import actions
from groundswell.teams.models import Team
from groundswell.workspaces.models import Membership, Workspace

TODAY = dt.date(2027, 3, 10)
NOW = dt.datetime(2027, 3, 10, 12, 0, tzinfo=dt.UTC)


def settings_for(name: str = "LinkedIn crew 2027", **overrides: object) -> actions.TeamSettings:
    values: dict[str, object] = {
        "name": name,
        "description": "Share our stories on LinkedIn.",
        "purpose": "LinkedIn",
        "seats": 2,
        "term_months": 12,
        "term_start": dt.date(2026, 4, 1),
        "applications_open": True,
        "auto_rotate": True,
        "invitation_days": 7,
        "notice_days": 14,
    }
    values.update(overrides)
    return actions.TeamSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def team(workspace: Workspace) -> Team:
    """Two seats; the term runs 1 April 2026 to 31 March 2027 and rotates on 1 April 2027."""
    return actions.create_team(workspace=workspace, settings=settings_for())


@pytest.fixture
def people(workspace: Workspace) -> list[Membership]:
    return [make_member(workspace, f"{name}@acme.test") for name in ("dana", "erin", "finn", "gita", "hugo")]


def seat(team: Team, member: Membership, when: dt.datetime = NOW) -> None:
    """``member`` applies and accepts the seat offered."""
    entry = actions.apply_to_team(team=team, member=member, now=when)
    invitation = member.team_invitations.get(entry=entry)
    actions.accept_invitation(invitation=invitation, now=when)


def now() -> dt.datetime:
    return timezone.now()
