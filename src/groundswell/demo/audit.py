"""Demo data for the chatter audit: the program admin gets the report monthly to take to leadership, and a
manager weekly. The mentions themselves come from the listening demo (another module)."""

from __future__ import annotations

from groundswell.audit.actions import subscribe_member
from groundswell.audit.models import Frequency
from groundswell.workspaces.models import Membership, Role, Workspace


def build_audit_schedule(ws: Workspace) -> int:
    """Subscribe the first admin (monthly and weekly) and the first manager (weekly); returns how many."""
    members = Membership.objects.filter(workspace=ws, is_active=True).exclude(user__email="").select_related("user")
    admin = members.filter(role=Role.ADMIN).order_by("pk").first()
    manager = members.filter(role=Role.MANAGER).order_by("pk").first()
    if admin is None:
        return 0
    plan = [(admin, Frequency.MONTHLY), (admin, Frequency.WEEKLY)]
    if manager is not None:
        plan.append((manager, Frequency.WEEKLY))
    for member, frequency in plan:
        subscribe_member(member=member, frequency=frequency, by=admin)
    return len(plan)
