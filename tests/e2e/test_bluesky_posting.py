"""An employee connects a Bluesky account from the UI and schedules a share; the worker posts it on the
local Bluesky network (a real PDS and AppView on loopback), with the tracked link and its link card; a second
account likes and reposts it, and the engagement sync brings the counts back into rollups and points."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

import httpx
import pytest
from django.test import override_settings
from django.utils import timezone

from groundswell.analytics.models import MemberPeriod
from groundswell.content.models import Item
from groundswell.networks.bluesky.client import BlueskyClient
from groundswell.networks.models import ConnectedAccount, EngagementSnapshot, OutboundPost, PostStatus
from groundswell.networks.outbox import deliver_due
from groundswell.networks.sync import sync_engagement
from groundswell.rewards.actions import ensure_default_rules
from groundswell.rewards.models import PointsEntry
from groundswell.workspaces.models import Role, Workspace
from tests.e2e.test_core_loop import make_user, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("bluesky"),
    pytest.mark.django_db(transaction=True),
]


def app_password(pds: str, handle: str, password: str) -> str:
    """What a member does in Bluesky's settings: create an app password for Groundswell."""
    session = httpx.post(
        f"{pds}/xrpc/com.atproto.server.createSession", json={"identifier": handle, "password": password}
    )
    session.raise_for_status()
    answer = httpx.post(
        f"{pds}/xrpc/com.atproto.server.createAppPassword",
        json={"name": "Groundswell"},
        headers={"Authorization": f"Bearer {session.json()['accessJwt']}"},
    )
    answer.raise_for_status()
    return str(answer.json()["password"])


def test_connect_bluesky_and_schedule_a_post(browser: Any, live_server: Any, bluesky_network: Any) -> None:
    base = live_server.url
    pds = bluesky_network.pds_url
    suffix = secrets.token_hex(3)
    did, handle = bluesky_network.create_account(f"ann{suffix}", "main-password-never-shared")
    password = app_password(pds, handle, "main-password-never-shared")

    workspace = Workspace.objects.create(name="Acme", slug="acme")
    ensure_default_rules(workspace)
    make_user(workspace, "bob@acme.test", Role.EMPLOYEE)
    item = Item.objects.create(
        workspace=workspace,
        url=f"{base}/healthz?from=bsky",
        title="Our spring launch",
        description="What we built this winter",
        state="published",
        published_at=timezone.now(),
    )

    with override_settings(SITE_URL=base, BLUESKY_SERVICE_URL=pds):
        page = sign_in(browser, base, "bob@acme.test")

        # Connect: the member sees what is asked and why, then signs in with an app password.
        page.goto(f"{base}/w/acme/accounts/connect/")
        assert "app password" in page.locator("main").inner_text()
        page.get_by_role("link", name="Connect Bluesky").click()
        page.get_by_label("Your handle").fill(handle)
        page.get_by_role("textbox", name="App password").fill(password)
        page.get_by_label("Server (optional)").fill(pds)
        page.get_by_role("button", name="Connect Bluesky").click()
        page.wait_for_url(re.compile(r"/w/acme/accounts/$"))
        assert handle in page.locator("main").inner_text()
        account = ConnectedAccount.objects.get(member__user__email="bob@acme.test")
        assert account.remote_id == did and account.access_token  # decrypted for use, encrypted at rest

        # Schedule a post a few minutes from now.
        page.goto(f"{base}/w/acme/share/item/{item.pk}/")
        page.get_by_label("Bluesky").first.check()
        page.locator("textarea[name=caption]").fill("Proud of what my team shipped this winter.")
        when = (timezone.now() + dt.timedelta(minutes=5)).astimezone(dt.UTC)
        page.locator("input[name=scheduled_for]").fill(when.strftime("%Y-%m-%dT%H:%M"))
        page.get_by_role("button", name="Schedule", exact=True).click()
        page.wait_for_load_state()
        post = OutboundPost.objects.get()
        assert post.status == PostStatus.SCHEDULED
        assert "Scheduled" in page.locator("main").inner_text()

        # The worker's delivery run at that time posts it on the network.
        deliver_due(now=post.scheduled_at + dt.timedelta(seconds=1))
        post.refresh_from_db()
        assert post.status == PostStatus.SENT, list(post.log.values_list("message", flat=True))
        short_link = f"{base}/{post.share.code}"

        records = httpx.get(
            f"{pds}/xrpc/com.atproto.repo.listRecords", params={"repo": did, "collection": "app.bsky.feed.post"}
        ).json()["records"]
        assert len(records) == 1 and records[0]["uri"] == post.remote_id
        value = records[0]["value"]
        assert "Proud of what my team shipped" in value["text"] and short_link in value["text"]
        assert value["embed"]["external"]["uri"] == short_link
        assert value["embed"]["external"]["title"] == "Our spring launch"

        # It appears on the network: the AppView serves the post.
        def indexed() -> bool | None:
            answer = httpx.get(
                f"{bluesky_network.appview_url}/xrpc/app.bsky.feed.getPosts", params={"uris": post.remote_id}
            )
            return True if answer.status_code == 200 and answer.json().get("posts") else None

        bluesky_network.wait_until(indexed, timeout=30, what="the AppView to index the post")

        # A colleague's account likes and reposts it; the engagement sync brings the counts back.
        _, fan = bluesky_network.create_account(f"fan{suffix}", "fan-password-123")
        client = BlueskyClient(pds, httpx.Client(timeout=30))
        fan_session = client.create_session(fan, "fan-password-123")
        client.like(fan_session, post.remote_id, records[0]["cid"])
        client.repost(fan_session, post.remote_id, records[0]["cid"])

        def synced() -> EngagementSnapshot | None:
            sync_engagement(now=timezone.now())
            snapshot = EngagementSnapshot.objects.filter(post=post).order_by("-fetched_at").first()
            return snapshot if snapshot is not None and snapshot.likes + snapshot.reposts == 2 else None

        snapshot = bluesky_network.wait_until(synced, timeout=60, what="likes and reposts to sync back")
        assert (snapshot.likes, snapshot.reposts, snapshot.replies) == (1, 1, 0)
        month = MemberPeriod.objects.get(member__user__email="bob@acme.test", period="m")
        assert month.engagements == 2 and month.shares == 1
        assert PointsEntry.objects.filter(action="engagement").count() >= 1

        # The member sees it posted.
        page.goto(f"{base}/w/acme/posts/")
        assert "Posted" in page.locator("main").inner_text()
        page.context.close()
