"""People pages: access rules, forms and validation."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from groundswell.conftest import client_for, make_member
from groundswell.content.models import Topic
from groundswell.workspaces import actions
from groundswell.workspaces.models import Department, Invitation, Location, Membership, Role, Workspace

pytestmark = pytest.mark.django_db


def url(name: str, ws: str = "acme", **kwargs: object) -> str:
    return reverse(f"workspaces:{name}", kwargs={"ws": ws, **kwargs})


@pytest.fixture
def invitation(workspace: Workspace, alice: Membership) -> Invitation:
    return actions.invite_member(workspace, email="dave@acme.test", invited_by=alice).invitation


def admin_urls(bob: Membership, invitation: Invitation, sales: Department, berlin: Location) -> list[str]:
    return [
        url("people"),
        url("invite"),
        url("invitation_revoke", invitation_id=invitation.pk),
        url("invitation_resend", invitation_id=invitation.pk),
        url("member_edit", member_id=bob.pk),
        url("member_deactivate", member_id=bob.pk),
        url("member_reactivate", member_id=bob.pk),
        url("segments"),
        url("department_add"),
        url("department_rename", department_id=sales.pk),
        url("department_delete", department_id=sales.pk),
        url("location_add"),
        url("location_rename", location_id=berlin.pk),
        url("location_delete", location_id=berlin.pk),
        url("settings"),
    ]


def test_admin_pages_are_404_for_employees_managers_and_outsiders(
    bob: Membership,
    carol: Membership,
    charlie_client: Client,
    invitation: Invitation,
    sales: Department,
    berlin: Location,
) -> None:
    for client in (client_for(bob), client_for(carol), charlie_client):
        for u in admin_urls(bob, invitation, sales, berlin):
            assert client.get(u).status_code == 404, u
            assert client.post(u, {"name": "x", "emails": "x@y.test", "role": "admin"}).status_code == 404, u
    bob.refresh_from_db()
    invitation.refresh_from_db()
    assert bob.is_active and invitation.revoked_at is None
    assert Department.objects.filter(pk=sales.pk, name="Sales").exists()


def test_anonymous_is_sent_to_login(workspace: Workspace) -> None:
    resp = Client().get(url("people"))
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("account_login"))


def test_profile_is_404_for_outsiders(workspace: Workspace, charlie_client: Client) -> None:
    assert charlie_client.get(url("profile")).status_code == 404
    assert charlie_client.post(url("profile"), {"display_name": "x"}).status_code == 404


def test_deactivated_member_loses_access(workspace: Workspace, alice: Membership, bob: Membership) -> None:
    actions.deactivate_member(bob)
    assert client_for(bob).get(url("profile")).status_code == 404


def test_people_page_lists_filters_and_paginates(
    alice_client: Client, bob: Membership, carol: Membership, sales: Department, berlin: Location, workspace: Workspace
) -> None:
    resp = alice_client.get(url("people"))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "Bob" in html and "Carol" in html and "Invite people" in html and "Pending invitations" in html
    resp = alice_client.get(url("people"), {"location": berlin.pk})
    assert [m.pk for m in resp.context["page"].object_list] == [bob.pk]
    resp = alice_client.get(url("people"), {"role": Role.MANAGER})
    assert [m.pk for m in resp.context["page"].object_list] == [carol.pk]
    resp = alice_client.get(url("people"), {"q": "carol@"})
    assert [m.pk for m in resp.context["page"].object_list] == [carol.pk]
    resp = alice_client.get(url("people"), {"q": "nobody-like-this"})
    assert "No members match" in resp.content.decode()
    # Garbage filters and pages never 500.
    resp = alice_client.get(url("people"), {"department": "abc", "page": "zzz", "role": "overlord"})
    assert resp.status_code == 200
    for i in range(30):
        make_member(workspace, f"p{i:02d}@acme.test")
    resp = alice_client.get(url("people"), {"page": 2})
    assert resp.context["page"].number == 2 and "Page 2 of 2" in resp.content.decode()


def test_people_filter_ignores_other_workspace_department(
    alice_client: Client, bob: Membership, other_workspace: Workspace
) -> None:
    foreign = Department.objects.create(workspace=other_workspace, name="Globex Sales")
    resp = alice_client.get(url("people"), {"department": foreign.pk})
    assert resp.status_code == 200
    assert "Globex Sales" not in resp.content.decode()


def test_invite_several_and_validation(alice_client: Client, sales: Department, bob: Membership) -> None:
    resp = alice_client.post(
        url("invite"),
        {"emails": "dave@acme.test, erin@acme.test\nbob@acme.test", "role": Role.EMPLOYEE, "department": sales.pk},
        follow=True,
    )
    assert resp.status_code == 200
    assert sorted(m.to[0] for m in mail.outbox) == ["dave@acme.test", "erin@acme.test"]
    html = resp.content.decode()
    assert "already a member" in html and "Invitation sent to dave@acme.test, erin@acme.test" in html
    assert Invitation.objects.filter(department=sales).count() == 2
    resp = alice_client.post(url("invite"), {"emails": "nope, also bad", "role": Role.EMPLOYEE})
    assert resp.status_code == 400 and "Not an email address" in resp.content.decode()
    resp = alice_client.post(url("invite"), {"emails": "x@acme.test", "role": "overlord"})
    assert resp.status_code == 400
    assert Invitation.objects.count() == 2


def test_invite_refuses_foreign_department(alice_client: Client, other_workspace: Workspace) -> None:
    foreign = Department.objects.create(workspace=other_workspace, name="Globex Sales")
    resp = alice_client.post(url("invite"), {"emails": "x@acme.test", "role": "employee", "department": foreign.pk})
    assert resp.status_code == 400 and not Invitation.objects.exists()


def test_invite_smtp_failure_is_reported_not_500(alice_client: Client, settings: object) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # type: ignore[attr-defined]
    settings.EMAIL_HOST = "127.0.0.1"  # type: ignore[attr-defined]
    settings.EMAIL_PORT = 9  # type: ignore[attr-defined]  # discard port: nothing listens
    settings.EMAIL_TIMEOUT = 2  # type: ignore[attr-defined]
    resp = alice_client.post(url("invite"), {"emails": "x@acme.test", "role": "employee"}, follow=True)
    assert resp.status_code == 200 and "Could not send the email" in resp.content.decode()
    assert not Invitation.objects.exists()


def test_revoke_and_resend_views(alice_client: Client, invitation: Invitation) -> None:
    resp = alice_client.post(url("invitation_resend", invitation_id=invitation.pk))
    assert resp.status_code == 302 and len(mail.outbox) == 2
    assert alice_client.get(url("invitation_revoke", invitation_id=invitation.pk)).status_code == 405
    resp = alice_client.post(url("invitation_revoke", invitation_id=invitation.pk), follow=True)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None and "withdrawn" in resp.content.decode()
    resp = alice_client.post(url("invitation_resend", invitation_id=invitation.pk), follow=True)
    assert "already used or revoked" in resp.content.decode() and len(mail.outbox) == 2


def test_cross_workspace_ids_are_404_for_admin_of_other_workspace(
    charlie: Membership, bob: Membership, invitation: Invitation, sales: Department, berlin: Location
) -> None:
    c = client_for(charlie)
    for name, kw in [
        ("member_edit", {"member_id": bob.pk}),
        ("member_deactivate", {"member_id": bob.pk}),
        ("invitation_revoke", {"invitation_id": invitation.pk}),
        ("department_delete", {"department_id": sales.pk}),
        ("location_rename", {"location_id": berlin.pk}),
    ]:
        assert c.post(url(name, ws="globex", **kw), {"name": "pwned"}).status_code == 404, name
    bob.refresh_from_db()
    assert bob.is_active and Department.objects.filter(pk=sales.pk).exists()


def test_member_edit(
    alice_client: Client, alice: Membership, bob: Membership, carol: Membership, sales: Department
) -> None:
    resp = alice_client.get(url("member_edit", member_id=bob.pk))
    assert resp.status_code == 200 and "Bob" in resp.content.decode()
    resp = alice_client.post(
        url("member_edit", member_id=bob.pk),
        {"role": Role.MANAGER, "department": sales.pk, "location": "", "manager": carol.pk},
    )
    assert resp.status_code == 302
    bob.refresh_from_db()
    assert (bob.role, bob.manager, bob.location) == (Role.MANAGER, carol, None)
    # A loop is refused with a clear message.
    resp = alice_client.post(
        url("member_edit", member_id=carol.pk), {"role": Role.MANAGER, "department": "", "manager": bob.pk}
    )
    assert resp.status_code == 400 and "loop" in resp.content.decode()
    # Last admin cannot demote themselves.
    resp = alice_client.post(url("member_edit", member_id=alice.pk), {"role": Role.EMPLOYEE})
    assert resp.status_code == 400 and "at least one program admin" in resp.content.decode()
    # Garbage input.
    resp = alice_client.post(url("member_edit", member_id=bob.pk), {"role": "x", "manager": "abc"})
    assert resp.status_code == 400


def test_member_edit_refuses_manager_from_other_workspace(
    alice_client: Client, bob: Membership, charlie: Membership
) -> None:
    resp = alice_client.post(url("member_edit", member_id=bob.pk), {"role": Role.EMPLOYEE, "manager": charlie.pk})
    assert resp.status_code == 400
    bob.refresh_from_db()
    assert bob.manager is None


def test_deactivate_and_reactivate(alice_client: Client, alice: Membership, bob: Membership) -> None:
    assert alice_client.get(url("member_deactivate", member_id=bob.pk)).status_code == 405
    resp = alice_client.post(url("member_deactivate", member_id=bob.pk), follow=True)
    bob.refresh_from_db()
    assert not bob.is_active and "deactivated" in resp.content.decode()
    resp = alice_client.get(url("people"), {"status": "inactive"})
    assert [m.pk for m in resp.context["page"].object_list] == [bob.pk]
    alice_client.post(url("member_reactivate", member_id=bob.pk))
    bob.refresh_from_db()
    assert bob.is_active
    resp = alice_client.post(url("member_deactivate", member_id=alice.pk), follow=True)
    alice.refresh_from_db()
    assert alice.is_active and "last program admin" in resp.content.decode()


def test_segments_views(alice_client: Client, sales: Department, berlin: Location, workspace: Workspace) -> None:
    resp = alice_client.get(url("segments"))
    assert resp.status_code == 200 and "Sales" in resp.content.decode() and "Berlin" in resp.content.decode()
    assert alice_client.post(url("department_add"), {"name": "Marketing"}).status_code == 302
    resp = alice_client.post(url("department_add"), {"name": "marketing"})
    assert resp.status_code == 400 and "already a department" in resp.content.decode()
    assert alice_client.post(url("department_add"), {"name": ""}).status_code == 400
    assert alice_client.post(url("location_add"), {"name": "Paris"}).status_code == 302
    assert alice_client.post(url("location_rename", location_id=berlin.pk), {"name": "Berlin HQ"}).status_code == 302
    resp = alice_client.post(url("location_rename", location_id=berlin.pk), {"name": "paris"})
    assert resp.status_code == 400 and "already a location" in resp.content.decode()
    assert alice_client.post(url("department_rename", department_id=sales.pk), {"name": "Sales EU"}).status_code == 302
    assert alice_client.get(url("department_delete", department_id=sales.pk)).status_code == 405
    assert alice_client.post(url("department_delete", department_id=sales.pk)).status_code == 302
    assert alice_client.post(url("location_delete", location_id=berlin.pk)).status_code == 302
    assert list(Department.objects.filter(workspace=workspace).values_list("name", flat=True)) == ["Marketing"]
    assert list(Location.objects.filter(workspace=workspace).values_list("name", flat=True)) == ["Paris"]
    assert alice_client.post(url("department_delete", department_id=sales.pk)).status_code == 404


def test_segments_empty_state(alice_client: Client) -> None:
    html = alice_client.get(url("segments")).content.decode()
    assert "No departments yet" in html and "No locations yet" in html


def test_workspace_settings(alice_client: Client, workspace: Workspace) -> None:
    assert alice_client.get(url("settings")).status_code == 200
    resp = alice_client.post(url("settings"), {"name": "Acme Inc", "timezone": "Europe/Berlin"})
    assert resp.status_code == 302
    workspace.refresh_from_db()
    assert (workspace.name, workspace.timezone) == ("Acme Inc", "Europe/Berlin")
    resp = alice_client.post(url("settings"), {"name": "", "timezone": "Mars/Base"})
    assert resp.status_code == 400
    workspace.refresh_from_db()
    assert workspace.name == "Acme Inc"


def test_profile(bob_client: Client, bob: Membership, workspace: Workspace, other_workspace: Workspace) -> None:
    resp = bob_client.get(url("profile"))
    assert resp.status_code == 200 and "has not set up topics" in resp.content.decode()
    ai = Topic.objects.create(workspace=workspace, name="AI", slug="ai")
    foreign = Topic.objects.create(workspace=other_workspace, name="Secret", slug="secret")
    resp = bob_client.get(url("profile"))
    html = resp.content.decode()
    assert "AI" in html and "Secret" not in html
    data = {
        "display_name": "Bobby",
        "title": "AE",
        "mastodon_instance": "https://fosstodon.org/",
        "interests": [ai.pk],
        "audience_size": "250",
        "leaderboard_visibility": "name",  # ignored: the privacy centre owns this switch
    }
    assert bob_client.post(url("profile"), data).status_code == 302
    bob.refresh_from_db()
    assert (bob.display_name, bob.mastodon_instance, bob.audience_size) == ("Bobby", "fosstodon.org", 250)
    assert bob.leaderboard_visibility == "hidden" and list(bob.interests.all()) == [ai]
    bad = {**data, "mastodon_instance": "not a host!", "audience_size": "-3", "interests": [foreign.pk]}
    resp = bob_client.post(url("profile"), bad)
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "is not a server name" in html
    bob.refresh_from_db()
    assert bob.mastodon_instance == "fosstodon.org"


def test_pages_have_no_inline_styles_or_scripts(alice_client: Client, bob: Membership) -> None:
    for u in [url("people"), url("segments"), url("settings"), url("profile"), url("member_edit", member_id=bob.pk)]:
        html = alice_client.get(u).content.decode()
        assert "style=" not in html and "<script>" not in html, u
        assert "people.css" in html
