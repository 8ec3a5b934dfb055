"""The X plug-in against request/response fixtures shaped as in the X API v2 documentation."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from django.test import override_settings

from groundswell.networks.base import AuthError, LinkCard, PermanentError, PostRequest, TokenSet, TransientError
from groundswell.networks.http import use_transport
from groundswell.networks.x.plugin import Client

FIXTURES = Path(__file__).parent / "fixtures"
API = "https://api.x.test"
REDIRECT = "https://gs.example/connect/x/callback"
LINK = "https://gs.example/s/Ab3dE"
TOKENS = TokenSet(
    access_token="VGNibzFWSWREZm01bjN1N3dicWlNUG1oa2xRRVNNdmVHelJGY2hPWGxNd2dxOjE2MjIxNjA4NDU1MTU6MToxOmF0OjE",
    refresh_token="bWRWa3gzdnk3WHRGU1o0bmRRcTJ5VUxWX1lZTDdJSUtmaWcxbTVxdEFXcW5tOjE2MjIxNDc3NDM5MTQ6MToxOnJ0OjE",
    remote_id="2244994945",
    handle="@XDevelopers",
    scopes=["tweet.write", "tweet.read", "users.read", "offline.access"],
)
REQUEST = PostRequest(
    text=f"Our new field guide is out {LINK}", link=LinkCard(url=LINK, title="The field guide"), idempotency_key="job-1"
)


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


class FakeX:
    """Answers requests by (method, path) from queued answers and records every request."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], list[Any]] = {}
        self.requests: list[httpx.Request] = []

    def on(self, method: str, path: str, *answers: Any) -> None:
        self.answers.setdefault((method, path), []).extend(answers)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert request.url.host == "api.x.test"
        queue = self.answers.get((request.method, request.url.path))
        if not queue:
            return httpx.Response(404, json={"title": "Not Found Error", "detail": "Not found", "status": 404})
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, type) and issubclass(answer, httpx.TransportError):
            raise answer("injected", request=request)
        status, body, headers = answer if isinstance(answer, tuple) else (200, answer, {})
        return httpx.Response(status, json=body, headers=headers)

    def sent(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == path]


@pytest.fixture
def net() -> Iterator[FakeX]:
    fake = FakeX()
    with (
        override_settings(X_API_URL=API, X_CLIENT_ID="cl1ent", X_CLIENT_SECRET="s3cret"),
        use_transport(httpx.MockTransport(fake.handler)),
    ):
        yield fake


def assert_client_auth(request: httpx.Request) -> None:
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"cl1ent:s3cret").decode()


# --- connecting ----------------------------------------------------------------------------------
def test_authorization_url(net: FakeX) -> None:
    url = httpx.URL(Client().authorization_url(redirect_uri=REDIRECT, state="st4te", code_challenge="E9Melhoa2Ow"))
    assert (url.host, url.path) == ("x.com", "/i/oauth2/authorize")
    assert dict(url.params) == {
        "response_type": "code",
        "client_id": "cl1ent",
        "redirect_uri": REDIRECT,
        "scope": "tweet.write tweet.read users.read offline.access",
        "state": "st4te",
        "code_challenge": "E9Melhoa2Ow",
        "code_challenge_method": "S256",
    }
    assert net.requests == []


def test_exchange_code_fetches_the_user(net: FakeX) -> None:
    net.on("POST", "/2/oauth2/token", fixture("token.json"))
    net.on("GET", "/2/users/me", fixture("users_me.json"))
    before = dt.datetime.now(dt.UTC)
    tokens = Client().exchange_code(code="c0de", redirect_uri=REDIRECT, code_verifier="v3rifier")
    assert tokens.access_token == fixture("token.json")["access_token"]
    assert tokens.refresh_token == fixture("token.json")["refresh_token"]
    assert (tokens.remote_id, tokens.handle) == ("2244994945", "@XDevelopers")
    assert tokens.expires_at is not None and tokens.expires_at >= before + dt.timedelta(seconds=7200)
    assert tokens.scopes == ["tweet.write", "tweet.read", "users.read", "offline.access"]
    (token_request,) = net.sent("POST", "/2/oauth2/token")
    assert_client_auth(token_request)
    assert form(token_request) == {
        "grant_type": "authorization_code",
        "code": "c0de",
        "redirect_uri": REDIRECT,
        "code_verifier": "v3rifier",
        "client_id": "cl1ent",
    }
    (me,) = net.sent("GET", "/2/users/me")
    assert me.headers["Authorization"] == f"Bearer {tokens.access_token}"


def test_refresh_rotates_the_refresh_token(net: FakeX) -> None:
    net.on("POST", "/2/oauth2/token", fixture("refreshed.json"))
    fresh = Client().refresh(TOKENS)
    assert fresh.access_token == fixture("refreshed.json")["access_token"]
    assert fresh.refresh_token == fixture("refreshed.json")["refresh_token"]
    assert (fresh.remote_id, fresh.handle) == (TOKENS.remote_id, TOKENS.handle)
    (sent,) = net.requests
    assert_client_auth(sent)
    assert form(sent) == {"grant_type": "refresh_token", "refresh_token": TOKENS.refresh_token, "client_id": "cl1ent"}


def test_refresh_with_a_spent_refresh_token_is_an_auth_error(net: FakeX) -> None:
    body = {"error": "invalid_request", "error_description": "Value passed for the token was invalid."}
    net.on("POST", "/2/oauth2/token", (400, body, {}))
    with pytest.raises(AuthError, match="token was invalid"):
        Client().refresh(TOKENS)


def test_revoke_revokes_both_tokens(net: FakeX) -> None:
    net.on("POST", "/2/oauth2/revoke", fixture("revoke.json"))
    Client().revoke(TOKENS)
    sent = net.sent("POST", "/2/oauth2/revoke")
    assert [form(r) for r in sent] == [
        {"token": TOKENS.refresh_token, "token_type_hint": "refresh_token", "client_id": "cl1ent"},
        {"token": TOKENS.access_token, "token_type_hint": "access_token", "client_id": "cl1ent"},
    ]
    for request in sent:
        assert_client_auth(request)


# --- posting -------------------------------------------------------------------------------------
def test_publish_with_the_link_in_the_text(net: FakeX) -> None:
    net.on("POST", "/2/tweets", (201, fixture("create_tweet.json"), {}))
    post = Client().publish(TOKENS, REQUEST)
    assert post.remote_id == "1445880548472328192"
    assert post.url == "https://x.com/XDevelopers/status/1445880548472328192"
    (sent,) = net.sent("POST", "/2/tweets")
    assert sent.headers["Authorization"] == f"Bearer {TOKENS.access_token}"
    assert sent.headers["Content-Type"] == "application/json"
    assert json.loads(sent.content) == {"text": REQUEST.text}


def test_publish_appends_a_missing_link(net: FakeX) -> None:
    net.on("POST", "/2/tweets", (201, fixture("create_tweet.json"), {}))
    Client().publish(TOKENS, PostRequest(text="Read this", link=LinkCard(url=LINK), idempotency_key="k"))
    assert json.loads(net.requests[0].content) == {"text": f"Read this\n\n{LINK}"}


def test_metrics(net: FakeX) -> None:
    net.on("GET", "/2/tweets", fixture("tweets_metrics.json"))
    result = Client().metrics(TOKENS, ["1445880548472328192", "1460323737035677698"])
    assert set(result) == {"1445880548472328192"}  # the deleted one came back under "errors"
    metrics = result["1445880548472328192"]
    assert (metrics.likes, metrics.reposts, metrics.replies, metrics.impressions) == (17, 5, 2, 912)
    (sent,) = net.requests
    assert sent.url.params["ids"] == "1445880548472328192,1460323737035677698"
    assert sent.url.params["tweet.fields"] == "public_metrics"


def test_metrics_prefers_non_public_impressions(net: FakeX) -> None:
    body = fixture("tweets_metrics.json")
    body["data"][0]["non_public_metrics"] = {"impression_count": 1000, "url_link_clicks": 12}
    net.on("GET", "/2/tweets", body)
    assert Client().metrics(TOKENS, ["1445880548472328192"])["1445880548472328192"].impressions == 1000


def test_find_existing_matches_the_expanded_link(net: FakeX) -> None:
    net.on("GET", "/2/users/2244994945/tweets", fixture("user_tweets.json"))
    found = Client().find_existing(TOKENS, REQUEST)
    assert found is not None and found.remote_id == "1445880548472328192"
    (sent,) = net.requests
    assert sent.url.params["tweet.fields"] == "entities"
    other = PostRequest(text="x", link=LinkCard(url="https://gs.example/s/NOPE1"), idempotency_key="k2")
    assert Client().find_existing(TOKENS, other) is None


# --- faults --------------------------------------------------------------------------------------
def test_connect_timeout_means_not_accepted(net: FakeX) -> None:
    net.on("POST", "/2/tweets", httpx.ConnectTimeout)
    with pytest.raises(TransientError) as caught:
        Client().publish(TOKENS, REQUEST)
    assert caught.value.accepted is False


def test_read_timeout_after_acceptance_then_found_without_a_duplicate(net: FakeX) -> None:
    net.on("POST", "/2/tweets", httpx.ReadTimeout)
    net.on("GET", "/2/users/2244994945/tweets", fixture("user_tweets.json"))
    client = Client()
    with pytest.raises(TransientError) as caught:
        client.publish(TOKENS, REQUEST)
    assert caught.value.accepted is True
    found = client.find_existing(TOKENS, REQUEST)
    assert found is not None and found.remote_id == "1445880548472328192"
    assert len(net.sent("POST", "/2/tweets")) == 1


def test_rate_limited_with_the_reset_header(net: FakeX) -> None:
    reset = str(int(time.time()) + 120)
    headers = {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0", "x-rate-limit-reset": reset}
    net.on(
        "POST",
        "/2/tweets",
        (429, {"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429}, headers),
    )
    with pytest.raises(TransientError) as caught:
        Client().publish(TOKENS, REQUEST)
    assert caught.value.retry_after is not None and 100 <= caught.value.retry_after <= 120


def test_rate_limited_with_retry_after(net: FakeX) -> None:
    net.on("POST", "/2/tweets", (429, {"title": "Too Many Requests", "status": 429}, {"Retry-After": "30"}))
    with pytest.raises(TransientError) as caught:
        Client().publish(TOKENS, REQUEST)
    assert caught.value.retry_after == 30.0


def test_server_error_is_transient(net: FakeX) -> None:
    net.on("POST", "/2/tweets", (503, {"title": "Service Unavailable", "status": 503}, {}))
    with pytest.raises(TransientError):
        Client().publish(TOKENS, REQUEST)


def test_expired_token_is_an_auth_error(net: FakeX) -> None:
    body = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
    net.on("POST", "/2/tweets", (401, body, {}))
    with pytest.raises(AuthError):
        Client().publish(TOKENS, REQUEST)


def test_duplicate_is_permanent_with_the_message(net: FakeX) -> None:
    body = {
        "detail": "You are not allowed to create a Tweet with duplicate content.",
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
    }
    net.on("POST", "/2/tweets", (403, body, {}))
    net.on("GET", "/2/users/2244994945/tweets", {"meta": {"result_count": 0}})
    with pytest.raises(PermanentError, match="duplicate content"):
        Client().publish(TOKENS, REQUEST)


def test_a_public_client_sends_only_its_client_id(net: FakeX) -> None:
    net.on("POST", "/2/oauth2/token", fixture("token.json"))
    net.on("GET", "/2/users/me", fixture("users_me.json"))
    with override_settings(X_CLIENT_SECRET=""):
        Client().exchange_code(code="c0de", redirect_uri=REDIRECT, code_verifier="v3rifier")
    (token_request,) = net.sent("POST", "/2/oauth2/token")
    assert "Authorization" not in token_request.headers
    assert form(token_request)["client_id"] == "cl1ent"


def test_a_longer_link_with_the_same_start_is_not_ours(net: FakeX) -> None:
    body = fixture("user_tweets.json")
    body["data"][0]["entities"]["urls"][0]["expanded_url"] = LINK + "x9"
    body["data"][0]["text"] = f"Our new field guide is out {LINK}x9"
    net.on("GET", "/2/users/2244994945/tweets", body)
    assert Client().find_existing(TOKENS, REQUEST) is None


def test_a_duplicate_refusal_after_a_lost_answer_returns_the_existing_post(net: FakeX) -> None:
    body = {
        "detail": "You are not allowed to create a Tweet with duplicate content.",
        "title": "Forbidden",
        "status": 403,
    }
    net.on("POST", "/2/tweets", (403, body, {}))
    net.on("GET", "/2/users/2244994945/tweets", fixture("user_tweets.json"))
    assert Client().publish(TOKENS, REQUEST).remote_id == "1445880548472328192"
