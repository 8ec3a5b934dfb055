"""Secrets at rest: encryption, key rotation (``rotate_encryption_key``), wrong keys."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from groundswell.networks import accounts, crypto
from groundswell.networks.base import TokenSet
from groundswell.networks.models import ConnectedAccount, MastodonApp
from groundswell.workspaces.models import Membership

from .test_accounts_fakes import encryption_key_fixture  # noqa: F401

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()


def use_keys(settings: Any, *keys: str) -> None:
    settings.ENCRYPTION_KEYS = list(keys)
    crypto.reset_keys()


def raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def on_key(value: str, key: str) -> bool:
    try:
        Fernet(key.encode()).decrypt(value.encode())
    except Exception:
        return False
    return True


@pytest.fixture
def secrets_stored(settings: Any, bob: Membership) -> ConnectedAccount:
    use_keys(settings, OLD)
    account = accounts.connect(
        bob,
        "fakeoauth",
        TokenSet(access_token="plain-access", refresh_token="plain-refresh", remote_id="1", handle="@a"),
    )
    accounts.connect(bob, "fakeoauth", TokenSet(access_token="plain-access-2", remote_id="2", handle="@b"))
    MastodonApp.objects.create(instance="social.example", client_id="cid", client_secret="plain-client-secret")
    return account


def test_round_trip_and_empty() -> None:
    assert crypto.decrypt(crypto.encrypt("hello")) == "hello"
    assert crypto.encrypt("") == "" and crypto.decrypt("") == ""
    assert crypto.encrypt("hello") != crypto.encrypt("hello")  # a fresh IV every time


def test_values_stored_are_not_plain_text(secrets_stored: ConnectedAccount) -> None:
    stored = raw("networks_connectedaccount", "access_token") + raw("networks_connectedaccount", "refresh_token")
    stored += raw("networks_mastodonapp", "client_secret")
    assert stored and not any("plain" in value for value in stored)
    assert all(on_key(v, OLD) for v in stored if v)
    assert ConnectedAccount.objects.get(pk=secrets_stored.pk).access_token == "plain-access"
    assert MastodonApp.objects.get().client_secret == "plain-client-secret"


def test_rotation_then_dropping_the_old_key(settings: Any, secrets_stored: ConnectedAccount) -> None:
    use_keys(settings, NEW, OLD)
    # New writes use the newest key; old values still decrypt.
    assert ConnectedAccount.objects.get(pk=secrets_stored.pk).access_token == "plain-access"

    with pytest.raises(CommandError, match="not on the newest key"):
        call_command("rotate_encryption_key", "--check", stdout=StringIO())

    out = StringIO()
    call_command("rotate_encryption_key", "--batch-size", "1", stdout=out)
    text = out.getvalue()
    assert "networks.ConnectedAccount.access_token: 2 re-encrypted" in text
    assert "networks.ConnectedAccount.refresh_token: 1 re-encrypted, 0 already on the newest key, 1 empty" in text
    assert "networks.MastodonApp.client_secret: 1 re-encrypted" in text
    assert "Re-encrypted 4 stored secret(s)" in text

    stored = [v for v in raw("networks_connectedaccount", "access_token") if v]
    assert stored and all(on_key(v, NEW) and not on_key(v, OLD) for v in stored)

    check = StringIO()
    call_command("rotate_encryption_key", "--check", stdout=check)
    assert "Every stored secret is on the newest key." in check.getvalue()
    again = StringIO()
    call_command("rotate_encryption_key", stdout=again)
    assert "Re-encrypted 0 stored secret(s)" in again.getvalue()

    use_keys(settings, NEW)  # the old key is gone
    account = ConnectedAccount.objects.get(pk=secrets_stored.pk)
    assert (account.access_token, account.refresh_token) == ("plain-access", "plain-refresh")
    assert MastodonApp.objects.get().client_secret == "plain-client-secret"


def test_wrong_key_is_a_clear_error(settings: Any, secrets_stored: ConnectedAccount) -> None:
    use_keys(settings, NEW)  # the key the values were written with is missing
    with pytest.raises(ImproperlyConfigured, match="cannot be decrypted with any configured key"):
        ConnectedAccount.objects.get(pk=secrets_stored.pk)
    with pytest.raises(CommandError, match="cannot be decrypted with any configured key"):
        call_command("rotate_encryption_key", stdout=StringIO())


def test_failed_rotation_changes_nothing(settings: Any, secrets_stored: ConnectedAccount) -> None:
    before = raw("networks_connectedaccount", "access_token")
    with connection.cursor() as cursor:  # one value written with a key nobody has any more
        stray = Fernet(Fernet.generate_key()).encrypt(b"lost").decode()
        cursor.execute("UPDATE networks_mastodonapp SET client_secret = %s", [stray])
    use_keys(settings, NEW, OLD)
    with pytest.raises(CommandError):
        call_command("rotate_encryption_key", stdout=StringIO())
    assert raw("networks_connectedaccount", "access_token") == before


def test_invalid_key_is_improperly_configured(settings: Any) -> None:
    use_keys(settings, "not-a-fernet-key")
    with pytest.raises(ImproperlyConfigured, match="invalid Fernet key"):
        crypto.encrypt("x")
    with pytest.raises(CommandError, match="not a valid Fernet key"):
        call_command("rotate_encryption_key", stdout=StringIO())


def test_rotation_needs_keys(settings: Any) -> None:
    use_keys(settings)
    with pytest.raises(CommandError, match="GROUNDSWELL_ENCRYPTION_KEYS is not set"):
        call_command("rotate_encryption_key", stdout=StringIO())
