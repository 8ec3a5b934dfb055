from __future__ import annotations

import re

from django.urls import reverse

from groundswell.api.tests.conftest import ApiClient
from groundswell.api.tokens import create_token
from groundswell.workspaces.models import ApiToken


def url(name, **kwargs):
    return reverse(f"apitokens:{name}", kwargs={"ws": "acme", **kwargs})


def test_page_lists_only_my_tokens(bob_client, bob, alice):
    create_token(bob, "Bob's script")
    create_token(alice, "Alice's sync")
    response = bob_client.get(url("list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bob&#x27;s script" in html
    assert "Alice&#x27;s sync" not in html
    assert 'href="/api/docs"' in html
    assert "<script>" not in html and "style=" not in html


def test_create_shows_secret_once(bob_client, bob):
    response = bob_client.post(url("create"), {"name": "Zapier"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    html = response.content.decode()
    secret = re.search(r'data-copy="(gs_[^"]+)"', html).group(1)
    token = ApiToken.objects.get(member=bob)
    assert token.name == "Zapier" and token.token_hash == ApiToken.hash_token(secret)
    assert ApiClient(secret).get("/api/items").status_code == 200
    # Never shown again.
    assert secret not in bob_client.get(url("list")).content.decode()
    assert token.prefix in bob_client.get(url("list")).content.decode()


def test_create_with_bad_name(bob_client):
    response = bob_client.post(url("create"), {"name": "  "})
    assert response.status_code == 400
    assert "Give the token a name" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoke(bob_client, bob, alice):
    token, secret = create_token(bob, "old")
    response = bob_client.post(url("revoke", token_id=token.pk))
    assert response.status_code == 302 and response["Location"] == url("list")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiClient(secret).get("/api/items").status_code == 401
    assert "Revoked" in bob_client.get(url("list")).content.decode()
    # Someone else's token: 404, untouched.
    other, _ = create_token(alice, "alice")
    assert bob_client.post(url("revoke", token_id=other.pk)).status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None
    # GET does not revoke.
    assert bob_client.get(url("revoke", token_id=token.pk)).status_code == 405


def test_outsider_and_anonymous(charlie_client, client, bob):
    token, _ = create_token(bob, "bob")
    assert charlie_client.get(url("list")).status_code == 404
    assert charlie_client.post(url("create"), {"name": "x"}).status_code == 404
    assert charlie_client.post(url("revoke", token_id=token.pk)).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    response = client.get(url("list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_active_tokens_are_listed_first(bob_client, bob):
    from groundswell.api.tokens import revoke_token

    old, _ = create_token(bob, "first-revoked")
    create_token(bob, "still-active")
    revoke_token(old)
    html = bob_client.get(url("list")).content.decode()
    assert html.index("still-active") < html.index("first-revoked")
