"""The Bluesky client against a real local network (PLC + PDS + AppView from @atproto/dev-env)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import time
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image

from groundswell.networks.bluesky.client import BlueskyClient, LinkCard, Metrics, Session, new_tid
from groundswell.networks.bluesky.errors import AuthError, PermanentError

from .network import BlueskyNetwork

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("bluesky")]

PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def client(bluesky_network: BlueskyNetwork, http: httpx.Client) -> BlueskyClient:
    return BlueskyClient(bluesky_network.pds_url, http, appview_url=bluesky_network.appview_url)


@pytest.fixture(scope="module")
def accounts(bluesky_network: BlueskyNetwork, client: BlueskyClient) -> tuple[Session, Session]:
    suffix = new_tid()[-6:]
    a_did, a_handle = bluesky_network.create_account(f"ann{suffix}", PASSWORD)
    b_did, b_handle = bluesky_network.create_account(f"bob{suffix}", PASSWORD)
    a = client.create_session(a_handle, PASSWORD)
    b = client.create_session(b_did, PASSWORD)
    assert (a.did, a.handle) == (a_did, a_handle)
    assert (b.did, b.handle) == (b_did, b_handle)
    return a, b


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_post_with_link_card_then_likes_and_reposts_are_counted(
    bluesky_network: BlueskyNetwork, client: BlueskyClient, accounts: tuple[Session, Session]
) -> None:
    a, b = accounts
    thumb = client.upload_blob(a, _png(), "image/png")
    assert thumb.mime_type == "image/png" and thumb.size > 0
    text = "Grüße aus Zürich 👋 — read https://example.com/über-uns?x=1 today!"
    card = LinkCard("https://example.com/über-uns?x=1", "Über uns", "Who we are", thumb)
    uri, cid = client.create_post(a, text, card, rkey=new_tid())

    record = client.get_post(uri)
    assert record is not None and record.cid == cid and record.uri == uri
    assert record.value["text"] == text
    [facet] = record.value["facets"]
    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
    assert text.encode()[start:end].decode() == "https://example.com/über-uns?x=1"
    assert facet["features"] == [{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/über-uns?x=1"}]
    embed = record.value["embed"]
    assert embed["$type"] == "app.bsky.embed.external"
    assert embed["external"]["uri"] == card.uri
    assert embed["external"]["title"] == "Über uns"
    assert embed["external"]["description"] == "Who we are"
    assert embed["external"]["thumb"]["ref"] == thumb.raw["ref"]

    client.like(b, uri, cid)
    client.repost(b, uri, cid)

    def counted() -> Metrics | None:
        metrics = client.get_metrics([uri]).get(uri)
        return metrics if metrics and metrics.likes == 1 and metrics.reposts == 1 else None

    metrics = bluesky_network.wait_until(counted, timeout=30, what="likes and reposts indexed")
    assert metrics == Metrics(likes=1, reposts=1, replies=0, quotes=0)

    # The same through the PDS (which proxies app.bsky.* to its AppView), with a session.
    via_pds = BlueskyClient(bluesky_network.pds_url, client.http)
    assert via_pds.get_metrics([uri, uri], session=b) == {uri: metrics}


def test_retry_with_the_same_rkey_does_not_duplicate(client: BlueskyClient, accounts: tuple[Session, Session]) -> None:
    a, _ = accounts
    rkey = new_tid()
    first = client.create_post(a, "Only once https://example.com/once", rkey=rkey)
    again = client.create_post(a, "Only once https://example.com/once", rkey=rkey)
    assert again == first
    assert first[0].endswith(f"/app.bsky.feed.post/{rkey}")
    posts = [r for r in client.list_records(a.did, "app.bsky.feed.post") if r.uri.endswith(rkey)]
    assert len(posts) == 1
    with pytest.raises(PermanentError):
        client.create_post(a, "Something else", rkey=rkey)


def test_get_post_of_a_missing_record_is_none(client: BlueskyClient, accounts: tuple[Session, Session]) -> None:
    a, _ = accounts
    assert client.get_post(f"at://{a.did}/app.bsky.feed.post/{new_tid()}") is None


def _expired_copy(token: str, secret: str) -> str:
    """The same access token with its expiry in the past, signed with the dev PDS's JWT secret."""
    header, payload, _ = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["iat"] = int(time.time()) - 7200
    claims["exp"] = int(time.time()) - 3600
    body = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()).rstrip(b"=").decode()
    signature = hmac.new(secret.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def test_expired_and_invalid_tokens_raise_auth_error(
    bluesky_network: BlueskyNetwork, client: BlueskyClient, accounts: tuple[Session, Session]
) -> None:
    a, _ = accounts
    expired = Session(a.did, a.handle, _expired_copy(a.access_jwt, bluesky_network.info["jwt_secret"]), a.refresh_jwt)
    with pytest.raises(AuthError) as info:
        client.create_post(expired, "never posted", rkey=new_tid())
    assert info.value.code == "ExpiredToken"

    garbage = Session(a.did, a.handle, "not-a-jwt", a.refresh_jwt)
    with pytest.raises(AuthError):
        client.create_post(garbage, "never posted", rkey=new_tid())
    with pytest.raises(AuthError):
        client.refresh_session("not-a-jwt")
    with pytest.raises(AuthError):
        client.create_session(a.handle, "wrong password")


def test_refresh_then_delete_session_revokes_it(bluesky_network: BlueskyNetwork, client: BlueskyClient) -> None:
    did, handle = bluesky_network.create_account(f"cat{new_tid()[-6:]}", PASSWORD)
    session = client.create_session(handle, PASSWORD)
    refreshed = client.refresh_session(session)
    assert refreshed.did == did and refreshed.refresh_jwt != session.refresh_jwt
    client.create_post(refreshed, "still works", rkey=new_tid())

    client.delete_session(refreshed)
    with pytest.raises(AuthError):
        client.refresh_session(refreshed)
