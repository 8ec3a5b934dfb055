"""A real SCIM client (scim2-client over httpx2) provisioning Acme through a running server.

The client discovers the server (ServiceProviderConfig, ResourceTypes, Schemas), builds its models from
the published schemas and validates every response against them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_models import (
    ListResponse,
    PatchOp,
    PatchOperation,
    SCIMException,
    SearchRequest,
)

from groundswell.scim import actions
from groundswell.scim.models import ScimEvent
from groundswell.workspaces.access import get_membership
from groundswell.workspaces.models import Department, Membership

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client(live_server: Any, settings: Any, alice: Membership) -> Iterator[SyncSCIMClient]:
    settings.SITE_URL = live_server.url
    _, secret = actions.create_token(alice.workspace, by=alice, name="Okta")
    http = Client(base_url=f"{live_server.url}/scim/v2", headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    scim = SyncSCIMClient(http)
    scim.discover()
    yield scim
    http.close()


def test_discovery_publishes_users_groups_and_the_enterprise_extension(client: SyncSCIMClient) -> None:
    types = {t.id: t for t in client.provider.resource_types}
    assert set(types) == {"User", "Group"}
    assert types["User"].endpoint == "/Users"
    assert [e.schema_ for e in types["User"].schema_extensions] == [
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    ]
    assert client.provider.config is not None and client.provider.config.patch.supported


def test_create_filter_patch_deactivate_and_reactivate_a_user(
    client: SyncSCIMClient, alice: Membership, carol: Membership
) -> None:
    user_model = client.get_resource_model("User")
    assert user_model is not None
    enterprise_model = next(m for m in user_model.get_extension_models().values())
    new = user_model(
        user_name="dana@acme-corp.com",
        external_id="00u-dana",
        display_name="Dana Scully",
        emails=[{"value": "dana@acme-corp.com", "type": "work", "primary": True}],
        active=True,
    )
    new[enterprise_model] = enterprise_model(employee_number="E-42", department="Field Marketing")
    created = client.create(new)
    assert created.id and created.user_name == "dana@acme-corp.com"
    assert created[enterprise_model].department == "Field Marketing"
    member = Membership.objects.select_related("department").get(pk=int(created.id))
    assert member.workspace == alice.workspace and member.employee_id == "E-42"
    assert member.department is not None and member.department.name == "Field Marketing"

    # The identity provider finds the user again by userName, as Okta does before every push.
    found = client.query(user_model, query_parameters=SearchRequest(filter='userName eq "DANA@acme-corp.com"'))
    assert isinstance(found, ListResponse) and found.total_results == 1
    assert found.resources[0].id == created.id
    by_external = client.query(user_model, query_parameters=SearchRequest(filter='externalId eq "00u-dana"'))
    assert by_external.total_results == 1

    # Manager and department through PATCH, the way Entra ID sends them.
    client.modify(
        user_model,
        created.id,
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {
                    "op": "Add",
                    "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
                    "value": str(carol.pk),
                },
                {
                    "op": "Replace",
                    "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                    "value": "Sales Engineering",
                },
            ],
        },
        check_request_payload=False,
    )
    member.refresh_from_db()
    assert member.manager_id == carol.pk
    assert member.department is not None and member.department.name == "Sales Engineering"

    # Deprovision: deactivated, not deleted; signing in to Acme stops working.
    patched = client.modify(
        user_model,
        created.id,
        PatchOp[user_model](operations=[PatchOperation(op="replace", path="active", value=False)]),
    )
    assert patched is not None and patched.active is False
    member.refresh_from_db()
    assert member.is_active is False
    with pytest.raises(Exception, match="No such workspace"):
        get_membership(member.user, alice.workspace.slug)
    client.delete(user_model, created.id)
    assert Membership.objects.filter(pk=member.pk, is_active=False).exists()
    again = client.query(user_model, created.id)
    assert again.active is False

    reactivated = client.modify(
        user_model,
        created.id,
        PatchOp[user_model](operations=[PatchOperation(op="replace", path="active", value=True)]),
    )
    assert reactivated is not None and reactivated.active is True
    assert get_membership(member.user, alice.workspace.slug).pk == member.pk
    operations = list(ScimEvent.objects.filter(member=member).order_by("pk").values_list("operation", flat=True))
    assert operations == ["create", "update", "deactivate", "reactivate"]


def test_groups_are_departments_with_members(client: SyncSCIMClient, bob: Membership, carol: Membership) -> None:
    group_model = client.get_resource_model("Group")
    assert group_model is not None
    created = client.create(group_model(display_name="Customer Success", members=[{"value": str(bob.pk)}]))
    assert created.display_name == "Customer Success"
    assert [m.value for m in created.members or []] == [str(bob.pk)]
    department = Department.objects.get(pk=int(created.id))
    bob.refresh_from_db()
    assert bob.department_id == department.pk

    found = client.query(group_model, query_parameters=SearchRequest(filter='displayName eq "customer success"'))
    assert found.total_results == 1 and found.resources[0].id == created.id

    client.modify(
        group_model,
        created.id,
        PatchOp[group_model](operations=[PatchOperation(op="add", path="members", value=[{"value": str(carol.pk)}])]),
    )
    carol.refresh_from_db()
    assert carol.department_id == department.pk
    client.modify(
        group_model,
        created.id,
        PatchOp[group_model](operations=[PatchOperation(op="remove", path=f'members[value eq "{bob.pk}"]')]),
    )
    bob.refresh_from_db()
    assert bob.department_id is None
    current = client.query(group_model, created.id)
    assert [m.value for m in current.members or []] == [str(carol.pk)]

    client.delete(group_model, created.id)
    assert not Department.objects.filter(pk=department.pk).exists()
    carol.refresh_from_db()
    assert carol.is_active and carol.department_id is None


def test_errors_come_back_as_scim_errors(client: SyncSCIMClient, bob: Membership) -> None:
    user_model = client.get_resource_model("User")
    assert user_model is not None
    with pytest.raises(SCIMException) as conflict:
        client.create(user_model(user_name="bob@acme.test"))
    assert conflict.value.to_error().status == 409
    assert conflict.value.to_error().scim_type == "uniqueness"
    with pytest.raises(SCIMException) as bad_filter:
        client.query(user_model, query_parameters=SearchRequest(filter='nickName eq "x"'))
    assert bad_filter.value.to_error().scim_type == "invalidFilter"


def test_a_token_of_another_workspace_gets_404_for_acme_ids(
    live_server: Any, settings: Any, bob: Membership, charlie: Membership
) -> None:
    settings.SITE_URL = live_server.url
    _, secret = actions.create_token(charlie.workspace, by=charlie, name="Globex IdP")
    with Client(base_url=f"{live_server.url}/scim/v2", headers={"Authorization": f"Bearer {secret}"}) as http:
        scim = SyncSCIMClient(http)
        scim.discover()
        user_model = scim.get_resource_model("User")
        with pytest.raises(SCIMException) as missing:
            scim.query(user_model, str(bob.pk))
        assert missing.value.to_error().status == 404
        listed = scim.query(user_model, query_parameters=SearchRequest(filter='userName eq "bob@acme.test"'))
        assert listed.total_results == 0
    bob.refresh_from_db()
    assert bob.is_active
