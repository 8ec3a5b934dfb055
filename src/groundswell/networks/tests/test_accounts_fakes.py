"""Fake network plug-ins for the connected-account tests, registered temporarily (no real plug-in is used)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from groundswell.networks import registry
from groundswell.networks.base import AuthError, NetworkClient, Scope, TokenSet


@dataclass
class Calls:
    authorize: list[dict[str, Any]] = field(default_factory=list)
    exchange: list[dict[str, Any]] = field(default_factory=list)
    login: list[dict[str, Any]] = field(default_factory=list)
    refresh: list[TokenSet] = field(default_factory=list)
    revoke: list[TokenSet] = field(default_factory=list)
    #: What the next call of each kind raises (then cleared).
    fail: dict[str, Exception] = field(default_factory=dict)

    def maybe_fail(self, kind: str) -> None:
        exc = self.fail.pop(kind, None)
        if exc is not None:
            raise exc


CALLS = Calls()


class FakeOAuth(NetworkClient):
    key = "fakeoauth"
    label = "FakeNet"
    auth_kind = "oauth2"
    scopes = (
        Scope("post.write", "Publish the posts you ask Groundswell to make."),
        Scope("post.read", "Read the likes and reposts of those posts."),
    )
    max_length = 300
    can_revoke = True

    def authorization_url(self, *, redirect_uri: str, state: str, code_challenge: str, instance: str = "") -> str:
        CALLS.maybe_fail("authorize")
        CALLS.authorize.append({"redirect_uri": redirect_uri, "state": state, "challenge": code_challenge})
        host = instance or "auth.fakenet.test"
        query = {
            "response_type": "code",
            "client_id": "fake",
            "redirect_uri": redirect_uri,
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
            "scope": " ".join(s.name for s in self.scopes),
        }
        return f"https://{host}/oauth/authorize?" + urlencode(query)

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str, instance: str = "") -> TokenSet:
        CALLS.maybe_fail("exchange")
        CALLS.exchange.append(
            {"code": code, "redirect_uri": redirect_uri, "verifier": code_verifier, "instance": instance}
        )
        return TokenSet(
            access_token=f"access-{code}",
            refresh_token=f"refresh-{code}",
            remote_id="user-42",
            handle="@ana",
            expires_at=timezone.now() + dt.timedelta(hours=2),
            scopes=["post.write", "post.read"],
        )

    def refresh(self, tokens: TokenSet) -> TokenSet:
        CALLS.maybe_fail("refresh")
        CALLS.refresh.append(tokens)
        return TokenSet(
            access_token="access-refreshed",
            refresh_token="refresh-refreshed",
            remote_id=tokens.remote_id,
            handle=tokens.handle,
            expires_at=timezone.now() + dt.timedelta(hours=2),
        )

    def revoke(self, tokens: TokenSet) -> None:
        CALLS.revoke.append(tokens)
        CALLS.maybe_fail("revoke")


class FakeMastodon(FakeOAuth):
    key = "mastodon"
    label = "FakeMastodon"
    can_revoke = False


class FakeAppPassword(NetworkClient):
    key = "fakesky"
    label = "FakeSky"
    auth_kind = "app_password"
    scopes = (Scope("atproto", "Post for you and read the counts of those posts."),)
    max_length = 300

    def login_with_password(self, *, identifier: str, password: str, service_url: str) -> TokenSet:
        CALLS.login.append({"identifier": identifier, "password": password, "service_url": service_url})
        CALLS.maybe_fail("login")
        if password != "abcd-efgh-ijkl-mnop":
            raise AuthError("Invalid identifier or password.")
        return TokenSet(
            access_token="sky-access",
            refresh_token="sky-refresh",
            remote_id="did:plc:ana",
            handle=identifier,
            service_url=service_url,
            scopes=["atproto"],
        )


class FakeLinkedIn(FakeOAuth):
    key = "linkedin"
    label = "FakeLinkedIn"


FAKES: dict[str, type[NetworkClient]] = {
    "fakeoauth": FakeOAuth,
    "mastodon": FakeMastodon,
    "fakesky": FakeAppPassword,
    "linkedin": FakeLinkedIn,
}


@pytest.fixture(name="fake_networks")
def fake_networks_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[Calls]:
    """Replace the registry with the fakes; yields the record of calls made to them."""
    global CALLS
    CALLS = Calls()
    monkeypatch.setattr(registry, "PLUGINS", {key: f"fake.{key}" for key in FAKES})
    monkeypatch.setattr(registry, "get_client", lambda key: FAKES[key]())
    yield CALLS


TEST_KEY = "x3W2cGbqIVp6zfnjJOx2SM6TFgOB8h4Wq9bTm0xRy1o="


@pytest.fixture(autouse=True, name="encryption_key")
def encryption_key_fixture(settings: Any) -> Iterator[str]:
    """test_settings sets no GROUNDSWELL_ENCRYPTION_KEYS (and DEBUG is off): use a fixed test key."""
    from groundswell.networks import crypto

    settings.ENCRYPTION_KEYS = [TEST_KEY]
    crypto.reset_keys()
    yield TEST_KEY
    crypto.reset_keys()
