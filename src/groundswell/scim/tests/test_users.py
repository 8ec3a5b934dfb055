"""/Users: create, read, filter, PUT, PATCH (Okta's and Entra ID's dialects), deactivate, errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.http import Http404

from groundswell.api.tokens import authenticate_token, create_token
from groundswell.conftest import client_for, make_member
from groundswell.rewards.models import PointsEntry
from groundswell.scim.models import ScimEvent, ScimUser
from groundswell.scim.tests.conftest import RATE_LIMIT_QUERIES, SCIM, ScimClient, new_user
from groundswell.workspaces.access import get_membership
from groundswell.workspaces.models import Department, Membership, Workspace

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
pytestmark = pytest.mark.django_db


def _error(response: Any, status: int, scim_type: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == SCIM
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert body["status"] == str(status)
    assert body["detail"]
    if scim_type is not None:
        assert body.get("scimType") == scim_type
    return body


def test_create_returns_201_with_location_and_enterprise_attributes(
    scim: ScimClient, workspace: Workspace, carol: Membership
) -> None:
    body = new_user(
        externalId="00u1",
        **{ENTERPRISE: {"employeeNumber": "E7", "department": "Marketing", "manager": {"value": str(carol.pk)}}},
    )
    response = scim.post("/Users", body)
    assert response.status_code == 201
    assert response["Content-Type"] == SCIM
    data = response.json()
    assert response["Location"] == data["meta"]["location"]
    assert data["userName"] == "dana@acme.test" and data["externalId"] == "00u1"
    assert data["displayName"] == "Dana Scully"  # from name.givenName and familyName
    assert data[ENTERPRISE]["employeeNumber"] == "E7"
    assert data[ENTERPRISE]["manager"]["value"] == str(carol.pk)
    member = Membership.objects.select_related("department", "user").get(pk=int(data["id"]))
    assert member.workspace == workspace and member.is_active and member.role == "employee"
    assert member.department is not None and member.department.name == "Marketing"
    assert member.user.email == "dana@acme.test" and not member.user.has_usable_password()
    assert data["groups"] == [
        {
            "value": str(member.department.pk),
            "display": "Marketing",
            "$ref": f"http://testserver/scim/v2/Groups/{member.department.pk}",
            "type": "direct",
        }
    ]
    event = ScimEvent.objects.get(member=member)
    assert event.operation == "create" and event.token_name == "Okta"
    assert event.changes["department"] == "Marketing"


def test_an_account_of_another_workspace_gets_a_separate_membership(
    scim: ScimClient, workspace: Workspace, charlie: Membership
) -> None:
    response = scim.post("/Users", new_user("charlie@globex.test"))
    assert response.status_code == 201
    member = Membership.objects.get(pk=int(response.json()["id"]))
    assert member.user_id == charlie.user_id and member.workspace == workspace
    assert Membership.objects.filter(user=charlie.user).count() == 2
    # ADR 0024: awaiting charlie's acceptance, granting nothing, and said so to the identity provider.
    assert response.json()["active"] is False
    assert member.awaiting_acceptance and not member.is_active
    charlie.refresh_from_db()
    assert charlie.is_active and charlie.role == "admin"  # Globex is untouched


def test_emails_are_unique_per_workspace(scim: ScimClient, bob: Membership) -> None:
    _error(scim.post("/Users", new_user("bob@acme.test")), 409, "uniqueness")
    _error(scim.post("/Users", new_user("someone@acme.test", emails=[{"value": "BOB@acme.test"}])), 409, "uniqueness")
    scim.post("/Users", new_user("ed@acme.test", externalId="x1"))
    _error(scim.post("/Users", new_user("fay@acme.test", externalId="x1")), 409, "uniqueness")
    Membership.objects.filter(pk=bob.pk).update(employee_id="E1")
    _error(scim.post("/Users", new_user("gus@acme.test", **{ENTERPRISE: {"employeeNumber": "E1"}})), 409, "uniqueness")
    assert not Membership.objects.filter(user__email__in=["fay@acme.test", "gus@acme.test"]).exists()


@pytest.mark.parametrize(
    ("body", "scim_type"),
    [
        ({"emails": [{"value": "x@acme.test"}]}, "invalidSyntax"),  # no userName
        ({"userName": ""}, "invalidSyntax"),
        ({"userName": "not-an-email"}, "invalidValue"),
        ({"userName": "h@acme.test", "emails": "h@acme.test"}, "invalidSyntax"),
        ({"userName": "h@acme.test", "active": "maybe"}, "invalidValue"),
        ({"userName": "h@acme.test", ENTERPRISE: {"manager": {"value": "999999"}}}, "invalidValue"),
        ({"userName": "h@acme.test", ENTERPRISE: "x"}, "invalidSyntax"),
        ({"userName": "h@acme.test", "title": ["a"]}, "invalidSyntax"),
        ([1, 2], "invalidSyntax"),
    ],
)
def test_bad_bodies_are_400_with_a_scim_type(scim: ScimClient, body: Any, scim_type: str) -> None:
    _error(scim.post("/Users", body), 400, scim_type)
    assert not ScimUser.objects.exists()


def test_unparseable_bodies_and_content_types(scim: ScimClient) -> None:
    _error(scim.client.post("/scim/v2/Users", data="{not json", content_type=SCIM), 400, "invalidSyntax")
    _error(scim.client.post("/scim/v2/Users", data="userName=x", content_type="text/plain"), 415)
    ok = scim.client.post("/scim/v2/Users", data='{"userName": "j@acme.test"}', content_type="application/json")
    assert ok.status_code == 201


def test_get_one_and_not_found(scim: ScimClient, bob: Membership) -> None:
    data = scim.get(f"/Users/{bob.pk}").json()
    assert data["userName"] == "bob@acme.test"  # members from before SCIM are listed under their email
    assert data["active"] is True and data[ENTERPRISE]["department"] == "Sales"
    for missing in ("999999", "abc", "1" * 40, "²"):
        _error(scim.get(f"/Users/{missing}"), 404)


def test_filters(scim: ScimClient, alice: Membership, bob: Membership, carol: Membership) -> None:
    scim.post("/Users", new_user("dana@acme.test", externalId="ext-D"))

    def ids(expression: str) -> list[str]:
        response = scim.get("/Users", filter=expression)
        assert response.status_code == 200, response.content
        return [r["id"] for r in response.json()["Resources"]]

    dana = Membership.objects.get(user__email="dana@acme.test")
    assert ids('userName eq "BOB@ACME.TEST"') == [str(bob.pk)]
    assert ids('userName eq "dana@acme.test"') == [str(dana.pk)]
    assert ids('externalId eq "ext-D"') == [str(dana.pk)]
    assert ids('externalId eq "EXT-D"') == []  # externalId is case-exact
    assert ids('emails[type eq "work"].value eq "carol@acme.test"') == [str(carol.pk)]
    assert ids('emails[type eq "home"].value eq "carol@acme.test"') == []
    assert ids('emails.value eq "carol@acme.test" and active eq true') == [str(carol.pk)]
    assert ids('userName sw "a" or userName sw "b"') == [str(alice.pk), str(bob.pk)]
    assert ids('not (userName co "@acme") ') == []
    assert ids("externalId pr") == [str(dana.pk)]
    assert ids('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "sales"') == [
        str(bob.pk),
        str(carol.pk),
    ]
    assert ids(f'id eq "{bob.pk}"') == [str(bob.pk)]


@pytest.mark.parametrize(
    "expression",
    [
        "userName eq",
        'userName xx "a"',
        'nickName eq "a"',
        '(userName eq "a"',
        'active eq "yes"',
        'userName eq "a" and',
        "userName gt true",
        '"a" eq userName',
        'userName eq "a" )',
        "emails[value eq 1",
    ],
)
def test_invalid_filters_are_400_invalid_filter(scim: ScimClient, alice: Membership, expression: str) -> None:
    _error(scim.get("/Users", filter=expression), 400, "invalidFilter")


def test_pagination_and_attributes(scim: ScimClient, alice: Membership, bob: Membership, carol: Membership) -> None:
    page = scim.get("/Users", startIndex="2", count="1").json()
    assert page["totalResults"] == 3 and page["startIndex"] == 2 and page["itemsPerPage"] == 1
    assert [r["id"] for r in page["Resources"]] == [str(bob.pk)]
    assert scim.get("/Users", count="0").json() == {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 3,
        "startIndex": 1,
        "itemsPerPage": 0,
        "Resources": [],
    }
    only = scim.get("/Users", attributes="userName", filter='userName eq "bob@acme.test"').json()["Resources"][0]
    assert set(only) == {"schemas", "id", "meta", "userName"}
    without = scim.get(f"/Users/{bob.pk}", excludedAttributes="groups,emails").json()
    assert "groups" not in without and "emails" not in without and without["userName"] == "bob@acme.test"
    _error(scim.get("/Users", startIndex="x"), 400, "invalidValue")


def test_list_query_count_does_not_grow(
    scim: ScimClient, workspace: Workspace, django_assert_max_num_queries: Any
) -> None:
    for n in range(3):
        make_member(workspace, f"p{n}@acme.test")
    with django_assert_max_num_queries(4 + RATE_LIMIT_QUERIES):  # token, last used, count, page, rate limit
        assert scim.get("/Users").status_code == 200
    for n in range(3, 30):
        make_member(workspace, f"p{n}@acme.test")
    with django_assert_max_num_queries(4 + RATE_LIMIT_QUERIES):
        assert len(scim.get("/Users").json()["Resources"]) == 31  # with alice


def _patch(scim: ScimClient, member: Membership, *operations: dict[str, Any]) -> Any:
    response = scim.patch(f"/Users/{member.pk}", *operations)
    assert response.status_code == 200, response.content
    return response.json()


def test_patch_okta_style(scim: ScimClient, bob: Membership, carol: Membership) -> None:
    data = _patch(
        scim,
        bob,
        {"op": "replace", "value": {"active": True, "userName": "robert@acme.test"}},
        {"op": "add", "path": f"{ENTERPRISE}:employeeNumber", "value": "E-9"},
        {"op": "replace", "path": f"{ENTERPRISE}:manager", "value": {"value": str(carol.pk)}},
    )
    assert data["userName"] == "robert@acme.test" and data[ENTERPRISE]["employeeNumber"] == "E-9"
    bob.refresh_from_db()
    assert bob.employee_id == "E-9" and bob.manager_id == carol.pk
    assert scim.get("/Users", filter='userName eq "robert@acme.test"').json()["totalResults"] == 1
    event = ScimEvent.objects.filter(member=bob).get()
    assert event.operation == "update"
    assert event.changes["userName"] == {"from": "bob@acme.test", "to": "robert@acme.test"}
    assert "manager: — → Carol" in event.change_lines()


def test_patch_entra_style(scim: ScimClient, bob: Membership) -> None:
    """Entra ID: capitalised ops, "False" as a string, URN-keyed path-less values, email filters in paths."""
    data = _patch(
        scim,
        bob,
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "bob@acme.test"},
        {
            "op": "Add",
            "value": {
                f"{ENTERPRISE}:department": "Support",
                "title": "ignored after creation",
                "preferredLanguage": "de-DE",
            },
        },
        {"op": "Replace", "path": "active", "value": "False"},
        {"op": "Remove", "path": f"{ENTERPRISE}:manager"},
        {"op": "Add", "path": 'addresses[type eq "work"].locality', "value": "Berlin"},
        {"op": "Add", "path": 'phoneNumbers[type eq "mobile"].value', "value": "+49 30 1234"},
        {"op": "Add", "path": 'roles[primary eq "True"].value', "value": "Sales"},
    )
    assert data["active"] is False and data[ENTERPRISE]["department"] == "Support"
    bob.refresh_from_db()
    assert not bob.is_active and bob.title == ""
    assert Department.objects.filter(workspace=bob.workspace, name="Support").exists()
    assert ScimEvent.objects.get(member=bob).operation == "deactivate"


def test_patch_errors(scim: ScimClient, bob: Membership) -> None:
    path = f"/Users/{bob.pk}"
    _error(scim.patch(path, {"op": "move", "path": "active", "value": False}), 400, "invalidSyntax")
    _error(scim.patch(path, {"op": "remove"}), 400, "noTarget")
    _error(scim.patch(path, {"op": "replace", "value": "x"}), 400, "invalidValue")
    _error(scim.patch(path, {"op": "remove", "path": "userName"}), 400, "mutability")
    _error(
        scim.patch(path, {"op": "replace", "path": "emails", "value": [{"value": "new@acme.test"}]}), 400, "mutability"
    )
    _error(scim.patch(path, {"op": "replace", "path": "name[x eq 1", "value": "a"}), 400, "invalidPath")
    _error(scim.patch(path, {"op": "replace", "path": "phoneNumbers[type eq]", "value": "a"}), 400, "invalidFilter")
    _error(scim.patch(path, {"op": "replace", "path": "active", "value": 3}), 400, "invalidValue")
    _error(scim.patch(path, {"op": "replace", "path": "title"}), 400, "invalidValue")
    _error(
        scim.patch(path, {"op": "add", "path": f"{ENTERPRISE}:manager", "value": str(bob.pk)}), 400, "invalidValue"
    )  # own manager
    _error(scim.call("patch", path, {"schemas": []}), 400, "invalidSyntax")  # no Operations
    bob.refresh_from_db()
    assert bob.is_active and bob.manager_id is None
    assert not ScimEvent.objects.exists()


def test_put_replaces_and_clears_what_is_left_out(scim: ScimClient, bob: Membership, carol: Membership) -> None:
    Membership.objects.filter(pk=bob.pk).update(employee_id="E-1", manager=carol)
    # Without the enterprise extension, its attributes stay (departments may come from group pushes).
    response = scim.put(f"/Users/{bob.pk}", {"userName": "bob@acme.test", "externalId": "okta-bob", "active": True})
    assert response.status_code == 200
    bob.refresh_from_db()
    assert (bob.employee_id, bob.manager_id, bob.department is not None) == ("E-1", carol.pk, True)
    assert ScimUser.objects.get(member=bob).external_id == "okta-bob"
    # With it, what it leaves out is cleared.
    body = {"userName": "bob@acme.test", ENTERPRISE: {"employeeNumber": "E-2"}}
    assert scim.put(f"/Users/{bob.pk}", body).status_code == 200
    bob.refresh_from_db()
    assert (bob.employee_id, bob.manager_id, bob.department_id) == ("E-2", None, None)
    assert ScimUser.objects.get(member=bob).external_id == ""
    _error(scim.put(f"/Users/{bob.pk}", {"externalId": "x"}), 400, "invalidSyntax")


def test_deprovisioning_keeps_history_and_stops_sessions_and_tokens(
    scim: ScimClient, bob: Membership, item: Any
) -> None:
    from groundswell.analytics.tests.helpers import share_with_clicks

    share = share_with_clicks(bob, item, 1)  # a share link earns its points at its first human click
    points = PointsEntry.objects.filter(member=bob).count()
    assert points > 0
    _, api_secret = create_token(bob, "CRM")
    browser = client_for(bob)
    assert browser.get(f"/w/{bob.workspace.slug}/").status_code == 200

    response = scim.delete(f"/Users/{bob.pk}")
    assert response.status_code == 204
    bob.refresh_from_db()
    assert bob.is_active is False
    assert get_user_model().objects.filter(pk=bob.user_id, is_active=True).exists()  # the account stays
    assert PointsEntry.objects.filter(member=bob).count() == points
    assert type(share).objects.filter(pk=share.pk).exists()
    assert authenticate_token(api_secret) is None
    assert browser.get(f"/w/{bob.workspace.slug}/").status_code == 404
    with pytest.raises(Http404):
        get_membership(bob.user, bob.workspace.slug)
    assert scim.get(f"/Users/{bob.pk}").json()["active"] is False
    assert scim.delete(f"/Users/{bob.pk}").status_code == 204  # idempotent

    _patch(scim, bob, {"op": "replace", "path": "active", "value": True})
    assert get_membership(bob.user, bob.workspace.slug).pk == bob.pk
    assert browser.get(f"/w/{bob.workspace.slug}/").status_code == 200
    assert list(ScimEvent.objects.filter(member=bob).values_list("operation", flat=True).order_by("pk")) == [
        "deactivate",
        "reactivate",
    ]


def test_the_last_admin_cannot_be_deprovisioned(scim: ScimClient, alice: Membership) -> None:
    _error(scim.delete(f"/Users/{alice.pk}"), 400, "mutability")
    alice.refresh_from_db()
    assert alice.is_active


def test_authentication(scim_secret: str, alice: Membership) -> None:
    from groundswell.scim import actions
    from groundswell.scim.models import ScimToken

    for header in ("", "Bearer", "Bearer gss_wrong", f"Basic {scim_secret}", "Bearer gs_personal_token"):
        response = ScimClient("x").client.get("/scim/v2/Users", HTTP_AUTHORIZATION=header)
        _error(response, 401)
        assert response["WWW-Authenticate"].startswith("Bearer")
    token = ScimToken.objects.get()
    assert token.last_used_at is None
    assert ScimClient(scim_secret).get("/Users").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    actions.revoke_token(token)
    _error(ScimClient(scim_secret).get("/Users"), 401)


def test_rate_limit_per_token(scim: ScimClient, globex_scim: ScimClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from groundswell.scim import views

    monkeypatch.setattr(views, "REQUESTS_PER_MINUTE", 3)
    monkeypatch.setattr(views, "_window", lambda: 30_000_000)
    assert [scim.get("/Users").status_code for _ in range(3)] == [200, 200, 200]
    limited = scim.get("/Users")
    _error(limited, 429)
    assert 1 <= int(limited["Retry-After"]) <= 60  # until the next minute
    assert globex_scim.get("/Users").status_code == 200  # each token has its own budget
    monkeypatch.setattr(views, "_window", lambda: 30_000_001)
    assert scim.get("/Users").status_code == 200  # a new minute


def test_unsupported_methods_are_405_after_authentication(scim: ScimClient, alice: Membership) -> None:
    _error(scim.client.delete("/scim/v2/Users"), 405)
    _error(ScimClient("nope").client.delete("/scim/v2/Users"), 401)


def test_outsider_token_sees_and_changes_nothing_of_acme(
    globex_scim: ScimClient, scim: ScimClient, bob: Membership, sales: Department
) -> None:
    path = f"/Users/{bob.pk}"
    _error(globex_scim.get(path), 404)
    _error(globex_scim.put(path, {"userName": "bob@acme.test", "active": False}), 404)
    _error(globex_scim.patch(path, {"op": "replace", "path": "active", "value": False}), 404)
    _error(globex_scim.delete(path), 404)
    assert globex_scim.get("/Users", filter='userName eq "bob@acme.test"').json()["totalResults"] == 0
    listed = globex_scim.get("/Users").json()
    assert [r["userName"] for r in listed["Resources"]] == ["charlie@globex.test"]
    # Acme's people cannot be made the manager of a Globex member, nor put into a Globex group.
    charlie = Membership.objects.get(user__email="charlie@globex.test")
    _error(
        globex_scim.patch(f"/Users/{charlie.pk}", {"op": "add", "path": f"{ENTERPRISE}:manager", "value": str(bob.pk)}),
        400,
        "invalidValue",
    )
    bob.refresh_from_db()
    assert bob.is_active
    assert not ScimEvent.objects.exists()


def test_post_search_and_unknown_endpoints(scim: ScimClient, alice: Membership, bob: Membership) -> None:
    response = scim.post(
        "/Users/.search",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": 'userName eq "bob@acme.test"',
            "attributes": ["userName"],
            "startIndex": 1,
            "count": 10,
        },
    )
    assert response.status_code == 200
    assert [(r["id"], r["userName"], "emails" in r) for r in response.json()["Resources"]] == [
        (str(bob.pk), "bob@acme.test", False)
    ]
    _error(scim.post("/Users/.search", {"filter": 'userName eq "x" and'}), 400, "invalidFilter")
    _error(scim.post("/Users/.search", {"count": "many"}), 400, "invalidValue")
    _error(scim.post("/Users/.search", ["x"]), 400, "invalidSyntax")
    _error(scim.post("/.search", {"filter": 'userName eq "x"'}), 501)
    _error(scim.get("/Bananas"), 404)
    _error(scim.get("/"), 404)
