"""A brand post lands on the local Bluesky network: an admin connects the company account through the
stewards pages, the steward on shift writes a post, the outbox delivers it once."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import httpx
import pytest
from django.urls import reverse
from django.utils import timezone

from groundswell.conftest import client_for, make_member
from groundswell.networks.bluesky.client import POST_COLLECTION, BlueskyClient
from groundswell.networks.models import ConnectedAccount, PostStatus
from groundswell.networks.outbox import deliver_due
from groundswell.rewards.actions import ensure_default_rules
from groundswell.stewards import actions
from groundswell.stewards.models import BrandAccount, BrandPost
from groundswell.workspaces.models import Role, Workspace

from .network import BlueskyNetwork

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("bluesky"), pytest.mark.django_db]


def _app_password(pds: str, handle: str, password: str) -> str:
    session = httpx.post(
        f"{pds}/xrpc/com.atproto.server.createSession", json={"identifier": handle, "password": password}
    )
    session.raise_for_status()
    answer = httpx.post(
        f"{pds}/xrpc/com.atproto.server.createAppPassword",
        json={"name": "Groundswell brand"},
        headers={"Authorization": f"Bearer {session.json()['accessJwt']}"},
    )
    answer.raise_for_status()
    return str(answer.json()["password"])


def test_brand_post_lands_on_the_local_network_once(bluesky_network: BlueskyNetwork, settings: Any) -> None:
    pds = bluesky_network.pds_url
    settings.BLUESKY_SERVICE_URL = pds
    settings.UNFURL_ALLOW_PRIVATE_ADDRESSES = True  # the PDS is on loopback
    did, handle = bluesky_network.create_account(f"acme{secrets.token_hex(3)}", "company-main-password")
    password = _app_password(pds, handle, "company-main-password")

    workspace = Workspace.objects.create(name="Acme", slug="acme")
    ensure_default_rules(workspace)
    alice = make_member(workspace, "alice@acme.test", Role.ADMIN)
    bob = make_member(workspace, "bob@acme.test", Role.EMPLOYEE)

    resp = client_for(alice).post(
        reverse("stewards:connect_password", kwargs={"ws": "acme"}),
        {"network": "bluesky", "identifier": handle, "password": password, "service_url": pds},
    )
    assert resp.status_code == 302, resp.content.decode()[:800]
    account = ConnectedAccount.objects.get(remote_id=did)
    assert account.member is None
    brand = BrandAccount.objects.get(account=account)

    now = timezone.now()
    actions.assign_shift(
        brand=brand, steward=bob, starts_at=now - dt.timedelta(minutes=5), ends_at=now + dt.timedelta(hours=2), by=alice
    )
    text = f"Hello from the Acme team 👋 {secrets.token_hex(2)}"
    resp = client_for(bob).post(
        reverse("stewards:write", kwargs={"ws": "acme", "brand_id": brand.pk}),
        {"text": text, "link_url": "https://example.com/acme-news"},
    )
    assert resp.status_code == 302, resp.content.decode()[:800]
    outbound = BrandPost.objects.get().outbound
    assert outbound is not None

    deliver_due()
    outbound.refresh_from_db()
    assert outbound.status == PostStatus.SENT, list(outbound.log.values_list("message", flat=True))
    assert outbound.remote_id == f"at://{did}/{POST_COLLECTION}/{outbound.idempotency_key}"
    assert deliver_due(timezone.now() + dt.timedelta(hours=1)) == 0

    with httpx.Client(timeout=30) as http:
        client = BlueskyClient(pds, http)
        record = client.get_post(outbound.remote_id)
        assert record is not None
        assert record.value["text"] == f"{text}\n\nhttps://example.com/acme-news"
        assert record.value["embed"]["external"]["uri"] == "https://example.com/acme-news"
        mine = [r for r in client.list_records(did, POST_COLLECTION) if r.value.get("text", "").startswith(text)]
        assert len(mine) == 1
