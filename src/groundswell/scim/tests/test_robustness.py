"""Odd values in every attribute an identity provider can send: always a SCIM answer, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from groundswell.scim.tests.conftest import BASE, SCIM, ScimClient
from groundswell.workspaces.models import Department, Membership

pytestmark = pytest.mark.django_db

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
ODD: list[Any] = [
    None,
    0,
    -1,
    2**70,
    1.5,
    True,
    "",
    " ",
    "x" * 300,
    "²",
    [],
    {},
    [None],
    [{}],
    {"value": None},
    [{"value": 7}],
    {"value": {"value": "1"}},
    "../../etc",
    "\u0000",
]
USER_KEYS = ["userName", "externalId", "displayName", "name", "title", "active", "emails", ENTERPRISE]
USER_PATHS = [
    "userName",
    "active",
    "emails",
    'emails[type eq "work"].value',
    "name.givenName",
    "title",
    f"{ENTERPRISE}:manager",
    f"{ENTERPRISE}:employeeNumber",
    f"{ENTERPRISE}:department",
    ENTERPRISE,
    "members",
    'members[value eq "1"]',
    "",
    "[",
    "a.b.c.d",
]


def _ok(response: Any) -> None:
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert response["Content-Type"] == SCIM and response.json()["detail"]


def test_user_bodies(scim: ScimClient, bob: Membership) -> None:
    for key in USER_KEYS:
        for value in ODD:
            body = {"userName": "odd@acme.test", "emails": [{"value": "odd@acme.test"}], key: value}
            _ok(scim.post("/Users", body))
            _ok(scim.put(f"/Users/{bob.pk}", {"userName": "bob@acme.test", key: value}))
            Membership.objects.filter(user__email="odd@acme.test").delete()


def test_user_patches(scim: ScimClient, bob: Membership) -> None:
    for path in USER_PATHS:
        for op in ("add", "replace", "remove", "Replace"):
            for value in ODD:
                _ok(scim.patch(f"/Users/{bob.pk}", {"op": op, "path": path, "value": value}))
    for value in ODD:
        _ok(scim.patch(f"/Users/{bob.pk}", {"op": "replace", "value": value}))
        _ok(scim.call("patch", f"/Users/{bob.pk}", {"Operations": value}))
        _ok(scim.call("patch", f"/Users/{bob.pk}", {"Operations": [value]}))


def test_group_bodies_and_patches(scim: ScimClient, sales: Department, bob: Membership) -> None:
    for key in ("displayName", "externalId", "members"):
        for value in ODD:
            _ok(scim.post("/Groups", {"displayName": "Odd", key: value}))
            _ok(scim.put(f"/Groups/{sales.pk}", {"displayName": "Sales", key: value}))
            Department.objects.filter(name="Odd").delete()
    for path in ("displayName", "externalId", "members", 'members[value eq "1"]', "members[display eq 1]", "["):
        for op in ("add", "replace", "remove"):
            for value in ODD:
                _ok(scim.patch(f"/Groups/{sales.pk}", {"op": op, "path": path, "value": value}))


def test_query_parameters(scim: ScimClient, bob: Membership) -> None:
    for name in ("filter", "startIndex", "count", "attributes", "excludedAttributes"):
        for value in (
            "",
            "-5",
            "99999999999999999999",
            "x",
            '"',
            "[",
            "userName eq",
            "a,b,,c",
            'userName eq "a\u0000"',
            'userName eq "\u0000"',
            "\u0000",
        ):
            _ok(scim.get("/Users", **{name: value}))
            _ok(scim.get("/Groups", **{name: value}))
    for value in ODD:
        _ok(scim.post("/Users/.search", {"filter": value}))
        _ok(scim.post("/Users/.search", {"attributes": value, "startIndex": value}))


@pytest.mark.parametrize("depth", [50_000, 990])
def test_deeply_nested_json_is_a_scim_invalid_syntax(scim: ScimClient, sales: Department, depth: int) -> None:
    """json.loads raises RecursionError on deep nesting (an HTML 500 before); nearly as deep bodies that do
    parse must not recurse anywhere below either."""
    nested = "[" * depth + "]" * depth
    for method, path, body in (
        ("post", "/Users", f'{{"userName": {nested}}}'),
        ("patch", f"/Groups/{sales.pk}", f'{{"Operations": [{{"op": "add", "path": "members", "value": {nested}}}]}}'),
        ("post", "/Groups/.search", nested),
    ):
        response = getattr(scim.client, method)(BASE + path, data=body, content_type=SCIM)
        assert response.status_code == 400, response.content[:200]
        assert response["Content-Type"] == SCIM
        assert response.json()["scimType"] in ("invalidSyntax", "invalidValue")
