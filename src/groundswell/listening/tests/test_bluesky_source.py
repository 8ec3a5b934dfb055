"""The Bluesky listening source on fixtures: a PDS that signs in with app passwords (createSession,
refreshSession, their documented errors) and forwards ``searchPosts`` to an AppView whose answers are shaped as
(and partly captured from) the real one, and subscribeRepos frames captured from the local development
network (tests/bluesky)."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from groundswell.demo.listening_bluesky import build_bluesky_listening
from groundswell.lib.safe_fetch import AddressRefused
from groundswell.listening.management.commands.listen_bluesky import Command
from groundswell.listening.models import Source, SourceKind
from groundswell.listening.sources.base import Credential, FetchedPost, Problem, SourceError, plugin_for
from groundswell.listening.sources.bluesky import BlueskySource, parse_config
from groundswell.listening.sources.bluesky_stream import _State, posts_from_frame, subscribe_url
from groundswell.networks import http
from groundswell.workspaces.models import Workspace

CAPTURE = json.loads((Path(__file__).parent / "fixtures" / "bluesky_capture.json").read_text())
PDS = "https://pds.example.com"
HANDLE = "northwind-listening.bsky.social"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
CONFIG = {"query": "northwind"}


def account(**extra: Any) -> Credential:
    values: dict[str, Any] = {
        "network": "bluesky",
        "identifier": HANDLE,
        "secret": APP_PASSWORD,
        "service_url": PDS,
    }
    return Credential(**(values | extra))


def view(n: int, when: str, *, text: str = "northwind rocks") -> dict[str, Any]:
    """A postView like the AppView's (the captured one, with another URI, time and text)."""
    v = copy.deepcopy(CAPTURE["search"]["posts"][0])
    v["uri"] = f"at://did:plc:author{n}/app.bsky.feed.post/3kpost{n:04d}"
    v["author"] = {"did": f"did:plc:author{n}", "handle": f"user{n}.bsky.social", "labels": []}
    v["record"] = {"$type": "app.bsky.feed.post", "text": f"{text} #{n}", "createdAt": when, "langs": ["en"]}
    v["indexedAt"] = when
    v.pop("embed", None)
    v["likeCount"], v["repostCount"], v["replyCount"] = n, 1, 0
    return v


class FakeAppView:
    """searchPosts over a list of posts, newest first, paged with an opaque cursor (like TimeCidKeyset)."""

    def __init__(self, posts: list[dict[str, Any]], page_size: int = 2) -> None:
        self.posts = posts
        self.page_size = page_size
        self.requests: list[dict[str, str]] = []

    def add(self, post: dict[str, Any]) -> None:
        self.posts.append(post)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/xrpc/app.bsky.feed.searchPosts"
        params = dict(request.url.params)
        self.requests.append(params)
        ordered = sorted(self.posts, key=lambda p: (p["indexedAt"], p["uri"]), reverse=True)
        start = int(params.get("cursor") or 0)
        size = min(self.page_size, int(params["limit"]))
        page = ordered[start : start + size]
        body: dict[str, Any] = {"posts": page}
        if start + size < len(ordered):
            body["cursor"] = str(start + size)
        return httpx.Response(200, json=body)


def xrpc_error(status: int, error: str, message: str, headers: dict[str, str] | None = None) -> httpx.Response:
    """An XRPC error as the spec has it: ``{"error": <name>, "message": <text>}``."""
    return httpx.Response(status, json={"error": error, "message": message}, headers=headers or {})


class FakePds:
    """A PDS for one account that signs in with an app password and forwards ``searchPosts`` to ``appview``.

    * ``com.atproto.server.createSession`` {identifier, password} → accessJwt (an at+jwt of ``access_ttl``
      seconds), refreshJwt, handle, did; a wrong password → 401 ``AuthenticationRequired``;
    * ``com.atproto.server.refreshSession`` with the refresh JWT as bearer → a new pair (the old refresh token
      is spent); a spent or unknown one → 400 ``ExpiredToken``;
    * ``app.bsky.feed.searchPosts`` with a valid access JWT → the AppView's answer; an expired one → 400
      ``ExpiredToken``, none → 401 ``AuthMissing``. The ``atproto-proxy`` header is recorded.
    ``answers`` queues canned responses for an NSID (errors the network documents).
    """

    did = "did:plc:listener0000000000000000"

    def __init__(self, appview: FakeAppView, *, access_ttl: int = 7200) -> None:
        self.appview = appview
        self.access_ttl = access_ttl
        self.calls: list[tuple[str, httpx.Request]] = []
        self.answers: dict[str, list[httpx.Response]] = {}
        self.refresh_tokens: set[str] = set()
        self.sessions = 0

    def nsids(self) -> list[str]:
        return [nsid for nsid, _ in self.calls]

    def _pair(self) -> dict[str, str]:
        self.sessions += 1
        now = int(time.time())
        access = jwt.encode(
            {"scope": "com.atproto.appPass", "sub": self.did, "iat": now, "exp": now + self.access_ttl},
            "pds-signing-secret-for-the-fake-server-only",
            algorithm="HS256",
            headers={"typ": "at+jwt"},
        )
        refresh = f"refresh-{self.sessions}"
        self.refresh_tokens.add(refresh)
        return {"accessJwt": access, "refreshJwt": refresh, "handle": HANDLE, "did": self.did}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.host == "pds.example.com", request.url
        nsid = request.url.path.removeprefix("/xrpc/")
        self.calls.append((nsid, request))
        if self.answers.get(nsid):
            return self.answers[nsid].pop(0)
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        if nsid == "com.atproto.server.createSession":
            body = json.loads(request.content)
            if (body.get("identifier"), body.get("password")) != (HANDLE, APP_PASSWORD):
                return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
            return httpx.Response(200, json=self._pair())
        if nsid == "com.atproto.server.refreshSession":
            if bearer not in self.refresh_tokens:
                return xrpc_error(400, "ExpiredToken", "Token has expired")
            self.refresh_tokens.discard(bearer)
            return httpx.Response(200, json=self._pair())
        if nsid == "app.bsky.feed.searchPosts":
            if not bearer:
                return xrpc_error(401, "AuthMissing", "Authentication Required")
            try:
                jwt.decode(bearer, "pds-signing-secret-for-the-fake-server-only", algorithms=["HS256"])
            except jwt.ExpiredSignatureError:
                return xrpc_error(400, "ExpiredToken", "Token has expired")
            except jwt.PyJWTError:
                return xrpc_error(401, "InvalidToken", "Token could not be verified")
            return self.appview(request)
        return xrpc_error(501, "MethodNotImplemented", "Method Not Implemented")


@pytest.fixture
def appview() -> Iterator[FakeAppView]:
    fake = FakeAppView([view(1, "2026-11-01T10:00:00.000Z"), view(2, "2026-11-01T11:00:00.000Z")])
    with http.use_transport(httpx.MockTransport(FakePds(fake))):
        yield fake


@pytest.fixture
def pds() -> Iterator[FakePds]:
    fake = FakePds(FakeAppView([view(1, "2026-11-01T10:00:00.000Z"), view(2, "2026-11-01T11:00:00.000Z")]))
    with http.use_transport(httpx.MockTransport(fake)):
        yield fake


def ids(posts: list[FetchedPost]) -> list[str]:
    return [p.external_id.rsplit("/", 1)[1] for p in posts]


def test_a_search_result_becomes_a_fetched_post() -> None:
    captured = CAPTURE["search"]
    pds = FakePds(FakeAppView([]))
    pds.answers["app.bsky.feed.searchPosts"] = [httpx.Response(200, json=captured)]
    with http.use_transport(httpx.MockTransport(pds)):
        result = BlueskySource().fetch({"query": "Northwind stakes"}, {}, limit=50, credential=account())
    [post] = result.posts
    rkey = CAPTURE["reply_uri"].rsplit("/", 1)[1]
    assert post.external_id == CAPTURE["reply_uri"]
    assert post.url == f"https://bsky.app/profile/{CAPTURE['handle']}/post/{rkey}"
    assert post.author == CAPTURE["handle"]
    assert post.author_url == f"https://bsky.app/profile/{CAPTURE['handle']}"
    assert post.text.startswith("Replying: the Northwind stakes")
    assert post.lang == "en-GB"
    assert post.published_at == dt.datetime(2026, 11, 30, 9, 15, 0, 123000, tzinfo=dt.UTC)
    assert post.in_reply_to == CAPTURE["root_uri"] and post.thread_root == CAPTURE["root_uri"]
    assert post.site == "shop.example.org"
    assert post.metrics == {"likes": 0, "reposts": 0, "replies": 0}
    assert result.cursor == {"since": "2026-11-30T09:15:00.123000+00:00", "seen": [CAPTURE["reply_uri"]]}


def test_search_signs_in_with_the_app_password_and_goes_through_the_pds_to_the_appview(pds: FakePds) -> None:
    credential = account()
    BlueskySource().fetch(CONFIG, {}, limit=50, credential=credential)
    assert pds.nsids() == ["com.atproto.server.createSession", "app.bsky.feed.searchPosts"]
    login, search = (request for _, request in pds.calls)
    assert json.loads(login.content) == {"identifier": HANDLE, "password": APP_PASSWORD}
    assert search.headers["authorization"] == f"Bearer {credential.token}"
    assert search.headers["atproto-proxy"] == "did:web:api.bsky.app#bsky_appview"
    assert str(search.url).startswith(f"{PDS}/xrpc/app.bsky.feed.searchPosts?")
    # The session is kept on the credential (the pipeline stores it encrypted) for the next poll.
    assert credential.dirty and credential.refresh_token == "refresh-1" and credential.token_subject == pds.did
    assert credential.token_expires_at is not None
    assert abs((credential.token_expires_at - timezone.now()).total_seconds() - 7200) < 60


@override_settings(BLUESKY_APPVIEW_PROXY="")
def test_without_a_proxy_setting_the_pds_picks_its_own_appview(pds: FakePds) -> None:
    BlueskySource().fetch(CONFIG, {}, limit=50, credential=account())
    assert "atproto-proxy" not in pds.calls[-1][1].headers


def test_the_session_is_reused_refreshed_when_it_runs_out_and_renewed_when_the_refresh_token_is_spent(
    pds: FakePds,
) -> None:
    credential = account()
    for _ in range(3):
        BlueskySource().fetch(CONFIG, {}, limit=50, credential=credential)
    assert pds.nsids().count("com.atproto.server.createSession") == 1  # 30 sign-ins per 5 minutes: reuse it
    pds.calls.clear()
    with time_machine.travel(timezone.now() + dt.timedelta(hours=3), tick=False):
        BlueskySource().fetch(CONFIG, {}, limit=50, credential=credential)
        assert pds.nsids() == ["com.atproto.server.refreshSession", "app.bsky.feed.searchPosts"]
        assert credential.refresh_token == "refresh-2"
        pds.calls.clear()
        pds.refresh_tokens.clear()  # spent elsewhere (another worker), or revoked
        credential.token_expires_at = None
        pds.answers["app.bsky.feed.searchPosts"] = [xrpc_error(400, "ExpiredToken", "Token has expired")]
        BlueskySource().fetch(CONFIG, {}, limit=50, credential=credential)
    assert pds.nsids() == [
        "app.bsky.feed.searchPosts",  # ExpiredToken
        "com.atproto.server.refreshSession",  # spent: 400 ExpiredToken
        "com.atproto.server.createSession",
        "app.bsky.feed.searchPosts",
    ]


def test_without_an_account_search_asks_nothing(pds: FakePds) -> None:
    with pytest.raises(SourceError, match="needs a signed-in account") as info:
        BlueskySource().fetch(CONFIG, {}, limit=10)
    assert info.value.problem is Problem.NEEDS_CREDENTIALS and info.value.permanent
    assert pds.calls == []
    assert BlueskySource().credential_network(CONFIG) == "bluesky"
    assert BlueskySource().credential_network({"mode": "stream"}) is None


@pytest.mark.parametrize(
    ("answer", "problem", "message"),
    [
        (xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password"), Problem.CREDENTIALS_REFUSED,
         r"refused the handle and app password \(AuthenticationRequired"),
        (xrpc_error(401, "AuthFactorTokenRequired", "A sign in code has been sent to your email address"),
         Problem.CREDENTIALS_REFUSED, "main password. Create an app password"),
        (xrpc_error(400, "AccountTakedown", "Account has been taken down"), Problem.FORBIDDEN, "refuses this account"),
        (xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded", {"ratelimit-limit": "30",
         "ratelimit-remaining": "0", "ratelimit-reset": "{reset}", "ratelimit-policy": "30;w=300"}),
         Problem.RATE_LIMITED, r"rate limited \(429\)"),
        (httpx.Response(502, text="<html>bad gateway</html>"), Problem.SERVER_ERROR, r"failed on Bluesky's side \(502"),
    ],
)  # fmt: skip
def test_sign_in_refusals_are_classified(pds: FakePds, answer: httpx.Response, problem: Problem, message: str) -> None:
    if "ratelimit-reset" in answer.headers:
        answer.headers["ratelimit-reset"] = str(int(time.time()) + 240)
    pds.answers["com.atproto.server.createSession"] = [answer]
    with pytest.raises(SourceError, match=message) as info:
        BlueskySource().fetch(CONFIG, {}, limit=10, credential=account())
    assert info.value.problem is problem
    if problem is Problem.RATE_LIMITED:
        assert info.value.retry_at is not None
        assert 230 < (info.value.retry_at - timezone.now()).total_seconds() <= 241
    assert pds.nsids() == ["com.atproto.server.createSession"]


def test_a_wrong_app_password_is_refused_by_the_pds(pds: FakePds) -> None:
    with pytest.raises(SourceError, match="Invalid identifier or password") as info:
        BlueskySource().fetch(CONFIG, {}, limit=10, credential=account(secret="wxyz-wxyz-wxyz-wxyz"))
    assert info.value.problem is Problem.CREDENTIALS_REFUSED and info.value.permanent


def test_first_poll_reads_the_newest_page_then_later_polls_only_new_posts(appview: FakeAppView) -> None:
    source = plugin_for("bluesky")
    credential = account()
    first = source.fetch(CONFIG, {}, limit=50, credential=credential)
    assert ids(first.posts) == ["3kpost0001", "3kpost0002"]  # oldest first
    assert first.cursor["since"] == "2026-11-01T11:00:00+00:00"
    assert appview.requests[0]["sort"] == "latest" and appview.requests[0]["q"] == "northwind"
    assert "since" not in appview.requests[0]

    for n, hour in ((3, 12), (4, 13), (5, 14)):
        appview.add(view(n, f"2026-11-01T{hour}:00:00.000Z"))
    appview.requests.clear()
    second = source.fetch(CONFIG, first.cursor, limit=50, credential=credential)
    assert ids(second.posts) == ["3kpost0003", "3kpost0004", "3kpost0005"]
    assert not second.more
    # Paged back (2 per page) past the post at the cursor's instant to one older, sending `since` each time.
    assert [r.get("cursor") for r in appview.requests] == [None, "2", "4"]
    assert {r["since"] for r in appview.requests} == {"2026-11-01T11:00:00Z"}

    third = source.fetch(CONFIG, second.cursor, limit=50, credential=credential)
    assert third.posts == [] and third.cursor == second.cursor


def test_posts_at_the_same_instant_are_neither_doubled_nor_skipped(appview: FakeAppView) -> None:
    source = BlueskySource()
    credential = account()
    cursor = source.fetch(CONFIG, {}, limit=50, credential=credential).cursor
    same = "2026-11-02T08:00:00.500Z"
    for n in (7, 8, 9):
        appview.add(view(n, same))
    got: list[str] = []
    for _ in range(4):  # limit 2: the three posts at one instant take two polls, then nothing more
        result = source.fetch(CONFIG, cursor, limit=2, credential=credential)
        got += ids(result.posts)
        cursor = result.cursor
    assert got == ["3kpost0007", "3kpost0008", "3kpost0009"]
    assert cursor["since"] == "2026-11-02T08:00:00.500000+00:00"
    assert len(cursor["seen"]) == 3

    appview.add(view(10, same))  # indexed late at the very same instant: still found once
    result = source.fetch(CONFIG, cursor, limit=2, credential=credential)
    assert ids(result.posts) == ["3kpost0010"]
    assert source.fetch(CONFIG, result.cursor, limit=2, credential=credential).posts == []


def test_a_backlog_larger_than_the_limit_comes_oldest_first_with_more(appview: FakeAppView) -> None:
    source = BlueskySource()
    credential = account()
    cursor = source.fetch(CONFIG, {}, limit=50, credential=credential).cursor
    for n in range(20, 25):
        appview.add(view(n, f"2026-11-03T0{n - 20}:00:00.000Z"))
    first = source.fetch(CONFIG, cursor, limit=3, credential=credential)
    assert ids(first.posts) == ["3kpost0020", "3kpost0021", "3kpost0022"] and first.more
    second = source.fetch(CONFIG, first.cursor, limit=3, credential=credential)
    assert ids(second.posts) == ["3kpost0023", "3kpost0024"] and not second.more


def test_language_filter_is_sent_and_applied(appview: FakeAppView) -> None:
    german = view(30, "2026-11-04T10:00:00.000Z")
    german["record"]["langs"] = ["de"]
    appview.add(german)
    result = BlueskySource().fetch({**CONFIG, "lang": "de"}, {}, limit=50, credential=account())
    assert ids(result.posts) == ["3kpost0030"]
    assert appview.requests[-1]["lang"] == "de"


def test_broken_posts_in_an_answer_are_skipped(appview: FakeAppView) -> None:
    broken = view(40, "2026-11-05T10:00:00.000Z")
    broken["record"]["createdAt"] = "yesterday"
    appview.add(broken)
    appview.add({"uri": 5, "indexedAt": "2026-11-05T11:00:00.000Z"})
    appview.page_size = 10
    result = BlueskySource().fetch(CONFIG, {}, limit=50, credential=account())
    assert "3kpost0040" not in ids(result.posts)
    assert ids(result.posts) == ["3kpost0001", "3kpost0002"]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({}, "A search needs a query"),
        ({"query": "   "}, "A search needs a query"),
        ({"query": "x", "lang": "english!"}, "lang: must be a language code"),
        ({"mode": "stream", "service_url": "ftp://bsky.example"}, "service_url: Only http and https"),
        ({"mode": "stream", "service_url": "https://me:pw@bsky.example"}, "user name or password"),
        ({"mode": "stream", "service_url": "https://bsky.example/xrpc"}, "the server's address only"),
        ({"query": "x", "service_url": "https://appview.example.com"}, "A search has no server address"),
        ({"query": "x", "mode": "firehose"}, "mode: Input should be 'search' or 'stream'"),
        ({"query": "x", "colour": "red"}, "colour: Extra inputs are not permitted"),
        ({"query": "x" * 501}, "query: String should have at most 500 characters"),
    ],
)
def test_bad_configuration_is_refused_with_a_message(config: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BlueskySource().validate_config(config)
    with pytest.raises(SourceError, match=message) as info:
        BlueskySource().fetch(config, {}, limit=10, credential=account())
    assert info.value.permanent and info.value.problem is Problem.INVALID_SETTINGS


def test_configuration_is_cleaned() -> None:
    cleaned = BlueskySource().validate_config({"query": "  northwind  "})
    assert cleaned == {"mode": "search", "query": "northwind"}
    stream = BlueskySource().validate_config({"mode": "stream", "service_url": "https://bsky.example/"})
    assert stream == {"mode": "stream", "service_url": "https://bsky.example"}
    assert BlueskySource().validate_config({"mode": "stream"}) == {"mode": "stream"}
    assert parse_config({"query": "x"}).lang == ""


@override_settings(UNFURL_ALLOW_PRIVATE_ADDRESSES=False)
def test_a_private_server_address_is_refused() -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.1, a loopback address"):
        BlueskySource().validate_config({"mode": "stream", "service_url": "http://127.0.0.1:2583"})
    with pytest.raises(SourceError, match="only public addresses") as info:
        BlueskySource().fetch(CONFIG, {}, limit=10, credential=account(service_url="http://10.1.2.3"))
    assert info.value.permanent and info.value.problem is Problem.INVALID_SETTINGS


def test_an_address_refused_at_connect_time_is_permanent_and_asks_for_settings() -> None:
    """The server's name passed the form's check, then pointed at a private address (DNS rebinding): the
    connection is refused (networks/http.py) and the source waits for the admin, it does not retry."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise AddressRefused("pds.example resolves to 10.0.0.5, a private address", request=request)

    with http.use_transport(httpx.MockTransport(refuse)), pytest.raises(SourceError) as info:
        BlueskySource().fetch(CONFIG, {}, limit=10, credential=account(token="", refresh_token="old"))
    assert info.value.permanent and info.value.problem is Problem.INVALID_SETTINGS
    assert "does not connect to this server" in str(info.value) and "10.0.0.5" in str(info.value)


@pytest.mark.parametrize(
    ("response", "problem", "message"),
    [
        (xrpc_error(400, "BadQueryString", "unbalanced quotes"), Problem.INVALID_SETTINGS,
         "cannot search for this query"),
        (xrpc_error(400, "InvalidRequest", "bad query"), Problem.OTHER, "refused the request.*bad query"),
        (httpx.Response(403, text="nope"), Problem.FORBIDDEN, r"refuses this account \(403"),
        (xrpc_error(501, "MethodNotImplemented", "Method Not Implemented"), Problem.SERVER_ERROR, "501"),
        (xrpc_error(404, "XRPCNotSupported", "XRPCNotSupported"), Problem.NOT_FOUND, "does not offer search"),
        (xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded", {"retry-after": "90"}), Problem.RATE_LIMITED,
         "rate limited"),
        (xrpc_error(502, "UpstreamFailure", "Upstream Failure"), Problem.SERVER_ERROR, r"Bluesky's side \(502"),
        (httpx.Response(200, text="not json"), Problem.BAD_ANSWER, "not JSON"),
        (httpx.Response(200, json={"posts": "nope"}), Problem.BAD_ANSWER, "not a list of posts"),
    ],
)  # fmt: skip
def test_search_errors_become_source_errors(
    pds: FakePds, response: httpx.Response, problem: Problem, message: str
) -> None:
    pds.answers["app.bsky.feed.searchPosts"] = [response]
    with pytest.raises(SourceError) as info:
        BlueskySource().fetch(CONFIG, {}, limit=10, credential=account())
    assert info.value.problem is problem
    assert info.value.permanent is (problem in (Problem.INVALID_SETTINGS, Problem.OTHER, Problem.FORBIDDEN,
                                                Problem.NOT_FOUND))  # fmt: skip
    assert info.match(message)


def test_a_session_refused_twice_means_the_credentials_are_refused(pds: FakePds) -> None:
    refused = xrpc_error(401, "InvalidToken", "Token could not be verified")
    pds.answers["app.bsky.feed.searchPosts"] = [refused, refused]
    with pytest.raises(SourceError, match="even after signing in again") as info:
        BlueskySource().fetch(CONFIG, {}, limit=10, credential=account())
    assert info.value.problem is Problem.CREDENTIALS_REFUSED
    assert pds.nsids().count("app.bsky.feed.searchPosts") == 2  # once more after renewing, not in a loop


def test_a_network_failure_is_transient() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with http.use_transport(httpx.MockTransport(fail)), pytest.raises(SourceError, match="did not answer") as info:
        BlueskySource().fetch(CONFIG, {}, limit=10, credential=account())
    assert not info.value.permanent and info.value.problem is Problem.UNREACHABLE


# --- the event stream -------------------------------------------------------------------------------------


def frames() -> list[tuple[str, int, bytes]]:
    return [(f["type"], f["seq"], base64.b64decode(f["frame"])) for f in CAPTURE["frames"]]


def test_stream_frames_keep_only_post_creates_with_the_handle_from_identity_frames() -> None:
    state = _State(seq=None)
    posts: list[FetchedPost] = []
    for _kind, _seq, raw in frames():
        posts += posts_from_frame(raw, state)
    assert state.seq == frames()[-1][1]
    assert [p.external_id for p in posts] == [CAPTURE["root_uri"], CAPTURE["reply_uri"]]  # the like is not a post
    root, reply = posts
    assert root.author == CAPTURE["handle"]  # learnt from the #identity frame
    assert root.text == "Our Northwind tent survived the storm" and root.in_reply_to == ""
    assert reply.in_reply_to == CAPTURE["root_uri"] and reply.thread_root == CAPTURE["root_uri"]
    assert reply.site == "shop.example.org" and reply.lang == "en-GB"
    assert reply.url == f"https://bsky.app/profile/{CAPTURE['handle']}/post/{reply.external_id.rsplit('/', 1)[1]}"
    assert reply.published_at == dt.datetime(2026, 11, 30, 9, 15, 0, 123000, tzinfo=dt.UTC)


def test_without_the_identity_frame_the_author_is_the_did() -> None:
    state = _State(seq=None)
    posts = [p for kind, _s, raw in frames() if kind == "#commit" for p in posts_from_frame(raw, state)]
    assert {p.author for p in posts} == {CAPTURE["did"]}
    assert posts[0].url.startswith(f"https://bsky.app/profile/{CAPTURE['did']}/post/")


def test_a_garbled_frame_raises() -> None:
    with pytest.raises(Exception):  # noqa: B017  (the SDK's decoding error, whatever its class)
        posts_from_frame(b"\xff\x00garbage", _State(seq=None))


def test_subscribe_url() -> None:
    assert (
        subscribe_url("https://pds.example/", 42) == "wss://pds.example/xrpc/com.atproto.sync.subscribeRepos?cursor=42"
    )
    assert subscribe_url("http://127.0.0.1:2583", None) == "ws://127.0.0.1:2583/xrpc/com.atproto.sync.subscribeRepos"


# --- the command ------------------------------------------------------------------------------------------


def make_source(workspace: Workspace, **config: Any) -> Source:
    return Source.objects.create(workspace=workspace, kind=SourceKind.BLUESKY, name="Bluesky", config=config)


def test_listen_bluesky_refuses_unknown_and_search_sources(workspace: Workspace) -> None:
    def handler(source: Source, posts: Any, cursor: dict[str, Any]) -> None:
        raise AssertionError("never called")

    with pytest.raises(CommandError, match="no Bluesky listening source with id 999999"):
        call_command(Command(handler=handler), source=999999)
    search = make_source(workspace, query="northwind")
    with pytest.raises(CommandError, match="only stream sources listen"):
        call_command(Command(handler=handler), source=search.pk)
    broken = make_source(workspace, mode="stream", lang="??")
    with pytest.raises(CommandError, match="invalid settings: lang"):
        call_command(Command(handler=handler), source=broken.pk)


@override_settings(UNFURL_ALLOW_PRIVATE_ADDRESSES=False)
def test_listen_bluesky_refuses_a_private_stream_address(workspace: Workspace) -> None:
    source = make_source(workspace, mode="stream", service_url="http://127.0.0.1:9")
    with pytest.raises(CommandError, match="loopback address"):
        call_command(Command(handler=lambda *a: None, stop_event=threading.Event()), source=source.pk)


def test_listen_bluesky_without_the_pipeline_says_so(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    real = importlib.import_module

    def no_pipeline(name: str, package: str | None = None) -> Any:
        if name == "groundswell.listening.pipeline":
            raise ImportError("No module named 'groundswell.listening.pipeline'")
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", no_pipeline)
    source = make_source(workspace, mode="stream", service_url="http://127.0.0.1:9")
    with pytest.raises(CommandError, match="pipeline is not available"):
        call_command(Command(), source=source.pk)


def test_the_demo_sources_are_valid_bluesky_sources(workspace: Workspace) -> None:
    search, stream = build_bluesky_listening(workspace, dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC))
    assert parse_config(search.config).mode == "search" and search.is_active
    assert parse_config(stream.config).mode == "stream" and not stream.is_active
    assert search.cursor["since"] == "2026-11-01T11:45:00+00:00"


def test_listen_bluesky_refuses_a_switched_off_source_and_bad_options(workspace: Workspace) -> None:
    off = make_source(workspace, mode="stream")
    off.is_active = False
    off.save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="switched off"):
        call_command(Command(handler=lambda *a: None), source=off.pk)
    on = make_source(workspace, mode="stream")
    with pytest.raises(CommandError, match="--batch-size must be at least 1"):
        call_command(Command(handler=lambda *a: None), source=on.pk, batch_size=0)
