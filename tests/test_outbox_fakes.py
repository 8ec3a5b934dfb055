"""A fake network plug-in and fixtures shared by the outbox and policy tests (no tests here)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from cryptography.fernet import Fernet

from groundswell.conftest import (  # noqa: F401  (fixtures re-exported to the outbox tests)
    alice,
    alice_client,
    berlin,
    bob,
    bob_client,
    carol,
    charlie,
    charlie_client,
    item,
    other_workspace,
    sales,
    workspace,
)
from groundswell.networks import crypto, registry
from groundswell.networks.base import NetworkClient, PostRequest, RemotePost, TokenSet
from groundswell.networks.models import ConnectedAccount
from groundswell.workspaces.models import Membership

Step = Callable[[PostRequest], RemotePost]


@dataclass
class FakeNetwork:
    """What the fake Bluesky "server" holds: posts by idempotency key, and scripted failures."""

    posts: dict[str, RemotePost] = field(default_factory=dict)
    publish_calls: list[PostRequest] = field(default_factory=list)
    find_calls: list[PostRequest] = field(default_factory=list)
    #: Exceptions to raise on the next publish calls, in order (an Exception, or a callable that may store the
    #: post first and then raise: the network accepted it but the answer was lost).
    failures: list[Exception | Callable[[PostRequest], None]] = field(default_factory=list)
    find_failures: list[Exception] = field(default_factory=list)
    on_publish: Callable[[], None] | None = None

    def store(self, request: PostRequest) -> RemotePost:
        remote = RemotePost(
            remote_id=f"at://did:plc:bob/app.bsky.feed.post/{request.idempotency_key}",
            url=f"https://bsky.app/profile/bob.test/post/{request.idempotency_key}",
        )
        self.posts[request.idempotency_key] = remote
        return remote


def make_client(net: FakeNetwork) -> type[NetworkClient]:
    class FakeClient(NetworkClient):
        key = "bluesky"
        label = "Bluesky"
        max_length = 300

        def publish(self, tokens: TokenSet, request: PostRequest) -> RemotePost:
            net.publish_calls.append(request)
            if net.on_publish is not None:
                net.on_publish()
            if net.failures:
                failure = net.failures.pop(0)
                if isinstance(failure, Exception):
                    raise failure
                failure(request)
            return net.store(request)

        def find_existing(self, tokens: TokenSet, request: PostRequest) -> RemotePost | None:
            net.find_calls.append(request)
            if net.find_failures:
                raise net.find_failures.pop(0)
            return net.posts.get(request.idempotency_key)

    return FakeClient


@pytest.fixture(autouse=True)
def encryption_key(settings: object) -> Iterator[None]:
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # type: ignore[attr-defined]
    crypto.reset_keys()
    yield
    crypto.reset_keys()


@pytest.fixture
def fake_network(monkeypatch: pytest.MonkeyPatch) -> FakeNetwork:
    net = FakeNetwork()
    client_class = make_client(net)
    real = registry.get_client

    def get_client(key: str) -> NetworkClient:
        return client_class() if key == "bluesky" else real(key)

    monkeypatch.setattr(registry, "get_client", get_client)
    return net


def connect(member: Membership, network: str = "bluesky", handle: str = "") -> ConnectedAccount:
    handle = handle or f"{member.display_name.lower()}.test"
    return ConnectedAccount.objects.create(
        workspace=member.workspace,
        member=member,
        network=network,
        remote_id=f"did:plc:{handle}",
        handle=handle,
        access_token="access-" + handle,
        refresh_token="refresh-" + handle,
    )
