"""Rotation at term end: the plan, carrying it out, re-applying, expiry, idempotency and races."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, connections

from groundswell.core.scheduler import registered_jobs
from groundswell.teams import actions
from groundswell.teams.models import EntryStatus, InvitationStatus, Seat, SeatEnd, Team, TeamInvitation, WaitlistEntry
from groundswell.teams.rotation import add_months, plan_rotation
from groundswell.teams.tests.conftest import NOW, seat
from groundswell.workspaces.models import Membership

ROTATION_DAY = dt.date(2027, 4, 1)
AFTER_END = dt.datetime(2027, 4, 1, 9, 0, tzinfo=dt.UTC)


def full_team(team: Team, people: list[Membership]) -> tuple[list[Membership], list[Membership]]:
    """dana and erin serve; finn, gita and hugo wait, in that order."""
    serving, waiting = people[:2], people[2:]
    for m in serving:
        seat(team, m)
    for i, m in enumerate(waiting):
        actions.apply_to_team(team=team, member=m, now=NOW + dt.timedelta(minutes=i))
    return serving, waiting


def test_add_months_clamps_to_the_month() -> None:
    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 4, 1), 12) == dt.date(2027, 4, 1)
    assert add_months(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)


def test_nothing_happens_before_the_term_ends(team: Team, people: list[Membership]) -> None:
    full_team(team, people)
    assert actions.rotate_team(team=team, now=NOW) is None
    assert actions.rotate_due_teams(now=NOW) == []
    assert Seat.objects.filter(team=team, served_until__isnull=True).count() == 2


def test_term_end_rotates_members_out_and_invites_the_waitlist_in_order(
    team: Team, people: list[Membership], django_capture_on_commit_callbacks: Any
) -> None:
    (dana, erin), (finn, gita, hugo) = full_team(team, people)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        plans = actions.rotate_due_teams(now=AFTER_END)
    assert len(plans) == 1
    history = {s.member_id: s for s in Seat.objects.filter(team=team)}
    assert history[dana.pk].served_until == ROTATION_DAY and history[dana.pk].ended == SeatEnd.ROTATED
    assert history[erin.pk].served_until == ROTATION_DAY and history[erin.pk].ended == SeatEnd.ROTATED
    invited = list(TeamInvitation.objects.filter(team=team, status=InvitationStatus.PENDING).order_by("id"))
    assert [i.member_id for i in invited] == [finn.pk, gita.pk]
    assert invited[0].expires_at == AFTER_END + dt.timedelta(days=7)
    assert WaitlistEntry.objects.get(team=team, member=hugo).status == EntryStatus.WAITING
    team.refresh_from_db()
    assert (team.term_start, team.term_end) == (ROTATION_DAY, dt.date(2028, 4, 1))
    # Emails: two invitations with the accept link, two "your term has ended".
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == sorted(
        ["You are invited to join LinkedIn crew 2027"] * 2 + ["Your term on LinkedIn crew 2027 has ended"] * 2
    )
    invite_mail = next(m for m in mail.outbox if m.to == [finn.user.email])
    assert f"/w/acme/teams/invitations/{invited[0].pk}/" in invite_mail.body
    assert settings.SITE_URL in invite_mail.body


def test_reapplying_members_go_to_the_end_of_the_waitlist(team: Team, people: list[Membership]) -> None:
    (dana, erin), (_finn, _gita, hugo) = full_team(team, people)
    actions.set_reapply(team=team, member=dana, reapply=True)
    actions.rotate_due_teams(now=AFTER_END)
    waiting = list(WaitlistEntry.objects.filter(team=team, status=EntryStatus.WAITING).order_by("position"))
    assert [e.member_id for e in waiting] == [hugo.pk, dana.pk]
    assert waiting[1].reapplied
    assert not WaitlistEntry.objects.filter(team=team, member=erin, status__in=["waiting", "invited"]).exists()


def test_reappliers_are_invited_when_nobody_else_waits(team: Team, people: list[Membership]) -> None:
    dana, erin = people[:2]
    seat(team, dana)
    seat(team, erin)
    actions.set_reapply(team=team, member=erin, reapply=True)
    plan = actions.rotate_due_teams(now=AFTER_END)[0]
    assert [p.member_id for p in plan.invited] == [erin.pk]
    assert plan.empty_seats == 1
    assert TeamInvitation.objects.get(team=team, status=InvitationStatus.PENDING).member_id == erin.pk


def test_preview_equals_what_the_task_then_does(team: Team, people: list[Membership]) -> None:
    (_dana, erin), (_finn, _gita, _hugo) = full_team(team, people)
    actions.set_reapply(team=team, member=erin, reapply=True)
    team.refresh_from_db()
    preview = plan_rotation(team, actions.scheduled_day(team, ROTATION_DAY))
    done = actions.rotate_due_teams(now=AFTER_END)
    assert done == [preview]
    # And the database matches the plan, person by person.
    rotated = Seat.objects.filter(team=team, ended=SeatEnd.ROTATED, served_until=preview.on)
    assert sorted(rotated.values_list("member_id", flat=True)) == sorted(p.member_id for p in preview.rotating_out)
    invited = TeamInvitation.objects.filter(team=team, status=InvitationStatus.PENDING).order_by("id")
    assert list(invited.values_list("member_id", flat=True)) == [p.member_id for p in preview.invited]
    reapplied = WaitlistEntry.objects.filter(team=team, reapplied=True)
    assert list(reapplied.values_list("member_id", flat=True)) == [p.member_id for p in preview.reapplying]
    assert WaitlistEntry.objects.filter(team=team, status=EntryStatus.WAITING).count() == preview.still_waiting


def test_running_twice_rotates_once(team: Team, people: list[Membership]) -> None:
    full_team(team, people)
    assert len(actions.rotate_due_teams(now=AFTER_END)) == 1
    assert actions.rotate_due_teams(now=AFTER_END) == []
    assert actions.rotate_due_teams(now=AFTER_END + dt.timedelta(hours=1)) == []
    assert Seat.objects.filter(team=team, ended=SeatEnd.ROTATED).count() == 2
    assert TeamInvitation.objects.filter(team=team).count() == 2 + 2  # the original two seats, then two more


def test_a_stale_confirmation_does_not_rotate_again(team: Team, people: list[Membership]) -> None:
    full_team(team, people)
    old_end = team.term_end
    actions.rotate_due_teams(now=AFTER_END)
    assert actions.rotate_team(team=team, now=AFTER_END, on=ROTATION_DAY, expected_term_end=old_end) is None
    assert Seat.objects.filter(team=team, ended=SeatEnd.ROTATED).count() == 2


def test_rotate_now_before_the_term_ends_starts_a_new_term_today(team: Team, people: list[Membership]) -> None:
    (dana, _erin), _ = full_team(team, people)
    plan = actions.rotate_team(team=team, now=NOW, on=NOW.date(), expected_term_end=team.term_end)
    assert plan is not None and plan.on == NOW.date()
    team.refresh_from_db()
    assert team.term_start == NOW.date() and team.term_end == dt.date(2028, 3, 10)
    assert Seat.objects.get(team=team, member=dana).served_until == NOW.date()


def test_auto_rotate_off_waits_for_the_admin(team: Team, people: list[Membership]) -> None:
    full_team(team, people)
    Team.objects.filter(pk=team.pk).update(auto_rotate=False)
    assert actions.rotate_due_teams(now=AFTER_END) == []
    assert Seat.objects.filter(team=team, served_until__isnull=True).count() == 2


def test_unanswered_invitations_expire_and_go_to_the_next_person(
    team: Team, people: list[Membership], django_capture_on_commit_callbacks: Any
) -> None:
    (dana, _erin), (finn, gita, _hugo) = full_team(team, people)
    actions.leave_team(team=team, member=dana, now=NOW)
    offer = TeamInvitation.objects.get(team=team, status=InvitationStatus.PENDING)
    assert offer.member_id == finn.pk
    assert actions.expire_invitations(now=NOW + dt.timedelta(days=6)) == 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.expire_invitations(now=NOW + dt.timedelta(days=7)) == 1
    offer.refresh_from_db()
    assert offer.status == InvitationStatus.EXPIRED
    assert WaitlistEntry.objects.get(team=team, member=finn).status == EntryStatus.EXPIRED
    nxt = TeamInvitation.objects.get(team=team, status=InvitationStatus.PENDING)
    assert nxt.member_id == gita.pk
    assert [m.to for m in mail.outbox] == [[gita.user.email]]
    # Expired means gone: accepting late is refused with a clear message.
    with pytest.raises(actions.TeamError, match="already expired"):
        actions.accept_invitation(invitation=offer, now=NOW + dt.timedelta(days=8))
    # And running the expiry again does nothing more.
    assert actions.expire_invitations(now=NOW + dt.timedelta(days=7)) == 0


def test_an_invitation_past_its_time_cannot_be_accepted_before_the_task_runs(
    team: Team, people: list[Membership]
) -> None:
    actions.apply_to_team(team=team, member=people[0], now=NOW)
    offer = TeamInvitation.objects.get(member=people[0])
    with pytest.raises(actions.TeamError, match="expired"):
        actions.accept_invitation(invitation=offer, now=NOW + dt.timedelta(days=7, seconds=1))


def test_members_are_told_in_advance_once(
    team: Team, people: list[Membership], django_capture_on_commit_callbacks: Any
) -> None:
    (dana, erin), _ = full_team(team, people)
    actions.set_reapply(team=team, member=erin, reapply=True)
    early = dt.datetime(2027, 3, 17, 9, 0, tzinfo=dt.UTC)  # 15 days before 1 April
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.send_rotation_notices(now=early) == 0
        assert actions.send_rotation_notices(now=early + dt.timedelta(days=1)) == 2
        assert actions.send_rotation_notices(now=early + dt.timedelta(days=2)) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([dana.user.email, erin.user.email])
    assert all(m.subject == "Your term on LinkedIn crew 2027 ends on 01 April 2027" for m in mail.outbox)
    erin_mail = next(m for m in mail.outbox if m.to == [erin.user.email])
    assert "You asked to go back on the waitlist" in erin_mail.body
    dana_mail = next(m for m in mail.outbox if m.to == [dana.user.email])
    assert "Put me back on the waitlist" in dana_mail.body


def test_the_task_is_registered_hourly_and_does_everything() -> None:
    from groundswell.teams.tasks import run_team_rotations

    job = next(j for j in registered_jobs() if j.name.endswith("run_team_rotations"))
    assert job.every == dt.timedelta(hours=1)
    assert job.resolve() is run_team_rotations


def test_the_task_runs(team: Team, people: list[Membership], monkeypatch: pytest.MonkeyPatch) -> None:
    from groundswell.teams.tasks import run_team_rotations

    full_team(team, people)
    monkeypatch.setattr("django.utils.timezone.now", lambda: AFTER_END)
    result = run_team_rotations.enqueue().return_value
    assert result == {"expired": 0, "notices": 0, "rotated": 1}
    assert run_team_rotations.enqueue().return_value == {"expired": 0, "notices": 0, "rotated": 0}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent transactions (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_rotate_once(workspace: Any) -> None:
    from groundswell.conftest import make_member
    from groundswell.teams.tests.conftest import settings_for

    team = actions.create_team(workspace=workspace, settings=settings_for())
    people = [make_member(workspace, f"p{i}@acme.test") for i in range(5)]
    full_team(team, people)
    barrier = threading.Barrier(2)
    results: list[object] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.extend(actions.rotate_due_teams(now=AFTER_END))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert len(results) == 1
    assert Seat.objects.filter(team=team, ended=SeatEnd.ROTATED).count() == 2
    assert TeamInvitation.objects.filter(team=team, status=InvitationStatus.PENDING).count() == 2
    team.refresh_from_db()
    assert team.term_end == dt.date(2028, 4, 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent transactions (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_expiry_hands_the_seat_on_once(workspace: Any) -> None:
    from groundswell.conftest import make_member
    from groundswell.teams.tests.conftest import settings_for

    team = actions.create_team(workspace=workspace, settings=settings_for(seats=1))
    a, b, c = (make_member(workspace, f"q{i}@acme.test") for i in range(3))
    for i, m in enumerate((a, b, c)):
        actions.apply_to_team(team=team, member=m, now=NOW + dt.timedelta(minutes=i))
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def run() -> None:
        try:
            barrier.wait()
            counts.append(actions.expire_invitations(now=NOW + dt.timedelta(days=8)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(counts) == [0, 1]
    pending = TeamInvitation.objects.filter(team=team, status=InvitationStatus.PENDING)
    assert list(pending.values_list("member_id", flat=True)) == [b.pk]


def test_a_late_rotation_never_ends_a_seat_before_it_started(team: Team, people: list[Membership]) -> None:
    dana, erin = people[:2]
    seat(team, dana)
    Team.objects.filter(pk=team.pk).update(auto_rotate=False)
    late = dt.datetime(2027, 4, 5, 9, 0, tzinfo=dt.UTC)  # the term ended on 1 April; nobody rotated yet
    seat(team, erin, late)
    team.refresh_from_db()
    plan = actions.rotate_team(team=team, now=late, expected_term_end=team.term_end)
    assert plan is not None and plan.on == ROTATION_DAY
    assert Seat.objects.get(team=team, member=dana).served_until == ROTATION_DAY
    erin_seat = Seat.objects.get(team=team, member=erin)
    assert erin_seat.served_from == erin_seat.served_until == dt.date(2027, 4, 5)
