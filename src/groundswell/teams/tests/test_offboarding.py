"""A deactivated member's seats, invitations and applications are handed on at once, whichever way they were
deactivated (admin, SCIM, leaving); the next person on the waitlist is invited by email."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from groundswell.teams import actions
from groundswell.teams.models import EntryStatus, InvitationStatus, Seat, SeatEnd, Team, TeamInvitation, WaitlistEntry
from groundswell.teams.receivers import preview
from groundswell.teams.tests.conftest import seat, settings_for
from groundswell.workspaces import actions as people_actions
from groundswell.workspaces.models import Membership, Workspace
from groundswell.workspaces.signals import send_member_deactivated
from groundswell.workspaces.tests.deactivation import WAYS, deactivate


@pytest.fixture
def crew(team: Team, people: list[Membership]) -> Team:
    """dana and erin hold the two seats; finn and gita wait, in that order."""
    now = timezone.now()
    dana, erin, finn, gita = people[:4]
    seat(team, dana, now)
    seat(team, erin, now)
    actions.apply_to_team(team=team, member=finn, now=now)
    actions.apply_to_team(team=team, member=gita, now=now)
    return team


@pytest.mark.parametrize("way", WAYS)
def test_the_seat_goes_to_the_head_of_the_waitlist_by_email(
    way: str, crew: Team, people: list[Membership], alice: Membership
) -> None:
    dana, erin, finn, gita = people[:4]
    mail.outbox.clear()
    deactivate(dana, way, admin=alice)
    ended = Seat.objects.get(team=crew, member=dana)  # the row stays: who served when
    assert ended.ended == SeatEnd.DEACTIVATED and ended.served_until is not None and ended.ended_at is not None
    assert ended.get_ended_display() == "No longer a member of the workspace"
    offer = TeamInvitation.objects.get(team=crew, status=InvitationStatus.PENDING)
    assert offer.member_id == finn.pk
    assert WaitlistEntry.objects.get(team=crew, member=finn).status == EntryStatus.INVITED
    assert WaitlistEntry.objects.get(team=crew, member=gita).status == EntryStatus.WAITING
    invitations = [m for m in mail.outbox if m.subject == f"You are invited to join {crew.name}"]
    assert [m.to for m in invitations] == [[finn.user.email]]
    assert Seat.objects.get(team=crew, member=erin).is_current  # the others keep theirs


@pytest.mark.parametrize("way", WAYS)
def test_pending_invitations_and_applications_are_cancelled(
    way: str, workspace: Workspace, crew: Team, people: list[Membership], alice: Membership
) -> None:
    """finn was invited to crew's free seat and also waits for another team: both go; gita gets the seat."""
    dana, _, finn, gita = people[:4]
    other = actions.create_team(workspace=workspace, settings=settings_for(name="Bluesky crew", seats=1))
    seat(other, dana, timezone.now())
    entry = actions.apply_to_team(team=other, member=finn)
    actions.leave_team(team=crew, member=people[1])  # erin steps down: finn is invited to crew
    assert TeamInvitation.objects.get(team=crew, status=InvitationStatus.PENDING).member_id == finn.pk
    mail.outbox.clear()

    deactivate(finn, way, admin=alice)
    assert TeamInvitation.objects.get(team=crew, member=finn).status == InvitationStatus.CANCELLED
    assert WaitlistEntry.objects.get(team=crew, member=finn).status == EntryStatus.DEACTIVATED
    assert WaitlistEntry.objects.get(pk=entry.pk).status == EntryStatus.DEACTIVATED
    assert TeamInvitation.objects.get(team=crew, status=InvitationStatus.PENDING).member_id == gita.pk
    assert [m.to for m in mail.outbox if "invited to join" in m.subject] == [[gita.user.email]]
    assert Seat.objects.get(team=other, member=dana).is_current  # nothing of anyone else's changed


def test_a_second_signal_changes_nothing(crew: Team, people: list[Membership], alice: Membership) -> None:
    dana = people[0]
    deactivate(dana, "admin", admin=alice)
    before = (
        list(Seat.objects.order_by("pk").values_list("pk", "served_until", "ended", "ended_at")),
        list(TeamInvitation.objects.order_by("pk").values_list("pk", "status")),
        list(WaitlistEntry.objects.order_by("pk").values_list("pk", "status")),
    )
    sent = len(mail.outbox)
    with TestCase.captureOnCommitCallbacks(execute=True):
        send_member_deactivated(dana.pk, "admin")
    assert not actions.release_member(member=dana)
    after = (
        list(Seat.objects.order_by("pk").values_list("pk", "served_until", "ended", "ended_at")),
        list(TeamInvitation.objects.order_by("pk").values_list("pk", "status")),
        list(WaitlistEntry.objects.order_by("pk").values_list("pk", "status")),
    )
    assert after == before and len(mail.outbox) == sent


def test_an_active_member_keeps_their_seat(crew: Team, people: list[Membership]) -> None:
    """Reactivated before the cleanup ran (or called by mistake): nothing is handed on."""
    assert not actions.release_member(member=people[0])
    assert Seat.objects.get(team=crew, member=people[0]).is_current


def test_reactivation_does_not_give_the_seat_back(crew: Team, people: list[Membership], alice: Membership) -> None:
    dana = people[0]
    deactivate(dana, "admin", admin=alice)
    people_actions.reactivate_member(dana)
    assert not Seat.objects.filter(team=crew, member=dana, served_until__isnull=True).exists()
    assert preview(dana) == []
    entry = actions.apply_to_team(team=crew, member=dana)  # they may apply again, at the end of the waitlist
    assert entry.status == EntryStatus.WAITING


def test_preview_says_what_will_happen(workspace: Workspace, crew: Team, people: list[Membership]) -> None:
    dana, _, finn, gita = people[:4]
    assert preview(dana) == [f"Their team seat in {crew.name} is freed and offered to the next on the waitlist."]
    other = actions.create_team(workspace=workspace, settings=settings_for(name="Bluesky crew", seats=1))
    seat(other, dana, timezone.now())
    assert preview(dana) == [
        f"Their team seats in Bluesky crew and {crew.name} are freed and offered to the next on each waitlist."
    ]
    actions.apply_to_team(team=other, member=gita)
    assert preview(gita) == [f"Their places on the waitlists of Bluesky crew and {crew.name} are given up."]
    assert preview(people[4]) == []
    actions.apply_to_team(team=other, member=people[4])
    assert preview(people[4]) == ["Their place on the waitlist of Bluesky crew is given up."]
    actions.leave_team(team=crew, member=dana)  # finn is invited
    assert preview(finn) == [
        f"Their unanswered invitation to {crew.name} is cancelled and offered to the next on the waitlist."
    ]
