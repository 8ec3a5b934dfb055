"""A deactivated steward's running and upcoming shifts are released, their posts waiting for approval are
withdrawn (with the reason), and the program admins get one e-mail — whichever way they were deactivated."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from groundswell.conftest import client_for, make_member
from groundswell.networks.models import PostStatus
from groundswell.stewards import actions
from groundswell.stewards.models import BrandAccount, BrandPost, BrandPostStatus, Shift, ShiftStatus
from groundswell.stewards.receivers import preview
from groundswell.workspaces.models import Membership, Role
from groundswell.workspaces.signals import send_member_deactivated
from groundswell.workspaces.tests.deactivation import WAYS, deactivate

from .conftest import shift_for

LABELS = {
    "admin": "was deactivated by a program admin",
    "scim": "was deprovisioned by the identity provider",
    "left": "left the program",
}


@pytest.fixture
def bob_busy(brand: BrandAccount, bob: Membership, alice: Membership, bob_shift: Shift) -> dict[str, object]:
    """bob is on shift now, has one tomorrow and one that ended; he wrote a post that went to the outbox and,
    once approval was switched on, one that waits for it."""
    queued = actions.write_post(brand=brand, steward=bob, text="Straight out")
    actions.set_require_approval(brand, True)
    pending = actions.write_post(brand=brand, steward=bob, text="Please approve")
    return {
        "running": bob_shift,
        "tomorrow": shift_for(brand, bob, alice, start_hours=24, hours=4),
        "past": shift_for(brand, bob, alice, start_hours=-48, hours=2),
        "queued": queued,
        "pending": pending,
    }


@pytest.mark.parametrize("way", WAYS)
def test_shifts_are_released_posts_withdrawn_and_admins_emailed_once(
    way: str,
    brand: BrandAccount,
    bob: Membership,
    alice: Membership,
    carol: Membership,
    bob_busy: dict[str, Shift | BrandPost],
) -> None:
    carols = shift_for(brand, carol, alice, start_hours=6, hours=2)
    second_admin = make_member(brand.workspace, "dora@acme.test", Role.ADMIN)
    mail.outbox.clear()

    deactivate(bob, way, admin=alice)
    shifts = {key: Shift.objects.get(pk=bob_busy[key].pk) for key in ("running", "tomorrow", "past")}
    assert shifts["running"].status == ShiftStatus.GAVE_UP and shifts["running"].released_at is not None
    assert shifts["tomorrow"].status == ShiftStatus.DECLINED
    assert {s.release_reason for s in (shifts["running"], shifts["tomorrow"])} == {f"The steward {LABELS[way]}."}
    assert shifts["past"].status == ShiftStatus.ASSIGNED  # done: its points are still due
    assert Shift.objects.get(pk=carols.pk).status == ShiftStatus.ASSIGNED

    pending = BrandPost.objects.get(pk=bob_busy["pending"].pk)
    assert pending.status == BrandPostStatus.WITHDRAWN
    assert pending.review_reason == f"Withdrawn without review: its author {LABELS[way]}."
    assert not BrandPost.objects.filter(status=BrandPostStatus.PENDING).exists()  # out of the review queue
    queued = BrandPost.objects.select_related("outbound").get(pk=bob_busy["queued"].pk)
    assert queued.status == BrandPostStatus.QUEUED and queued.outbound.status == PostStatus.SCHEDULED

    [message] = [m for m in mail.outbox if "Bob is no longer a member" in m.subject]
    assert message.subject == "Brand accounts without a steward: Bob is no longer a member"
    assert sorted(message.to) == sorted([alice.user.email, second_admin.user.email])
    assert "acme.bsky.test (bluesky)" in message.body
    assert "was running: nobody is on shift now" in message.body
    assert message.body.count("  - ") == 2
    assert "1 post they wrote was waiting for your approval" in message.body
    assert reverse("stewards:account", kwargs={"ws": "acme", "brand_id": brand.pk}) in message.body

    page = client_for(alice).get(reverse("stewards:account", kwargs={"ws": "acme", "brand_id": brand.pk}))
    assert "Why it was withdrawn:" in page.content.decode() and "Please approve" in page.content.decode()


def test_a_second_signal_changes_nothing_and_sends_nothing(
    bob: Membership, alice: Membership, bob_busy: dict[str, Shift | BrandPost]
) -> None:
    deactivate(bob, "admin", admin=alice)
    before = list(Shift.objects.order_by("pk").values_list("pk", "status", "released_at", "release_reason"))
    sent = len(mail.outbox)
    with TestCase.captureOnCommitCallbacks(execute=True):
        send_member_deactivated(bob.pk, "admin")
        assert not actions.release_shifts_of(bob, reason="admin")
    assert list(Shift.objects.order_by("pk").values_list("pk", "status", "released_at", "release_reason")) == before
    assert len(mail.outbox) == sent


def test_only_withdrawn_posts_still_tell_the_admins(
    brand: BrandAccount, bob: Membership, alice: Membership, bob_shift: Shift
) -> None:
    actions.set_require_approval(brand, True)
    actions.write_post(brand=brand, steward=bob, text="Please approve")
    actions.release_shift(bob_shift, bob, "Ill today")
    mail.outbox.clear()
    deactivate(bob, "admin", admin=alice)
    [message] = mail.outbox
    assert message.subject == "Brand posts withdrawn: Bob is no longer a member"
    assert "1 post they wrote was waiting" in message.body and "now have no steward" not in message.body
    assert Shift.objects.get(pk=bob_shift.pk).release_reason == "Ill today"  # his own release stays as it was


def test_nothing_held_sends_nothing(bob: Membership, alice: Membership, brand: BrandAccount) -> None:
    mail.outbox.clear()
    deactivate(bob, "admin", admin=alice)
    assert mail.outbox == []


def test_an_active_member_keeps_their_shifts(bob: Membership, bob_shift: Shift) -> None:
    assert not actions.release_shifts_of(bob, reason="admin")
    assert Shift.objects.get(pk=bob_shift.pk).status == ShiftStatus.ASSIGNED


def test_preview_counts_shifts_and_pending_posts(
    brand: BrandAccount, bob: Membership, alice: Membership, bob_shift: Shift
) -> None:
    assert preview(bob) == [
        "1 brand-account shift (running or upcoming) is released, and the program admins are e-mailed the "
        "accounts left without a steward."
    ]
    shift_for(brand, bob, alice, start_hours=24, hours=4)
    shift_for(brand, bob, alice, start_hours=-48, hours=2)  # over: not counted
    actions.set_require_approval(brand, True)
    actions.write_post(brand=brand, steward=bob, text="Please approve")
    assert preview(bob) == [
        "2 brand-account shifts (running or upcoming) are released, and the program admins are e-mailed the "
        "accounts left without a steward.",
        "1 brand post they wrote that is waiting for approval is withdrawn.",
    ]
    assert preview(alice) == []
