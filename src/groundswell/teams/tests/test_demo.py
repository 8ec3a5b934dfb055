from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from groundswell.demo import data
from groundswell.demo.generator import build_demo
from groundswell.teams import actions
from groundswell.teams.models import EntryStatus, InvitationStatus, Seat, SeatEnd, Team, TeamInvitation
from groundswell.teams.rotation import plan_rotation
from groundswell.workspaces.models import Membership

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_demo_has_teams_with_members_a_waitlist_and_history() -> None:
    ws = build_demo(seed=3, employees=40, days=30, now=NOW).workspace
    teams = {t.name: t for t in Team.objects.filter(workspace=ws)}
    assert set(teams) == {"LinkedIn crew 2026", "Bluesky early birds", "Careers storytellers"}
    linkedin = teams["LinkedIn crew 2026"]
    assert linkedin.seats >= 2
    rotated = Seat.objects.filter(team=linkedin, ended=SeatEnd.ROTATED, served_until=linkedin.term_start)
    assert rotated.count() == linkedin.seats
    assert Seat.objects.filter(team=linkedin, ended=SeatEnd.LEFT).count() == 1
    assert linkedin.waitlist.filter(status=EntryStatus.WAITING, reapplied=True).count() == 1
    for team in teams.values():
        # Never a free seat while someone waits: the demo is a state the app itself could reach.
        waiting = team.waitlist.filter(status=EntryStatus.WAITING).exists()
        assert not (waiting and actions.free_seats(team) > 0), team.name
        assert team.term_start < NOW.date() < team.term_end
    sam = Membership.objects.get(workspace=ws, user__email__startswith=data.EMPLOYEE[1] + "@")
    assert TeamInvitation.objects.get(member=sam, status=InvitationStatus.PENDING).team == teams["Careers storytellers"]
    plan = plan_rotation(linkedin, linkedin.term_end)
    assert len(plan.rotating_out) == linkedin.seats - 1 and len(plan.carried_over) == 1
    assert len(plan.reapplying) == min(2, linkedin.seats - 1)
    # The waiting people are invited first; re-appliers only after them.
    waiting = linkedin.waitlist.filter(status=EntryStatus.WAITING).count()
    assert [p.entry_id is not None for p in plan.invited] == [True] * min(waiting, linkedin.seats - 1) + [False] * (
        len(plan.invited) - min(waiting, linkedin.seats - 1)
    )
    admin = Membership.objects.get(workspace=ws, user__email__startswith=data.ADMIN[1] + "@")
    c = Client()
    c.force_login(admin.user)
    assert c.get(f"/w/{ws.slug}/teams/{linkedin.pk}/rotation/").status_code == 200
    assert "Who served when" in c.get(f"/w/{ws.slug}/teams/{linkedin.pk}/").content.decode()
