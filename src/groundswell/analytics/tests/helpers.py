"""Test data through the real write layer: shares via ``create_share``, clicks via ``write_clicks``."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from groundswell.conftest import make_member
from groundswell.content.models import Item, ItemKind, ItemState
from groundswell.links.ingest import ClickEvent, write_clicks
from groundswell.sharing.actions import create_share
from groundswell.sharing.models import Share
from groundswell.workspaces.models import Department, Membership, Workspace


def publish(workspace: Workspace, title: str, author: Membership | None = None) -> Item:
    return Item.objects.create(
        workspace=workspace,
        kind=ItemKind.URL,
        state=ItemState.PUBLISHED,
        url=f"https://example.com/{title.lower().replace(' ', '-')}",
        title=title,
        created_by=author,
        published_at=timezone.now(),
    )


def share_with_clicks(
    member: Membership,
    item: Item,
    clicks: int,
    *,
    network: str = "linkedin",
    bots: int = 0,
    when: dt.datetime | None = None,
) -> Share:
    when = when or timezone.now()
    share = create_share(member=member, item=item, network=network, caption="", now=when)
    events = [ClickEvent.new(code=share.code, clicked_at=when, visitor_hash=f"{share.code}-{i}") for i in range(clicks)]
    events += [
        ClickEvent.new(code=share.code, clicked_at=when, visitor_hash=f"bot-{i}", is_bot=True) for i in range(bots)
    ]
    write_clicks(events)
    return share


def grow(
    workspace: Workspace,
    item: Item,
    n: int,
    *,
    prefix: str = "extra",
    department: Department | None = None,
    clicks: int = 3,
) -> list[Membership]:
    """Add ``n`` members who each share ``item`` and earn ``clicks`` clicks (plus a bot click)."""
    members = []
    for i in range(n):
        m = make_member(workspace, f"{prefix}{i}@acme.test", department=department, audience_size=50 + i)
        share_with_clicks(m, item, clicks + i % 3, network=("linkedin", "x", "bluesky")[i % 3], bots=1)
        members.append(m)
    return members
