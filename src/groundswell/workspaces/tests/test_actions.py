"""The write layer for workspaces and people."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from groundswell.conftest import make_member
from groundswell.content.models import Topic
from groundswell.rewards.models import PointsRule
from groundswell.workspaces import actions
from groundswell.workspaces.models import (
    ApiToken,
    Department,
    Invitation,
    LeaderboardVisibility,
    Location,
    Membership,
    Role,
    Workspace,
)

User = get_user_model()
pytestmark = pytest.mark.django_db


def new_user(email: str) -> object:
    return User.objects.create_user(username=email, email=email, password="correct horse battery")


# --- create_workspace -----------------------------------------------------------------------------


def test_create_workspace_makes_admin_and_rules() -> None:
    user = new_user("founder@initech.test")
    member = actions.create_workspace(name="Initech Corp", user=user, time_zone="Europe/Berlin")  # type: ignore[arg-type]
    ws = member.workspace
    assert ws.slug == "initech-corp" and ws.timezone == "Europe/Berlin"
    assert member.role == Role.ADMIN and member.display_name == "Founder"
    assert PointsRule.objects.filter(workspace=ws).exists()
    second = actions.create_workspace(name="Initech Corp", user=user)  # type: ignore[arg-type]
    assert second.workspace.slug == "initech-corp-2"


@pytest.mark.parametrize(("name", "tz"), [("", "UTC"), ("  ", "UTC"), ("Ok", "Mars/Olympus")])
def test_create_workspace_rejects_bad_input(name: str, tz: str) -> None:
    with pytest.raises(ValidationError):
        actions.create_workspace(name=name, user=new_user("x@y.test"), time_zone=tz)  # type: ignore[arg-type]
    assert not Workspace.objects.exists()


def test_create_workspace_taken_slug(workspace: Workspace) -> None:
    with pytest.raises(ValidationError, match="taken"):
        actions.create_workspace(name="Other", slug="acme", user=new_user("x@y.test"))  # type: ignore[arg-type]


def test_update_workspace(workspace: Workspace) -> None:
    actions.update_workspace(workspace, name="Acme Inc", time_zone="America/New_York")
    workspace.refresh_from_db()
    assert (workspace.name, workspace.timezone) == ("Acme Inc", "America/New_York")
    with pytest.raises(ValidationError):
        actions.update_workspace(workspace, name="Acme", time_zone="Nowhere/Land")


# --- invitations ----------------------------------------------------------------------------------


def test_invite_sends_link_and_stores_only_hash(
    workspace: Workspace, alice: Membership, sales: Department, berlin: Location
) -> None:
    result = actions.invite_member(
        workspace, email="dave@acme.test", invited_by=alice, role=Role.MANAGER, department=sales, location=berlin
    )
    inv = result.invitation
    assert result.created
    assert inv.token_hash == Invitation.hash_token(result.token) and result.token not in inv.token_hash
    assert not Invitation.objects.filter(token_hash=result.token).exists()
    assert len(mail.outbox) == 1
    msg = mail.outbox[0]
    assert msg.to == ["dave@acme.test"]
    assert f"http://testserver/invite/{result.token}/" in msg.body
    assert "Acme" in msg.subject


def test_reinvite_refreshes_instead_of_duplicating(workspace: Workspace, alice: Membership, sales: Department) -> None:
    first = actions.invite_member(workspace, email="dave@acme.test", invited_by=alice)
    second = actions.invite_member(workspace, email="DAVE@acme.test", invited_by=alice, department=sales)
    assert not second.created
    assert Invitation.objects.filter(workspace=workspace).count() == 1
    inv = Invitation.objects.get()
    assert inv.department == sales
    assert inv.token_hash == Invitation.hash_token(second.token)
    with pytest.raises(actions.InvitationUnusable):
        actions.find_invitation(first.token)  # the old link stopped working
    assert actions.find_invitation(second.token).pk == inv.pk


def test_reinvite_expired_invitation_gets_new_expiry(workspace: Workspace, alice: Membership) -> None:
    first = actions.invite_member(workspace, email="dave@acme.test", invited_by=alice)
    Invitation.objects.filter(pk=first.invitation.pk).update(expires_at=timezone.now() - timedelta(days=1))
    second = actions.invite_member(workspace, email="dave@acme.test", invited_by=alice)
    assert second.invitation.pk == first.invitation.pk
    assert actions.find_invitation(second.token).expires_at > timezone.now() + timedelta(days=13)


def test_invite_rejects_existing_member_and_foreign_segments(
    workspace: Workspace, other_workspace: Workspace, alice: Membership, bob: Membership
) -> None:
    with pytest.raises(ValidationError, match="already a member"):
        actions.invite_member(workspace, email="BOB@acme.test", invited_by=alice)
    foreign = Department.objects.create(workspace=other_workspace, name="Globex Sales")
    with pytest.raises(ValidationError, match="another workspace"):
        actions.invite_member(workspace, email="dave@acme.test", invited_by=alice, department=foreign)
    foreign_loc = Location.objects.create(workspace=other_workspace, name="Springfield")
    with pytest.raises(ValidationError, match="another workspace"):
        actions.invite_member(workspace, email="dave@acme.test", invited_by=alice, location=foreign_loc)
    with pytest.raises(ValidationError):
        actions.invite_member(workspace, email="not-an-email", invited_by=alice)
    with pytest.raises(ValidationError):
        actions.invite_member(workspace, email="dave@acme.test", invited_by=alice, role="overlord")
    assert not Invitation.objects.exists() and not mail.outbox


def test_revoke_and_resend(workspace: Workspace, alice: Membership) -> None:
    result = actions.invite_member(workspace, email="dave@acme.test", invited_by=alice)
    resent = actions.resend_invitation(result.invitation, by=alice)
    assert len(mail.outbox) == 2 and resent.token != result.token
    actions.revoke_invitation(resent.invitation)
    with pytest.raises(actions.InvitationUnusable, match="withdrawn"):
        actions.find_invitation(resent.token)
    with pytest.raises(ValidationError):
        actions.resend_invitation(Invitation.objects.get(), by=alice)
    # A new invitation after a revoked one is a fresh row.
    again = actions.invite_member(workspace, email="dave@acme.test", invited_by=alice)
    assert again.created and Invitation.objects.count() == 2


def test_accept_creates_membership_from_invitation(
    workspace: Workspace, alice: Membership, sales: Department, berlin: Location
) -> None:
    result = actions.invite_member(
        workspace, email="dave@acme.test", invited_by=alice, role=Role.MANAGER, department=sales, location=berlin
    )
    user = new_user("dave@acme.test")
    member = actions.accept_invitation(result.invitation, user)  # type: ignore[arg-type]
    assert (member.role, member.department, member.location) == (Role.MANAGER, sales, berlin)
    assert member.display_name == "Dave"
    with pytest.raises(actions.InvitationUnusable, match="already used"):
        actions.find_invitation(result.token)
    with pytest.raises(actions.InvitationUnusable):
        actions.accept_invitation(result.invitation, user)  # type: ignore[arg-type]


def test_accept_by_existing_user_joins_second_workspace(
    workspace: Workspace, other_workspace: Workspace, charlie: Membership, alice: Membership
) -> None:
    result = actions.invite_member(workspace, email="charlie@globex.test", invited_by=alice)
    member = actions.accept_invitation(result.invitation, charlie.user)
    assert member.workspace == workspace and member.user == charlie.user
    assert Membership.objects.filter(user=charlie.user).count() == 2


def test_accept_reactivates_deactivated_member(workspace: Workspace, alice: Membership, bob: Membership) -> None:
    actions.deactivate_member(bob)
    result = actions.invite_member(workspace, email="bob@acme.test", invited_by=alice, role=Role.MANAGER)
    member = actions.accept_invitation(result.invitation, bob.user)
    assert member.pk == bob.pk and member.is_active and member.role == Role.MANAGER


def test_expired_token_is_unusable(workspace: Workspace, alice: Membership) -> None:
    result = actions.invite_member(workspace, email="dave@acme.test", invited_by=alice)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(actions.InvitationUnusable, match="expired"):
        actions.find_invitation(result.token)
    with pytest.raises(actions.InvitationUnusable, match="not valid"):
        actions.find_invitation("nope")


# --- members --------------------------------------------------------------------------------------


def test_update_member_fields(workspace: Workspace, alice: Membership, bob: Membership, carol: Membership) -> None:
    dept = actions.add_department(workspace, "Marketing")
    actions.update_member(bob, role=Role.MANAGER, department=dept, location=None, manager=carol)
    bob.refresh_from_db()
    assert (bob.role, bob.department, bob.location, bob.manager) == (Role.MANAGER, dept, None, carol)


def test_update_member_refuses_foreign_manager_and_segments(
    workspace: Workspace, bob: Membership, charlie: Membership, other_workspace: Workspace
) -> None:
    with pytest.raises(ValidationError, match="member of this workspace"):
        actions.update_member(bob, manager=charlie)
    with pytest.raises(ValidationError):
        actions.update_member(bob, department=Department.objects.create(workspace=other_workspace, name="X"))
    with pytest.raises(ValidationError):
        actions.update_member(bob, location=Location.objects.create(workspace=other_workspace, name="Y"))
    bob.refresh_from_db()
    assert bob.manager is None


def test_update_member_refuses_cycles(
    workspace: Workspace, alice: Membership, bob: Membership, carol: Membership
) -> None:
    actions.update_member(bob, manager=carol)
    actions.update_member(carol, manager=alice)
    with pytest.raises(ValidationError, match="loop"):
        actions.update_member(alice, manager=bob)
    with pytest.raises(ValidationError, match="own manager"):
        actions.update_member(alice, manager=alice)


def test_last_admin_cannot_be_demoted_or_deactivated(workspace: Workspace, alice: Membership, bob: Membership) -> None:
    with pytest.raises(ValidationError, match="at least one"):
        actions.update_member(alice, role=Role.EMPLOYEE)
    with pytest.raises(ValidationError, match="last program admin"):
        actions.deactivate_member(alice)
    actions.update_member(bob, role=Role.ADMIN)
    actions.update_member(alice, role=Role.EMPLOYEE)  # now fine
    alice.refresh_from_db()
    assert alice.role == Role.EMPLOYEE


def test_deactivated_admin_does_not_count(workspace: Workspace, alice: Membership) -> None:
    other = make_member(workspace, "admin2@acme.test", Role.ADMIN)
    actions.deactivate_member(other)
    with pytest.raises(ValidationError):
        actions.update_member(alice, role=Role.MANAGER)


def test_deactivate_keeps_history_and_revokes_tokens(workspace: Workspace, alice: Membership, bob: Membership) -> None:
    token = ApiToken.objects.create(workspace=workspace, member=bob, name="cli", prefix="gs_abc", token_hash="h" * 64)
    actions.deactivate_member(bob)
    bob.refresh_from_db()
    token.refresh_from_db()
    assert not bob.is_active and Membership.objects.filter(pk=bob.pk).exists()
    assert token.revoked_at is not None
    actions.reactivate_member(bob)
    bob.refresh_from_db()
    assert bob.is_active


# --- departments and locations --------------------------------------------------------------------


def test_segments_add_rename_delete(workspace: Workspace, other_workspace: Workspace, bob: Membership) -> None:
    dept = actions.add_department(workspace, "  Customer   Success ")
    assert dept.name == "Customer Success"
    with pytest.raises(ValidationError, match="already"):
        actions.add_department(workspace, "customer success")
    with pytest.raises(ValidationError):
        actions.add_department(workspace, "   ")
    with pytest.raises(ValidationError):
        actions.add_department(workspace, "x" * 121)
    actions.add_department(other_workspace, "Customer Success")  # names are per workspace
    actions.rename_segment(dept, "CS")
    actions.rename_segment(dept, "cs")  # renaming to a different case of itself is fine
    with pytest.raises(ValidationError, match="already"):
        actions.rename_segment(dept, "Sales")
    loc = actions.add_location(workspace, "Paris")
    with pytest.raises(ValidationError):
        actions.add_location(workspace, "PARIS")
    assert bob.department is not None
    actions.delete_segment(bob.department)
    bob.refresh_from_db()
    assert bob.department is None and bob.is_active
    actions.delete_segment(loc)
    assert not Location.objects.filter(pk=loc.pk).exists()


# --- profile --------------------------------------------------------------------------------------


def test_update_profile(workspace: Workspace, other_workspace: Workspace, bob: Membership) -> None:
    ai = Topic.objects.create(workspace=workspace, name="AI", slug="ai")
    foreign = Topic.objects.create(workspace=other_workspace, name="Secret", slug="secret")
    visibility_before = bob.leaderboard_visibility
    actions.update_profile(
        bob,
        display_name=" Bob B ",
        title="AE",
        mastodon_instance="https://Mastodon.Social/@bob",
        interests=[ai],
        audience_size=1200,
    )
    bob.refresh_from_db()
    assert bob.display_name == "Bob B" and bob.mastodon_instance == "mastodon.social"
    assert list(bob.interests.all()) == [ai] and bob.audience_size == 1200
    # Leaderboard visibility is the privacy centre's switch (privacy.actions), not part of the profile.
    assert bob.leaderboard_visibility == visibility_before == LeaderboardVisibility.HIDDEN
    with pytest.raises(ValidationError, match="topics"):
        actions.update_profile(bob, display_name="Bob", interests=[foreign])
    with pytest.raises(ValidationError):
        actions.update_profile(bob, display_name="Bob", mastodon_instance="not a server")
    with pytest.raises(ValidationError):
        actions.update_profile(bob, display_name="")
    bob.refresh_from_db()
    assert list(bob.interests.all()) == [ai]


def test_invitation_subject_survives_line_breaks_in_names(workspace: Workspace, alice: Membership) -> None:
    Workspace.objects.filter(pk=workspace.pk).update(name="Acme\r\nBcc: evil@example.test")
    Membership.objects.filter(pk=alice.pk).update(display_name="Alice\nX")
    workspace.refresh_from_db()
    alice.refresh_from_db()
    actions.invite_member(workspace, email="dave@acme.test", invited_by=alice)
    assert "\n" not in mail.outbox[0].subject and mail.outbox[0].to == ["dave@acme.test"]
    assert mail.outbox[0].bcc == []
