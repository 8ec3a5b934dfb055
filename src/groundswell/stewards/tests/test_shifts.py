"""Shifts: no overlaps, decline and give up, hand-over notes, and points once per shift done."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.conftest import client_for, make_member
from groundswell.rewards.models import Action, PointsEntry, PointsRule
from groundswell.stewards import actions
from groundswell.stewards.models import BrandAccount, Shift, ShiftStatus
from groundswell.stewards.tasks import award_shift_points
from groundswell.workspaces.models import Membership, Role

from .conftest import shift_for

H = dt.timedelta(hours=1)


def test_overlapping_shifts_are_refused_adjacent_ones_allowed(
    brand: BrandAccount, bob: Membership, carol: Membership, alice: Membership
) -> None:
    now = timezone.now()
    first = actions.assign_shift(brand=brand, steward=bob, starts_at=now + H, ends_at=now + 5 * H, by=alice)
    with pytest.raises(actions.StewardError, match="overlaps Bob's shift") as info:
        actions.assign_shift(brand=brand, steward=carol, starts_at=now + 4 * H, ends_at=now + 8 * H, by=alice)
    assert "cannot overlap" in str(info.value)
    with pytest.raises(actions.StewardError, match="overlaps"):  # inside
        actions.assign_shift(brand=brand, steward=carol, starts_at=now + 2 * H, ends_at=now + 3 * H, by=alice)
    with pytest.raises(actions.StewardError, match="overlaps"):  # around
        actions.assign_shift(brand=brand, steward=carol, starts_at=now, ends_at=now + 9 * H, by=alice)
    after = actions.assign_shift(brand=brand, steward=carol, starts_at=now + 5 * H, ends_at=now + 9 * H, by=alice)
    assert after.starts_at == first.ends_at
    assert Shift.objects.filter(brand=brand).count() == 2


def test_a_declined_shift_frees_its_time(
    brand: BrandAccount, bob: Membership, carol: Membership, alice: Membership
) -> None:
    now = timezone.now()
    shift = actions.assign_shift(brand=brand, steward=bob, starts_at=now + H, ends_at=now + 5 * H, by=alice)
    actions.release_shift(shift, bob, "On holiday that week")
    shift.refresh_from_db()
    assert shift.status == ShiftStatus.DECLINED and shift.release_reason == "On holiday that week"
    actions.assign_shift(brand=brand, steward=carol, starts_at=now + H, ends_at=now + 5 * H, by=alice)


def test_bad_shifts_are_refused(brand: BrandAccount, bob: Membership, alice: Membership, charlie: Membership) -> None:
    now = timezone.now()
    with pytest.raises(actions.StewardError, match="end after it starts"):
        actions.assign_shift(brand=brand, steward=bob, starts_at=now + 2 * H, ends_at=now + H, by=alice)
    with pytest.raises(actions.StewardError, match="already be over"):
        actions.assign_shift(brand=brand, steward=bob, starts_at=now - 5 * H, ends_at=now - H, by=alice)
    with pytest.raises(actions.StewardError, match="active member"):
        actions.assign_shift(brand=brand, steward=charlie, starts_at=now + H, ends_at=now + 2 * H, by=alice)
    with pytest.raises(actions.StewardError, match="three months"):
        actions.assign_shift(brand=brand, steward=bob, starts_at=now + H, ends_at=now + 100 * 24 * H, by=alice)
    bob.is_active = False
    bob.save()
    with pytest.raises(actions.StewardError, match="active member"):
        actions.assign_shift(brand=brand, steward=bob, starts_at=now + H, ends_at=now + 2 * H, by=alice)
    assert not Shift.objects.exists()


def test_release_is_the_stewards_own_and_once(bob_shift: Shift, carol: Membership, bob: Membership) -> None:
    with pytest.raises(actions.StewardError, match="not your shift"):
        actions.release_shift(bob_shift, carol, "")
    shift = actions.release_shift(bob_shift, bob, "Too much on")
    assert shift.status == ShiftStatus.GAVE_UP and shift.released_at is not None
    with pytest.raises(actions.StewardError, match="already handed"):
        actions.release_shift(shift, bob, "")


def test_handover_is_visible_to_the_next_steward_when_their_shift_starts(
    brand: BrandAccount, bob: Membership, carol: Membership, alice: Membership
) -> None:
    bobs = shift_for(brand, bob, alice, start_hours=-5, hours=4)  # ended an hour ago
    carols = shift_for(brand, carol, alice, start_hours=-1, hours=6)  # running now
    actions.write_handover(bobs, bob, "Reply to the Berlin meetup thread; the launch post is on Friday.")
    carol_client = client_for(carol)
    page = carol_client.get(reverse("stewards:my_shifts", kwargs={"ws": "acme"})).content.decode()
    assert "Hand-over from the previous steward" in page and "Reply to the Berlin meetup thread" in page
    assert "Bob wrote" in page
    account = carol_client.get(reverse("stewards:account", kwargs={"ws": "acme", "brand_id": brand.pk}))
    assert account.status_code == 200 and "Reply to the Berlin meetup thread" in account.content.decode()
    assert carols.is_current(timezone.now())


def test_upcoming_steward_sees_the_note_only_once_the_shift_starts(
    brand: BrandAccount, bob: Membership, carol: Membership, alice: Membership
) -> None:
    bobs = shift_for(brand, bob, alice, start_hours=-1, hours=2)
    shift_for(brand, carol, alice, start_hours=3, hours=2)
    actions.write_handover(bobs, bob, "Secret plans for the launch")
    page = client_for(carol).get(reverse("stewards:my_shifts", kwargs={"ws": "acme"})).content.decode()
    assert "Coming up" in page and "Secret plans" not in page and "When your shift starts" in page


def test_handover_form_and_bad_input(bob_shift: Shift, bob_client: Client, bob: Membership) -> None:
    u = reverse("stewards:handover", kwargs={"ws": "acme", "shift_id": bob_shift.pk})
    assert bob_client.get(u).status_code == 200
    resp = bob_client.post(u, {"note": "   "})
    assert resp.status_code == 400 and "Write a few words for the next steward." in resp.content.decode()
    resp = bob_client.post(u, {"note": "x" * 5000})
    assert resp.status_code == 400 and "at most 4000 characters" in resp.content.decode()
    resp = bob_client.post(u, {"note": "All quiet."})
    assert resp.status_code == 302
    bob_shift.refresh_from_db()
    assert bob_shift.handover_note == "All quiet." and bob_shift.handover_at is not None


def test_handover_before_the_shift_starts_is_refused(brand: BrandAccount, bob: Membership, alice: Membership) -> None:
    shift = shift_for(brand, bob, alice, start_hours=2, hours=2)
    with pytest.raises(actions.StewardError, match="not started yet"):
        actions.write_handover(shift, bob, "too early")


def test_decline_and_give_up_from_my_shifts(
    brand: BrandAccount, bob: Membership, bob_client: Client, alice: Membership
) -> None:
    running = shift_for(brand, bob, alice, start_hours=-1, hours=2)
    later = shift_for(brand, bob, alice, start_hours=5, hours=2)
    page = bob_client.get(reverse("stewards:my_shifts", kwargs={"ws": "acme"})).content.decode()
    assert "Give up this shift" in page and "Decline this shift" in page
    for shift, status in ((later, ShiftStatus.DECLINED), (running, ShiftStatus.GAVE_UP)):
        resp = bob_client.post(reverse("stewards:release", kwargs={"ws": "acme", "shift_id": shift.pk}), {"reason": ""})
        assert resp.status_code == 302
        shift.refresh_from_db()
        assert shift.status == status
    again = bob_client.post(reverse("stewards:release", kwargs={"ws": "acme", "shift_id": later.pk}), follow=True)
    assert "already handed this shift back" in again.content.decode()


# --- points ---------------------------------------------------------------------------------------------


def test_shift_points_awarded_once(brand: BrandAccount, bob: Membership, carol: Membership, alice: Membership) -> None:
    done = shift_for(brand, bob, alice, start_hours=-10, hours=4)
    given_up = shift_for(brand, carol, alice, start_hours=-6, hours=4)
    given_up.status = ShiftStatus.GAVE_UP
    given_up.save()
    running = shift_for(brand, carol, alice, start_hours=-1, hours=4)

    assert award_shift_points.enqueue().return_value == 1  # the periodic task (ImmediateBackend)
    assert actions.award_finished_shifts() == 0  # idempotent: nothing more
    entries = list(PointsEntry.objects.filter(action=Action.BRAND_SHIFT))
    assert [(e.member_id, e.points, e.key) for e in entries] == [(bob.pk, 40, f"brand_shift:{done.pk}")]
    done.refresh_from_db()
    assert done.points_awarded_at is not None
    # The running shift earns its points when it ends, once.
    later = running.ends_at + dt.timedelta(minutes=1)
    assert actions.award_finished_shifts(later) == 1
    assert actions.award_finished_shifts(later) == 0
    assert PointsEntry.objects.filter(action=Action.BRAND_SHIFT, member=carol).count() == 1


def test_ledger_key_keeps_a_replay_from_paying_twice(brand: BrandAccount, bob: Membership, alice: Membership) -> None:
    done = shift_for(brand, bob, alice, start_hours=-10, hours=4)
    actions.award_finished_shifts()
    Shift.objects.filter(pk=done.pk).update(points_awarded_at=None)  # as if the claim had been lost
    actions.award_finished_shifts()
    assert PointsEntry.objects.filter(key=f"brand_shift:{done.pk}").count() == 1


def test_default_rule_and_admins_can_change_it(workspace: object) -> None:
    from groundswell.rewards.actions import RULE_ACTIONS

    rule = PointsRule.objects.get(workspace=workspace, action=Action.BRAND_SHIFT)
    assert (rule.points, rule.daily_cap) == (40, None)
    assert Action.BRAND_SHIFT in RULE_ACTIONS


def test_volunteers_are_marked_when_enrolment_provides_them(
    brand: BrandAccount, bob: Membership, carol: Membership, alice_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from groundswell.stewards import queries

    monkeypatch.setattr(queries, "volunteer_ids", lambda ws: {carol.pk})
    page = alice_client.get(reverse("stewards:assign", kwargs={"ws": "acme", "brand_id": brand.pk})).content.decode()
    assert "Carol (volunteered)" in page and page.index("Carol (volunteered)") < page.index(">Bob<")
    monkeypatch.undo()
    assert isinstance(queries.volunteer_ids(brand.workspace), set)  # works whether or not enrolment has it


def test_inactive_members_are_not_offered(brand: BrandAccount, alice_client: Client) -> None:
    gone = make_member(brand.workspace, "gone@acme.test", Role.EMPLOYEE)
    gone.is_active = False
    gone.save()
    page = alice_client.get(reverse("stewards:assign", kwargs={"ws": "acme", "brand_id": brand.pk})).content.decode()
    assert "Gone" not in page


def test_steward_is_emailed_the_handover_when_the_shift_starts(
    brand: BrandAccount,
    bob: Membership,
    carol: Membership,
    alice: Membership,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    settings.SITE_URL = "https://gs.example"
    bobs = shift_for(brand, bob, alice, start_hours=-5, hours=4)
    actions.write_handover(bobs, bob, "Answer Jo's question about the launch date.")
    carols = shift_for(brand, carol, alice, start_hours=2, hours=4)
    with django_capture_on_commit_callbacks(execute=True):
        actions.notify_started_shifts()  # bob's shift is over, carol's not started: nobody
    assert mailoutbox == []
    start = carols.starts_at + dt.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.notify_started_shifts(start) == 1
        assert actions.notify_started_shifts(start) == 0  # once
    [mail] = mailoutbox
    assert mail.to == ["carol@acme.test"] and mail.subject == "Your shift on acme.bsky.test has started"
    assert "Answer Jo's question about the launch date." in mail.body and "Bob left you" in mail.body
    assert "https://gs.example/w/acme/brand/shifts/" in mail.body


def test_given_up_shift_gets_no_start_email(
    brand: BrandAccount,
    bob_shift: Shift,
    bob: Membership,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    actions.release_shift(bob_shift, bob, "")
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.notify_started_shifts() == 0
    assert mailoutbox == []
