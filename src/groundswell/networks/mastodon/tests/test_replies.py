"""Replies on Mastodon: the answered post's URL is resolved on the member's own instance, then the reply is
posted with ``in_reply_to_id`` (and found again by it before a retry)."""

from __future__ import annotations

import json

import pytest

from groundswell.networks.base import PermanentError, PostRequest, ReplyTarget
from groundswell.networks.mastodon.plugin import Client
from groundswell.networks.mastodon.tests.test_plugin import TOKENS, FakeMastodon, encryption_key, net

__all__ = ["encryption_key", "net"]  # fixtures shared with test_plugin

pytestmark = pytest.mark.django_db

KIM = "https://social.example/@kim/110000000000000001"
REQUEST = PostRequest(
    text="Hi Kim, the tent is waterproof to 3000 mm.",
    link=None,
    idempotency_key="job-reply-1",
    reply_to=ReplyTarget(uri="https://social.example/users/kim/statuses/110000000000000001", url=KIM),
)


def test_reply_resolves_the_post_on_the_members_instance_then_replies(net: FakeMastodon) -> None:
    net.on("GET", "/api/v2/search", {"accounts": [], "hashtags": [], "statuses": [{"id": "4242", "url": KIM}]})
    net.on("POST", "/api/v1/statuses", {"id": "5151", "url": "https://mastodon.social/@trwnh/5151"})
    remote = Client().publish(TOKENS, REQUEST)
    assert (remote.remote_id, remote.url) == ("5151", "https://mastodon.social/@trwnh/5151")
    (search,) = net.sent("GET", "/api/v2/search")
    assert search.url.host == "mastodon.social"
    assert dict(search.url.params) == {"q": KIM, "type": "statuses", "resolve": "true", "limit": "1"}
    assert search.headers["Authorization"] == f"Bearer {TOKENS.access_token}"
    (post,) = net.sent("POST", "/api/v1/statuses")
    assert json.loads(post.content) == {"status": REQUEST.text, "in_reply_to_id": "4242"}
    assert post.headers["Idempotency-Key"] == "job-reply-1"


def test_a_post_the_instance_cannot_find_is_refused_without_posting(net: FakeMastodon) -> None:
    net.on("GET", "/api/v2/search", {"accounts": [], "hashtags": [], "statuses": []})
    with pytest.raises(PermanentError, match="cannot find the post to answer"):
        Client().publish(TOKENS, REQUEST)
    assert net.sent("POST", "/api/v1/statuses") == []


def test_find_existing_finds_the_reply_by_the_post_it_answers(net: FakeMastodon) -> None:
    net.on("GET", "/api/v2/search", {"statuses": [{"id": "4242"}]})
    net.on(
        "GET",
        f"/api/v1/accounts/{TOKENS.remote_id}/statuses",
        [{"id": "1", "in_reply_to_id": None, "url": "u1"}, {"id": "5151", "in_reply_to_id": "4242", "url": "u2"}],
    )
    found = Client().find_existing(TOKENS, REQUEST)
    assert found is not None and (found.remote_id, found.url) == ("5151", "u2")
    (listing,) = net.sent("GET", f"/api/v1/accounts/{TOKENS.remote_id}/statuses")
    assert "exclude_replies" not in listing.url.params
