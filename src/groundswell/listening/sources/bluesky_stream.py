"""The Bluesky repository event stream (``com.atproto.sync.subscribeRepos``) as batches of posts.

The stream is a WebSocket of DAG-CBOR frames; a ``#commit`` frame carries the repository operations and
the changed blocks as a CAR file. Frames and CAR files are decoded with the ``atproto`` SDK
(``atproto_subscription.frames``, ``atproto_core.car``). Only ``app.bsky.feed.post`` *creates* are kept.

The cursor is the sequence number of the last frame read. ``stream_posts`` yields a :class:`StreamBatch`
(posts plus ``{"seq": n}``) at most every ``flush_seconds`` or every ``batch_size`` posts; the caller stores
the cursor once it has handed the batch over, and a restart subscribes with ``cursor=n``, from which the
server replays every event after ``n``: nothing is skipped and nothing is read twice.

Repositories are named by DID; a ``HandleResolver`` (``appview_handles``: the AppView's ``getProfiles``,
cached) turns the authors of a batch into handles, else the handle from an ``#identity`` frame or the DID.

The host is resolved and checked once (``lib.safe_fetch.resolve``) and the socket is connected to the
checked address, so a user-given service URL cannot be pointed at a private address by DNS tricks.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from atproto_core.car import CAR
from atproto_core.cid import CID
from atproto_core.exceptions import AtProtocolError
from atproto_subscription.frames import Frame
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.sync.client import ClientConnection, connect

from groundswell.lib.safe_fetch import FetchError, FetchRefused, check_url, resolve
from groundswell.listening.sources.base import FetchedPost, FetchResult, Problem, SourceError
from groundswell.listening.sources.bluesky import POST_COLLECTION, post_from_record
from groundswell.networks import http
from groundswell.networks.http import USER_AGENT

log = logging.getLogger(__name__)

MAX_FRAME_BYTES = 8 * 1024 * 1024  # a commit with images stays well below this
CONNECT_TIMEOUT = 10.0
RECONNECT_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)


#: DIDs → handles for the authors of a batch (the stream names repositories by DID only).
HandleResolver = Callable[[Sequence[str]], dict[str, str]]
PROFILES_PER_REQUEST = 25  # app.bsky.actor.getProfiles' maximum
MAX_CACHED_HANDLES = 50_000


def appview_handles(appview_url: str) -> HandleResolver:
    """A resolver asking the AppView (``app.bsky.actor.getProfiles``); unknown DIDs stay as they are."""
    base = appview_url.rstrip("/")

    def resolve_handles(dids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(dids), PROFILES_PER_REQUEST):
            chunk = dids[start : start + PROFILES_PER_REQUEST]
            try:
                with http.client() as client:
                    response = client.get(
                        f"{base}/xrpc/app.bsky.actor.getProfiles", params=[("actors", did) for did in chunk]
                    )
                profiles = response.json().get("profiles", []) if response.status_code == 200 else []
            except (httpx.HTTPError, ValueError, AttributeError) as exc:
                log.warning("Could not look up Bluesky handles at %s: %r", base, exc)
                continue
            for profile in profiles if isinstance(profiles, list) else []:
                handle = profile.get("handle") if isinstance(profile, dict) else None
                if isinstance(handle, str) and handle and handle != "handle.invalid":
                    found[str(profile.get("did"))] = handle
        return found

    return resolve_handles


@dataclass
class StreamBatch:
    posts: list[FetchedPost]
    cursor: dict[str, Any]


@dataclass
class _State:
    seq: int | None
    handles: dict[str, str] = field(default_factory=dict)  # DID → handle (#identity frames, the resolver)
    asked: set[str] = field(default_factory=set)  # DIDs the resolver did not know


def _with_handles(posts: list[FetchedPost], state: _State, resolve_handles: HandleResolver | None) -> list[FetchedPost]:
    """The posts with the author's handle instead of the DID where it can be found."""
    if resolve_handles is None:
        return posts
    unknown = sorted({p.author for p in posts if p.author.startswith("did:")} - state.asked - set(state.handles))
    if unknown:
        if len(state.handles) + len(state.asked) > MAX_CACHED_HANDLES:
            state.handles.clear()
            state.asked.clear()
        found = resolve_handles(unknown)
        state.handles.update(found)
        state.asked.update(did for did in unknown if did not in found)
    return [_renamed(p, state.handles[p.author]) if p.author in state.handles else p for p in posts]


def _renamed(post: FetchedPost, handle: str) -> FetchedPost:
    rkey = post.external_id.rsplit("/", 1)[1]
    return replace(
        post,
        author=handle[:200],
        url=f"https://bsky.app/profile/{handle}/post/{rkey}",
        author_url=f"https://bsky.app/profile/{handle}",
    )


def subscribe_url(service_url: str, cursor: int | None) -> str:
    parts = urlsplit(service_url.rstrip("/"))
    scheme = "wss" if parts.scheme == "https" else "ws"
    query = f"?{urlencode({'cursor': cursor})}" if cursor is not None else ""
    return f"{scheme}://{parts.netloc}/xrpc/com.atproto.sync.subscribeRepos{query}"


def _open(service_url: str, cursor: int | None) -> ClientConnection:
    """Connect to the checked address of ``service_url``'s host (SourceError when refused or unreachable)."""
    try:
        check_url(service_url)
    except FetchError as exc:
        raise SourceError(str(exc), problem=Problem.INVALID_SETTINGS) from exc
    parts = urlsplit(service_url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = resolve(host, port)
    except FetchError as exc:
        problem = Problem.INVALID_SETTINGS if isinstance(exc, FetchRefused) else Problem.UNREACHABLE
        raise SourceError(str(exc), problem=problem) from exc
    last: Exception | None = None
    for ip in addresses:
        try:
            sock = socket.create_connection((ip, port), timeout=CONNECT_TIMEOUT)
        except OSError as exc:
            last = exc
            continue
        try:
            return connect(
                subscribe_url(service_url, cursor),
                sock=sock,
                max_size=MAX_FRAME_BYTES,
                open_timeout=CONNECT_TIMEOUT,
                user_agent_header=USER_AGENT,
            )
        except (OSError, InvalidHandshake, InvalidURI, TimeoutError) as exc:
            sock.close()
            last = exc
    raise SourceError(
        f"Could not connect to the Bluesky event stream at {service_url} ({last!r}).", problem=Problem.UNREACHABLE
    )


def posts_from_frame(raw: bytes, state: _State) -> list[FetchedPost]:
    """The post creates in one frame (and the frame's sequence number in ``state``)."""
    frame = Frame.from_bytes(raw)
    if frame.is_error:
        error = getattr(frame.body, "error", "") or "error"
        message = getattr(frame.body, "message", "") or ""
        # FutureCursor: the stored cursor is ahead of the server (a reset server); the admin must clear it.
        # Others (ConsumerTooSlow, …) are worth a reconnect from the same cursor.
        text = f"The Bluesky event stream ended with {error}: {message}".strip()
        raise SourceError(text, permanent=error == "FutureCursor")
    body = frame.body
    if not isinstance(body, dict):
        return []
    kind = getattr(frame, "type", "")
    seq = body.get("seq")
    if isinstance(seq, int):
        state.seq = seq
    if kind == "#identity" and isinstance(body.get("handle"), str):
        state.handles[str(body.get("did"))] = str(body["handle"])
        return []
    if kind == "#info":
        log.warning("Bluesky event stream: %s %s", body.get("name"), body.get("message", ""))
        return []
    if kind != "#commit" or body.get("tooBig"):
        return []
    creates = [
        op
        for op in body.get("ops") or []
        if op.get("action") == "create" and str(op.get("path", "")).startswith(f"{POST_COLLECTION}/") and op.get("cid")
    ]
    if not creates:
        return []
    blocks = CAR.from_bytes(body["blocks"]).blocks
    did = str(body.get("repo", ""))
    author = state.handles.get(did, did)
    posts = []
    for op in creates:
        cid = op["cid"] if isinstance(op["cid"], CID) else CID.decode(op["cid"])
        record = blocks.get(cid)
        if not isinstance(record, dict) or record.get("$type") != POST_COLLECTION:
            continue
        post = post_from_record(f"at://{did}/{op['path']}", author, record)
        if post is not None:
            posts.append(post)
    return posts


def stream_posts(
    service_url: str,
    cursor: int | None,
    stop_event: threading.Event,
    *,
    batch_size: int = 100,
    flush_seconds: float = 1.0,
    idle_seconds: float | None = None,
    reconnect: bool = True,
    resolve_handles: HandleResolver | None = None,
) -> Generator[StreamBatch, None, None]:
    """Batches of new posts from the stream, each with the cursor to store once it is handed over.

    Runs until ``stop_event`` is set (or, with ``idle_seconds``, until no frame came for that long: the
    catch-up of a polled source). A dropped connection is re-opened from the last sequence number read,
    after a short back-off, unless ``reconnect`` is off. A batch is also yielded when only the cursor moved
    (other people's likes and follows), so a restart does not re-read them. ``batch_size`` is reached, not
    cut: the posts of one frame (one commit) always travel together.
    """
    state = _State(seq=cursor)
    pending: list[FetchedPost] = []
    flushed_seq = cursor
    attempt = 0
    while not stop_event.is_set():
        try:
            ws = _open(service_url, state.seq)
        except SourceError as exc:
            if exc.permanent or not reconnect:
                raise
            delay = RECONNECT_DELAYS[min(attempt, len(RECONNECT_DELAYS) - 1)]
            attempt += 1
            log.warning("%s; trying again in %.0fs", exc, delay)
            stop_event.wait(delay)
            continue
        attempt = 0
        started = last_frame = time.monotonic()
        try:
            with ws:
                while not stop_event.is_set():
                    try:
                        raw = ws.recv(timeout=0.2)
                    except TimeoutError:
                        raw = None
                    now = time.monotonic()
                    if isinstance(raw, bytes):
                        last_frame = now
                        try:
                            pending.extend(posts_from_frame(raw, state))
                        except SourceError as exc:
                            if exc.permanent or not reconnect:
                                raise
                            log.warning("%s; reconnecting from seq %s", exc, state.seq)
                            break
                        except (AtProtocolError, ValueError, KeyError, TypeError) as exc:
                            # One undecodable frame must not stop the listener; the next frame's seq moves on.
                            log.warning("Skipped an undecodable Bluesky stream frame after seq %s: %r", state.seq, exc)
                    due = len(pending) >= batch_size or (now - started >= flush_seconds)
                    if due and (pending or state.seq != flushed_seq):
                        # A frame is never split over two batches: the cursor is a frame's sequence number.
                        batch, pending, flushed_seq = pending, [], state.seq
                        batch = _with_handles(batch, state, resolve_handles)
                        yield StreamBatch(batch, {"seq": flushed_seq} if flushed_seq is not None else {})
                        started = time.monotonic()
                    if idle_seconds is not None and now - last_frame >= idle_seconds:
                        stop_event.set()
        except (ConnectionClosed, OSError) as exc:
            if not reconnect:
                raise SourceError(f"The Bluesky event stream closed ({exc}).", problem=Problem.UNREACHABLE) from exc
            log.warning("Bluesky event stream closed (%s); reconnecting from seq %s", exc, state.seq)
        if not stop_event.is_set():
            stop_event.wait(RECONNECT_DELAYS[0])
    if pending or state.seq != flushed_seq:
        pending = _with_handles(pending, state, resolve_handles)
        yield StreamBatch(pending, {"seq": state.seq} if state.seq is not None else {})


def catch_up(
    service_url: str,
    cursor: dict[str, Any],
    *,
    limit: int,
    idle_seconds: float = 2.0,
    resolve_handles: HandleResolver | None = None,
) -> FetchResult:
    """A polled stream source: read from the stored sequence number until the backlog is drained (no frame
    for ``idle_seconds``) or ``limit`` posts were read."""
    raw_seq = cursor.get("seq")
    seq = raw_seq if isinstance(raw_seq, int) else None
    stop = threading.Event()
    posts: list[FetchedPost] = []
    new_cursor = dict(cursor)
    more = False
    stream = stream_posts(
        service_url,
        seq,
        stop,
        batch_size=limit,
        flush_seconds=3600,
        idle_seconds=idle_seconds,
        reconnect=False,
        resolve_handles=resolve_handles,
    )
    try:
        for batch in stream:
            posts, new_cursor = batch.posts, batch.cursor or new_cursor
            more = len(posts) >= limit
            break
    finally:
        stop.set()
        stream.close()
    return FetchResult(posts=posts, cursor=new_cursor, more=more)
