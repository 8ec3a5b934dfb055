"""/Groups are departments: list, filter, create, PATCH members (Okta's and Entra ID's forms), PUT, DELETE."""

from __future__ import annotations

from typing import Any

import pytest

from groundswell.scim.models import ScimEvent, ScimGroup
from groundswell.scim.tests.conftest import RATE_LIMIT_QUERIES, SCIM, ScimClient
from groundswell.workspaces.models import Department, Membership

pytestmark = pytest.mark.django_db


def _status(response: Any, status: int, scim_type: str | None = None) -> Any:
    assert response.status_code == status, response.content
    if status >= 400:
        assert response["Content-Type"] == SCIM
        assert response.json().get("scimType") == scim_type
    return response


def test_list_and_filter(scim: ScimClient, sales: Department, bob: Membership, carol: Membership) -> None:
    Department.objects.create(workspace=sales.workspace, name="Support")
    listed = scim.get("/Groups").json()
    assert [g["displayName"] for g in listed["Resources"]] == ["Sales", "Support"]
    assert [m["value"] for m in listed["Resources"][0]["members"]] == [str(bob.pk), str(carol.pk)]
    found = scim.get("/Groups", filter='displayName eq "SALES"').json()
    assert [g["id"] for g in found["Resources"]] == [str(sales.pk)]
    lean = scim.get("/Groups", excludedAttributes="members").json()["Resources"][0]
    assert "members" not in lean
    mine = scim.get("/Groups", filter=f'members.value eq "{bob.pk}"').json()
    assert [g["id"] for g in mine["Resources"]] == [str(sales.pk)]
    _status(scim.get("/Groups", filter='owner eq "x"'), 400, "invalidFilter")
    searched = scim.post("/Groups/.search", {"filter": 'displayName sw "Sup"', "excludedAttributes": ["members"]})
    assert [(g["displayName"], "members" in g) for g in searched.json()["Resources"]] == [("Support", False)]


def test_create_put_and_uniqueness(scim: ScimClient, sales: Department, bob: Membership) -> None:
    response = _status(
        scim.post("/Groups", {"displayName": "Field Ops", "externalId": "g-1", "members": [{"value": str(bob.pk)}]}),
        201,
    )
    data = response.json()
    assert data["externalId"] == "g-1" and response["Location"].endswith(f"/Groups/{data['id']}")
    bob.refresh_from_db()
    assert bob.department_id == int(data["id"])  # moved out of Sales: one department at a time
    _status(scim.post("/Groups", {"displayName": "sales"}), 409, "uniqueness")
    _status(scim.post("/Groups", {"displayName": "Other", "externalId": "g-1"}), 409, "uniqueness")
    _status(scim.post("/Groups", {"displayName": ""}), 400, "invalidSyntax")
    _status(scim.post("/Groups", {"displayName": "X", "members": [{"value": "999999"}]}), 400, "invalidValue")
    assert not Department.objects.filter(name="X").exists()

    _status(scim.put(f"/Groups/{data['id']}", {"displayName": "Field Operations", "members": []}), 200)
    bob.refresh_from_db()
    assert bob.department_id is None
    assert Department.objects.get(pk=int(data["id"])).name == "Field Operations"
    _status(scim.put(f"/Groups/{data['id']}", {"displayName": "Sales"}), 409, "uniqueness")


def test_patch_members_okta_and_entra(
    scim: ScimClient, sales: Department, bob: Membership, carol: Membership, alice: Membership
) -> None:
    path = f"/Groups/{sales.pk}"
    # Entra ID: capitalised op, remove with a value list; Okta: remove with a filter in the path.
    _status(scim.patch(path, {"op": "Add", "path": "members", "value": [{"value": str(alice.pk)}]}), 204)
    _status(scim.patch(path, {"op": "Remove", "path": "members", "value": [{"value": str(carol.pk)}]}), 204)
    _status(scim.patch(path, {"op": "remove", "path": f'members[value eq "{bob.pk}"]'}), 204)
    alice.refresh_from_db(), bob.refresh_from_db(), carol.refresh_from_db()
    assert (alice.department_id, bob.department_id, carol.department_id) == (sales.pk, None, None)
    # Okta renames with a path-less value that repeats the id.
    _status(scim.patch(path, {"op": "replace", "value": {"id": str(sales.pk), "displayName": "Sales EMEA"}}), 204)
    sales.refresh_from_db()
    assert sales.name == "Sales EMEA"
    returned = _status(
        scim.call(
            "patch",
            path + "?attributes=members",
            {"Operations": [{"op": "replace", "path": "members", "value": [{"value": str(bob.pk)}]}]},
        ),
        200,
    ).json()
    assert [m["value"] for m in returned["members"]] == [str(bob.pk)]
    alice.refresh_from_db()
    assert alice.department_id is None
    event = ScimEvent.objects.filter(resource_type="Group").order_by("pk").last()
    assert event is not None and event.changes == {"members added": ["Bob"], "members removed": ["Alice"]}
    _status(scim.patch(path, {"op": "remove", "path": 'members[display eq "Bob"]'}), 400, "invalidPath")
    _status(scim.patch(path, {"op": "add", "path": "members", "value": "12"}), 400, "invalidValue")
    _status(scim.patch(path, {"op": "remove", "path": "displayName"}), 400, "mutability")


@pytest.mark.parametrize(
    "path",
    [
        "password",
        "id",
        "meta.created",
        "meta",
        "schemas",
        "urn:example:params:scim:schemas:extension:acme:2.0:Group:costCentre",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
        "urn:ietf:params:scim:schemas:core:2.0:User:userName",
        "displayName.givenName",
        'externalId[value eq "x"]',
        "members.display",
    ],
)
def test_patch_with_a_path_a_group_does_not_have_is_refused_and_changes_nothing(
    scim: ScimClient, sales: Department, bob: Membership, alice: Membership, path: str
) -> None:
    before = ScimEvent.objects.count()
    for op in ("add", "replace", "remove"):
        # The bad path comes after a valid operation: the whole PATCH is refused, the rename and add included.
        operations = [
            {"op": "replace", "path": "displayName", "value": "Renamed"},
            {"op": "add", "path": "members", "value": [{"value": str(alice.pk)}]},
            {"op": op, "path": path, "value": "x"},
        ]
        response = _status(scim.call("patch", f"/Groups/{sales.pk}", {"Operations": operations}), 400, "invalidPath")
        assert path in response.json()["detail"]
    sales.refresh_from_db(), alice.refresh_from_db()
    assert sales.name == "Sales" and alice.department_id is None
    assert ScimEvent.objects.count() == before
    # A path-less value with an attribute a Group does not have is refused too; Okta's repeated id is fine.
    _status(scim.patch(f"/Groups/{sales.pk}", {"op": "replace", "value": {"password": "x"}}), 400, "invalidPath")
    _status(scim.patch(f"/Groups/{sales.pk}", {"op": "replace", "value": {"id": str(sales.pk), "meta": {}}}), 204)


def test_delete_removes_the_department_but_not_the_people(scim: ScimClient, sales: Department, bob: Membership) -> None:
    ScimGroup.objects.create(workspace=sales.workspace, department=sales, external_id="g-sales")
    _status(scim.delete(f"/Groups/{sales.pk}"), 204)
    assert not Department.objects.filter(pk=sales.pk).exists()
    bob.refresh_from_db()
    assert bob.is_active and bob.department_id is None
    event = ScimEvent.objects.get(operation="delete")
    assert event.label == "Sales" and event.changes == {"members left without a department": 1}
    _status(scim.get(f"/Groups/{sales.pk}"), 404)


def test_outsider_token_gets_404_for_acme_groups(globex_scim: ScimClient, sales: Department, bob: Membership) -> None:
    path = f"/Groups/{sales.pk}"
    _status(globex_scim.get(path), 404)
    _status(globex_scim.patch(path, {"op": "add", "path": "members", "value": [{"value": str(bob.pk)}]}), 404)
    _status(globex_scim.put(path, {"displayName": "Mine"}), 404)
    _status(globex_scim.delete(path), 404)
    assert globex_scim.get("/Groups").json()["totalResults"] == 0
    # Nor can a Globex group take in an Acme member.
    _status(
        globex_scim.post("/Groups", {"displayName": "Poach", "members": [{"value": str(bob.pk)}]}), 400, "invalidValue"
    )
    assert Department.objects.filter(pk=sales.pk, name="Sales").exists()
    bob.refresh_from_db()
    assert bob.department_id == sales.pk


def test_list_query_count_does_not_grow(
    scim: ScimClient, sales: Department, bob: Membership, django_assert_max_num_queries: Any
) -> None:
    from groundswell.conftest import make_member

    with django_assert_max_num_queries(
        5 + RATE_LIMIT_QUERIES
    ):  # token, last used, count, page, members of the page, rate limit
        assert scim.get("/Groups").status_code == 200
    for n in range(10):
        department = Department.objects.create(workspace=sales.workspace, name=f"Team {n}")
        for m in range(3):
            make_member(sales.workspace, f"t{n}-{m}@acme.test", department=department)
    with django_assert_max_num_queries(5 + RATE_LIMIT_QUERIES):
        response = scim.get("/Groups")
    assert response.json()["totalResults"] == 11
    assert sum(len(g["members"]) for g in response.json()["Resources"]) == 31
