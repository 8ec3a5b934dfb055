"""Applying, withdrawing, leaving, inviting and answering; the waitlist order; bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail

from groundswell.teams import actions
from groundswell.teams.models import EntryStatus, InvitationStatus, Seat, SeatEnd, Team, TeamInvitation, WaitlistEntry
from groundswell.teams.queries import waitlist_position
from groundswell.teams.tests.conftest import NOW, seat, settings_for
from groundswell.workspaces.models import Membership, Workspace


def test_create_team_validates(workspace: Workspace, team: Team) -> None:
    assert team.term_end == dt.date(2027, 4, 1) and team.term_last_day == dt.date(2027, 3, 31)
    for bad, message in [
        (settings_for(name="  "), "needs a name"),
        (settings_for(name="linkedin CREW 2027"), "already a team"),
        (settings_for(name="X", seats=0), "between 1 and"),
        (settings_for(name="X", term_months=61), "between 1 and 60 months"),
        (settings_for(name="X", invitation_days=0), "Invitations stay open"),
        (settings_for(name="X", notice_days=91), "advance notice"),
    ]:
        with pytest.raises(actions.TeamError, match=message):
            actions.create_team(workspace=workspace, settings=bad)


def test_applying_with_a_free_seat_invites_at_once_by_email(
    team: Team, bob: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        entry = actions.apply_to_team(team=team, member=bob, note="  I post\nweekly  ", now=NOW)
    assert entry.status == EntryStatus.INVITED and entry.note == "I post weekly"
    offer = TeamInvitation.objects.get(member=bob)
    assert offer.entry_id == entry.pk and offer.expires_at == NOW + dt.timedelta(days=7)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["bob@acme.test"]
    assert "Accept or decline here" in mail.outbox[0].body
    new_seat = actions.accept_invitation(invitation=offer, now=NOW)
    assert new_seat.served_from == NOW.date() and new_seat.is_current
    entry.refresh_from_db()
    assert entry.status == EntryStatus.JOINED


def test_waitlist_order_is_application_order(team: Team, people: list[Membership]) -> None:
    for m in people[:2]:
        seat(team, m)
    entries = [
        actions.apply_to_team(team=team, member=m, now=NOW + dt.timedelta(minutes=i)) for i, m in enumerate(people[2:])
    ]
    assert [waitlist_position(e) for e in entries] == [1, 2, 3]
    actions.move_on_waitlist(entry=entries[2], up=True)
    order = WaitlistEntry.objects.filter(team=team, status=EntryStatus.WAITING).order_by("position", "applied_at")
    assert [e.member_id for e in order] == [people[2].pk, people[4].pk, people[3].pk]
    actions.move_on_waitlist(entry=entries[0], up=True)  # already first: nothing happens
    assert waitlist_position(WaitlistEntry.objects.get(pk=entries[0].pk)) == 1
    # A seat frees up: the head of the (reordered) waitlist is invited.
    actions.leave_team(team=team, member=people[0], now=NOW)
    assert TeamInvitation.objects.get(team=team, status=InvitationStatus.PENDING).member_id == people[2].pk
    actions.remove_from_waitlist(entry=WaitlistEntry.objects.get(pk=entries[0].pk), now=NOW)
    assert TeamInvitation.objects.get(team=team, status=InvitationStatus.PENDING).member_id == people[4].pk
    assert TeamInvitation.objects.filter(team=team, status=InvitationStatus.CANCELLED).count() == 1


def test_withdraw_and_apply_again_goes_to_the_end(team: Team, people: list[Membership]) -> None:
    for m in people[:2]:
        seat(team, m)
    first = actions.apply_to_team(team=team, member=people[2], now=NOW)
    actions.apply_to_team(team=team, member=people[3], now=NOW)
    actions.withdraw_application(team=team, member=people[2], now=NOW)
    assert WaitlistEntry.objects.get(pk=first.pk).status == EntryStatus.WITHDRAWN
    again = actions.apply_to_team(team=team, member=people[2], now=NOW)
    assert waitlist_position(again) == 2


def test_bad_applications_are_refused_with_reasons(team: Team, people: list[Membership], charlie: Membership) -> None:
    dana, erin, finn = people[:3]
    seat(team, dana)
    with pytest.raises(actions.TeamError, match="already on LinkedIn crew 2027"):
        actions.apply_to_team(team=team, member=dana)
    actions.apply_to_team(team=team, member=erin)
    with pytest.raises(actions.TeamError, match="already have an invitation"):
        actions.apply_to_team(team=team, member=erin)
    with pytest.raises(actions.TeamError, match="280 characters"):
        actions.apply_to_team(team=team, member=finn, note="x" * 281)
    with pytest.raises(actions.TeamError, match="Only active members of this workspace"):
        actions.apply_to_team(team=team, member=charlie)
    Team.objects.filter(pk=team.pk).update(applications_open=False)
    with pytest.raises(actions.TeamError, match="not taking applications"):
        actions.apply_to_team(team=team, member=finn)
    with pytest.raises(actions.TeamError, match="not on the waitlist"):
        actions.withdraw_application(team=team, member=finn)
    with pytest.raises(actions.TeamError, match="You are not on"):
        actions.leave_team(team=team, member=finn)


def test_leaving_keeps_history_and_offers_the_seat(team: Team, people: list[Membership]) -> None:
    dana, erin, finn = people[:3]
    seat(team, dana)
    seat(team, erin)
    actions.apply_to_team(team=team, member=finn, now=NOW)
    left = actions.leave_team(team=team, member=dana, now=NOW + dt.timedelta(days=3))
    assert left.ended == SeatEnd.LEFT and left.served_until == dt.date(2027, 3, 13)
    assert TeamInvitation.objects.get(team=team, status=InvitationStatus.PENDING).member_id == finn.pk
    # Dana may come back: a new seat row, the old one stays.
    actions.decline_invitation(invitation=TeamInvitation.objects.get(member=finn), now=NOW)
    seat(team, dana, NOW + dt.timedelta(days=10))
    assert Seat.objects.filter(team=team, member=dana).count() == 2
    removed = actions.remove_from_team(seat=Seat.objects.get(team=team, member=erin), now=NOW)
    assert removed.ended == SeatEnd.REMOVED
    with pytest.raises(actions.TeamError, match="no longer on the team"):
        actions.remove_from_team(seat=removed, now=NOW)


def test_admin_invites_directly_only_to_a_free_seat(
    team: Team, alice: Membership, people: list[Membership], django_capture_on_commit_callbacks: Any
) -> None:
    dana, erin, finn = people[:3]
    with django_capture_on_commit_callbacks(execute=True):
        offer = actions.invite_to_team(team=team, member=dana, by=alice, now=NOW)
    assert offer.invited_by_id == alice.pk and mail.outbox[-1].to == [dana.user.email]
    with pytest.raises(actions.TeamError, match="already has an invitation"):
        actions.invite_to_team(team=team, member=dana, by=alice, now=NOW)
    actions.invite_to_team(team=team, member=erin, by=alice, now=NOW)
    with pytest.raises(actions.TeamError, match="no free seat"):
        actions.invite_to_team(team=team, member=finn, by=alice, now=NOW)
    actions.decline_invitation(invitation=offer, now=NOW)
    with pytest.raises(actions.TeamError, match="already declined"):
        actions.accept_invitation(invitation=offer, now=NOW)


def test_more_seats_are_offered_to_the_waitlist_at_once(team: Team, people: list[Membership]) -> None:
    for m in people[:2]:
        seat(team, m)
    actions.apply_to_team(team=team, member=people[2], now=NOW)
    assert not TeamInvitation.objects.filter(team=team, status=InvitationStatus.PENDING).exists()
    actions.update_team(team=team, settings=settings_for(seats=3), now=NOW)
    assert TeamInvitation.objects.get(team=team, status=InvitationStatus.PENDING).member_id == people[2].pk
