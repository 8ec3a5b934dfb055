"""Facets, TIDs and error mapping: no network needed."""

from __future__ import annotations

import re

import httpx
import pytest

from groundswell.networks.bluesky.client import BlueskyClient, LinkCard, link_facets, new_tid
from groundswell.networks.bluesky.errors import AuthError, PermanentError, TransientError


def _slice(text: str, facet: dict[str, object]) -> str:
    index = facet["index"]
    assert isinstance(index, dict)
    return text.encode("utf-8")[index["byteStart"] : index["byteEnd"]].decode("utf-8")


def test_ascii_offsets() -> None:
    text = "Read https://example.com/a?b=1 now"
    [facet] = link_facets(text)
    assert facet["index"] == {"byteStart": 5, "byteEnd": 30}
    assert facet["features"] == [{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/a?b=1"}]


def test_non_ascii_offsets_are_utf8_bytes() -> None:
    text = "Grüße 👋🏽 from Zürich — https://example.com/über und 日本 http://x.test/y."
    facets = link_facets(text)
    assert [_slice(text, f) for f in facets] == ["https://example.com/über", "http://x.test/y"]
    first = facets[0]["index"]
    # "Grüße 👋🏽 from Zürich — " is 23 characters but 34 bytes (ü, ß: 2; 👋, 🏽: 4 each; ü: 2; —: 3).
    assert len("Grüße 👋🏽 from Zürich — ") == 23
    assert first["byteStart"] == len("Grüße 👋🏽 from Zürich — ".encode()) == 34
    assert first["byteEnd"] - first["byteStart"] == len("https://example.com/über".encode()) == 25


def test_trailing_punctuation_and_parentheses() -> None:
    text = "See (https://en.wikipedia.org/wiki/Foo_(bar)), or https://example.com!"
    assert [_slice(text, f) for f in link_facets(text)] == [
        "https://en.wikipedia.org/wiki/Foo_(bar)",
        "https://example.com",
    ]


def test_no_links_no_facets() -> None:
    assert link_facets("just text, ünïcödé 🎉") == []


def test_post_record_with_card() -> None:
    client = BlueskyClient("http://127.0.0.1:1", httpx.Client())
    record = client.post_record("Nice 🎉 https://example.com/x", LinkCard("https://example.com/x", "T", "D"))
    assert record["$type"] == "app.bsky.feed.post"
    assert record["embed"] == {
        "$type": "app.bsky.embed.external",
        "external": {"uri": "https://example.com/x", "title": "T", "description": "D"},
    }
    assert record["facets"][0]["index"] == {"byteStart": 10, "byteEnd": 31}


def test_tids_are_sortable_and_unique() -> None:
    tids = [new_tid() for _ in range(1000)]
    assert len(set(tids)) == 1000
    assert tids == sorted(tids)
    assert all(re.fullmatch(r"[234567a-j][234567a-z]{12}", t) for t in tids)
    assert new_tid(0) < new_tid(2**52)


def _client_answering(response: httpx.Response | Exception) -> BlueskyClient:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(response, Exception):
            raise response
        return response

    return BlueskyClient("http://pds.test", httpx.Client(transport=httpx.MockTransport(handler)))


@pytest.mark.parametrize(
    ("response", "kind"),
    [
        (httpx.Response(401, json={"error": "AuthenticationRequired", "message": "no"}), AuthError),
        (httpx.Response(400, json={"error": "ExpiredToken", "message": "Token has expired"}), AuthError),
        (httpx.Response(400, json={"error": "InvalidRequest", "message": "bad handle"}), PermanentError),
        (httpx.Response(404, text="nope"), PermanentError),
        (httpx.Response(502, text="bad gateway"), TransientError),
        (httpx.ConnectError("refused"), TransientError),
        (httpx.ReadTimeout("slow"), TransientError),
    ],
)
def test_error_mapping(response: httpx.Response | Exception, kind: type[Exception]) -> None:
    with pytest.raises(kind):
        _client_answering(response).create_session("a", "b")


def test_permanent_error_keeps_server_message() -> None:
    with pytest.raises(PermanentError) as info:
        _client_answering(
            httpx.Response(400, json={"error": "InvalidRequest", "message": "bad handle"})
        ).create_session("a", "b")
    assert "bad handle" in info.value.message and info.value.code == "InvalidRequest" and info.value.status == 400


def test_rate_limit_retry_after() -> None:
    with pytest.raises(TransientError) as info:
        _client_answering(
            httpx.Response(429, headers={"Retry-After": "7"}, json={"error": "RateLimitExceeded"})
        ).create_session("a", "b")
    assert info.value.retry_after == 7.0
    import time

    reset = str(int(time.time()) + 30)
    with pytest.raises(TransientError) as info:
        _client_answering(httpx.Response(429, headers={"ratelimit-reset": reset})).create_session("a", "b")
    assert info.value.retry_after is not None and 25 <= info.value.retry_after <= 30
