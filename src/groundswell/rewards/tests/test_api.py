"""REST API: leaderboard scopes and near me, and my league."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import timezone

from groundswell.analytics.rollups import Delta, RollupBatch
from groundswell.api.schemas import LeaderboardOut, LeagueOut
from groundswell.api.tests.conftest import api_client_for
from groundswell.conftest import make_member
from groundswell.lib.periods import period_start
from groundswell.rewards.models import LeagueSeat
from groundswell.rewards.teams import reset_team_directory, set_team_directory
from groundswell.workspaces.models import Location, Membership, Workspace


def give(member: Membership, points: int) -> None:
    batch = RollupBatch()
    batch.add(
        workspace_id=member.workspace_id,
        member_id=member.pk,
        department_id=member.department_id,
        location_id=member.location_id,
        day=timezone.localdate(),
        delta=Delta(points=points),
    )
    batch.write()


class OneTeam:
    def __init__(self, ids: set[int]) -> None:
        self.ids = frozenset(ids)

    def teams(self, workspace: Workspace) -> list[tuple[int, str]]:
        return [(3, "Blue")]

    def member_ids(self, workspace: Workspace, team_id: int, day: dt.date) -> frozenset[int] | None:
        return self.ids if team_id == 3 and workspace.slug == "acme" else None


@pytest.fixture
def teams() -> Iterator[None]:
    yield
    reset_team_directory()


@pytest.mark.django_db
def test_leaderboard_near_me_and_scopes(
    workspace: Workspace,
    bob: Membership,
    carol: Membership,
    alice: Membership,
    charlie: Membership,
    berlin: Location,
    teams: None,
) -> None:
    others = [make_member(workspace, f"x{i}@acme.test") for i in range(12)]
    for i, m in enumerate(others):
        give(m, 100 + i * 10)
    give(bob, 150)  # ties with others[5]
    give(carol, 20)
    api = api_client_for(bob)
    body = LeaderboardOut.model_validate(api.get("/api/leaderboard", {"near_me": "true", "period": "year"}).json())
    assert body.near_me and len(body.results) == 11
    me = next(r for r in body.results if r.is_me)
    assert me.rank == 7 and body.me is not None and body.me.rank == 7
    assert [r.rank for r in body.results][4:7] == [6, 7, 7]

    assert api.get("/api/leaderboard", {"location": berlin.pk}).json()["total"] == 1
    set_team_directory(OneTeam({carol.pk, alice.pk}))
    give(alice, 5)
    rows = api.get("/api/leaderboard", {"team": 3}).json()["results"]
    assert [r["display_name"] for r in rows] == ["Carol", "Alice"]
    assert api.get("/api/leaderboard", {"team": 4}).status_code == 404
    assert api.get("/api/leaderboard", {"team": 3, "location": berlin.pk}).status_code == 422
    assert api.get("/api/leaderboard", {"near_me": "perhaps"}).status_code == 422

    outsider = api_client_for(charlie)
    assert outsider.get("/api/leaderboard", {"location": berlin.pk}).status_code == 404
    assert outsider.get("/api/leaderboard", {"team": 3}).status_code == 404
    assert outsider.get("/api/leaderboard", {"near_me": "true"}).json()["results"] == []


@pytest.mark.django_db
def test_my_league(workspace: Workspace, bob: Membership, carol: Membership, charlie: Membership) -> None:
    api = api_client_for(bob)
    assert api.get("/api/league/me").status_code == 404
    week = period_start("w", timezone.localdate())
    for m in (bob, carol):
        LeagueSeat.objects.create(workspace=workspace, member=m, week=week, tier=2, cohort=0)
    give(carol, 30)
    Membership.objects.filter(pk=carol.pk).update(leaderboard_visibility="anonymous")
    body = LeagueOut.model_validate(api.get("/api/league/me").json())
    assert (body.tier_name, body.my_rank, body.week) == ("Wave", 2, week)
    assert [(r.member_id, r.is_me) for r in body.results] == [(None, False), (bob.pk, True)]
    assert api_client_for(charlie).get("/api/league/me").status_code == 404
