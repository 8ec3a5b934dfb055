"""/api/teams: list, mine, apply and withdraw; bad input is a JSON error; outsiders get 404."""

from __future__ import annotations

import pytest

from groundswell.api.tests.conftest import ApiClient, api_client_for
from groundswell.teams import actions
from groundswell.teams.models import EntryStatus, Team, WaitlistEntry
from groundswell.teams.tests.conftest import seat, settings_for
from groundswell.workspaces.models import Membership, Workspace


@pytest.fixture
def bob_api(bob: Membership) -> ApiClient:
    return api_client_for(bob)


def test_list_and_mine(workspace: Workspace, team: Team, bob: Membership, bob_api: ApiClient) -> None:
    actions.create_team(workspace=workspace, settings=settings_for("Bluesky early birds"))
    body = bob_api.get("/api/teams").json()
    assert body["total"] == 2 and [t["name"] for t in body["results"]] == ["Bluesky early birds", "LinkedIn crew 2027"]
    row = body["results"][1]
    assert row["seats"] == 2 and row["free"] == 2 and row["my_status"] == "none"
    assert row["term_last_day"] == "2027-03-31"
    assert bob_api.get("/api/teams/mine").json()["total"] == 0
    seat(team, bob)
    mine = bob_api.get("/api/teams/mine").json()
    assert [t["name"] for t in mine["results"]] == ["LinkedIn crew 2027"]
    assert mine["results"][0]["my_status"] == "member" and mine["results"][0]["taken"] == 1


def test_apply_and_withdraw(team: Team, people: list[Membership], bob: Membership, bob_api: ApiClient) -> None:
    for m in people[:2]:
        seat(team, m)
    resp = bob_api.post(f"/api/teams/{team.pk}/apply", {"note": "Hello"})
    assert resp.status_code == 200, resp.content
    assert resp.json()["my_status"] == "waiting" and resp.json()["my_position"] == 1
    assert WaitlistEntry.objects.get(member=bob).note == "Hello"
    again = bob_api.post(f"/api/teams/{team.pk}/apply", {})
    assert again.status_code == 422 and "already on the waitlist" in again.json()["detail"]
    resp = bob_api.post(f"/api/teams/{team.pk}/withdraw")
    assert resp.status_code == 200 and resp.json()["my_status"] == "none"
    assert WaitlistEntry.objects.get(member=bob).status == EntryStatus.WITHDRAWN
    assert bob_api.post(f"/api/teams/{team.pk}/withdraw").status_code == 422


def test_apply_to_a_free_seat_is_an_invitation(team: Team, bob_api: ApiClient) -> None:
    body = bob_api.post(f"/api/teams/{team.pk}/apply", {}).json()
    assert body["my_status"] == "invited" and body["my_invitation_expires_at"]
    assert body["free"] == 1


def test_bad_input(team: Team, bob_api: ApiClient) -> None:
    resp = bob_api.post(f"/api/teams/{team.pk}/apply", {"note": "x" * 281})
    assert resp.status_code == 422 and resp.json()["errors"][0]["loc"] == ["body", "note"]
    assert bob_api.post(f"/api/teams/{team.pk}/apply", raw="{not json").status_code in (400, 422)
    assert bob_api.post("/api/teams/0/apply", {}).status_code == 422
    assert bob_api.post("/api/teams/999999/apply", {}).status_code == 404
    assert bob_api.get("/api/teams", {"limit": 1000}).status_code == 422


def test_outsider_gets_404(team: Team, charlie: Membership) -> None:
    charlie_api = api_client_for(charlie)
    for path in (f"/api/teams/{team.pk}/apply", f"/api/teams/{team.pk}/withdraw"):
        assert charlie_api.post(path, {}).status_code == 404
    assert charlie_api.get("/api/teams").json()["total"] == 0
    assert charlie_api.get("/api/teams/mine").json()["total"] == 0
    assert not WaitlistEntry.objects.filter(member=charlie).exists()


def test_anonymous_is_401(team: Team) -> None:
    anon = ApiClient(None)
    assert anon.get("/api/teams").status_code == 401
    assert anon.post(f"/api/teams/{team.pk}/apply", {}).status_code == 401
