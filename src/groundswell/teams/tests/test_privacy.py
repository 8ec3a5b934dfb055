from __future__ import annotations

import json

from groundswell.privacy.registry import providers
from groundswell.teams import actions
from groundswell.teams.models import Seat, Team, TeamInvitation, WaitlistEntry
from groundswell.teams.tests.conftest import NOW, seat
from groundswell.workspaces.models import Membership


def test_provider_inventories_exports_and_erases(team: Team, people: list[Membership]) -> None:
    provider = next(p for p in providers() if p.key == "teams")
    dana, erin, finn = people[:3]
    seat(team, dana)
    actions.apply_to_team(team=team, member=finn, note="Pick me", now=NOW)  # invited to the free seat
    actions.apply_to_team(team=team, member=erin, now=NOW)  # waits
    lines = provider.inventory(finn)
    assert [line.count for line in lines] == [0, 1, 1]
    assert all(line.visible_to for line in lines)
    exported = provider.export(finn)
    json.dumps(exported)
    assert exported["applications"][0]["note"] == "Pick me"
    assert exported["invitations"][0]["status"] == "pending"
    assert provider.export(dana)["seats"][0]["served_until"] is None
    result = provider.erase(finn)
    assert result.erased == 2
    assert not WaitlistEntry.objects.filter(member=finn).exists()
    assert not TeamInvitation.objects.filter(member=finn).exists()
    assert provider.erase(dana).erased == 3 and not Seat.objects.filter(member=dana).exists()
    assert set(provider.models) == {"teams.Seat", "teams.WaitlistEntry", "teams.TeamInvitation"}


def test_erasing_a_member_on_a_team_offers_their_seat(team: Team, people: list[Membership]) -> None:
    provider = next(p for p in providers() if p.key == "teams")
    dana, erin, finn = people[:3]
    seat(team, dana)
    seat(team, erin)
    actions.apply_to_team(team=team, member=finn, now=NOW)
    assert provider.erase(dana).erased == 3  # the application, the invitation and the seat
    assert TeamInvitation.objects.get(team=team, status="pending").member_id == finn.pk
