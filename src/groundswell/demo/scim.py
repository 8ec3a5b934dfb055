"""Demo: Northwind's Okta provisions people over SCIM — a token, everyone linked to the directory, and a
few weeks of changes in the provisioning log (new hires, a department move, a leaver)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from groundswell.demo import data
from groundswell.scim import actions
from groundswell.scim.models import ScimEvent, ScimGroup, ScimToken, ScimUser
from groundswell.scim.payloads import UserChanges
from groundswell.workspaces.models import Department, Role

if TYPE_CHECKING:
    from groundswell.demo.generator import DemoBuilder


def add_provisioning(builder: DemoBuilder) -> None:
    from groundswell.demo.generator import demo_email

    ws, rng, now = builder.ws, builder.rng, builder.now
    admin = builder.by_email[demo_email(data.ADMIN[1])]
    token, _secret = actions.create_token(ws, by=admin, name="Okta (Northwind directory)")
    connected = now - dt.timedelta(days=21)
    ScimToken.objects.filter(pk=token.pk).update(created_at=connected, last_used_at=now - dt.timedelta(minutes=7))

    # Okta matched everyone already in Groundswell by email, and every department to a group.
    ScimUser.objects.bulk_create(
        ScimUser(
            workspace=ws,
            member=m,
            user_name=m.user.email,
            external_id=f"00u{m.pk:06d}nw",
            created_at=connected,
            updated_at=connected,
        )
        for m in builder.members
    )
    ScimGroup.objects.bulk_create(
        ScimGroup(
            workspace=ws, department=d, external_id=f"00g{d.pk:06d}nw", created_at=connected, updated_at=connected
        )
        for d in Department.objects.filter(workspace=ws)
    )

    employees = [m for m in builder.members if m.role == Role.EMPLOYEE and m.department_id is not None]
    hires = employees[-2:]
    mover, leaver = rng.sample(employees[5:-2], 2)  # never the demo logins
    names = dict(Department.objects.filter(workspace=ws).values_list("pk", "name"))
    for hire in hires:  # the two most recent joiners came in through Okta
        ScimEvent.objects.create(
            workspace=ws,
            token=token,
            token_name=token.name,
            resource_type="User",
            resource_id=str(hire.pk),
            member=hire,
            label=hire.display_name,
            operation=ScimEvent.Operation.CREATE,
            changes={"email": hire.user.email, "active": True, "department": names.get(hire.department_id or 0)},
        )
    target = rng.choice(list(Department.objects.filter(workspace=ws).exclude(pk=mover.department_id or 0)))
    actions.update_user(token, mover, UserChanges(department=target.name))
    actions.deactivate_user(token, leaver)

    # Spread the log over the three weeks since Okta was connected.
    events = list(ScimEvent.objects.filter(workspace=ws).order_by("pk"))
    for index, event in enumerate(events):
        event.created_at = connected + dt.timedelta(days=3 + index * 4, hours=rng.randint(8, 17))
    ScimEvent.objects.bulk_update(events, ["created_at"])
    for event in events:
        ScimUser.objects.filter(member_id=event.member_id).update(updated_at=event.created_at)
