"""Offboarding across the apps: ``member_deactivated`` is sent once per real deactivation (admin, SCIM,
leaving), a failing app neither undoes the deactivation nor stops the others, and the admin's member page
says beforehand what will be handed on."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from groundswell.care import actions as care_actions
from groundswell.care.models import Case, CaseStatus
from groundswell.care.tests.conftest import make_post, volunteer
from groundswell.conftest import client_for
from groundswell.listening.models import Source, SourceKind, Topic, TopicKind
from groundswell.networks.models import AccountStatus, ConnectedAccount
from groundswell.stewards import actions as stewards_actions
from groundswell.stewards.models import BrandAccount, Shift, ShiftStatus
from groundswell.teams import actions as teams_actions
from groundswell.teams.models import InvitationStatus, Seat, SeatEnd, Team, TeamInvitation
from groundswell.teams.tests.conftest import seat, settings_for
from groundswell.workspaces import actions, offboarding
from groundswell.workspaces.models import Membership, Workspace
from groundswell.workspaces.signals import member_deactivated

from .deactivation import WAYS, deactivate

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard() -> Iterator[list[tuple[int, str]]]:
    """Every ``member_deactivated`` sent: (member id, reason)."""
    calls: list[tuple[int, str]] = []

    def record(sender: Any, member: Membership, reason: str, **kwargs: Any) -> None:
        calls.append((member.pk, reason))

    member_deactivated.connect(record, dispatch_uid="test-recorder")
    yield calls
    member_deactivated.disconnect(dispatch_uid="test-recorder")


@pytest.mark.parametrize("way", WAYS)
def test_sent_once_after_the_commit_with_the_reason(
    way: str, alice: Membership, bob: Membership, heard: list[tuple[int, str]]
) -> None:
    deactivate(bob, way, admin=alice)
    assert heard == [(bob.pk, way)]
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.deactivate_member(bob)  # already inactive: nothing went from active to inactive
    assert heard == [(bob.pk, way)]


def test_not_sent_before_the_commit_nor_when_rolled_back(
    alice: Membership, bob: Membership, carol: Membership, heard: list[tuple[int, str]]
) -> None:
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        actions.deactivate_member(bob)
        assert heard == []  # inside the transaction: nothing yet
    assert len(callbacks) == 1 and heard == []  # waits for the commit
    with TestCase.captureOnCommitCallbacks(execute=True), pytest.raises(ValidationError):
        actions.deactivate_member(alice)  # the last admin
    with TestCase.captureOnCommitCallbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        actions.deactivate_member(carol)
        raise RuntimeError("the caller's transaction fails after all")
    carol.refresh_from_db()
    alice.refresh_from_db()
    assert carol.is_active and alice.is_active and heard == []
    with pytest.raises(ValueError, match="unknown deactivation reason"):
        actions.deactivate_member(carol, reason="fired")


@dataclass
class Holdings:
    team: Team
    case: Case
    shift: Shift


@pytest.fixture
def holdings(workspace: Workspace, alice: Membership, bob: Membership, carol: Membership) -> Holdings:
    """bob holds the one seat of a team (carol waits), an open customer case (carol could take it) and an
    upcoming brand-account shift."""
    now = timezone.now()
    team = teams_actions.create_team(workspace=workspace, settings=settings_for(seats=1))
    seat(team, bob, now)
    teams_actions.apply_to_team(team=team, member=carol, now=now)
    brand_topic = Topic.objects.create(workspace=workspace, name="Acme", kind=TopicKind.BRAND, query="acme")
    source = Source.objects.create(workspace=workspace, kind=SourceKind.MASTODON, name="Mastodon search")
    volunteer(bob)
    [case] = care_actions.open_cases_for(make_post(source, [brand_topic])[1])
    volunteer(carol)
    account = ConnectedAccount.objects.create(
        workspace=workspace,
        member=None,
        network="bluesky",
        remote_id="did:plc:acme",
        handle="acme.bsky.test",
        access_token="",
        status=AccountStatus.RECONNECT,
    )
    brand = BrandAccount.objects.create(workspace=workspace, account=account)
    shift = stewards_actions.assign_shift(
        brand=brand, steward=bob, starts_at=now + dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=3), by=alice
    )
    assert case.assignee_id == bob.pk
    return Holdings(team=team, case=case, shift=shift)


def _handed_on(h: Holdings, bob: Membership, carol: Membership) -> dict[str, bool]:
    return {
        "teams": Seat.objects.get(team=h.team, member=bob).ended == SeatEnd.DEACTIVATED
        and TeamInvitation.objects.filter(team=h.team, member=carol, status=InvitationStatus.PENDING).exists(),
        "care": Case.objects.filter(pk=h.case.pk, status=CaseStatus.ASSIGNED, assignee=carol).exists(),
        "stewards": Shift.objects.get(pk=h.shift.pk).status == ShiftStatus.DECLINED,
    }


@pytest.mark.parametrize(
    ("failing", "target"),
    [
        ("teams", "groundswell.teams.actions.release_member"),
        ("care", "groundswell.care.actions.release_cases_of"),
        ("stewards", "groundswell.stewards.actions.release_shifts_of"),
    ],
)
def test_a_failing_app_breaks_neither_the_deactivation_nor_the_others(
    failing: str,
    target: str,
    holdings: Holdings,
    alice: Membership,
    bob: Membership,
    carol: Membership,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(target, broken)
    with caplog.at_level(logging.ERROR, logger="groundswell.workspaces.signals"):
        deactivate(bob, "admin", admin=alice)  # the page answers with its redirect, not a 500
    assert not Membership.objects.get(pk=bob.pk).is_active
    done = _handed_on(holdings, bob, carol)
    assert done == {app: app != failing for app in done}
    [record] = [r for r in caplog.records if r.name == "groundswell.workspaces.signals"]
    assert f"Offboarding of member {bob.pk} (admin)" in record.getMessage() and record.exc_info is not None


def test_the_member_page_says_what_will_be_handed_on(
    holdings: Holdings, alice: Membership, bob: Membership, carol: Membership
) -> None:
    page_url = reverse("workspaces:member_edit", kwargs={"ws": "acme", "member_id": bob.pk})
    admin = client_for(alice)
    page = admin.get(page_url).content.decode()
    assert "What they hold is handed on at once:" in page
    assert f"Their team seat in {holdings.team.name} is freed and offered to the next on the waitlist." in page
    assert "1 open customer case assigned to them is re-routed." in page
    assert "1 brand-account shift (running or upcoming) is released" in page
    carols_page = admin.get(reverse("workspaces:member_edit", kwargs={"ws": "acme", "member_id": carol.pk}))
    assert f"Their place on the waitlist of {holdings.team.name} is given up." in carols_page.content.decode()
    alices_page = admin.get(reverse("workspaces:member_edit", kwargs={"ws": "acme", "member_id": alice.pk}))
    assert "What they hold" not in alices_page.content.decode()  # holds nothing: nothing to say

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = admin.post(
            reverse("workspaces:member_deactivate", kwargs={"ws": "acme", "member_id": bob.pk}), follow=True
        )
    text = response.content.decode()
    assert "Bob was deactivated." in text and "1 open customer case assigned to them is re-routed." in text
    page = admin.get(page_url).content.decode()
    assert "What they hold" not in page
    assert "Reactivating gives access back, not what was handed on" in page

    response = admin.post(
        reverse("workspaces:member_reactivate", kwargs={"ws": "acme", "member_id": bob.pk}), follow=True
    )
    assert "Bob is active again. Team seats and brand-account shifts handed on" in response.content.decode()
    assert not Seat.objects.filter(member=bob, served_until__isnull=True).exists()
    assert Shift.objects.get(pk=holdings.shift.pk).status == ShiftStatus.DECLINED
    assert offboarding.preview(Membership.objects.get(pk=bob.pk)) == []


def test_a_failing_preview_is_left_out(
    holdings: Holdings, alice: Membership, bob: Membership, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(member: Membership) -> list[str]:
        raise RuntimeError("oops")

    offboarding.register_preview("zz-broken", broken)
    try:
        with caplog.at_level(logging.ERROR, logger="groundswell.workspaces.offboarding"):
            lines = offboarding.preview(bob)
    finally:
        offboarding._previews.pop("zz-broken")
    assert len(lines) == 3 and any("zz-broken" in r.getMessage() for r in caplog.records)


def test_member_page_and_deactivation_are_404_for_outsiders(
    holdings: Holdings, bob: Membership, carol: Membership, charlie_client: Client
) -> None:
    for client in (charlie_client, client_for(carol)):
        for ws in ("acme", "globex"):
            page = reverse("workspaces:member_edit", kwargs={"ws": ws, "member_id": bob.pk})
            assert client.get(page).status_code == 404
            deactivate_url = reverse("workspaces:member_deactivate", kwargs={"ws": ws, "member_id": bob.pk})
            with TestCase.captureOnCommitCallbacks(execute=True):
                assert client.post(deactivate_url).status_code == 404
    assert Membership.objects.get(pk=bob.pk).is_active
    assert Seat.objects.get(team=holdings.team, member=bob).is_current
