from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groundswell.api.tests.conftest import ApiClient
from groundswell.api.tokens import (
    LAST_USED_RESOLUTION,
    MAX_ACTIVE_TOKENS,
    TokenError,
    authenticate_token,
    create_token,
    revoke_token,
)
from groundswell.workspaces.models import ApiToken, Role


def test_token_is_stored_as_prefix_and_hash(bob):
    token, secret = create_token(bob, "  CRM   sync ")
    assert secret.startswith("gs_") and len(secret) > 40
    assert token.name == "CRM sync"
    assert token.prefix == secret[:10]
    assert token.token_hash == ApiToken.hash_token(secret) != secret
    assert token.workspace_id == bob.workspace_id
    assert not ApiToken.objects.filter(token_hash=secret).exists()


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_token_name_is_validated(bob, name):
    with pytest.raises(TokenError):
        create_token(bob, name)


def test_active_token_limit(bob):
    for i in range(MAX_ACTIVE_TOKENS):
        create_token(bob, f"t{i}")
    with pytest.raises(TokenError, match="at most"):
        create_token(bob, "one too many")
    revoke_token(ApiToken.objects.filter(member=bob).first())
    create_token(bob, "fits again")


def test_no_token_is_401_json(anon_api, item):
    response = anon_api.get("/api/items")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header", ["Bearer gs_nope", "Bearer ", "Token gs_abc", "Basic Ym9iOnB3", "Bearer " + "gs_" + "a" * 500]
)
def test_bad_tokens_are_401(bob, header, client):
    response = client.get("/api/items", headers={"Authorization": header})
    assert response.status_code == 401
    assert "detail" in response.json()


def test_revoked_token_is_401(bob):
    token, secret = create_token(bob, "x")
    api = ApiClient(secret)
    assert api.get("/api/items").status_code == 200
    assert revoke_token(token) is True
    assert revoke_token(token) is False  # idempotent
    assert api.get("/api/items").status_code == 401


def test_inactive_member_or_user_is_401(bob):
    _, secret = create_token(bob, "x")
    api = ApiClient(secret)
    bob.is_active = False
    bob.save()
    assert api.get("/api/items").status_code == 401
    bob.is_active = True
    bob.save()
    assert api.get("/api/items").status_code == 200
    bob.user.is_active = False
    bob.user.save()
    assert api.get("/api/items").status_code == 401


def test_token_acts_with_the_members_current_role(bob):
    _, secret = create_token(bob, "x")
    api = ApiClient(secret)
    assert api.get("/api/items", {"state": "all"}).status_code == 403
    bob.role = Role.ADMIN
    bob.save()
    assert api.get("/api/items", {"state": "all"}).status_code == 200


def test_last_used_is_written_at_most_once_a_minute(bob):
    token, secret = create_token(bob, "x")
    now = timezone.now()
    assert authenticate_token(secret, now=now) is not None
    token.refresh_from_db()
    assert token.last_used_at == now
    # Within the minute: no write at all.
    with CaptureQueriesContext(connection) as queries:
        assert authenticate_token(secret, now=now + dt.timedelta(seconds=30)) is not None
    assert not any(q["sql"].lstrip().upper().startswith("UPDATE") for q in queries.captured_queries)
    token.refresh_from_db()
    assert token.last_used_at == now
    later = now + LAST_USED_RESOLUTION + dt.timedelta(seconds=1)
    authenticate_token(secret, now=later)
    token.refresh_from_db()
    assert token.last_used_at == later


def test_last_used_update_is_conditional(bob):
    """A stale in-memory copy does not overwrite a newer last_used_at written by a concurrent request."""
    token, secret = create_token(bob, "x")
    now = timezone.now()
    authenticate_token(secret, now=now)
    stale = ApiToken.objects.get(pk=token.pk)
    stale.last_used_at = None
    from groundswell.api.tokens import touch

    touch(stale, now=now + dt.timedelta(seconds=10))
    token.refresh_from_db()
    assert token.last_used_at == now


def test_api_request_updates_last_used(bob_api, bob):
    assert bob_api.get("/api/items").status_code == 200
    assert ApiToken.objects.get(member=bob).last_used_at is not None


def test_a_browser_session_is_not_an_api_credential(bob_client):
    response = bob_client.get("/api/items")
    assert response.status_code == 401


def test_unexpected_errors_are_json_500(bob_api, monkeypatch):
    from groundswell.api.endpoints import community

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(community, "goal_progress", boom)
    response = bob_api.get("/api/goals")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error."}


def test_list_endpoints_use_a_constant_number_of_queries(
    bob_api, bob, item, workspace, alice, django_assert_max_num_queries
):
    from groundswell.api.tests.test_items import make_item
    from groundswell.content.models import Caption
    from groundswell.sharing.actions import create_share

    for n in range(8):
        extra = make_item(workspace, alice, title=f"n{n}")
        Caption.objects.create(item=extra, text="c")
        create_share(member=bob, item=extra, network="linkedin", caption="")
    # auth (1) + conditional last_used update (≤1) + count + page + prefetches
    with django_assert_max_num_queries(7):
        assert len(bob_api.get("/api/items").json()["results"]) == 9
    with django_assert_max_num_queries(5):
        assert len(bob_api.get("/api/shares").json()["results"]) == 8
