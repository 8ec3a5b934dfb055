"""The team pages: members apply and answer; admins create, preview and rotate; outsiders get 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.conftest import client_for, make_member
from groundswell.teams import actions
from groundswell.teams.models import EntryStatus, InvitationStatus, Seat, SeatEnd, Team, TeamInvitation, WaitlistEntry
from groundswell.teams.tests.conftest import seat, settings_for
from groundswell.workspaces.models import Membership, Workspace


def today_team(workspace: Workspace, name: str = "LinkedIn crew 2027", **kw: object) -> Team:
    """A team whose current term started a month ago (so it is not due)."""
    start = timezone.localdate() - dt.timedelta(days=30)
    return actions.create_team(workspace=workspace, settings=settings_for(name, term_start=start, **kw))


def url(name: str, **kwargs: object) -> str:
    return reverse(f"teams:{name}", kwargs={"ws": "acme", **kwargs})


def test_list_page_shows_teams_and_my_status(workspace: Workspace, bob: Membership, bob_client: Client) -> None:
    team = today_team(workspace)
    other = today_team(workspace, "Bluesky early birds", applications_open=False)
    seat(team, bob, timezone.now())
    resp = bob_client.get(url("list"))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "LinkedIn crew 2027" in html and "Bluesky early birds" in html and "Member" in html
    assert "closed" in html
    assert url("detail", team_id=other.pk) in html


def test_list_page_empty_state(workspace: Workspace, alice_client: Client, bob_client: Client) -> None:
    assert "Create the first team" in alice_client.get(url("list")).content.decode()
    assert "has not set up any teams" in bob_client.get(url("list")).content.decode()


def test_list_page_query_count_does_not_grow(
    workspace: Workspace, bob: Membership, bob_client: Client, django_assert_max_num_queries: object
) -> None:
    def add(n: int, offset: int) -> None:
        for i in range(n):
            t = today_team(workspace, f"Team {offset + i}", seats=1)
            m = make_member(workspace, f"m{offset + i}@acme.test")
            seat(t, m, timezone.now())
            actions.apply_to_team(team=t, member=make_member(workspace, f"w{offset + i}@acme.test"))
            actions.apply_to_team(team=t, member=bob)

    add(2, 0)
    with django_assert_max_num_queries(10) as ctx:  # type: ignore[operator]
        assert bob_client.get(url("list")).status_code == 200
    baseline = len(ctx.captured_queries)
    add(6, 10)
    with django_assert_max_num_queries(baseline):  # type: ignore[operator]
        resp = bob_client.get(url("list"))
    assert resp.content.decode().count("Applied") == 8


def test_apply_accept_and_leave_through_the_pages(workspace: Workspace, bob: Membership, bob_client: Client) -> None:
    team = today_team(workspace)
    detail = url("detail", team_id=team.pk)
    assert "Apply" in bob_client.get(detail).content.decode()
    resp = bob_client.post(url("apply", team_id=team.pk), {"note": "Keen!"}, follow=True)
    assert "accept the invitation below" in resp.content.decode()
    offer = TeamInvitation.objects.get(member=bob, status=InvitationStatus.PENDING)
    page = bob_client.get(url("invitation", team_invitation_id=offer.pk))
    assert page.status_code == 200 and "Join LinkedIn crew 2027?" in page.content.decode()
    resp = bob_client.post(url("invitation", team_invitation_id=offer.pk), {"answer": "maybe"}, follow=True)
    assert "Choose accept or decline" in resp.content.decode()
    resp = bob_client.post(url("invitation", team_invitation_id=offer.pk), {"answer": "accept"}, follow=True)
    assert "Welcome to LinkedIn crew 2027" in resp.content.decode()
    assert Seat.objects.filter(team=team, member=bob, served_until__isnull=True).exists()
    # Answering twice is a message, not an error page.
    resp = bob_client.post(url("invitation", team_invitation_id=offer.pk), {"answer": "decline"}, follow=True)
    assert resp.status_code == 200 and "already accepted" in resp.content.decode()
    resp = bob_client.post(url("reapply", team_id=team.pk), {"reapply": "1"}, follow=True)
    assert "back on the waitlist" in resp.content.decode()
    assert Seat.objects.get(team=team, member=bob).reapply
    resp = bob_client.post(url("leave", team_id=team.pk), follow=True)
    assert "You left" in resp.content.decode()
    assert Seat.objects.get(team=team, member=bob).ended == SeatEnd.LEFT
    assert "Who served when" in resp.content.decode() and "Left the team" in resp.content.decode()


def test_waitlist_and_withdraw(
    workspace: Workspace, people: list[Membership], bob: Membership, bob_client: Client
) -> None:
    team = today_team(workspace)
    for m in people[:2]:
        seat(team, m, timezone.now())
    resp = bob_client.post(url("apply", team_id=team.pk), {"note": ""}, follow=True)
    assert "You are on the waitlist" in resp.content.decode()
    assert "number 1 on the waitlist" in resp.content.decode()
    resp = bob_client.post(url("apply", team_id=team.pk), {"note": "x" * 300}, follow=True)
    assert "280 characters" in resp.content.decode()
    resp = bob_client.post(url("withdraw", team_id=team.pk), follow=True)
    assert "off the waitlist" in resp.content.decode()
    resp = bob_client.post(url("withdraw", team_id=team.pk), follow=True)
    assert resp.status_code == 200 and "not on the waitlist" in resp.content.decode()


def test_someone_elses_invitation_is_404(workspace: Workspace, bob: Membership, carol: Membership) -> None:
    team = today_team(workspace)
    actions.apply_to_team(team=team, member=bob)
    offer = TeamInvitation.objects.get(member=bob)
    carol_client = client_for(carol)
    for method in ("get", "post"):
        resp = getattr(carol_client, method)(url("invitation", team_invitation_id=offer.pk), {"answer": "accept"})
        assert resp.status_code == 404
    assert TeamInvitation.objects.get(pk=offer.pk).status == InvitationStatus.PENDING


def test_admin_creates_and_edits_a_team(workspace: Workspace, alice_client: Client, bob_client: Client) -> None:
    data = {
        "name": "Careers storytellers",
        "purpose": "LinkedIn",
        "description": "",
        "seats": "6",
        "term_months": "12",
        "term_start": "2027-01-01",
        "applications_open": "on",
        "auto_rotate": "on",
        "invitation_days": "7",
        "notice_days": "14",
    }
    assert bob_client.get(url("create")).status_code == 404
    assert bob_client.post(url("create"), data).status_code == 404
    resp = alice_client.post(url("create"), data)
    team = Team.objects.get(name="Careers storytellers")
    assert resp.status_code == 302 and resp["Location"] == url("detail", team_id=team.pk)
    assert team.term_end == dt.date(2028, 1, 1) and team.seats == 6 and team.auto_rotate
    resp = alice_client.post(url("create"), {**data, "seats": "0", "term_start": "not a date"})
    assert resp.status_code == 200
    assert resp.context["form"].errors.keys() == {"seats", "term_start"}
    resp = alice_client.post(url("create"), data)
    assert resp.status_code == 200 and "already a team" in resp.content.decode()
    resp = alice_client.post(url("edit", team_id=team.pk), {**data, "seats": "8", "auto_rotate": ""})
    team.refresh_from_db()
    assert resp.status_code == 302 and team.seats == 8 and not team.auto_rotate


def test_rotation_preview_and_rotate_now(
    workspace: Workspace, people: list[Membership], alice_client: Client, bob_client: Client
) -> None:
    team = today_team(workspace)
    dana, erin, finn, gita = people[:4]
    seat(team, dana, timezone.now())
    seat(team, erin, timezone.now())
    actions.set_reapply(team=team, member=dana, reapply=True)
    actions.apply_to_team(team=team, member=finn)
    actions.apply_to_team(team=team, member=gita)
    assert bob_client.get(url("rotation", team_id=team.pk)).status_code == 404
    resp = alice_client.get(url("rotation", team_id=team.pk))
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "<strong>2</strong> rotate out: Dana, Erin" in html
    assert "<strong>1</strong> re-applied" in html
    assert "<li>Finn</li><li>Gita</li>" in html
    assert resp.context["scheduled"].on == team.term_end
    # A confirmation for another term is refused; a broken one too.
    resp = alice_client.post(url("rotation", team_id=team.pk), {"term_end": "2001-01-01"}, follow=True)
    assert "changed since you looked" in resp.content.decode()
    resp = alice_client.post(url("rotation", team_id=team.pk), {"term_end": "garbage"}, follow=True)
    assert "could not be confirmed" in resp.content.decode()
    assert Seat.objects.filter(team=team, served_until__isnull=True).count() == 2
    preview = resp.context["now_plan"]
    resp = alice_client.post(url("rotation", team_id=team.pk), {"term_end": team.term_end.isoformat()}, follow=True)
    assert "2 rotated out, 2 invited" in resp.content.decode()
    assert Seat.objects.filter(team=team, ended=SeatEnd.ROTATED).count() == 2
    invited = TeamInvitation.objects.filter(team=team, status=InvitationStatus.PENDING).order_by("id")
    assert [i.member_id for i in invited] == [p.member_id for p in preview.invited] == [finn.pk, gita.pk]


def test_admin_manages_the_waitlist_and_seats(
    workspace: Workspace, people: list[Membership], alice_client: Client
) -> None:
    team = today_team(workspace)
    dana, erin, finn, gita, hugo = people
    seat(team, dana, timezone.now())
    seat(team, erin, timezone.now())
    f = actions.apply_to_team(team=team, member=finn)
    g = actions.apply_to_team(team=team, member=gita)
    html = alice_client.get(url("detail", team_id=team.pk)).content.decode()
    assert "Finn" in html and "Gita" in html and "Waitlist" in html
    resp = alice_client.post(url("waitlist_move", team_id=team.pk, entry_id=g.pk), {"direction": "sideways"})
    assert resp.status_code == 302
    alice_client.post(url("waitlist_move", team_id=team.pk, entry_id=g.pk), {"direction": "up"})
    order = WaitlistEntry.objects.filter(team=team, status=EntryStatus.WAITING).order_by("position")
    assert [e.member_id for e in order] == [gita.pk, finn.pk]
    alice_client.post(url("waitlist_remove", team_id=team.pk, entry_id=f.pk))
    assert WaitlistEntry.objects.get(pk=f.pk).status == EntryStatus.REMOVED
    resp = alice_client.post(url("waitlist_remove", team_id=team.pk, entry_id=f.pk), follow=True)
    assert "no longer on the waitlist" in resp.content.decode()
    dana_seat = Seat.objects.get(team=team, member=dana)
    alice_client.post(url("seat_remove", team_id=team.pk, seat_id=dana_seat.pk))
    assert Seat.objects.get(pk=dana_seat.pk).ended == SeatEnd.REMOVED
    assert TeamInvitation.objects.get(team=team, status=InvitationStatus.PENDING).member_id == gita.pk
    # No seat free now (Gita's invitation holds it): a direct invitation is refused with a reason.
    resp = alice_client.post(url("invite", team_id=team.pk), {"member": hugo.pk}, follow=True)
    assert "has no free seat" in resp.content.decode()
    assert not TeamInvitation.objects.filter(member=hugo).exists()
    Team.objects.filter(pk=team.pk).update(seats=3)
    resp = alice_client.post(url("invite", team_id=team.pk), {"member": hugo.pk}, follow=True)
    assert "Hugo is invited" in resp.content.decode()
    resp = alice_client.post(url("invite", team_id=team.pk), {"member": "nope"}, follow=True)
    assert "Choose a person" in resp.content.decode()


def test_ids_of_another_team_are_404(workspace: Workspace, people: list[Membership], alice_client: Client) -> None:
    team = today_team(workspace)
    other = today_team(workspace, "Other")
    seat(other, people[0], timezone.now())
    entry = actions.apply_to_team(team=other, member=people[1])
    s = Seat.objects.get(team=other)
    assert alice_client.post(url("seat_remove", team_id=team.pk, seat_id=s.pk)).status_code == 404
    assert alice_client.post(url("waitlist_remove", team_id=team.pk, entry_id=entry.pk)).status_code == 404
    assert alice_client.get(url("detail", team_id=999999)).status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "list",
        "create",
        "detail",
        "edit",
        "apply",
        "withdraw",
        "leave",
        "reapply",
        "rotation",
        "invite",
        "waitlist_move",
        "waitlist_remove",
        "seat_remove",
        "invitation",
        "invitation_cancel",
    ],
)
def test_outsider_gets_404_everywhere(
    name: str, workspace: Workspace, people: list[Membership], charlie: Membership
) -> None:
    team = today_team(workspace)
    seat(team, people[0], timezone.now())
    entry = actions.apply_to_team(team=team, member=people[1])
    kwargs = {
        "list": {},
        "create": {},
        "invitation": {"team_invitation_id": TeamInvitation.objects.get(entry=entry).pk},
        "invitation_cancel": {"team_id": team.pk, "team_invitation_id": TeamInvitation.objects.get(entry=entry).pk},
        "waitlist_move": {"team_id": team.pk, "entry_id": entry.pk},
        "waitlist_remove": {"team_id": team.pk, "entry_id": entry.pk},
        "seat_remove": {"team_id": team.pk, "seat_id": Seat.objects.get(team=team).pk},
    }.get(name, {"team_id": team.pk})
    c = client_for(charlie)
    for method in ("get", "post"):
        resp = getattr(c, method)(url(name, **kwargs), {"answer": "accept", "direction": "up", "note": "x"})
        assert resp.status_code == 404, (name, method)
    assert Seat.objects.filter(team=team, served_until__isnull=True).count() == 1
    assert not WaitlistEntry.objects.filter(member=charlie).exists()


def test_home_page_shows_the_invitation_notice(workspace: Workspace, bob: Membership, bob_client: Client) -> None:
    home = reverse("core:home", kwargs={"ws": "acme"})
    assert "A seat is waiting for you" not in bob_client.get(home).content.decode()
    team = today_team(workspace)
    actions.apply_to_team(team=team, member=bob)
    offer = TeamInvitation.objects.get(member=bob)
    html = bob_client.get(home).content.decode()
    assert "A seat is waiting for you" in html
    assert url("invitation", team_invitation_id=offer.pk) in html
    assert url("list") in html  # the navigation links to the teams


def test_detail_page_query_count_does_not_grow(
    workspace: Workspace, alice_client: Client, django_assert_max_num_queries: object
) -> None:
    team = today_team(workspace, seats=50)

    def add(n: int, offset: int) -> None:
        for i in range(n):
            seat(team, make_member(workspace, f"s{offset + i}@acme.test"), timezone.now())

    add(2, 0)
    with django_assert_max_num_queries(20) as ctx:  # type: ignore[operator]
        assert alice_client.get(url("detail", team_id=team.pk)).status_code == 200
    baseline = len(ctx.captured_queries)
    add(8, 10)
    actions.leave_team(team=team, member=Seat.objects.filter(team=team).first().member)  # type: ignore[union-attr]
    Team.objects.filter(pk=team.pk).update(seats=10)
    for i in range(4):
        actions.apply_to_team(team=team, member=make_member(workspace, f"w{i}@acme.test"))
    with django_assert_max_num_queries(baseline):  # type: ignore[operator]
        resp = alice_client.get(url("detail", team_id=team.pk))
    assert resp.context["waitlist"] and resp.context["history"]


def test_who_can_be_invited_directly(workspace: Workspace, people: list[Membership], alice_client: Client) -> None:
    team = today_team(workspace, seats=4)
    other = today_team(workspace, "Other")
    dana, erin, finn = people[:3]
    seat(team, dana, timezone.now())
    actions.leave_team(team=team, member=dana)  # a past seat here ...
    seat(other, dana, timezone.now())  # ... and a current seat elsewhere: may be invited again
    seat(team, erin, timezone.now())
    actions.invite_to_team(team=team, member=finn, by=people[4])
    choices = alice_client.get(url("detail", team_id=team.pk)).context["invite_form"].fields["member"].queryset
    ids = set(choices.values_list("pk", flat=True))
    assert dana.pk in ids and erin.pk not in ids and finn.pk not in ids


def test_admin_cancels_an_invitation_and_the_seat_moves_on(
    workspace: Workspace, people: list[Membership], alice_client: Client, bob_client: Client
) -> None:
    team = today_team(workspace, seats=1)
    dana, erin = people[:2]
    actions.apply_to_team(team=team, member=dana)
    actions.apply_to_team(team=team, member=erin)
    offer = TeamInvitation.objects.get(member=dana)
    cancel = url("invitation_cancel", team_id=team.pk, team_invitation_id=offer.pk)
    assert bob_client.post(cancel).status_code == 404
    assert "Cancel invitation" in alice_client.get(url("detail", team_id=team.pk)).content.decode()
    resp = alice_client.post(cancel, follow=True)
    assert "invitation of Dana is cancelled" in resp.content.decode()
    assert TeamInvitation.objects.get(pk=offer.pk).status == InvitationStatus.CANCELLED
    assert WaitlistEntry.objects.get(member=dana).status == EntryStatus.REMOVED
    assert TeamInvitation.objects.get(team=team, status=InvitationStatus.PENDING).member_id == erin.pk
    resp = alice_client.post(cancel, follow=True)
    assert "already cancelled" in resp.content.decode()
