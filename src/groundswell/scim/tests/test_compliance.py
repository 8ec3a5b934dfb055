"""scim2-tester's RFC checker suite against a running server.

Every check must pass, except the few where Groundswell deviates on purpose (docs/adr/0014); each of those
is listed here with the reason, and must fail for exactly that reason.
"""

from __future__ import annotations

from typing import Any

import pytest
from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

from groundswell.scim import actions
from groundswell.workspaces.models import Membership

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]  # ~400 requests to a live server

#: (resource type, check, the start of the reason) → why it is expected.
DELIBERATE = {
    ("User", "object_replacement", "The email"): "the email identifies the account: immutable, 400 mutability",
    ("User", "object_deletion", "User"): "DELETE deactivates and keeps the member's history",
    ("User", "check_add_attribute", "PATCH modify() returned unexpected value for 'displayName'"): (
        "names are set at creation only, then the member's own"
    ),
    ("User", "check_add_attribute", "PATCH modify() returned unexpected value for 'name'"): "same as displayName",
    ("User", "check_add_attribute", "PATCH modify() returned unexpected value for 'title'"): "same as displayName",
    ("User", "check_remove_attribute", "Failed to remove attribute 'active'"): "deactivate with active: false",
    ("Group", "check_add_attribute", "Attribute 'members' was not added"): (
        "members come back with type User and their display name, not the random type the checker sent"
    ),
    ("Group", "check_replace_attribute", "Attribute 'members' was not replaced"): "same as adding members",
}


def test_rfc_checker_suite(live_server: Any, settings: Any, alice: Membership) -> None:
    settings.SITE_URL = live_server.url
    _, secret = actions.create_token(alice.workspace, by=alice, name="scim2-tester")
    with Client(base_url=f"{live_server.url}/scim/v2", headers={"Authorization": f"Bearer {secret}"}) as http:
        results = check_server(SyncSCIMClient(http))

    passed = [r for r in results if r.status == Status.SUCCESS]
    unexpected = []
    seen = set()
    for result in results:
        if result.status in (Status.SUCCESS, Status.SKIPPED):
            continue
        key = next(
            (
                k
                for k in DELIBERATE
                if (result.resource_type, result.title) == k[:2] and (result.reason or "").startswith(k[2])
            ),
            None,
        )
        if key is None:
            unexpected.append(f"{result.resource_type} {result.title}: {result.reason}")
        else:
            seen.add(key)
    assert not unexpected, "\n".join(unexpected)
    assert len(passed) >= 60
    skipped = {(r.resource_type, r.title) for r in results if r.status == Status.SKIPPED}
    assert skipped <= {("User", "search_with_attributes"), ("Group", "search_with_attributes")}  # POST /.search: 501
    assert seen == set(DELIBERATE), f"no longer failing: {set(DELIBERATE) - seen} (remove them from DELIBERATE)"
