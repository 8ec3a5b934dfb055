"""The LinkedIn plug-in against request/response fixtures shaped as in LinkedIn's API documentation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from django.test import override_settings

from groundswell.networks.base import AuthError, LinkCard, PermanentError, PostRequest, TokenSet, TransientError
from groundswell.networks.http import use_transport
from groundswell.networks.linkedin.plugin import API_VERSION, Client, escape_commentary

FIXTURES = Path(__file__).parent / "fixtures"
API = "https://api.linkedin.test"
REDIRECT = "https://gs.example/connect/linkedin/callback"
LINK = "https://gs.example/s/Ab3dE"
URN = "urn:li:share:6844785523593134080"
TOKENS = TokenSet(
    access_token="AQUvlL_DYEzvT2wz1QJiEPeLioeA",
    refresh_token="AQWAft_WjYZKwuWXLC5hQlghgTam",
    remote_id="782bbtaQ",
    handle="John Doe",
)
REQUEST = PostRequest(
    text=f"Our new field guide is out {LINK}",
    link=LinkCard(url=LINK, title="The field guide", description="Everything we learned in the field."),
    idempotency_key="job-1",
)


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


class FakeLinkedIn:
    """Answers requests by (method, host, path) from queued answers and records every request."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], list[Any]] = {}
        self.requests: list[httpx.Request] = []

    def on(self, method: str, url: str, *answers: Any) -> None:
        self.answers.setdefault((method, url), []).extend(answers)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        key = (
            request.method,
            f"{request.url.scheme}://{request.url.host}{request.url.raw_path.split(b'?')[0].decode()}",
        )
        queue = self.answers.get(key)
        if not queue:
            return httpx.Response(404, json={"status": 404, "code": "NOT_FOUND", "message": "Not Found"})
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, type) and issubclass(answer, httpx.TransportError):
            raise answer("injected", request=request)
        status, body, headers = answer if isinstance(answer, tuple) else (200, answer, {})
        return (
            httpx.Response(status, json=body, headers=headers)
            if body is not None
            else httpx.Response(status, headers=headers)
        )

    def sent(self, method: str, url: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and str(r.url.copy_with(query=None)) == url]


@pytest.fixture
def net() -> Iterator[FakeLinkedIn]:
    fake = FakeLinkedIn()
    with (
        override_settings(LINKEDIN_API_URL=API, LINKEDIN_CLIENT_ID="cl1ent", LINKEDIN_CLIENT_SECRET="s3cret"),
        use_transport(httpx.MockTransport(fake.handler)),
    ):
        yield fake


TOKEN_URL = "https://www.linkedin.com/oauth/v2/accessToken"
CREATED = (201, None, {"x-restli-id": URN})


def assert_versioned(request: httpx.Request) -> None:
    assert request.headers["LinkedIn-Version"] == API_VERSION
    assert request.headers["X-Restli-Protocol-Version"] == "2.0.0"
    assert request.headers["Authorization"] == f"Bearer {TOKENS.access_token}"


# --- connecting ----------------------------------------------------------------------------------
def test_authorization_url(net: FakeLinkedIn) -> None:
    url = httpx.URL(Client().authorization_url(redirect_uri=REDIRECT, state="st4te", code_challenge="E9Melhoa2Ow"))
    assert (url.host, url.path) == ("www.linkedin.com", "/oauth/v2/authorization")
    assert dict(url.params) == {
        "response_type": "code",
        "client_id": "cl1ent",
        "redirect_uri": REDIRECT,
        "state": "st4te",
        "scope": "openid profile w_member_social r_member_social",
        "code_challenge": "E9Melhoa2Ow",
        "code_challenge_method": "S256",
    }


def test_exchange_code_reads_the_member_id_from_userinfo(net: FakeLinkedIn) -> None:
    net.on("POST", TOKEN_URL, fixture("token.json"))
    net.on("GET", f"{API}/v2/userinfo", fixture("userinfo.json"))
    tokens = Client().exchange_code(code="c0de", redirect_uri=REDIRECT, code_verifier="v3rifier")
    assert (tokens.remote_id, tokens.handle) == ("782bbtaQ", "John Doe")
    assert tokens.access_token == "AQUvlL_DYEzvT2wz1QJiEPeLioeA"
    assert tokens.refresh_token.startswith("AQWAft_")
    assert tokens.expires_at is not None
    assert tokens.scopes == ["openid", "profile", "w_member_social", "r_member_social"]
    (token_request,) = net.sent("POST", TOKEN_URL)
    assert form(token_request) == {
        "grant_type": "authorization_code",
        "code": "c0de",
        "redirect_uri": REDIRECT,
        "code_verifier": "v3rifier",
        "client_id": "cl1ent",
        "client_secret": "s3cret",
    }
    (me,) = net.sent("GET", f"{API}/v2/userinfo")
    assert me.headers["Authorization"] == "Bearer AQUvlL_DYEzvT2wz1QJiEPeLioeA"


def test_refresh(net: FakeLinkedIn) -> None:
    net.on("POST", TOKEN_URL, fixture("refreshed.json"))
    fresh = Client().refresh(TOKENS)
    assert fresh.access_token == "BWPvlL_DYEzvT2wz1QJiEPeLioeA"
    assert (fresh.remote_id, fresh.handle) == (TOKENS.remote_id, TOKENS.handle)
    assert form(net.requests[0]) == {
        "grant_type": "refresh_token",
        "refresh_token": TOKENS.refresh_token,
        "client_id": "cl1ent",
        "client_secret": "s3cret",
    }


def test_refresh_without_a_refresh_token_asks_to_reconnect(net: FakeLinkedIn) -> None:
    with pytest.raises(AuthError):
        Client().refresh(TokenSet(access_token="a", remote_id="782bbtaQ", handle="John Doe"))
    assert net.requests == []


def test_refresh_with_an_expired_refresh_token(net: FakeLinkedIn) -> None:
    body = {
        "error": "invalid_request",
        "error_description": "The provided authorization grant or refresh token is invalid, expired or revoked.",
    }
    net.on("POST", TOKEN_URL, (400, body, {}))
    with pytest.raises(AuthError, match="expired or revoked"):
        Client().refresh(TOKENS)


def test_revoke_is_not_offered() -> None:
    assert Client.can_revoke is False


# --- posting -------------------------------------------------------------------------------------
def test_publish_an_article_post(net: FakeLinkedIn) -> None:
    net.on("POST", f"{API}/rest/posts", CREATED)
    post = Client().publish(TOKENS, REQUEST)
    assert post.remote_id == URN
    assert post.url == f"https://www.linkedin.com/feed/update/{URN}/"
    (sent,) = net.requests
    assert_versioned(sent)
    assert json.loads(sent.content) == {
        "author": "urn:li:person:782bbtaQ",
        "commentary": REQUEST.text,
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
        "content": {
            "article": {
                "source": LINK,
                "title": "The field guide",
                "description": "Everything we learned in the field.",
            }
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }


def test_commentary_reserved_characters_are_escaped() -> None:
    assert escape_commentary("Big news (really) #launch @team_a") == r"Big news \(really\) \#launch \@team\_a"


def test_a_duplicate_post_is_the_existing_post(net: FakeLinkedIn) -> None:
    body = {"message": f"Content is a duplicate of {URN}", "status": 422, "code": "DUPLICATE_POST"}
    net.on("POST", f"{API}/rest/posts", (422, body, {}))
    assert Client().publish(TOKENS, REQUEST).remote_id == URN


def test_metrics(net: FakeLinkedIn) -> None:
    net.on("GET", f"{API}/rest/socialActions/urn%3Ali%3Ashare%3A6844785523593134080", fixture("social_actions.json"))
    result = Client().metrics(TOKENS, [URN, "urn:li:share:1"])  # the second was deleted (404): skipped
    assert set(result) == {URN}
    metrics = result[URN]
    assert (metrics.likes, metrics.reposts, metrics.replies, metrics.impressions) == (12, 0, 4, None)
    assert_versioned(net.requests[0])


def test_find_existing_matches_the_article_source(net: FakeLinkedIn) -> None:
    net.on("GET", f"{API}/rest/posts", fixture("posts_by_author.json"))
    found = Client().find_existing(TOKENS, REQUEST)
    assert found is not None and found.remote_id == URN
    (sent,) = net.requests
    assert_versioned(sent)
    assert sent.headers["X-RestLi-Method"] == "FINDER"
    assert sent.url.params["q"] == "author" and sent.url.params["author"] == "urn:li:person:782bbtaQ"
    other = PostRequest(text="x", link=LinkCard(url="https://gs.example/s/NOPE1"), idempotency_key="k2")
    assert Client().find_existing(TOKENS, other) is None


# --- faults --------------------------------------------------------------------------------------
def test_connect_timeout_means_not_accepted(net: FakeLinkedIn) -> None:
    net.on("POST", f"{API}/rest/posts", httpx.ConnectTimeout)
    with pytest.raises(TransientError) as caught:
        Client().publish(TOKENS, REQUEST)
    assert caught.value.accepted is False


def test_read_timeout_after_acceptance_then_found_without_a_duplicate(net: FakeLinkedIn) -> None:
    net.on("POST", f"{API}/rest/posts", httpx.ReadTimeout)
    net.on("GET", f"{API}/rest/posts", fixture("posts_by_author.json"))
    client = Client()
    with pytest.raises(TransientError) as caught:
        client.publish(TOKENS, REQUEST)
    assert caught.value.accepted is True
    found = client.find_existing(TOKENS, REQUEST)
    assert found is not None and found.remote_id == URN
    assert len(net.sent("POST", f"{API}/rest/posts")) == 1


def test_rate_limited_with_retry_after(net: FakeLinkedIn) -> None:
    body = {"status": 429, "code": "TOO_MANY_REQUESTS", "message": "Resource level throttle APPLICATION DAY limit"}
    net.on("POST", f"{API}/rest/posts", (429, body, {"Retry-After": "3600"}))
    with pytest.raises(TransientError) as caught:
        Client().publish(TOKENS, REQUEST)
    assert caught.value.retry_after == 3600.0


def test_server_error_is_transient(net: FakeLinkedIn) -> None:
    net.on("POST", f"{API}/rest/posts", (504, {"status": 504, "message": "Gateway Timeout"}, {}))
    with pytest.raises(TransientError):
        Client().publish(TOKENS, REQUEST)


def test_expired_token_is_an_auth_error(net: FakeLinkedIn) -> None:
    body = {
        "status": 401,
        "serviceErrorCode": 65601,
        "code": "REVOKED_ACCESS_TOKEN",
        "message": "The token used in the request has been revoked by the user",
    }
    net.on("POST", f"{API}/rest/posts", (401, body, {}))
    with pytest.raises(AuthError, match="revoked by the user"):
        Client().publish(TOKENS, REQUEST)


def test_bad_request_is_permanent_with_the_message(net: FakeLinkedIn) -> None:
    body = {
        "status": 422,
        "code": "UNPROCESSABLE_ENTITY",
        "message": "ERROR :: /commentary :: length of 3120 exceeds the maximum of 3000",
    }
    net.on("POST", f"{API}/rest/posts", (422, body, {}))
    with pytest.raises(PermanentError, match="exceeds the maximum of 3000"):
        Client().publish(TOKENS, REQUEST)


def test_find_existing_reads_escaped_commentary(net: FakeLinkedIn) -> None:
    posts = fixture("posts_by_author.json")
    del posts["elements"][0]["content"]
    posts["elements"][0]["commentary"] = escape_commentary(f"Read (now) {LINK}_v2 and {LINK}")
    net.on("GET", f"{API}/rest/posts", posts)
    found = Client().find_existing(TOKENS, REQUEST)
    assert found is not None and found.remote_id == URN


def test_without_approval_it_only_posts(settings: Any) -> None:
    """LinkedIn grants r_member_social to approved apps only: by default we do not ask for it."""
    settings.LINKEDIN_READ_POSTS = False
    client = Client()
    assert [scope.name for scope in client.scopes] == ["openid", "profile", "w_member_social"]
    assert client.has_metrics is False
    assert client.metrics(TOKENS, ["urn:li:share:1"]) == {}
    link = LinkCard(url="https://acme.test/s/Ab3dE")
    assert client.find_existing(TOKENS, PostRequest(text="x", link=link, idempotency_key="k")) is None
    assert "r_member_social" not in client.authorization_url(
        redirect_uri="https://gs.test/cb", state="s", code_challenge="c"
    )


# --- company pages (a workspace brand account) -----------------------------------------------------
ORG = "urn:li:organization:2414183"
ORG_TOKENS = TokenSet(
    access_token=TOKENS.access_token, refresh_token=TOKENS.refresh_token, remote_id=ORG, handle="Acme Field Notes"
)
ORG_SCOPES = ["rw_organization_admin", "w_organization_social", "r_organization_social"]


def test_a_brand_connection_asks_for_the_organisation_scopes(net: FakeLinkedIn, settings: Any) -> None:
    settings.LINKEDIN_READ_POSTS = False
    member = httpx.URL(Client().authorization_url(redirect_uri=REDIRECT, state="s", code_challenge="c"))
    assert member.params["scope"] == "openid profile w_member_social"  # a member's own: no organisation scopes
    brand = httpx.URL(Client().for_workspace().authorization_url(redirect_uri=REDIRECT, state="s", code_challenge="c"))
    assert brand.params["scope"].split() == ["openid", "profile", "w_member_social", *ORG_SCOPES]
    for scope in Client().for_workspace().scopes:  # each explains itself before connecting
        assert len(scope.what_we_do) >= 25 and scope.name not in scope.what_we_do


def test_identities_are_the_organisations_the_person_administers(net: FakeLinkedIn) -> None:
    net.on("GET", f"{API}/rest/organizationAcls", fixture("organization_acls.json"))
    net.on("GET", f"{API}/rest/organizations/2414183", fixture("organization_2414183.json"))
    net.on("GET", f"{API}/rest/organizations/5515715", fixture("organization_5515715.json"))
    assert Client().identities(TOKENS) is None  # a member's own account: the person posts
    found = Client().for_workspace().identities(TOKENS)
    assert found is not None
    assert [(i.remote_id, i.name, i.access_token) for i in found] == [
        (ORG, "Acme Field Notes", ""),
        ("urn:li:organization:5515715", "Acme Careers", ""),
    ]
    acls, *lookups = net.requests
    assert_versioned(acls)
    assert acls.headers["X-RestLi-Method"] == "FINDER"
    assert dict(acls.url.params) == {"q": "roleAssignee", "role": "ADMINISTRATOR", "state": "APPROVED", "count": "100"}
    assert [r.url.path for r in lookups] == ["/rest/organizations/2414183", "/rest/organizations/5515715"]
    for lookup in lookups:
        assert_versioned(lookup)
    chosen = Client().for_workspace().as_identity(TOKENS, found[0])
    assert (chosen.remote_id, chosen.handle, chosen.access_token) == (ORG, "Acme Field Notes", TOKENS.access_token)
    assert chosen.refresh_token == TOKENS.refresh_token


def test_identities_skip_other_roles_and_refuse_when_there_is_none(net: FakeLinkedIn) -> None:
    acls = fixture("organization_acls.json")
    acls["elements"][0]["role"] = "ANALYST"
    acls["elements"][1]["state"] = "REQUESTED"
    net.on("GET", f"{API}/rest/organizationAcls", acls)
    with pytest.raises(PermanentError, match="not an administrator of any LinkedIn Page"):
        Client().for_workspace().identities(TOKENS)


def test_a_page_account_posts_as_the_organisation(net: FakeLinkedIn) -> None:
    net.on("POST", f"{API}/rest/posts", CREATED)
    assert Client().publish(ORG_TOKENS, REQUEST).remote_id == URN
    (sent,) = net.requests
    assert_versioned(sent)
    assert json.loads(sent.content)["author"] == ORG


def test_a_page_account_finds_its_posts_and_counts_without_member_read_approval(
    net: FakeLinkedIn, settings: Any
) -> None:
    settings.LINKEDIN_READ_POSTS = False  # r_member_social not approved: the page still reads (r_organization_social)
    posts = fixture("posts_by_author.json")
    for post in posts["elements"]:
        post["author"] = ORG
    net.on("GET", f"{API}/rest/posts", posts)
    net.on("GET", f"{API}/rest/socialActions/urn%3Ali%3Ashare%3A6844785523593134080", fixture("social_actions.json"))
    found = Client().find_existing(ORG_TOKENS, REQUEST)
    assert found is not None and found.remote_id == URN
    lookup = net.sent("GET", f"{API}/rest/posts")[0]
    assert lookup.url.params["author"] == ORG and lookup.url.params["q"] == "author"
    assert Client().metrics(ORG_TOKENS, [URN])[URN].likes == 12
    # A member's own account under the same settings still reads nothing.
    assert Client().find_existing(TOKENS, REQUEST) is None and Client().metrics(TOKENS, [URN]) == {}
