from __future__ import annotations

from groundswell.analytics.tests.helpers import share_with_clicks
from groundswell.api.endpoints.common import local_today
from groundswell.api.schemas import GoalPage, LeaderboardOut
from groundswell.goals.models import Goal
from groundswell.lib.periods import period_start
from groundswell.privacy import actions as privacy_actions
from groundswell.sharing.actions import create_share
from groundswell.workspaces.models import Department, LeaderboardVisibility, Workspace


def test_leaderboard(bob_api, carol_api, charlie_api, bob, carol, item, sales):
    # Both chose to appear by name (private is the default, ADR 0025); anonymity needs no minimum here.
    for m in (bob, carol):
        privacy_actions.set_leaderboard_visibility(m, LeaderboardVisibility.NAME)
    Workspace.objects.filter(pk=bob.workspace_id).update(min_group_size=1)
    # Share links earn their share points (10) at their first human click, which earns 2 more (ADR 0034).
    share_with_clicks(bob, item, 1, network="linkedin")
    share_with_clicks(bob, item, 1, network="x")
    share_with_clicks(carol, item, 1, network="linkedin")
    create_share(member=carol, item=item, network="x", caption="")  # never clicked: nothing
    body = LeaderboardOut.model_validate(bob_api.get("/api/leaderboard", {"period": "week"}).json())
    assert [(r.rank, r.member_id, r.is_me) for r in body.results] == [(1, bob.pk, True), (2, carol.pk, False)]
    assert body.total == 2 and body.me and body.me.rank == 1 and body.me.points == 24
    assert body.start == period_start("w", local_today(bob))
    # Department filter.
    assert bob_api.get("/api/leaderboard", {"department": sales.pk}).json()["total"] == 2
    # Anonymous members appear without their id to others.
    carol.leaderboard_visibility = LeaderboardVisibility.ANONYMOUS
    carol.save()
    rows = bob_api.get("/api/leaderboard").json()["results"]
    assert rows[1]["member_id"] is None and rows[1]["is_anonymous"]
    assert carol_api.get("/api/leaderboard").json()["results"][1]["member_id"] == carol.pk
    # Private members are left out; they still see their own row and place, and that nobody else does.
    carol.leaderboard_visibility = LeaderboardVisibility.HIDDEN
    carol.save()
    assert bob_api.get("/api/leaderboard").json()["total"] == 1
    own = carol_api.get("/api/leaderboard").json()
    assert own["total"] == 2 and own["me"]["rank"] == 2 and own["me"]["listed"] is False
    # Pagination.
    assert bob_api.get("/api/leaderboard", {"offset": 1}).json()["results"] == []
    # Outsiders see nothing of Acme; Acme's department is a 404 for them.
    outsider = charlie_api.get("/api/leaderboard", {"period": "all"}).json()
    assert outsider["total"] == 0 and outsider["results"] == [] and outsider["me"] is None
    assert charlie_api.get("/api/leaderboard", {"department": sales.pk}).status_code == 404


def test_leaderboard_validation(bob_api, other_workspace):
    assert bob_api.get("/api/leaderboard", {"period": "decade"}).status_code == 422
    globex_dept = Department.objects.create(workspace=other_workspace, name="Ops")
    assert bob_api.get("/api/leaderboard", {"department": globex_dept.pk}).status_code == 404
    assert bob_api.get("/api/leaderboard", {"department": "x"}).status_code == 422


def test_goals(bob_api, charlie_api, bob, alice, item, workspace):
    today = local_today(bob)
    create_share(member=bob, item=item, network="linkedin", caption="")
    current = Goal.objects.create(
        workspace=workspace, name="Shares", metric="shares", target=4, period="q", period_start=period_start("q", today)
    )
    Goal.objects.create(
        workspace=workspace,
        name="Old",
        metric="clicks",
        target=10,
        period="m",
        period_start=today.replace(year=today.year - 1, day=1),
    )
    body = GoalPage.model_validate(bob_api.get("/api/goals").json())
    assert body.total == 2
    first = body.results[0]
    assert (first.id, first.value, first.percent, first.period, first.is_current) == (
        current.pk,
        1,
        25,
        "quarter",
        True,
    )
    assert first.period_end >= today
    assert [g["name"] for g in bob_api.get("/api/goals", {"when": "current"}).json()["results"]] == ["Shares"]
    assert [g["name"] for g in bob_api.get("/api/goals", {"when": "past"}).json()["results"]] == ["Old"]
    assert bob_api.get("/api/goals", {"when": "upcoming"}).json()["total"] == 0
    assert bob_api.get("/api/goals", {"when": "soon"}).status_code == 422
    assert charlie_api.get("/api/goals").json()["total"] == 0
