"""The short-link cache shared by web nodes (Redis): a change on one node is seen by the others."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from django.core.cache.backends.redis import RedisCache

from groundswell.content.models import ItemState
from groundswell.links.resolver import LinkResolver, SharedLinkCache, set_shared_cache
from groundswell.sharing.models import Share

pytestmark = pytest.mark.django_db

REDIS = "redis://127.0.0.1:6379/0"


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


requires_redis = pytest.mark.skipif(not _redis_up(), reason="Redis is not listening on 127.0.0.1:6379")


@pytest.fixture
def node() -> Iterator[Callable[[], LinkResolver]]:
    """``node()`` makes a web node: its own Redis client and resolver, one shared key prefix per test."""
    prefix = f"gs-test-{uuid.uuid4().hex[:8]}"

    def make() -> LinkResolver:
        return LinkResolver(ttl=0, disk=None, shared=SharedLinkCache(RedisCache(REDIS, {"KEY_PREFIX": prefix}), 60))

    # What invalidation on commit talks to (the process-wide shared cache), on the same Redis and prefix.
    previous = set_shared_cache(SharedLinkCache(RedisCache(REDIS, {"KEY_PREFIX": prefix}), 60))
    yield make
    set_shared_cache(previous)
    client = redis.Redis.from_url(REDIS)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@requires_redis
def test_a_second_node_answers_from_the_shared_cache(
    share: Share, node: Callable[[], LinkResolver], django_assert_num_queries: Any
) -> None:
    first, second = node(), node()
    link = first.resolve(share.code)
    assert link is not None
    with django_assert_num_queries(0):
        assert second.resolve(share.code) == link


@requires_redis
def test_an_item_url_edit_reaches_every_node(
    share: Share, node: Callable[[], LinkResolver], django_capture_on_commit_callbacks: Any
) -> None:
    first, second = node(), node()
    assert first.resolve(share.code) is not None
    item = share.item
    with django_capture_on_commit_callbacks(execute=True):
        item.url = "https://example.com/changed"
        item.save(update_fields=["url"])
    link = second.resolve(share.code)
    assert link is not None
    assert "example.com%2Fchanged" in link.location or "example.com/changed" in link.location


@requires_redis
def test_a_disabled_link_stops_on_every_node(
    share: Share, node: Callable[[], LinkResolver], django_capture_on_commit_callbacks: Any
) -> None:
    first, second = node(), node()
    link = first.resolve(share.code)
    assert link is not None and link.published
    with django_capture_on_commit_callbacks(execute=True):
        item = share.item
        item.state = ItemState.ARCHIVED
        item.save(update_fields=["state"])
    again = second.resolve(share.code)
    assert again is not None and not again.published


@requires_redis
def test_a_deleted_share_is_forgotten_everywhere(
    share: Share, node: Callable[[], LinkResolver], django_capture_on_commit_callbacks: Any
) -> None:
    first, second = node(), node()
    assert first.resolve(share.code) is not None
    with django_capture_on_commit_callbacks(execute=True):
        share.delete()
    assert second.resolve(share.code) is None


@requires_redis
def test_a_removed_workspace_is_forgotten_everywhere(
    share: Share, node: Callable[[], LinkResolver], django_capture_on_commit_callbacks: Any
) -> None:
    first, second = node(), node()
    assert first.resolve(share.code) is not None
    with django_capture_on_commit_callbacks(execute=True):
        share.workspace.delete()
    assert second.resolve(share.code) is None
