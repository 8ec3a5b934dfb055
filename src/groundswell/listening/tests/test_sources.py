"""Each source plug-in against fixtures shaped as the network documents them, through the fetch choke point."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from groundswell.lib.safe_fetch import FetchFailed
from groundswell.listening import http
from groundswell.listening.sources.base import Problem, SourceError, plugin_for
from groundswell.listening.sources.hackernews import HackerNewsPlugin
from groundswell.listening.sources.mastodon import MastodonPlugin
from groundswell.listening.sources.rss import RssPlugin
from groundswell.listening.tests.fixtures import (
    ATOM,
    RSS,
    FakeFetcher,
    hn_hit,
    status,
)

RSS_CFG = {"url": "https://news.example.com/feed.xml"}


def test_every_kind_is_registered() -> None:
    for kind in ("rss", "mastodon", "reddit", "hackernews", "csv"):
        assert plugin_for(kind).kind == kind


# --- RSS / Atom -----------------------------------------------------------------------------------


def test_rss_reads_entries_oldest_first_as_text_and_resumes_from_the_cursor() -> None:
    plugin = RssPlugin()
    with http.use_fetcher(FakeFetcher({"/feed.xml": RSS})):
        first = plugin.fetch(RSS_CFG, {}, limit=2)
        assert [p.external_id for p in first.posts] == ["https://news.example.com/a1", "https://news.example.com/a2"]
        assert first.more is True
        post = first.posts[0]
        assert post.text == "Northwind launches a new tent — The Northwind Ridge 2 weighs 1.2 kg."
        assert post.published_at == dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
        assert post.site == "news.example.com"
        assert post.lang == "en"
        second = plugin.fetch(RSS_CFG, first.cursor, limit=10)
        assert [p.external_id for p in second.posts] == ["https://news.example.com/a3"]
        assert second.more is False
        third = plugin.fetch(RSS_CFG, second.cursor, limit=10)
        assert third.posts == []
        assert third.cursor == second.cursor


def test_atom_feeds_work_too() -> None:
    with http.use_fetcher(FakeFetcher({"/atom": ATOM})):
        result = RssPlugin().fetch({"url": "https://blog.example.org/atom"}, {}, limit=10)
    assert [(p.external_id, p.author, p.url) for p in result.posts] == [
        ("urn:gear:1", "Sam", "https://blog.example.org/1")
    ]
    assert "stove recalled" in result.posts[0].text


def test_rss_errors_say_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="url"):
        RssPlugin().validate_config({"url": "not a url"})
    with (
        http.use_fetcher(FakeFetcher({"/feed.xml": b"<html><body>not a feed"})),
        pytest.raises(SourceError, match="RSS or Atom"),
    ):
        RssPlugin().fetch(RSS_CFG, {}, limit=10)
    with http.use_fetcher(FakeFetcher({})), pytest.raises(SourceError) as exc:
        RssPlugin().fetch(RSS_CFG, {}, limit=10)
    assert exc.value.permanent is True  # a 404 will not heal by itself


class _FeedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body, ctype = (RSS, "application/rss+xml") if self.path == "/feed.xml" else (b"<html></html>", "text/html")
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def feed_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FeedHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_rss_through_the_real_safe_client_on_loopback(feed_server: str) -> None:
    result = RssPlugin().fetch({"url": f"{feed_server}/feed.xml"}, {}, limit=10)
    assert len(result.posts) == 3
    with pytest.raises(SourceError, match="not application/atom"):
        RssPlugin().fetch({"url": f"{feed_server}/page"}, {}, limit=10)


def test_the_safe_client_refuses_private_addresses(settings: Any) -> None:
    settings.UNFURL_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(SourceError, match="only public addresses") as exc:
        RssPlugin().fetch({"url": "http://127.0.0.1:9/feed.xml"}, {}, limit=10)
    assert exc.value.permanent is True


# --- Mastodon -------------------------------------------------------------------------------------


def test_mastodon_hashtag_timeline_with_min_id_cursor() -> None:
    seen: list[dict[str, list[str]]] = []

    def timeline(path: str, query: dict[str, list[str]]) -> Any:
        seen.append(query)
        if query.get("min_id") == ["12"]:
            return [status(13, "<p>Second <a href='x'>#northwind</a> post</p>")]
        return [status(12, "<p>Love my <b>Northwind</b> tent!<br>Great.</p>"), status(11, "<p>Older</p>")]

    plugin = MastodonPlugin()
    config = plugin.validate_config({"instance": "https://mastodon.example/", "tag": "#Northwind"})
    assert config == {"instance": "https://mastodon.example", "timeline": "tag", "tag": "Northwind", "local": False}
    with http.use_fetcher(FakeFetcher({"/api/v1/timelines/tag/Northwind": timeline})):
        first = plugin.fetch(config, {}, limit=40)
        assert [p.text for p in first.posts] == ["Older", "Love my Northwind tent! Great."]
        assert first.cursor == {"min_id": "12"}
        p = first.posts[1]
        assert (p.author, p.lang, p.metrics) == (
            "@kim@mastodon.example",
            "en",
            {"likes": 3, "reposts": 2, "replies": 1},
        )
        second = plugin.fetch(config, first.cursor, limit=40)
    assert [p.external_id for p in second.posts] == ["https://mastodon.example/users/kim/statuses/13"]
    assert second.cursor == {"min_id": "13"}
    assert seen[1]["min_id"] == ["12"]


def test_mastodon_public_timeline_and_config_errors() -> None:
    plugin = MastodonPlugin()
    with pytest.raises(ValueError, match="needs a hashtag"):
        plugin.validate_config({"instance": "https://m.example"})
    with pytest.raises(ValueError, match="letters, digits"):
        plugin.validate_config({"instance": "https://m.example", "tag": "no spaces"})
    config = plugin.validate_config({"instance": "https://m.example", "timeline": "public"})
    with (
        http.use_fetcher(FakeFetcher({"/api/v1/timelines/public": {"error": "nope"}})),
        pytest.raises(SourceError, match="list of statuses"),
    ):
        plugin.fetch(config, {}, limit=10)


# --- Hacker News ----------------------------------------------------------------------------------


def test_hackernews_reads_the_oldest_page_first_when_many_are_new() -> None:
    def search(path: str, query: dict[str, list[str]]) -> Any:
        assert query["numericFilters"] == ["created_at_i>=1000"]
        if query.get("page") == ["1"]:
            return {"hits": [hn_hit(2, 1001, comment="<p>I like <i>Northwind</i></p>"), hn_hit(1, 1000)], "nbPages": 2}
        return {"hits": [hn_hit(4, 1003, title="Northwind raises"), hn_hit(3, 1002, title="x")], "nbPages": 2}

    with http.use_fetcher(FakeFetcher({"/api/v1/search_by_date": search})):
        result = HackerNewsPlugin().fetch({"query": "northwind"}, {"t": 1000, "seen": ["1"]}, limit=100)
    assert [p.external_id for p in result.posts] == ["2"]
    assert result.posts[0].text == "Northwind on HN — I like Northwind"
    assert result.posts[0].thread_root == "1"
    assert result.more is True
    assert result.cursor == {"t": 1001.0, "seen": ["2"]}


def test_hackernews_first_poll_and_bad_answers() -> None:
    answer = {"hits": [hn_hit(4, 1003, title="Northwind raises")], "nbPages": 1}
    with http.use_fetcher(FakeFetcher({"/api/v1/search_by_date": answer})):
        result = HackerNewsPlugin().fetch({"query": " northwind  tents "}, {}, limit=100)
    assert result.posts[0].site == "northwind.example"
    assert result.posts[0].metrics == {"likes": 10, "replies": 4}
    with (
        http.use_fetcher(FakeFetcher({"/api/v1/search_by_date": b"<html>"})),
        pytest.raises(SourceError, match="valid JSON"),
    ):
        HackerNewsPlugin().fetch({"query": "x"}, {}, limit=100)
    with pytest.raises(ValueError, match="words to search"):
        HackerNewsPlugin().validate_config({"query": "  "})


# --- Refusals through the fetch choke point --------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "problem", "permanent"),
    [
        (401, Problem.FORBIDDEN, True),  # e.g. a Mastodon server whose timelines need a signed-in user
        (403, Problem.FORBIDDEN, True),
        (404, Problem.NOT_FOUND, True),
        (410, Problem.NOT_FOUND, True),
        (429, Problem.RATE_LIMITED, False),
        (503, Problem.SERVER_ERROR, False),
        (None, Problem.UNREACHABLE, False),
    ],
)
def test_fetch_failures_are_classified(status: int | None, problem: Problem, permanent: bool) -> None:
    failure = FetchFailed("The page answered with an error." if status else "Could not find the server.", status)
    with http.use_fetcher(FakeFetcher({"/feed.xml": failure})), pytest.raises(SourceError) as info:
        RssPlugin().fetch(RSS_CFG, {}, limit=10)
    assert (info.value.problem, info.value.permanent) == (problem, permanent)


def test_a_refused_address_is_a_settings_problem(settings: Any) -> None:
    settings.UNFURL_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(SourceError) as info:
        MastodonPlugin().fetch({"instance": "http://10.0.0.1", "timeline": "public"}, {}, limit=10)
    assert info.value.problem is Problem.INVALID_SETTINGS and info.value.permanent
