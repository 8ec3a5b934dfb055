"""The Bluesky listening source on fixtures: search answers shaped as (and partly captured from) the real
AppView, and subscribeRepos frames captured from the local development network (tests/bluesky)."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from groundswell.demo.listening_bluesky import build_bluesky_listening
from groundswell.listening.management.commands.listen_bluesky import Command
from groundswell.listening.models import Source, SourceKind
from groundswell.listening.sources.base import FetchedPost, SourceError, plugin_for
from groundswell.listening.sources.bluesky import BlueskySource, parse_config
from groundswell.listening.sources.bluesky_stream import _State, posts_from_frame, subscribe_url
from groundswell.networks import http
from groundswell.workspaces.models import Workspace

CAPTURE = json.loads((Path(__file__).parent / "fixtures" / "bluesky_capture.json").read_text())
APPVIEW = "https://appview.example.com"
CONFIG = {"query": "northwind", "service_url": APPVIEW}


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


@pytest.fixture
def appview() -> Iterator[FakeAppView]:
    fake = FakeAppView([view(1, "2026-11-01T10:00:00.000Z"), view(2, "2026-11-01T11:00:00.000Z")])
    with http.use_transport(httpx.MockTransport(fake)):
        yield fake


def ids(posts: list[FetchedPost]) -> list[str]:
    return [p.external_id.rsplit("/", 1)[1] for p in posts]


def test_a_search_result_becomes_a_fetched_post() -> None:
    captured = CAPTURE["search"]
    with http.use_transport(httpx.MockTransport(lambda request: httpx.Response(200, json=captured))):
        result = BlueskySource().fetch({"query": "Northwind stakes", "service_url": APPVIEW}, {}, limit=50)
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


def test_first_poll_reads_the_newest_page_then_later_polls_only_new_posts(appview: FakeAppView) -> None:
    source = plugin_for("bluesky")
    first = source.fetch(CONFIG, {}, limit=50)
    assert ids(first.posts) == ["3kpost0001", "3kpost0002"]  # oldest first
    assert first.cursor["since"] == "2026-11-01T11:00:00+00:00"
    assert appview.requests[0]["sort"] == "latest" and appview.requests[0]["q"] == "northwind"
    assert "since" not in appview.requests[0]

    for n, hour in ((3, 12), (4, 13), (5, 14)):
        appview.add(view(n, f"2026-11-01T{hour}:00:00.000Z"))
    appview.requests.clear()
    second = source.fetch(CONFIG, first.cursor, limit=50)
    assert ids(second.posts) == ["3kpost0003", "3kpost0004", "3kpost0005"]
    assert not second.more
    # Paged back (2 per page) past the post at the cursor's instant to one older, sending `since` each time.
    assert [r.get("cursor") for r in appview.requests] == [None, "2", "4"]
    assert {r["since"] for r in appview.requests} == {"2026-11-01T11:00:00Z"}

    third = source.fetch(CONFIG, second.cursor, limit=50)
    assert third.posts == [] and third.cursor == second.cursor


def test_posts_at_the_same_instant_are_neither_doubled_nor_skipped(appview: FakeAppView) -> None:
    source = BlueskySource()
    cursor = source.fetch(CONFIG, {}, limit=50).cursor
    same = "2026-11-02T08:00:00.500Z"
    for n in (7, 8, 9):
        appview.add(view(n, same))
    got: list[str] = []
    for _ in range(4):  # limit 2: the three posts at one instant take two polls, then nothing more
        result = source.fetch(CONFIG, cursor, limit=2)
        got += ids(result.posts)
        cursor = result.cursor
    assert got == ["3kpost0007", "3kpost0008", "3kpost0009"]
    assert cursor["since"] == "2026-11-02T08:00:00.500000+00:00"
    assert len(cursor["seen"]) == 3

    appview.add(view(10, same))  # indexed late at the very same instant: still found once
    result = source.fetch(CONFIG, cursor, limit=2)
    assert ids(result.posts) == ["3kpost0010"]
    assert source.fetch(CONFIG, result.cursor, limit=2).posts == []


def test_a_backlog_larger_than_the_limit_comes_oldest_first_with_more(appview: FakeAppView) -> None:
    source = BlueskySource()
    cursor = source.fetch(CONFIG, {}, limit=50).cursor
    for n in range(20, 25):
        appview.add(view(n, f"2026-11-03T0{n - 20}:00:00.000Z"))
    first = source.fetch(CONFIG, cursor, limit=3)
    assert ids(first.posts) == ["3kpost0020", "3kpost0021", "3kpost0022"] and first.more
    second = source.fetch(CONFIG, first.cursor, limit=3)
    assert ids(second.posts) == ["3kpost0023", "3kpost0024"] and not second.more


def test_language_filter_is_sent_and_applied(appview: FakeAppView) -> None:
    german = view(30, "2026-11-04T10:00:00.000Z")
    german["record"]["langs"] = ["de"]
    appview.add(german)
    result = BlueskySource().fetch({**CONFIG, "lang": "de"}, {}, limit=50)
    assert ids(result.posts) == ["3kpost0030"]
    assert appview.requests[-1]["lang"] == "de"


def test_broken_posts_in_an_answer_are_skipped(appview: FakeAppView) -> None:
    broken = view(40, "2026-11-05T10:00:00.000Z")
    broken["record"]["createdAt"] = "yesterday"
    appview.add(broken)
    appview.add({"uri": 5, "indexedAt": "2026-11-05T11:00:00.000Z"})
    appview.page_size = 10
    result = BlueskySource().fetch(CONFIG, {}, limit=50)
    assert "3kpost0040" not in ids(result.posts)
    assert ids(result.posts) == ["3kpost0001", "3kpost0002"]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({}, "A search needs a query"),
        ({"query": "   "}, "A search needs a query"),
        ({"query": "x", "lang": "english!"}, "lang: must be a language code"),
        ({"query": "x", "service_url": "ftp://bsky.example"}, "service_url: Only http and https"),
        ({"query": "x", "service_url": "https://me:pw@bsky.example"}, "user name or password"),
        ({"query": "x", "service_url": "https://bsky.example/xrpc"}, "the server's address only"),
        ({"query": "x", "mode": "firehose"}, "mode: Input should be 'search' or 'stream'"),
        ({"query": "x", "colour": "red"}, "colour: Extra inputs are not permitted"),
        ({"query": "x" * 501}, "query: String should have at most 500 characters"),
    ],
)
def test_bad_configuration_is_refused_with_a_message(config: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BlueskySource().validate_config(config)
    with pytest.raises(SourceError, match=message) as info:
        BlueskySource().fetch(config, {}, limit=10)
    assert info.value.permanent


def test_configuration_is_cleaned() -> None:
    cleaned = BlueskySource().validate_config({"query": "  northwind  ", "service_url": "https://bsky.example/"})
    assert cleaned == {"mode": "search", "query": "northwind", "service_url": "https://bsky.example"}
    assert BlueskySource().validate_config({"mode": "stream"}) == {"mode": "stream"}
    assert parse_config({"query": "x"}).lang == ""


@override_settings(UNFURL_ALLOW_PRIVATE_ADDRESSES=False)
def test_a_private_service_address_is_refused() -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.1, a loopback address"):
        BlueskySource().validate_config({"query": "x", "service_url": "http://127.0.0.1:2583"})
    with pytest.raises(SourceError, match="only public addresses") as info:
        BlueskySource().fetch({"query": "x", "service_url": "http://10.1.2.3"}, {}, limit=10)
    assert info.value.permanent


@pytest.mark.parametrize(
    ("response", "permanent", "message"),
    [
        (httpx.Response(400, json={"error": "InvalidRequest", "message": "bad query"}), True, "refused.*bad query"),
        (httpx.Response(403, text="nope"), True, r"refused the request \(403\)"),
        (httpx.Response(429, json={"error": "RateLimitExceeded"}), False, "busy"),
        (httpx.Response(502, text="<html>bad gateway</html>"), False, r"busy or failing \(502\)"),
        (httpx.Response(200, text="not json"), False, "not a list of posts"),
        (httpx.Response(200, json={"posts": "nope"}), False, "not a list of posts"),
    ],
)
def test_api_errors_become_source_errors(response: httpx.Response, permanent: bool, message: str) -> None:
    with http.use_transport(httpx.MockTransport(lambda request: response)), pytest.raises(SourceError) as info:
        BlueskySource().fetch(CONFIG, {}, limit=10)
    assert info.value.permanent is permanent
    assert info.match(message)


def test_a_network_failure_is_transient() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with http.use_transport(httpx.MockTransport(fail)), pytest.raises(SourceError, match="did not answer") as info:
        BlueskySource().fetch(CONFIG, {}, limit=10)
    assert not info.value.permanent


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
