"""The manager switch and the minimum group size, enforced outside the privacy centre: the REST API's
statistics and the program dashboard's department split."""

from __future__ import annotations

from django.utils import timezone

from groundswell.analytics.rollups import Delta, RollupBatch
from groundswell.api.tests.conftest import api_client_for
from groundswell.conftest import client_for, make_member
from groundswell.lib.periods import local_day
from groundswell.privacy import actions
from groundswell.workspaces.models import Department, Membership, Role, Workspace


def record(member: Membership, **delta: int) -> None:
    batch = RollupBatch()
    batch.add(
        workspace_id=member.workspace_id,
        member_id=member.pk,
        department_id=member.department_id,
        location_id=member.location_id,
        day=local_day(timezone.now(), member.workspace.timezone),
        network="linkedin",
        item_id=None,
        delta=Delta(**delta),
    )
    batch.write()


def test_api_member_stats_follow_the_manager_switch(
    bob: Membership, carol: Membership, alice: Membership, charlie: Membership
) -> None:
    Membership.objects.filter(pk=bob.pk).update(manager=carol)
    bob.refresh_from_db()
    record(bob, clicks=7, shares=2)
    path = "/api/stats/clicks"
    carol_api = api_client_for(carol)
    refused = carol_api.get(path, {"member": bob.pk})
    assert refused.status_code == 404 and "not shared with you" in refused.json()["detail"]
    # Workspace totals are unaffected by the switch.
    assert carol_api.get(path).json()["totals"]["clicks"] == 7

    actions.set_manager_sharing(bob, True)
    mine = carol_api.get(path, {"member": bob.pk}).json()
    assert mine["scope"] == "member" and mine["totals"]["clicks"] == 7
    # Program admins see individual activity; bob sees his own; an outsider and a colleague never.
    assert api_client_for(alice).get(path, {"member": bob.pk}).json()["totals"]["clicks"] == 7
    assert api_client_for(bob).get(path, {"member": bob.pk}).json()["totals"]["clicks"] == 7
    assert api_client_for(bob).get(path, {"member": carol.pk}).status_code == 404
    assert api_client_for(charlie).get(path, {"member": bob.pk}).status_code == 404
    assert carol_api.get(path, {"member": "bob"}).status_code == 422


def test_dashboard_folds_small_departments_for_managers(
    workspace: Workspace, carol: Membership, alice: Membership
) -> None:
    tiny = Department.objects.create(workspace=workspace, name="Tiny-Team")
    big = Department.objects.create(workspace=workspace, name="Big-Team")
    loner = make_member(workspace, "loner@acme.test", department=tiny)
    record(loner, clicks=9, shares=1)
    for n in range(5):
        record(make_member(workspace, f"b{n}@acme.test", department=big), clicks=1, shares=1)
    # Big-Team alone would be safe, but the workspace total minus Big-Team would be the loner's (and alice's)
    # clicks: fewer than 5 private people outside it, so Big-Team folds too (ADR 0025).
    manager_page = client_for(carol).get(f"/w/{workspace.slug}/dashboard/").content.decode()
    assert "Big-Team" not in manager_page and "Tiny-Team" not in manager_page
    admin_page = client_for(alice).get(f"/w/{workspace.slug}/dashboard/").content.decode()
    assert "Tiny-Team" in admin_page and "Big-Team" in admin_page

    # Enough people in small groups: Big-Team is listed, and "everyone else" no longer points to one person.
    for n in range(4):
        other = Department.objects.create(workspace=workspace, name=f"Small-{n}")
        record(make_member(workspace, f"s{n}@acme.test", Role.EMPLOYEE, department=other), clicks=1)
    manager_page = client_for(carol).get(f"/w/{workspace.slug}/dashboard/").content.decode()
    assert "Big-Team" in manager_page
    assert "Everyone else, together" in manager_page and "Small-0" not in manager_page
