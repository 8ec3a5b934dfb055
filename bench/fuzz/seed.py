"""Seed the fuzz database and print what the fuzzer needs as one JSON line (tokens and real ids).

Two workspaces, so the SCIM fuzzer (which deactivates users and deletes groups at random) never touches the
members whose API tokens the REST fuzzer uses:

* ``northwind``: the demo company (``groundswell demo``, small), an admin's and an employee's API token;
* ``scim-fuzz``: a program admin, departments and members linked to SCIM, and several SCIM tokens (the SCIM
  endpoints allow 1,200 requests a minute per token; the fuzzer spreads its calls over them).

Run with the bench's environment (DATABASE_URL and friends); the database must be migrated first.
"""

from __future__ import annotations

import json
import os
import sys

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402

from groundswell.api.tokens import create_token  # noqa: E402
from groundswell.content.models import Item  # noqa: E402
from groundswell.demo.generator import demo_email  # noqa: E402
from groundswell.scim import actions as scim_actions  # noqa: E402
from groundswell.scim.payloads import GroupChanges, UserChanges  # noqa: E402
from groundswell.sharing.models import Share  # noqa: E402
from groundswell.teams.models import Team  # noqa: E402
from groundswell.workspaces.actions import add_department, create_workspace  # noqa: E402
from groundswell.workspaces.models import Membership, Role, Workspace  # noqa: E402

SCIM_TOKENS = 8


def main() -> None:
    employees = int(os.environ.get("FUZZ_EMPLOYEES", "40"))
    days = int(os.environ.get("FUZZ_DAYS", "14"))
    # DEBUG is off, as in production: static URLs come from the manifest, which the demo's covers need.
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("demo", no_serve=True, not_production=True, employees=employees, days=days, seed=7, verbosity=0)
    northwind = Workspace.objects.get(slug="northwind")
    admin = Membership.objects.get(workspace=northwind, user__email=demo_email("priya.raman"))
    employee = Membership.objects.filter(workspace=northwind, role=Role.EMPLOYEE, is_active=True).order_by("pk").first()
    assert employee is not None
    _, admin_secret = create_token(admin, "Fuzzing (admin)")
    _, employee_secret = create_token(employee, "Fuzzing (employee)")

    owner_user = get_user_model().objects.create_user(
        username="scim-owner@fuzz.example", email="scim-owner@fuzz.example", password=None
    )
    owner = create_workspace(name="SCIM fuzz", user=owner_user, display_name="SCIM Owner", slug="scim-fuzz")
    scim_ws = owner.workspace
    tokens = [scim_actions.create_token(scim_ws, by=owner, name=f"Fuzzing {i}")[1] for i in range(SCIM_TOKENS)]
    first = scim_actions.authenticate(tokens[0])
    assert first is not None
    for name in ("Sales", "Engineering", "Support", "Finance"):
        add_department(scim_ws, name)
    for i in range(24):
        scim_actions.create_user(
            first,
            UserChanges(
                user_name=f"person{i}@fuzz.example",
                email=f"person{i}@fuzz.example",
                display_name=f"Person {i}",
                external_id=f"ext-{i}",
                employee_id=f"E{i:04d}",
                department=("Sales", "Engineering", "Support", "Finance")[i % 4],
                active=True,
            ),
        )
    scim_actions.create_group(first, GroupChanges(display_name="Marketing", external_id="grp-marketing"))

    print(
        json.dumps(
            {
                "api": {"admin": admin_secret, "employee": employee_secret},
                "scim": tokens,
                "ids": {
                    "item_id": list(Item.objects.filter(workspace=northwind).values_list("pk", flat=True)[:200]),
                    "share_id": list(Share.objects.filter(workspace=northwind).values_list("pk", flat=True)[:200]),
                    "team_id": list(Team.objects.filter(workspace=northwind).values_list("pk", flat=True)[:200]),
                },
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
