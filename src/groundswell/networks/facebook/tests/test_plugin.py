"""The Facebook plug-in against request/response fixtures shaped as in the Graph API (Pages) documentation."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from django.test import override_settings

from groundswell.networks.base import AuthError, LinkCard, PermanentError, PostRequest, TokenSet, TransientError
from groundswell.networks.facebook.plugin import Client
from groundswell.networks.http import use_transport

FIXTURES = Path(__file__).parent / "fixtures"
GRAPH = "https://graph.facebook.test/v21.0"
REDIRECT = "https://gs.example/connect/facebook/callback"
LINK = "https://gs.example/s/Ab3dE"
POST_ID = "1234567890_987654321"
TOKENS = TokenSet(access_token="EAAGm0PX4ZCpsBAPageTokenFieldNotes", remote_id="1234567890", handle="Acme Field Notes")
REQUEST = PostRequest(
    text=f"Our new field guide is out {LINK}", link=LinkCard(url=LINK, title="The field guide"), idempotency_key="job-1"
)


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def proof(token: str) -> str:
    return hmac.new(b"app-s3cret", token.encode(), hashlib.sha256).hexdigest()


class FakeGraph:
    """Answers requests by (method, path) from queued answers and records every request."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], list[Any]] = {}
        self.requests: list[httpx.Request] = []

    def on(self, method: str, path: str, *answers: Any) -> None:
        self.answers.setdefault((method, f"/v21.0{path}"), []).extend(answers)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert request.url.host == "graph.facebook.test"
        queue = self.answers.get((request.method, request.url.path))
        if not queue:
            body = {"error": {"message": "Unsupported get request.", "type": "GraphMethodException", "code": 100}}
            return httpx.Response(400, json=body)
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, type) and issubclass(answer, httpx.TransportError):
            raise answer("injected", request=request)
        status, body, headers = answer if isinstance(answer, tuple) else (200, answer, {})
        return httpx.Response(status, json=body, headers=headers)

    def sent(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == f"/v21.0{path}"]


@pytest.fixture
def net() -> Iterator[FakeGraph]:
    fake = FakeGraph()
    with (
        override_settings(FACEBOOK_GRAPH_URL=GRAPH, FACEBOOK_APP_ID="app-1d", FACEBOOK_APP_SECRET="app-s3cret"),
        use_transport(httpx.MockTransport(fake.handler)),
    ):
        yield fake


def assert_page_auth(request: httpx.Request) -> None:
    assert request.headers["Authorization"] == f"Bearer {TOKENS.access_token}"
    assert request.url.params["appsecret_proof"] == proof(TOKENS.access_token)


# --- connecting ----------------------------------------------------------------------------------
def test_authorization_url(net: FakeGraph) -> None:
    url = httpx.URL(Client().authorization_url(redirect_uri=REDIRECT, state="st4te", code_challenge="E9Melhoa2Ow"))
    assert (url.host, url.path) == ("www.facebook.com", "/v21.0/dialog/oauth")
    assert dict(url.params) == {
        "client_id": "app-1d",
        "redirect_uri": REDIRECT,
        "state": "st4te",
        "response_type": "code",
        "scope": "pages_show_list,pages_manage_posts,pages_read_engagement,read_insights",
        "code_challenge": "E9Melhoa2Ow",
        "code_challenge_method": "S256",
    }


USER_TOKEN = TokenSet(access_token="EAAGm0PX4ZCpsBALongLivedUserToken", remote_id="me", handle="")


def test_exchange_code_gives_the_long_lived_user_token(net: FakeGraph) -> None:
    net.on("GET", "/oauth/access_token", fixture("short_token.json"), fixture("long_token.json"))
    tokens = Client().exchange_code(code="c0de", redirect_uri=REDIRECT, code_verifier="v3rifier")
    assert tokens.access_token == "EAAGm0PX4ZCpsBALongLivedUserToken"  # the Page is picked next
    assert tokens.remote_id == "me"
    assert tokens.refresh_token == "" and tokens.expires_at is None  # page tokens from long-lived tokens last
    short, long_lived = net.sent("GET", "/oauth/access_token")
    assert dict(short.url.params) == {
        "client_id": "app-1d",
        "client_secret": "app-s3cret",
        "redirect_uri": REDIRECT,
        "code": "c0de",
        "code_verifier": "v3rifier",
    }
    assert dict(long_lived.url.params) == {
        "client_id": "app-1d",
        "client_secret": "app-s3cret",
        "grant_type": "fb_exchange_token",
        "fb_exchange_token": "EAAGm0PX4ZCpsBAShortLivedUserToken",
    }
    assert net.sent("GET", "/me/accounts") == []


def test_identities_are_the_pages_the_person_can_post_to(net: FakeGraph) -> None:
    net.on("GET", "/me/accounts", fixture("accounts.json"))
    pages = Client().identities(USER_TOKEN)
    assert pages is not None
    # The analyst-only Page is left out: Groundswell could not post there.
    assert [(p.remote_id, p.name, p.access_token) for p in pages] == [
        ("1234567890", "Acme Field Notes", "EAAGm0PX4ZCpsBAPageTokenFieldNotes"),
        ("2222222222", "Acme Careers", "EAAGm0PX4ZCpsBAPageTokenCareers"),
    ]
    (accounts,) = net.sent("GET", "/me/accounts")
    assert accounts.headers["Authorization"] == "Bearer EAAGm0PX4ZCpsBALongLivedUserToken"
    assert accounts.url.params["appsecret_proof"] == proof("EAAGm0PX4ZCpsBALongLivedUserToken")
    assert accounts.url.params["fields"] == "id,name,access_token,tasks"
    chosen = Client().as_identity(USER_TOKEN, pages[1])
    assert (chosen.remote_id, chosen.handle, chosen.access_token) == (
        "2222222222",
        "Acme Careers",
        "EAAGm0PX4ZCpsBAPageTokenCareers",
    )


def test_identities_without_a_page(net: FakeGraph) -> None:
    net.on("GET", "/me/accounts", {"data": [fixture("accounts.json")["data"][0]]})  # analyst only
    with pytest.raises(PermanentError, match="Page"):
        Client().identities(USER_TOKEN)


def test_refresh_and_revoke_are_not_offered() -> None:
    assert Client.can_revoke is False
    with pytest.raises(AuthError):
        Client().refresh(TOKENS)


# --- posting -------------------------------------------------------------------------------------
def test_publish_to_the_page_feed_with_the_link(net: FakeGraph) -> None:
    net.on("POST", "/1234567890/feed", fixture("feed_post.json"))
    post = Client().publish(TOKENS, REQUEST)
    assert post.remote_id == POST_ID
    assert post.url == f"https://www.facebook.com/{POST_ID}"
    (sent,) = net.requests
    assert_page_auth(sent)
    assert parse_qs(sent.content.decode()) == {"message": [REQUEST.text], "link": [LINK]}


def test_metrics(net: FakeGraph) -> None:
    net.on("GET", f"/{POST_ID}", fixture("post_engagement.json"))
    net.on("GET", f"/{POST_ID}/insights", fixture("insights.json"))
    result = Client().metrics(TOKENS, [POST_ID, "1234567890_1"])  # the second was deleted: skipped
    assert set(result) == {POST_ID}
    metrics = result[POST_ID]
    assert (metrics.likes, metrics.reposts, metrics.replies, metrics.impressions) == (21, 3, 7, 1520)
    (fields,) = net.sent("GET", f"/{POST_ID}")
    assert fields.url.params["fields"] == "likes.summary(true),comments.summary(true),shares"
    assert_page_auth(fields)
    (insights,) = net.sent("GET", f"/{POST_ID}/insights")
    assert insights.url.params["metric"] == "post_impressions"


def test_metrics_without_insights_or_shares(net: FakeGraph) -> None:
    body = fixture("post_engagement.json")
    del body["shares"]  # absent when nobody shared the post
    net.on("GET", f"/{POST_ID}", body)
    metrics = Client().metrics(TOKENS, [POST_ID])[POST_ID]  # insights answer with error 100: no impressions
    assert (metrics.reposts, metrics.impressions) == (0, None)


def test_find_existing_matches_the_link_in_the_message(net: FakeGraph) -> None:
    net.on("GET", "/1234567890/posts", fixture("page_posts.json"))
    found = Client().find_existing(TOKENS, REQUEST)
    assert found is not None
    assert (found.remote_id, found.url) == (POST_ID, "https://www.facebook.com/1234567890/posts/987654321")
    other = PostRequest(text="x", link=LinkCard(url="https://gs.example/s/NOPE1"), idempotency_key="k2")
    assert Client().find_existing(TOKENS, other) is None


# --- faults --------------------------------------------------------------------------------------
def test_connect_timeout_means_not_accepted(net: FakeGraph) -> None:
    net.on("POST", "/1234567890/feed", httpx.ConnectTimeout)
    with pytest.raises(TransientError) as caught:
        Client().publish(TOKENS, REQUEST)
    assert caught.value.accepted is False


def test_read_timeout_after_acceptance_then_found_without_a_duplicate(net: FakeGraph) -> None:
    net.on("POST", "/1234567890/feed", httpx.ReadTimeout)
    net.on("GET", "/1234567890/posts", fixture("page_posts.json"))
    client = Client()
    with pytest.raises(TransientError) as caught:
        client.publish(TOKENS, REQUEST)
    assert caught.value.accepted is True
    found = client.find_existing(TOKENS, REQUEST)
    assert found is not None and found.remote_id == POST_ID
    assert len(net.sent("POST", "/1234567890/feed")) == 1


def test_rate_limited_with_retry_after(net: FakeGraph) -> None:
    body = {"error": {"message": "Too many calls", "type": "OAuthException", "code": 4, "fbtrace_id": "Ab1"}}
    net.on("POST", "/1234567890/feed", (429, body, {"Retry-After": "60"}))
    with pytest.raises(TransientError) as caught:
        Client().publish(TOKENS, REQUEST)
    assert caught.value.retry_after == 60.0


def test_page_throttling_code_is_transient(net: FakeGraph) -> None:
    body = {
        "error": {
            "message": "(#32) Page request limit reached",
            "type": "OAuthException",
            "code": 32,
            "fbtrace_id": "Ab2",
        }
    }
    net.on("POST", "/1234567890/feed", (400, body, {}))
    with pytest.raises(TransientError, match="Page request limit"):
        Client().publish(TOKENS, REQUEST)


def test_server_error_is_transient(net: FakeGraph) -> None:
    body = {
        "error": {
            "message": "An unexpected error has occurred.",
            "type": "OAuthException",
            "code": 2,
            "is_transient": True,
        }
    }
    net.on("POST", "/1234567890/feed", (500, body, {}))
    with pytest.raises(TransientError):
        Client().publish(TOKENS, REQUEST)


def test_expired_token_is_an_auth_error(net: FakeGraph) -> None:
    net.on("POST", "/1234567890/feed", (400, fixture("expired_token.json"), {}))  # Graph answers 400, code 190
    with pytest.raises(AuthError, match="Session has expired"):
        Client().publish(TOKENS, REQUEST)


def test_401_is_an_auth_error(net: FakeGraph) -> None:
    net.on("POST", "/1234567890/feed", (401, fixture("expired_token.json"), {}))
    with pytest.raises(AuthError):
        Client().publish(TOKENS, REQUEST)


def test_duplicate_is_permanent_with_the_message(net: FakeGraph) -> None:
    body = {
        "error": {
            "message": "(#506) Duplicate status message",
            "type": "OAuthException",
            "code": 506,
            "fbtrace_id": "Ab3",
        }
    }
    net.on("POST", "/1234567890/feed", (400, body, {}))
    net.on("GET", "/1234567890/posts", {"data": []})  # not one of ours: the member posted the same text
    with pytest.raises(PermanentError, match="Duplicate status message"):
        Client().publish(TOKENS, REQUEST)


def test_a_duplicate_refusal_after_a_lost_answer_returns_the_existing_post(net: FakeGraph) -> None:
    body = {"error": {"message": "(#506) Duplicate status message", "type": "OAuthException", "code": 506}}
    net.on("POST", "/1234567890/feed", (400, body, {}))
    net.on("GET", "/1234567890/posts", fixture("page_posts.json"))
    assert Client().publish(TOKENS, REQUEST).remote_id == POST_ID
