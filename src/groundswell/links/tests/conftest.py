"""Every links test gets its own click buffer (no background thread) and resolver (own disk cache)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone

from groundswell.content.models import Item, ItemKind, ItemState
from groundswell.links.buffer import ClickBuffer, set_buffer
from groundswell.links.resolver import DiskLinkCache, LinkResolver, set_resolver
from groundswell.sharing.actions import create_share
from groundswell.sharing.models import Share
from groundswell.workspaces.models import Membership

BROWSER = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"
)
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


@pytest.fixture
def spool_dir(tmp_path: Path) -> Path:
    return tmp_path / "spool"


@pytest.fixture(autouse=True)
def click_buffer(spool_dir: Path) -> Iterator[ClickBuffer]:
    buffer = ClickBuffer(spool_dir=spool_dir, interval=0.05, batch_size=1000, autostart=False)
    previous = set_buffer(buffer)
    yield buffer
    buffer._stopping.set()
    buffer._wake.set()
    set_buffer(previous)


@pytest.fixture
def disk_cache(tmp_path: Path) -> Iterator[DiskLinkCache]:
    cache = DiskLinkCache(tmp_path / "link-cache.sqlite3")
    yield cache
    cache.close()


@pytest.fixture(autouse=True)
def link_resolver(disk_cache: DiskLinkCache) -> Iterator[LinkResolver]:
    resolver = LinkResolver(ttl=0, disk=disk_cache)
    previous = set_resolver(resolver)
    yield resolver
    set_resolver(previous)


@pytest.fixture
def share(bob: Membership, item: Item) -> Share:
    return create_share(member=bob, item=item, network="linkedin", caption="Proud of this")


@pytest.fixture
def text_share(bob: Membership, alice: Membership) -> Share:
    text = Item.objects.create(
        workspace=bob.workspace,
        kind=ItemKind.TEXT,
        state=ItemState.PUBLISHED,
        body="Ten years of Acme!\nThank you all.",
        created_by=alice,
        published_at=timezone.now(),
    )
    return create_share(member=bob, item=text, network="x", caption="")
