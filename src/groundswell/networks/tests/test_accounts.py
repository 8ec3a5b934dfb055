"""Domain functions of connected accounts: connect, mark_reconnect, ensure_fresh, disconnect."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from groundswell.content.models import Item
from groundswell.networks import accounts
from groundswell.networks.base import AuthError, PermanentError, TokenSet, TransientError
from groundswell.networks.models import AccountStatus, ConnectedAccount, OutboundPost, PostStatus
from groundswell.sharing.models import Share
from groundswell.workspaces.models import Membership

from .test_accounts_fakes import Calls, encryption_key_fixture, fake_networks_fixture  # noqa: F401


def tokens(**overrides: object) -> TokenSet:
    values: dict[str, object] = {
        "access_token": "acc-1",
        "refresh_token": "ref-1",
        "remote_id": "user-42",
        "handle": "@ana",
        "expires_at": timezone.now() + dt.timedelta(hours=2),
        "scopes": ["post.write"],
    }
    values.update(overrides)
    return TokenSet(**values)  # type: ignore[arg-type]


def test_connect_creates_then_updates_the_same_account(bob: Membership) -> None:
    first = accounts.connect(bob, "fakeoauth", tokens())
    assert first.workspace_id == bob.workspace_id and first.scopes == ["post.write"]
    accounts.mark_reconnect(first, "Token revoked")
    again = accounts.connect(bob, "fakeoauth", tokens(access_token="acc-2", scopes=["post.write", "post.read"]))
    assert again.pk == first.pk
    assert again.status == AccountStatus.ACTIVE and again.status_message == ""
    assert again.access_token == "acc-2" and again.scopes == ["post.write", "post.read"]
    assert ConnectedAccount.objects.count() == 1
    # Another account on the same network is a second row.
    accounts.connect(bob, "fakeoauth", tokens(remote_id="user-43", handle="@ana2"))
    assert ConnectedAccount.objects.filter(member=bob).count() == 2


def test_tokens_are_encrypted_in_the_database(bob: Membership) -> None:
    account = accounts.connect(
        bob, "fakeoauth", tokens(access_token="very-secret-access", refresh_token="very-secret-refresh")
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM networks_connectedaccount WHERE id = %s", [account.pk])
        raw_access, raw_refresh = cursor.fetchone()
    assert "very-secret" not in raw_access and "very-secret" not in raw_refresh
    account.refresh_from_db()
    assert account.access_token == "very-secret-access"


def test_mark_reconnect(bob: Membership) -> None:
    account = accounts.connect(bob, "fakeoauth", tokens())
    accounts.mark_reconnect(account, "x" * 400)
    account.refresh_from_db()
    assert account.status == AccountStatus.RECONNECT and len(account.status_message) == 300


def test_ensure_fresh_leaves_a_good_token_alone(bob: Membership, fake_networks: Calls) -> None:
    account = accounts.connect(bob, "fakeoauth", tokens())
    assert accounts.ensure_fresh(account).access_token == "acc-1"
    assert fake_networks.refresh == []


def test_ensure_fresh_refreshes_a_token_about_to_expire(bob: Membership, fake_networks: Calls) -> None:
    account = accounts.connect(bob, "fakeoauth", tokens(expires_at=timezone.now() + dt.timedelta(minutes=1)))
    fresh = accounts.ensure_fresh(account)
    assert fake_networks.refresh[0].refresh_token == "ref-1"
    account.refresh_from_db()
    assert account.access_token == fresh.access_token == "access-refreshed"
    assert account.refresh_token == "refresh-refreshed"
    assert account.token_expires_at is not None and account.token_expires_at > timezone.now() + dt.timedelta(hours=1)


def test_ensure_fresh_auth_error_marks_reconnect(bob: Membership, fake_networks: Calls) -> None:
    account = accounts.connect(bob, "fakeoauth", tokens(expires_at=timezone.now() - dt.timedelta(minutes=1)))
    fake_networks.fail["refresh"] = AuthError("The refresh token was revoked.")
    with pytest.raises(AuthError):
        accounts.ensure_fresh(account)
    account.refresh_from_db()
    assert account.status == AccountStatus.RECONNECT and "revoked" in account.status_message
    # Once marked, no more refresh attempts until the member reconnects.
    with pytest.raises(AuthError):
        accounts.ensure_fresh(account)
    assert fake_networks.refresh == []


def test_ensure_fresh_transient_error_does_not_mark(bob: Membership, fake_networks: Calls) -> None:
    account = accounts.connect(bob, "fakeoauth", tokens(expires_at=timezone.now()))
    fake_networks.fail["refresh"] = TransientError("Timed out", retry_after=30)
    with pytest.raises(TransientError):
        accounts.ensure_fresh(account)
    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE


def _outbound(account: ConnectedAccount, item: Item, status: str, key: str) -> OutboundPost:
    share = Share.objects.create(workspace=account.workspace, item=item, member=account.member, network=account.network)
    now = timezone.now()
    post = OutboundPost.objects.create(
        workspace=account.workspace,
        account=account,
        text="Hello",
        idempotency_key=key,
        status=status,
        scheduled_at=now,
        next_attempt_at=now,
    )
    Share.objects.filter(pk=share.pk).update(outbound=post)
    return post


def test_disconnect_revokes_deletes_and_cancels_waiting_posts(
    bob: Membership, item: Item, fake_networks: Calls
) -> None:
    account = accounts.connect(bob, "fakeoauth", tokens())
    scheduled = _outbound(account, item, PostStatus.SCHEDULED, "k1")
    retrying = _outbound(account, item, PostStatus.RETRYING, "k2")
    sent = _outbound(account, item, PostStatus.SENT, "k3")
    result = accounts.disconnect(account)
    assert result.revoked and result.revoke_error == "" and result.cancelled_posts == 2
    assert [t.access_token for t in fake_networks.revoke] == ["acc-1"]
    assert not ConnectedAccount.objects.filter(pk=account.pk).exists()
    for post in (scheduled, retrying):
        post.refresh_from_db()
        assert post.status == PostStatus.CANCELLED and post.account_id is None
        assert "disconnected" in post.log.get().message
    sent.refresh_from_db()
    assert sent.status == PostStatus.SENT and not sent.log.exists()


def test_disconnect_deletes_even_when_revoking_fails(bob: Membership, fake_networks: Calls) -> None:
    account = accounts.connect(bob, "fakeoauth", tokens())
    fake_networks.fail["revoke"] = PermanentError("FakeNet is down for maintenance.")
    result = accounts.disconnect(account)
    assert not result.revoked and result.revoke_error == "FakeNet is down for maintenance."
    assert not ConnectedAccount.objects.exists()


def test_disconnect_without_revoke_support(bob: Membership, fake_networks: Calls) -> None:
    account = accounts.connect(bob, "fakesky", tokens(remote_id="did:plc:ana"))
    result = accounts.disconnect(account)
    assert not result.revoked and result.revoke_error == "" and fake_networks.revoke == []
    assert not ConnectedAccount.objects.exists()
