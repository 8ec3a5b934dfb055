"""Fixtures of the privacy tests: bob with real activity (a share with a caption, clicks, points, rollups),
a connected account on a fake network (with secret tokens) and a post waiting in the outbox."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import pytest
from django.utils import timezone

from groundswell.content.models import Item
from groundswell.links.ingest import ClickEvent, write_clicks
from groundswell.networks import accounts
from groundswell.networks.base import TokenSet
from groundswell.networks.models import ConnectedAccount, OutboundPost, PostStatus
from groundswell.networks.tests.test_accounts_fakes import (  # noqa: F401
    Calls,
    encryption_key_fixture,
    fake_networks_fixture,
)
from groundswell.sharing.actions import create_share
from groundswell.sharing.models import Share
from groundswell.workspaces.models import Membership

ACCESS_SECRET = "access-SECRET-do-not-export"
REFRESH_SECRET = "refresh-SECRET-do-not-export"
CAPTION = "Proud of our launch, BOB-CAPTION-91"


@dataclass
class Activity:
    share: Share
    account: ConnectedAccount
    pending: OutboundPost
    sent: OutboundPost


@pytest.fixture
def activity(bob: Membership, item: Item, fake_networks: Calls) -> Activity:
    share = create_share(member=bob, item=item, network="linkedin", caption=CAPTION)
    # Through the ingest: the first human click confirms the share link, which earns its points (ADR 0034).
    write_clicks(
        [
            ClickEvent(
                uid=str(uuid.uuid4()),
                code=share.code,
                clicked_at=timezone.now(),
                visitor_hash="VISITOR-HASH-abc123",
                user_agent="Mozilla/5.0",
            )
        ]
    )
    account = accounts.connect(
        bob,
        "fakeoauth",
        TokenSet(
            access_token=ACCESS_SECRET,
            refresh_token=REFRESH_SECRET,
            remote_id="user-42",
            handle="@bob",
            expires_at=timezone.now() + dt.timedelta(hours=2),
            scopes=["post.write", "post.read"],
        ),
    )
    now = timezone.now()

    def post(status: str, key: str) -> OutboundPost:
        s = Share.objects.create(workspace=bob.workspace, item=item, member=bob, network="fakeoauth", caption="p")
        made = OutboundPost.objects.create(
            workspace=bob.workspace,
            account=account,
            text=f"Post text {key}",
            idempotency_key=key,
            status=status,
            scheduled_at=now + dt.timedelta(hours=1),
            next_attempt_at=now + dt.timedelta(hours=1),
        )
        Share.objects.filter(pk=s.pk).update(outbound=made)
        return made

    return Activity(share, account, post(PostStatus.SCHEDULED, "k-pending"), post(PostStatus.SENT, "k-sent"))
