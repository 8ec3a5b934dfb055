"""The Mastodon plug-in against request/response fixtures shaped as in docs.joinmastodon.org."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from groundswell.networks import crypto
from groundswell.networks.base import AuthError, LinkCard, PermanentError, PostRequest, TokenSet, TransientError
from groundswell.networks.http import use_transport
from groundswell.networks.mastodon.plugin import Client
from groundswell.networks.models import MastodonApp

FIXTURES = Path(__file__).parent / "fixtures"
REDIRECT = "https://gs.example/connect/mastodon/callback"
LINK = "https://gs.example/s/Ab3dE"
TOKENS = TokenSet(
    access_token="ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0",
    remote_id="14715",
    handle="@trwnh@mastodon.social",
    service_url="https://mastodon.social",
)
REQUEST = PostRequest(
    text=f"Our new field guide is out {LINK}",
    link=LinkCard(url=LINK, title="The field guide", description="Everything we learned in the field."),
    idempotency_key="job-7f3c2a",
)

pytestmark = pytest.mark.django_db


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


class FakeMastodon:
    """Answers requests by (method, path) from queued answers and records every request."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], list[Any]] = {}
        self.requests: list[httpx.Request] = []

    def on(self, method: str, path: str, *answers: Any) -> None:
        self.answers.setdefault((method, path), []).extend(answers)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        queue = self.answers.get((request.method, request.url.path))
        if not queue:
            return httpx.Response(404, json={"error": "Record not found"})
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, type) and issubclass(answer, httpx.TransportError):
            raise answer("injected", request=request)
        status, body, headers = answer if isinstance(answer, tuple) else (200, answer, {})
        return httpx.Response(status, json=body, headers=headers)

    def sent(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == path]


@pytest.fixture(autouse=True)
def encryption_key() -> Iterator[None]:
    with override_settings(ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        crypto.reset_keys()
        yield
    crypto.reset_keys()


@pytest.fixture
def net() -> Iterator[FakeMastodon]:
    fake = FakeMastodon()
    with use_transport(httpx.MockTransport(fake.handler)):
        yield fake


def registered() -> MastodonApp:
    app = fixture("app.json")
    return MastodonApp.objects.create(
        instance="mastodon.social", client_id=app["client_id"], client_secret=app["client_secret"]
    )


# --- connecting ----------------------------------------------------------------------------------
def test_authorization_url_registers_the_app_once_per_instance(net: FakeMastodon) -> None:
    net.on("POST", "/api/v1/apps", fixture("app.json"))
    client = Client()
    url = httpx.URL(
        client.authorization_url(
            redirect_uri=REDIRECT, state="st4te", code_challenge="E9Melhoa2Ow", instance="https://Mastodon.Social/"
        )
    )
    assert (url.scheme, url.host, url.path) == ("https", "mastodon.social", "/oauth/authorize")
    params = dict(url.params)
    assert params == {
        "response_type": "code",
        "client_id": "TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM",
        "redirect_uri": REDIRECT,
        "scope": "profile write:statuses read:statuses",
        "state": "st4te",
        "code_challenge": "E9Melhoa2Ow",
        "code_challenge_method": "S256",
    }
    (register,) = net.sent("POST", "/api/v1/apps")
    assert register.url.host == "mastodon.social"
    assert json.loads(register.content) == {
        "client_name": "Groundswell",
        "redirect_uris": REDIRECT,
        "scopes": "profile write:statuses read:statuses",
        "website": "http://testserver",
    }
    stored = MastodonApp.objects.get(instance="mastodon.social")
    assert stored.client_secret == "ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw"
    # Second member of the same instance: no second registration.
    client.authorization_url(redirect_uri=REDIRECT, state="s2", code_challenge="c2", instance="mastodon.social")
    assert len(net.sent("POST", "/api/v1/apps")) == 1


def test_authorization_url_refuses_a_bad_instance() -> None:
    with pytest.raises(PermanentError, match="server name"):
        Client().authorization_url(redirect_uri=REDIRECT, state="s", code_challenge="c", instance="not a host")


def test_exchange_code_fetches_the_account(net: FakeMastodon) -> None:
    registered()
    net.on("POST", "/oauth/token", fixture("token.json"))
    net.on("GET", "/api/v1/accounts/verify_credentials", fixture("verify_credentials.json"))
    tokens = Client().exchange_code(
        code="c0de", redirect_uri=REDIRECT, code_verifier="v3rifier", instance="mastodon.social"
    )
    assert tokens.access_token == "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"
    assert (tokens.remote_id, tokens.handle) == ("14715", "@trwnh@mastodon.social")
    assert tokens.service_url == "https://mastodon.social"
    assert tokens.refresh_token == "" and tokens.expires_at is None  # Mastodon tokens do not expire
    assert tokens.scopes == ["profile", "write:statuses", "read:statuses"]
    (token_request,) = net.sent("POST", "/oauth/token")
    assert {k: v[0] for k, v in parse_qs(token_request.content.decode()).items()} == {
        "grant_type": "authorization_code",
        "code": "c0de",
        "client_id": "TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM",
        "client_secret": "ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw",
        "redirect_uri": REDIRECT,
        "code_verifier": "v3rifier",
    }
    (me,) = net.sent("GET", "/api/v1/accounts/verify_credentials")
    assert me.headers["Authorization"] == f"Bearer {tokens.access_token}"


def test_exchange_code_with_a_spent_code_is_an_auth_error(net: FakeMastodon) -> None:
    registered()
    body = {"error": "invalid_grant", "error_description": "The provided authorization grant is invalid."}
    net.on("POST", "/oauth/token", (400, body, {}))
    with pytest.raises(AuthError, match="authorization grant is invalid"):
        Client().exchange_code(code="old", redirect_uri=REDIRECT, code_verifier="v", instance="mastodon.social")


def test_refresh_is_not_possible() -> None:
    with pytest.raises(AuthError):
        Client().refresh(TOKENS)


def test_revoke(net: FakeMastodon) -> None:
    registered()
    net.on("POST", "/oauth/revoke", {})
    Client().revoke(TOKENS)
    (revoke,) = net.sent("POST", "/oauth/revoke")
    assert revoke.url.host == "mastodon.social"
    assert parse_qs(revoke.content.decode()) == {
        "client_id": ["TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM"],
        "client_secret": ["ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw"],
        "token": [TOKENS.access_token],
    }


# --- posting -------------------------------------------------------------------------------------
def test_publish_sends_the_idempotency_key_and_the_link(net: FakeMastodon) -> None:
    net.on("POST", "/api/v1/statuses", fixture("status.json"))
    post = Client().publish(TOKENS, REQUEST)
    assert post.remote_id == "103270115826048975"
    assert post.url == "https://mastodon.social/@trwnh/103270115826048975"
    (sent,) = net.sent("POST", "/api/v1/statuses")
    assert sent.url.host == "mastodon.social"
    assert sent.headers["Idempotency-Key"] == "job-7f3c2a"
    assert sent.headers["Authorization"] == f"Bearer {TOKENS.access_token}"
    assert json.loads(sent.content) == {"status": REQUEST.text}  # the link in the text gives the card


def test_publish_appends_the_link_when_the_text_lacks_it(net: FakeMastodon) -> None:
    net.on("POST", "/api/v1/statuses", fixture("status.json"))
    Client().publish(TOKENS, PostRequest(text="Read this", link=LinkCard(url=LINK), idempotency_key="k"))
    (sent,) = net.sent("POST", "/api/v1/statuses")
    assert json.loads(sent.content) == {"status": f"Read this\n\n{LINK}"}


def test_a_retry_with_the_same_key_gets_the_same_status(net: FakeMastodon) -> None:
    # The instance remembers the Idempotency-Key: a repeated POST returns the status it already made.
    net.on("POST", "/api/v1/statuses", fixture("status.json"))
    first = Client().publish(TOKENS, REQUEST)
    second = Client().publish(TOKENS, REQUEST)
    assert first == second
    assert {r.headers["Idempotency-Key"] for r in net.sent("POST", "/api/v1/statuses")} == {"job-7f3c2a"}


def test_metrics(net: FakeMastodon) -> None:
    net.on("GET", "/api/v1/statuses/103270115826048975", fixture("status.json"))
    result = Client().metrics(TOKENS, ["103270115826048975", "999"])  # 999 was deleted (404): skipped
    assert set(result) == {"103270115826048975"}
    metrics = result["103270115826048975"]
    assert (metrics.likes, metrics.reposts, metrics.replies, metrics.impressions) == (11, 6, 5, None)


def test_find_existing_matches_the_tracked_link(net: FakeMastodon) -> None:
    net.on("GET", "/api/v1/accounts/14715/statuses", fixture("account_statuses.json"))
    found = Client().find_existing(TOKENS, REQUEST)
    assert found is not None and found.remote_id == "103270115826048975"
    (sent,) = net.requests
    assert sent.url.params["exclude_reblogs"] == "true" and sent.url.params["limit"] == "20"
    other = PostRequest(text="x", link=LinkCard(url="https://gs.example/s/NOPE1"), idempotency_key="k2")
    assert Client().find_existing(TOKENS, other) is None


# --- faults --------------------------------------------------------------------------------------
def test_connect_timeout_means_not_accepted(net: FakeMastodon) -> None:
    net.on("POST", "/api/v1/statuses", httpx.ConnectTimeout)
    with pytest.raises(TransientError) as caught:
        Client().publish(TOKENS, REQUEST)
    assert caught.value.accepted is False


def test_read_timeout_after_acceptance_then_found_without_a_duplicate(net: FakeMastodon) -> None:
    net.on("POST", "/api/v1/statuses", httpx.ReadTimeout)
    net.on("GET", "/api/v1/accounts/14715/statuses", fixture("account_statuses.json"))
    client = Client()
    with pytest.raises(TransientError) as caught:
        client.publish(TOKENS, REQUEST)
    assert caught.value.accepted is True
    found = client.find_existing(TOKENS, REQUEST)
    assert found is not None and found.remote_id == "103270115826048975"
    assert len(net.sent("POST", "/api/v1/statuses")) == 1


def test_rate_limited_with_retry_after(net: FakeMastodon) -> None:
    net.on("POST", "/api/v1/statuses", (429, {"error": "Too many requests"}, {"Retry-After": "30"}))
    with pytest.raises(TransientError) as caught:
        Client().publish(TOKENS, REQUEST)
    assert caught.value.retry_after == 30.0


def test_rate_limited_with_an_http_date(net: FakeMastodon) -> None:
    net.on(
        "POST",
        "/api/v1/statuses",
        (429, {"error": "Too many requests"}, {"Retry-After": "Wed, 01 Jan 2020 00:00:00 GMT"}),
    )
    with pytest.raises(TransientError) as caught:
        Client().publish(TOKENS, REQUEST)
    assert caught.value.retry_after == 0.0  # in the past: try again now


def test_server_error_is_transient(net: FakeMastodon) -> None:
    net.on("POST", "/api/v1/statuses", (503, {"error": "Service unavailable"}, {}))
    with pytest.raises(TransientError):
        Client().publish(TOKENS, REQUEST)


def test_expired_token_is_an_auth_error(net: FakeMastodon) -> None:
    net.on("POST", "/api/v1/statuses", (401, {"error": "The access token is invalid"}, {}))
    with pytest.raises(AuthError, match="access token is invalid"):
        Client().publish(TOKENS, REQUEST)


def test_validation_error_is_permanent_with_the_message(net: FakeMastodon) -> None:
    net.on("POST", "/api/v1/statuses", (422, {"error": "Validation failed: Text character limit of 500 exceeded"}, {}))
    with pytest.raises(PermanentError, match="character limit of 500"):
        Client().publish(TOKENS, REQUEST)


def test_a_longer_link_with_the_same_start_is_not_ours(net: FakeMastodon) -> None:
    statuses = fixture("account_statuses.json")
    statuses[0]["content"] = statuses[0]["content"].replace(LINK, LINK + "x9")
    statuses[0]["card"]["url"] = LINK + "x9"
    net.on("GET", "/api/v1/accounts/14715/statuses", statuses)
    assert Client().find_existing(TOKENS, REQUEST) is None


def test_rate_limited_with_mastodons_reset_header(net: FakeMastodon) -> None:
    reset = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
    headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
    net.on("POST", "/api/v1/statuses", (429, {"error": "Too many requests"}, headers))
    with pytest.raises(TransientError) as caught:
        Client().publish(TOKENS, REQUEST)
    assert caught.value.retry_after is not None and 290 <= caught.value.retry_after <= 300
