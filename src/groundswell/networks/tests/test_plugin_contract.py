"""Every API plug-in keeps the same promises: what it is, what it asks for and why, and what it can do."""

from __future__ import annotations

import importlib

import pytest

from groundswell.networks import registry
from groundswell.networks.base import NetworkClient, Scope

PLUGINS = ["mastodon", "linkedin", "x", "facebook"]
#: Scopes that would let Groundswell read the member's feed, messages or social graph: never requested.
FEED_SCOPES = {
    "read",  # Mastodon: everything readable, home timeline included
    "read:notifications",
    "read:follows",
    "read:lists",
    "follows.read",
    "dm.read",
    "list.read",
    "user_posts",
    "user_friends",
    "r_liteprofile",
    "r_emailaddress",
    "email",
}


def client_class(key: str) -> type[NetworkClient]:
    module = importlib.import_module(registry.PLUGINS[key])
    cls: type[NetworkClient] = module.Client
    return cls


@pytest.mark.parametrize("key", PLUGINS)
def test_registered_and_identified(key: str) -> None:
    cls = client_class(key)
    assert issubclass(cls, NetworkClient)
    assert isinstance(registry.get_client(key), cls)
    assert cls.key == key
    assert cls.label and cls.label.strip() == cls.label
    assert cls.auth_kind == "oauth2"
    assert cls.max_length > 0
    assert isinstance(cls.can_revoke, bool) and isinstance(cls.has_metrics, bool)


@pytest.mark.parametrize("key", PLUGINS)
def test_scopes_explain_themselves(key: str) -> None:
    scopes = client_class(key).scopes
    assert scopes, "a plug-in asks for at least the right to post"
    names = [scope.name for scope in scopes]
    assert len(names) == len(set(names))
    for scope in scopes:
        assert isinstance(scope, Scope)
        assert scope.name and " " not in scope.name
        # Plain words, a sentence: not the scope's name again, not a stub.
        assert len(scope.what_we_do) >= 25, scope
        assert scope.what_we_do[0].isupper() and scope.what_we_do.endswith("."), scope
        assert scope.name not in scope.what_we_do, scope


@pytest.mark.parametrize("key", PLUGINS)
def test_minimum_scopes(key: str) -> None:
    names = {scope.name for scope in client_class(key).scopes}
    assert not names & FEED_SCOPES, f"{key} must not ask to read the member's feed: {names & FEED_SCOPES}"
    assert not any(name.startswith(("admin", "write:follows", "follows.write")) for name in names)


@pytest.mark.parametrize("key", PLUGINS)
def test_implements_the_oauth_client(key: str) -> None:
    cls = client_class(key)
    for method in ("authorization_url", "exchange_code", "publish", "find_existing"):
        assert getattr(cls, method) is not getattr(NetworkClient, method), f"{key} does not implement {method}"
    if cls.can_revoke:
        assert cls.revoke is not NetworkClient.revoke
    if cls.has_metrics:
        assert cls.metrics is not NetworkClient.metrics
    # OAuth 2.0 plug-ins never take passwords.
    assert cls.login_with_password is NetworkClient.login_with_password


@pytest.mark.parametrize("key", registry.available())
def test_one_network_one_label_one_limit(key: str) -> None:
    """A network is declared once (``networks/<key>/intent.py``): its API plug-in shows the same label and
    enforces the same length limit as its share-intent link, and lives in the same folder."""
    network = registry.get_network(key)
    cls = client_class(key)
    assert (cls.key, cls.label, cls.max_length) == (network.key, network.label, network.max_length)
    assert registry.PLUGINS[key].rsplit(".", 1)[0] == type(network).__module__.rsplit(".", 1)[0]
    assert registry.label(key) == network.label


def test_every_network_has_an_intent_link_and_a_folder() -> None:
    assert set(registry.PLUGINS) <= set(registry.NETWORKS)
    for key, network in registry.NETWORKS.items():
        assert network.key == key and network.label
        assert type(network).__module__ == f"groundswell.networks.{key}.intent"
    assert registry.label("myspace") == "myspace"
