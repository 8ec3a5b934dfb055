"""Leave the program, delete my data, and the admin's audit log (which never holds content)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from groundswell.analytics.models import MemberPeriod
from groundswell.conftest import client_for, make_member
from groundswell.links.models import Click
from groundswell.networks.models import ConnectedAccount, OutboundPost, PostStatus
from groundswell.networks.tests.test_accounts_fakes import Calls
from groundswell.policy.models import PolicyAcknowledgement, PolicyVersion
from groundswell.privacy import actions
from groundswell.privacy.models import PrivacyAction, PrivacyEvent
from groundswell.privacy.providers.workspaces import WorkspacesProvider
from groundswell.rewards.models import PointsEntry
from groundswell.sharing.models import Share
from groundswell.workspaces.models import (
    ApiToken,
    ImportJob,
    Invitation,
    LeaderboardVisibility,
    Membership,
    Role,
    Workspace,
)

from .conftest import ACCESS_SECRET, CAPTION, Activity
from .test_switches import url


def test_leave_deactivates_cancels_pending_posts_and_disconnects(
    bob: Membership, bob_client: Client, activity: Activity, fake_networks: Calls
) -> None:
    page = bob_client.get(url(bob, "leave/")).content.decode()
    assert "FakeNet @bob" in page and "revoke" in page
    resp = bob_client.post(url(bob, "leave/"), {"history": "keep", "confirm": "on"})
    assert resp.status_code == 200 and "You have left the program" in resp.content.decode()
    bob.refresh_from_db()
    assert not bob.is_active and bob.leaderboard_visibility == LeaderboardVisibility.HIDDEN
    assert bob.display_name == "Bob"  # he chose to keep his history under his name
    activity.pending.refresh_from_db()
    activity.sent.refresh_from_db()
    assert activity.pending.status == PostStatus.CANCELLED and activity.sent.status == PostStatus.SENT
    # Disconnected through networks' disconnect: the token was revoked at the network, then deleted.
    assert [t.access_token for t in fake_networks.revoke] == [ACCESS_SECRET]
    assert not ConnectedAccount.objects.filter(member=bob).exists()
    # History stays.
    assert Share.objects.get(pk=activity.share.pk).caption == CAPTION
    assert PrivacyEvent.objects.get().action == PrivacyAction.LEAVE
    # Gone from the workspace: every page is a 404 now; coming back needs a new invitation.
    assert bob_client.get(url(bob)).status_code == 404


def test_leave_anonymously_renames(bob: Membership, bob_client: Client) -> None:
    bob_client.post(url(bob, "leave/"), {"history": "anonymise", "confirm": "on"})
    bob.refresh_from_db()
    assert bob.display_name == f"Former member #{bob.pk}" and not bob.is_active


def test_leave_bad_input_and_last_admin(alice: Membership, bob: Membership, bob_client: Client) -> None:
    resp = bob_client.post(url(bob, "leave/"), {"history": "keep"})
    assert resp.status_code == 400 and "Tick the box to confirm" in resp.content.decode()
    resp = bob_client.post(url(bob, "leave/"), {"history": "sideways", "confirm": "on"})
    assert resp.status_code == 400 and "Choose one of the two." in resp.content.decode()
    resp = client_for(alice).post(url(alice, "leave/"), {"history": "keep", "confirm": "on"})
    assert resp.status_code == 400 and "last program admin" in resp.content.decode()
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert alice.is_active and bob.is_active and not PrivacyEvent.objects.exists()


def test_delete_page_lists_what_goes_and_what_stays(bob: Membership, bob_client: Client, activity: Activity) -> None:
    text = bob_client.get(url(bob, "delete/")).content.decode()
    assert "Deleted or anonymised" in text and "Kept, and why" in text
    assert "append-only and kept for audit" in text  # points ledger
    assert "payroll records" in text  # closed bonus payouts
    assert "short links you posted keep working" in text
    deleted, kept = text.split("Kept, and why")
    assert "The captions you wrote for your shares" in deleted and "Clicks on your links" in deleted
    assert "Your points ledger" not in deleted and "points ledger line(s)" in kept


def test_delete_keeps_what_it_says_and_erases_the_rest(
    workspace: Workspace, bob: Membership, bob_client: Client, activity: Activity, alice: Membership
) -> None:
    version = PolicyVersion.objects.create(workspace=workspace, number=1, title="Policy", body_markdown="Be nice")
    PolicyAcknowledgement.objects.create(workspace=workspace, member=bob, version=version)
    ApiToken.objects.create(workspace=workspace, member=bob, name="cli", prefix="gs_ab", token_hash="h" * 64)
    ledger_lines = PointsEntry.objects.filter(member=bob).count()
    assert ledger_lines and MemberPeriod.objects.filter(member=bob).exists()

    assert bob_client.post(url(bob, "delete/"), {}).status_code == 400  # not confirmed
    resp = bob_client.post(url(bob, "delete/"), {"confirm": "on"})
    assert resp.status_code == 200
    text = resp.content.decode()
    assert "Your data was deleted" in text and "append-only" in text and "payroll records" in text

    bob.refresh_from_db()
    assert not bob.is_active and bob.display_name == f"Former member #{bob.pk}" and bob.title == ""
    user = get_user_model().objects.get(pk=bob.user_id)
    assert "bob" not in user.email and not user.is_active and not user.has_usable_password()
    # Erased:
    assert not Share.objects.filter(member=bob).exclude(caption="").exists()
    assert not Click.objects.filter(share__member=bob).exists()
    assert not MemberPeriod.objects.filter(member=bob).exists()
    assert not PolicyAcknowledgement.objects.filter(member=bob).exists()
    assert not ApiToken.objects.filter(member=bob).exists()
    assert not ConnectedAccount.objects.filter(member=bob).exists()
    assert not OutboundPost.objects.filter(share__member=bob).exclude(text="").exists()
    # Kept, as the page said:
    assert PointsEntry.objects.filter(member=bob).count() == ledger_lines
    assert Share.objects.filter(pk=activity.share.pk).exists()
    assert [e.action for e in PrivacyEvent.objects.order_by("at", "id")] == [PrivacyAction.LEAVE, PrivacyAction.DELETE]
    # The workspace's other people are untouched.
    alice.refresh_from_db()
    assert alice.is_active and alice.display_name == "Alice"


def test_delete_keeps_the_login_of_someone_in_another_workspace(bob: Membership, other_workspace: Workspace) -> None:
    Membership.objects.create(workspace=other_workspace, user=bob.user, display_name="Bob at Globex")
    report = actions.erase_member_data(bob)
    assert any("another workspace" in line for _, line in report.kept)
    user = get_user_model().objects.get(pk=bob.user_id)
    assert user.email == "bob@acme.test" and user.is_active


def test_audit_log_lists_requests_without_content(
    alice: Membership, bob: Membership, bob_client: Client, activity: Activity
) -> None:
    bob_client.post(url(bob, "leaderboard/"), {"leaderboard_visibility": "anonymous"})
    bob_client.post(url(bob, "manager/"), {"share": "on"})
    actions.request_export(bob)
    actions.erase_member_data(bob)
    fields = {f.name for f in PrivacyEvent._meta.get_fields()}
    assert fields == {"id", "workspace", "member", "member_number", "action", "detail", "at"}
    assert {e.member_number for e in PrivacyEvent.objects.all()} == {bob.pk}
    text = client_for(alice).get(url(alice, "log/")).content.decode()
    for label in ("Changed leaderboard visibility", "Changed sharing with their manager", "Exported their data",
                  "Left the program", "Deleted their data"):  # fmt: skip
        assert label in text
    assert f"#{bob.pk}" in text
    for content in (CAPTION, "bob@acme.test", "Bob</td>"):
        assert content not in text


def test_audit_log_empty_state(alice: Membership) -> None:
    text = client_for(alice).get(url(alice, "log/")).content.decode()
    assert "No privacy requests yet" in text


def test_audit_log_query_count_does_not_grow(
    alice: Membership, workspace: Workspace, django_assert_max_num_queries: Any
) -> None:
    c = client_for(alice)
    for n in range(3):
        actions.log_event(make_member(workspace, f"m{n}@acme.test", Role.EMPLOYEE), PrivacyAction.EXPORT)
    with CaptureQueriesContext(connection) as few:
        c.get(url(alice, "log/"))
    for n in range(3, 20):
        actions.log_event(make_member(workspace, f"m{n}@acme.test", Role.EMPLOYEE), PrivacyAction.EXPORT)
    with CaptureQueriesContext(connection) as many, django_assert_max_num_queries(12):
        c.get(url(alice, "log/"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_delete_scrubs_invitations_and_imported_rows(workspace: Workspace, alice: Membership, bob: Membership) -> None:
    invitation = Invitation.objects.create(
        workspace=workspace, email="Bob@acme.test", token_hash="t" * 64, invited_by=alice
    )
    job = ImportJob.objects.create(
        workspace=workspace,
        created_by=alice,
        file_name="staff.csv",
        content="email,name\nbob@acme.test,Bob\ndave@acme.test,Dave\n",
        preview=[{"email": "bob@acme.test"}, {"email": "dave@acme.test"}],
    )
    exported = WorkspacesProvider().export(bob)
    assert exported["employee_list_imports"] == [{"file_name": "staff.csv", "imported_at": job.created_at.isoformat()}]
    assert len(exported["invitations"]) == 1

    actions.erase_member_data(bob)
    invitation.refresh_from_db()
    job.refresh_from_db()
    assert "bob" not in invitation.email.lower()
    assert job.content == "email,name\ndave@acme.test,Dave\n" and job.preview == [{"email": "dave@acme.test"}]


def test_who_left_comes_back_only_through_a_new_invitation(
    workspace: Workspace, alice: Membership, bob: Membership, bob_client: Client
) -> None:
    from groundswell.workspaces import actions as workspace_actions

    bob_client.post(url(bob, "leave/"), {"history": "keep", "confirm": "on"})
    resp = client_for(alice).post(f"/w/{workspace.slug}/people/members/{bob.pk}/reactivate/", follow=True)
    assert "left the program themselves" in resp.content.decode()
    bob.refresh_from_db()
    assert not bob.is_active
    invitation = workspace_actions.invite_member(workspace, email="bob@acme.test", invited_by=alice).invitation
    workspace_actions.accept_invitation(invitation, bob.user)
    bob.refresh_from_db()
    assert bob.is_active and not actions.left_on_their_own(bob)
