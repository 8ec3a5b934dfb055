"""stream_posts and listen_bluesky against a real WebSocket server on loopback that replays captured
subscribeRepos frames (honouring ``cursor``), drops the connection, or answers with an error frame."""

from __future__ import annotations

import base64
import contextlib
import json
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import libipld
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from groundswell.listening.management.commands.listen_bluesky import Command
from groundswell.listening.models import Source, SourceKind
from groundswell.listening.sources.base import FetchedPost, SourceError
from groundswell.listening.sources.bluesky_stream import appview_handles, stream_posts
from groundswell.networks import http
from groundswell.workspaces.models import Workspace

CAPTURE = json.loads((Path(__file__).parent / "fixtures" / "bluesky_capture.json").read_text())
FRAMES = [(f["seq"], base64.b64decode(f["frame"])) for f in CAPTURE["frames"]]
POSTS = [CAPTURE["root_uri"], CAPTURE["reply_uri"]]


class Relay:
    """Serves FRAMES after the requested cursor; ``drop_after`` closes the first connection early."""

    def __init__(
        self, *, drop_after: int | None = None, error: str = "", garble: bool = False, errors_once: bool = False
    ) -> None:
        self.errors_once = errors_once
        self.drop_after = drop_after
        self.garble = garble
        self.error = error
        self.cursors: list[int | None] = []

    def handle(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        query = parse_qs(urlsplit(ws.request.path).query)
        cursor = int(query["cursor"][0]) if "cursor" in query else None
        self.cursors.append(cursor)
        if self.error:
            ws.send(
                libipld.encode_dag_cbor({"op": -1}) + libipld.encode_dag_cbor({"error": self.error, "message": "no"})
            )
            ws.close()
            if self.errors_once:
                self.error = ""
            return
        sent = 0
        if self.garble:
            ws.send(b"\xff\x00garbage")
        for seq, raw in FRAMES:
            if cursor is not None and seq <= cursor:
                continue
            if self.drop_after is not None and sent == self.drop_after:
                self.drop_after = None
                ws.close()
                return
            ws.send(raw)
            sent += 1
        with contextlib.suppress(ConnectionClosed):
            ws.recv()  # keep the connection open until the client goes


@pytest.fixture
def relay() -> Iterator[tuple[Relay, str]]:
    yield from _serve(Relay())


def _serve(relay: Relay) -> Iterator[tuple[Relay, str]]:
    server: Server = serve(relay.handle, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.socket.getsockname()[:2]
    try:
        yield relay, f"http://{host}:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def read_all(url: str, cursor: int | None) -> tuple[list[str], list[dict[str, Any]]]:
    stop = threading.Event()
    posts: list[str] = []
    cursors: list[dict[str, Any]] = []
    for batch in stream_posts(url, cursor, stop, flush_seconds=0.1):
        posts += [p.external_id for p in batch.posts]
        cursors.append(batch.cursor)
        if batch.cursor.get("seq") == FRAMES[-1][0]:
            stop.set()
    return posts, cursors


def test_stream_posts_yields_the_posts_and_the_last_sequence_number(relay: tuple[Relay, str]) -> None:
    server, url = relay
    posts, cursors = read_all(url, None)
    assert posts == POSTS
    assert cursors[-1] == {"seq": FRAMES[-1][0]}
    assert server.cursors == [None]


def test_resuming_from_a_cursor_replays_only_what_came_after(relay: tuple[Relay, str]) -> None:
    server, url = relay
    first_post_seq = next(seq for seq, raw in FRAMES if CAPTURE["root_uri"].rsplit("/", 1)[1].encode() in raw)
    posts, _ = read_all(url, first_post_seq)
    assert posts == [CAPTURE["reply_uri"]]
    assert server.cursors == [first_post_seq]


def test_a_dropped_connection_resumes_from_the_last_frame_read() -> None:
    for server, url in _serve(Relay(drop_after=3)):
        posts, _ = read_all(url, None)
        assert posts == POSTS  # nothing lost, nothing twice
        assert server.cursors[0] is None and server.cursors[1] == FRAMES[2][0]


def test_an_error_frame_is_a_permanent_source_error() -> None:
    for _server, url in _serve(Relay(error="FutureCursor")):
        with pytest.raises(SourceError, match="FutureCursor") as info:
            read_all(url, 10**9)
        assert info.value.permanent


def test_nobody_listening_is_a_transient_error_without_reconnect() -> None:
    stop = threading.Event()
    with pytest.raises(SourceError, match="Could not connect") as info:
        list(stream_posts("http://127.0.0.1:9", None, stop, reconnect=False))
    assert not info.value.permanent


def test_listen_bluesky_hands_batches_over_and_stores_the_cursor(
    relay: tuple[Relay, str], workspace: Workspace
) -> None:
    _server, url = relay
    source = Source.objects.create(
        workspace=workspace, kind=SourceKind.BLUESKY, name="Stream", config={"mode": "stream", "service_url": url}
    )
    got: list[FetchedPost] = []
    stop = threading.Event()

    def handler(src: Source, posts: Sequence[FetchedPost], cursor: dict[str, Any]) -> None:
        assert src.pk == source.pk
        got.extend(posts)
        src.cursor = cursor
        src.save(update_fields=["cursor"])
        if cursor.get("seq") == FRAMES[-1][0]:
            stop.set()

    with http.use_transport(httpx.MockTransport(profiles({}))):
        call_command(Command(handler=handler, stop_event=stop), source=source.pk, flush_seconds=0.1)
    assert [p.external_id for p in got] == POSTS
    source.refresh_from_db()
    assert source.cursor == {"seq": FRAMES[-1][0]}


def test_listen_bluesky_reports_a_stream_error(workspace: Workspace) -> None:
    for _server, url in _serve(Relay(error="FutureCursor")):
        source = Source.objects.create(
            workspace=workspace,
            kind=SourceKind.BLUESKY,
            name="Stream",
            config={"mode": "stream", "service_url": url},
            cursor={"seq": 10**9},
        )
        with pytest.raises(CommandError, match="FutureCursor"):
            call_command(Command(handler=lambda *a: None), source=source.pk)


def test_an_undecodable_frame_is_skipped_and_the_stream_goes_on() -> None:
    for _server, url in _serve(Relay(garble=True)):
        posts, cursors = read_all(url, None)
        assert posts == POSTS
        assert cursors[-1] == {"seq": FRAMES[-1][0]}


def profiles(known: dict[str, str], asked: list[list[str]] | None = None) -> Any:
    """An AppView answering app.bsky.actor.getProfiles from ``known`` (DID → handle)."""

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/xrpc/app.bsky.actor.getProfiles"
        actors = request.url.params.get_list("actors")
        if asked is not None:
            asked.append(actors)
        return httpx.Response(200, json={"profiles": [{"did": d, "handle": known[d]} for d in actors if d in known]})

    return answer


def test_authors_are_looked_up_once_when_the_identity_frame_was_not_seen(relay: tuple[Relay, str]) -> None:
    _server, url = relay
    identity_seq = next(seq for seq, raw in FRAMES if b"#identity" in raw)
    asked: list[list[str]] = []
    stop = threading.Event()
    posts: list[FetchedPost] = []
    resolver = appview_handles("https://appview.example")
    with http.use_transport(httpx.MockTransport(profiles({CAPTURE["did"]: "renamed.example.com"}, asked))):
        for batch in stream_posts(url, identity_seq, stop, flush_seconds=0.1, resolve_handles=resolver):
            posts += batch.posts
            if batch.cursor.get("seq") == FRAMES[-1][0]:
                stop.set()
    assert [p.external_id for p in posts] == POSTS
    assert {p.author for p in posts} == {"renamed.example.com"}
    assert posts[0].url.startswith("https://bsky.app/profile/renamed.example.com/post/")
    assert posts[0].author_url == "https://bsky.app/profile/renamed.example.com"
    assert asked == [[CAPTURE["did"]]]  # cached after the first batch


def test_an_unknown_or_failing_lookup_keeps_the_did() -> None:
    resolver = appview_handles("https://appview.example")
    with http.use_transport(httpx.MockTransport(lambda request: httpx.Response(502, text="down"))):
        assert resolver(["did:plc:abc"]) == {}
    with http.use_transport(httpx.MockTransport(profiles({}))):
        assert resolver(["did:plc:abc"]) == {}


def test_consumer_too_slow_reconnects_from_the_same_cursor() -> None:
    for server, url in _serve(Relay(error="ConsumerTooSlow", errors_once=True)):
        posts, _ = read_all(url, None)
        assert posts == POSTS
        assert server.cursors == [None, None]
