"""The admin's SCIM page: tokens shown once, revocation, the provisioning log; 404 for everyone else."""

from __future__ import annotations

import pytest
from django.test import Client

from groundswell.scim import actions
from groundswell.scim.models import ScimToken
from groundswell.scim.tests.conftest import ScimClient, new_user
from groundswell.workspaces.models import Membership

pytestmark = pytest.mark.django_db
URL = "/w/acme/scim-tokens/"


def test_admin_creates_a_token_that_is_shown_once(alice_client: Client, alice: Membership) -> None:
    page = alice_client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "http://testserver/scim/v2/" in html and "No SCIM tokens yet" in html
    response = alice_client.post(URL + "new/", {"name": "  Okta   production "})
    assert response.status_code == 200
    token = ScimToken.objects.get()
    assert token.name == "Okta production" and token.created_by == alice and token.workspace == alice.workspace
    secret = response.context["secret"]
    assert secret.startswith("gss_") and secret in response.content.decode()
    assert ScimToken.hash_token(secret) == token.token_hash and secret not in token.token_hash
    assert secret not in alice_client.get(URL).content.decode()  # never again
    assert ScimClient(secret).get("/Users").status_code == 200


def test_bad_names_and_too_many_tokens(alice_client: Client, alice: Membership) -> None:
    response = alice_client.post(URL + "new/", {"name": "   "})
    assert response.status_code == 400
    assert "Give the token a name" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    response = alice_client.post(URL + "new/", {"name": "x" * 81})
    assert response.status_code == 400 and "at most 80" in response.content.decode()
    for n in range(actions.MAX_ACTIVE_TOKENS):
        actions.create_token(alice.workspace, by=alice, name=f"t{n}")
    response = alice_client.post(URL + "new/", {"name": "one more"})
    assert response.status_code == 400 and "revoke one first" in response.content.decode()


def test_revoke(alice_client: Client, alice: Membership) -> None:
    token, secret = actions.create_token(alice.workspace, by=alice, name="Entra")
    response = alice_client.post(f"{URL}{token.pk}/revoke/", follow=True)
    assert response.status_code == 200 and "revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ScimClient(secret).get("/Users").status_code == 401
    assert alice_client.post(f"{URL}{token.pk}/revoke/").status_code == 302  # idempotent
    assert alice_client.post(f"{URL}999999/revoke/").status_code == 404


def test_the_log_shows_who_changed_what(alice_client: Client, scim: ScimClient, bob: Membership) -> None:
    scim.post("/Users", new_user("dana@acme.test"))
    scim.patch(f"/Users/{bob.pk}", {"op": "replace", "path": "active", "value": False})
    html = alice_client.get(URL).content.decode()
    assert "Created member" in html and "Deactivated member" in html
    assert "active: yes → no" in html and "Okta" in html
    assert f"/w/acme/people/members/{bob.pk}/" in html


def test_log_query_count_does_not_grow(
    alice_client: Client, scim: ScimClient, bob: Membership, django_assert_max_num_queries: object
) -> None:
    scim.patch(f"/Users/{bob.pk}", {"op": "replace", "path": "active", "value": False})
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert alice_client.get(URL).status_code == 200
    for n in range(10):
        scim.post("/Users", new_user(f"p{n}@acme.test"))
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert alice_client.get(URL).status_code == 200


@pytest.mark.parametrize("who", ["bob", "carol", "charlie"])
def test_everyone_but_an_admin_of_acme_gets_404(
    request: pytest.FixtureRequest, who: str, alice: Membership, bob: Membership, carol: Membership
) -> None:
    from groundswell.conftest import client_for

    member: Membership = request.getfixturevalue(who)
    token, _ = actions.create_token(alice.workspace, by=alice, name="Okta")
    client = client_for(member)
    assert client.get(URL).status_code == 404
    assert client.post(URL + "new/", {"name": "mine"}).status_code == 404
    assert client.post(f"{URL}{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None and ScimToken.objects.count() == 1


def test_a_globex_admin_cannot_revoke_an_acme_token_through_globex(alice: Membership, charlie: Membership) -> None:
    from groundswell.conftest import client_for

    token, _ = actions.create_token(alice.workspace, by=alice, name="Okta")
    assert client_for(charlie).post(f"/w/globex/scim-tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
