"""A small synchronous Bluesky (AT Protocol XRPC) client on httpx.

* ``create_session`` / ``refresh_session`` / ``delete_session`` manage app-password sessions;
* ``create_post`` writes an ``app.bsky.feed.post`` with a client-chosen record key (a TID, see ``new_tid``)
  so that a retry after a lost response never duplicates the post: if the record already exists the
  existing one is returned (checked with ``com.atproto.repo.getRecord``);
* links in the text get ``app.bsky.richtext.facet#link`` facets with UTF-8 *byte* offsets, and an
  optional ``LinkCard`` becomes an ``app.bsky.embed.external`` embed;
* ``get_metrics`` reads like/repost/reply/quote counts from the AppView (``app.bsky.feed.getPosts``);
* every failure is one of ``TransientError`` (retry later), ``AuthError`` (log in again) or
  ``PermanentError`` (don't retry), mapped from HTTP by ``networks/http.py`` like every plug-in's.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from groundswell.networks import http

from .errors import AuthError, PermanentError, TransientError

POST_COLLECTION = "app.bsky.feed.post"
LIKE_COLLECTION = "app.bsky.feed.like"
REPOST_COLLECTION = "app.bsky.feed.repost"
GET_POSTS_MAX_URIS = 25
#: How the network is named in error messages.
NETWORK = "Bluesky"
AUTH_ERROR_NAMES = frozenset({"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing"})

_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_tid_lock = threading.Lock()
_last_tid_micros = 0
_tid_clock_id = secrets.randbelow(1024)

# http(s) URLs in post text; trailing punctuation that usually ends a sentence is not part of the link.
_URL_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:!?)]}'\""


@dataclass(frozen=True)
class Session:
    did: str
    handle: str
    access_jwt: str = field(repr=False)  # tokens stay out of logs and tracebacks
    refresh_jwt: str = field(repr=False)


@dataclass(frozen=True)
class BlobRef:
    """The ``blob`` object returned by ``uploadBlob``, kept as the server sent it (to embed it as is)."""

    raw: Mapping[str, Any]

    @property
    def mime_type(self) -> str:
        return str(self.raw.get("mimeType", ""))

    @property
    def size(self) -> int:
        return int(self.raw.get("size", 0))


@dataclass(frozen=True)
class LinkCard:
    uri: str
    title: str
    description: str = ""
    thumb: BlobRef | None = None


@dataclass(frozen=True)
class Record:
    uri: str
    cid: str
    value: Mapping[str, Any]


@dataclass(frozen=True)
class StrongRef:
    uri: str
    cid: str


@dataclass(frozen=True)
class ReplyRef:
    """``app.bsky.feed.post#replyRef``: the thread's root and the post answered."""

    root: StrongRef
    parent: StrongRef


@dataclass(frozen=True)
class Metrics:
    likes: int
    reposts: int
    replies: int
    quotes: int


def new_tid(now_micros: int | None = None) -> str:
    """A TID (timestamp identifier): 53 bits of microseconds since the epoch and a 10-bit clock id, as 13
    characters of sortable base32. Strictly increasing within this process."""
    global _last_tid_micros
    with _tid_lock:
        micros = now_micros if now_micros is not None else time.time_ns() // 1000
        if micros <= _last_tid_micros:
            micros = _last_tid_micros + 1
        _last_tid_micros = micros
    value = ((micros & ((1 << 53) - 1)) << 10) | _tid_clock_id
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def link_facets(text: str) -> list[dict[str, Any]]:
    """``app.bsky.richtext.facet`` link facets for every http(s) URL in ``text``; offsets are UTF-8 bytes."""
    facets: list[dict[str, Any]] = []
    for match in _URL_RE.finditer(text):
        url = match.group(0).rstrip(_TRAILING_PUNCTUATION)
        # Keep a closing parenthesis that belongs to the URL, e.g. https://en.wikipedia.org/wiki/Foo_(bar).
        while match.group(0)[len(url) : len(url) + 1] == ")" and url.count("(") > url.count(")"):
            url += ")"
        if len(url) <= len("https://"):
            continue
        start = len(text[: match.start()].encode("utf-8"))
        end = start + len(url.encode("utf-8"))
        facets.append(
            {
                "$type": "app.bsky.richtext.facet",
                "index": {"byteStart": start, "byteEnd": end},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url}],
            }
        )
    return facets


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _rkey_of(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def _parse_at_uri(uri: str) -> tuple[str, str, str]:
    """``at://repo/collection/rkey`` → (repo, collection, rkey)."""
    if not uri.startswith("at://"):
        raise PermanentError(f"not an at:// URI: {uri!r}")
    parts = uri[len("at://") :].split("/")
    if len(parts) != 3 or not all(parts):
        raise PermanentError(f"not a record URI: {uri!r}")
    return parts[0], parts[1], parts[2]


def _error_body(response: httpx.Response) -> http.ErrorBody:
    """An XRPC error answer: ``{"error": <name>, "message": <text>}``; the names in ``AUTH_ERROR_NAMES`` ask
    for a new session whatever the status. The status mapping itself is ``networks.http``'s."""
    try:
        body = response.json()
    except ValueError:
        body = None
    message = response.reason_phrase or f"HTTP {response.status_code}"
    error = ""
    if isinstance(body, dict):
        error = body["error"] if isinstance(body.get("error"), str) else ""
        if isinstance(body.get("message"), str) and body["message"]:
            message = body["message"]
        elif error:
            message = error
    return http.ErrorBody(message, code=error, auth=error in AUTH_ERROR_NAMES)


class BlueskyClient:
    """XRPC calls against one PDS (``service_url``). ``appview_url``, when given, is used for the AppView's
    public reads (``get_metrics``); otherwise they go through the PDS, which proxies ``app.bsky.*`` to its
    AppView (that needs a session)."""

    def __init__(self, service_url: str, http: httpx.Client, *, appview_url: str | None = None) -> None:
        self.service_url = service_url.rstrip("/")
        self.appview_url = appview_url.rstrip("/") if appview_url else None
        self.http = http

    # -- transport ------------------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        nsid: str,
        *,
        token: str | None = None,
        params: Any = None,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        base_url: str | None = None,
    ) -> dict[str, Any]:
        all_headers = dict(headers or {})
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        url = f"{base_url or self.service_url}/xrpc/{nsid}"
        with http.transport_errors(NETWORK):
            response = self.http.request(method, url, params=params, json=json, content=content, headers=all_headers)
        http.raise_for_status(response, network=NETWORK, error=_error_body)
        data = http.json_body(response, network=NETWORK)
        return data if isinstance(data, dict) else {}

    # -- sessions -------------------------------------------------------------------------------------

    @staticmethod
    def _session(data: Mapping[str, Any]) -> Session:
        try:
            return Session(
                did=str(data["did"]),
                handle=str(data["handle"]),
                access_jwt=str(data["accessJwt"]),
                refresh_jwt=str(data["refreshJwt"]),
            )
        except KeyError as exc:
            raise PermanentError(f"session answer without {exc.args[0]}") from exc

    def create_session(self, identifier: str, app_password: str) -> Session:
        data = self._call(
            "POST", "com.atproto.server.createSession", json={"identifier": identifier, "password": app_password}
        )
        return self._session(data)

    def refresh_session(self, session: Session | str) -> Session:
        """A new session from the refresh token (a ``Session`` or the refresh JWT itself)."""
        refresh_jwt = session.refresh_jwt if isinstance(session, Session) else session
        return self._session(self._call("POST", "com.atproto.server.refreshSession", token=refresh_jwt))

    def delete_session(self, session: Session | str) -> None:
        """Revoke the session (its refresh token): it can no longer be refreshed."""
        refresh_jwt = session.refresh_jwt if isinstance(session, Session) else session
        self._call("POST", "com.atproto.server.deleteSession", token=refresh_jwt)

    # -- records --------------------------------------------------------------------------------------

    def upload_blob(self, session: Session, data: bytes, mime: str) -> BlobRef:
        answer = self._call(
            "POST",
            "com.atproto.repo.uploadBlob",
            token=session.access_jwt,
            content=data,
            headers={"Content-Type": mime},
        )
        blob = answer.get("blob")
        if not isinstance(blob, dict):
            raise PermanentError("uploadBlob answered without a blob")
        return BlobRef(raw=blob)

    def get_record(self, repo: str, collection: str, rkey: str) -> Record | None:
        """The record, or None when it does not exist."""
        try:
            data = self._call(
                "GET", "com.atproto.repo.getRecord", params={"repo": repo, "collection": collection, "rkey": rkey}
            )
        except PermanentError as exc:
            if exc.code == "RecordNotFound" or exc.status == 404:
                return None
            raise
        return Record(uri=str(data["uri"]), cid=str(data.get("cid", "")), value=data.get("value") or {})

    def get_post(self, uri: str) -> Record | None:
        repo, collection, rkey = _parse_at_uri(uri)
        return self.get_record(repo, collection, rkey)

    def list_records(self, repo: str, collection: str, *, limit: int = 100) -> list[Record]:
        data = self._call(
            "GET", "com.atproto.repo.listRecords", params={"repo": repo, "collection": collection, "limit": limit}
        )
        return [
            Record(uri=str(r["uri"]), cid=str(r.get("cid", "")), value=r.get("value") or {})
            for r in data.get("records", [])
        ]

    def _create_record(
        self, session: Session, collection: str, record: Mapping[str, Any], rkey: str | None = None
    ) -> tuple[str, str]:
        body: dict[str, Any] = {"repo": session.did, "collection": collection, "record": dict(record)}
        if rkey is not None:
            body["rkey"] = rkey
        data = self._call("POST", "com.atproto.repo.createRecord", token=session.access_jwt, json=body)
        return str(data["uri"]), str(data["cid"])

    def post_record(
        self,
        text: str,
        link: LinkCard | None = None,
        *,
        created_at: str | None = None,
        reply: ReplyRef | None = None,
    ) -> dict[str, Any]:
        """The ``app.bsky.feed.post`` record ``create_post`` writes (a reply when ``reply`` is given)."""
        record: dict[str, Any] = {"$type": POST_COLLECTION, "text": text, "createdAt": created_at or _now_iso()}
        if reply is not None:
            record["reply"] = {
                "root": {"uri": reply.root.uri, "cid": reply.root.cid},
                "parent": {"uri": reply.parent.uri, "cid": reply.parent.cid},
            }
        facets = link_facets(text)
        if facets:
            record["facets"] = facets
        if link is not None:
            external: dict[str, Any] = {"uri": link.uri, "title": link.title, "description": link.description}
            if link.thumb is not None:
                external["thumb"] = dict(link.thumb.raw)
            record["embed"] = {"$type": "app.bsky.embed.external", "external": external}
        return record

    def create_post(
        self, session: Session, text: str, link: LinkCard | None = None, *, rkey: str, reply: ReplyRef | None = None
    ) -> tuple[str, str]:
        """Write the post under ``rkey`` (a TID from ``new_tid``, chosen once and kept for every retry).
        If a record with that key already exists — an earlier attempt went through but its answer was lost —
        that record's (uri, cid) is returned instead of writing a second post."""
        record = self.post_record(text, link, reply=reply)
        try:
            return self._create_record(session, POST_COLLECTION, record, rkey)
        except AuthError:
            raise
        except (TransientError, PermanentError) as exc:
            # The PDS answers a createRecord on a taken key with an error (500 InternalServerError with
            # dev-env's PDS 0.4), and a time-out may hide a write that went through: look before failing.
            try:
                existing = self.get_record(session.did, POST_COLLECTION, rkey)
            except (TransientError, PermanentError):
                raise exc from None
            if existing is None:
                raise
            if existing.value.get("text") != text:
                raise PermanentError(
                    f"record key {rkey} is already used by another post", status=exc.status, code=exc.code
                ) from exc
            return existing.uri, existing.cid

    def delete_post(self, session: Session, uri: str) -> None:
        repo, collection, rkey = _parse_at_uri(uri)
        self._call(
            "POST",
            "com.atproto.repo.deleteRecord",
            token=session.access_jwt,
            json={"repo": repo, "collection": collection, "rkey": rkey},
        )

    def like(self, session: Session, uri: str, cid: str) -> tuple[str, str]:
        record = {"$type": LIKE_COLLECTION, "subject": {"uri": uri, "cid": cid}, "createdAt": _now_iso()}
        return self._create_record(session, LIKE_COLLECTION, record)

    def repost(self, session: Session, uri: str, cid: str) -> tuple[str, str]:
        record = {"$type": REPOST_COLLECTION, "subject": {"uri": uri, "cid": cid}, "createdAt": _now_iso()}
        return self._create_record(session, REPOST_COLLECTION, record)

    # -- AppView reads --------------------------------------------------------------------------------

    def search_posts(self, access_jwt: str, params: Mapping[str, str | int], *, proxy: str = "") -> dict[str, Any]:
        """``app.bsky.feed.searchPosts`` signed in, through the PDS. ``proxy`` is the ``atproto-proxy`` header
        (``<AppView DID>#bsky_appview``, the XRPC spec's service proxying); empty: the PDS's own AppView."""
        headers = {"atproto-proxy": proxy} if proxy else None
        return self._call("GET", "app.bsky.feed.searchPosts", token=access_jwt, params=dict(params), headers=headers)

    def reply_ref(self, parent_uri: str, session: Session, *, root_uri: str = "") -> ReplyRef:
        """The strong refs (uri and cid) a reply under ``parent_uri`` needs, read from the AppView with
        ``app.bsky.feed.getPosts``. The root is the parent's own ``reply.root`` when the parent is a reply,
        else ``root_uri`` when given (and known to the AppView), else the parent itself."""
        _parse_at_uri(parent_uri)
        uris = [parent_uri] + ([root_uri] if root_uri and root_uri != parent_uri else [])
        params = [("uris", uri) for uri in uris]
        if self.appview_url is not None:
            data = self._call("GET", "app.bsky.feed.getPosts", params=params, base_url=self.appview_url)
        else:
            data = self._call("GET", "app.bsky.feed.getPosts", params=params, token=session.access_jwt)
        found = {str(p.get("uri")): p for p in data.get("posts", []) if isinstance(p, dict)}
        parent_view = found.get(parent_uri)
        if parent_view is None or not parent_view.get("cid"):
            raise PermanentError("the post to answer is no longer on Bluesky (deleted, or not visible)")
        parent = StrongRef(uri=parent_uri, cid=str(parent_view["cid"]))
        record = parent_view.get("record")
        reply = record.get("reply") if isinstance(record, dict) else None
        own_root = reply.get("root") if isinstance(reply, dict) else None
        if isinstance(own_root, dict) and own_root.get("uri") and own_root.get("cid"):
            return ReplyRef(root=StrongRef(uri=str(own_root["uri"]), cid=str(own_root["cid"])), parent=parent)
        root_view = found.get(root_uri) if root_uri else None
        if root_view is not None and root_view.get("cid"):
            return ReplyRef(root=StrongRef(uri=root_uri, cid=str(root_view["cid"])), parent=parent)
        return ReplyRef(root=parent, parent=parent)

    def get_metrics(self, uris: Iterable[str], session: Session | None = None) -> dict[str, Metrics]:
        """Counts per post URI. Posts the AppView does not know (yet, or any more) are left out.
        Reads the AppView directly when ``appview_url`` is set, else through the PDS with ``session``."""
        wanted = list(dict.fromkeys(uris))
        result: dict[str, Metrics] = {}
        if self.appview_url is None and session is None:
            raise ValueError("get_metrics needs a session when the client has no appview_url")
        for i in range(0, len(wanted), GET_POSTS_MAX_URIS):
            chunk = wanted[i : i + GET_POSTS_MAX_URIS]
            params = [("uris", uri) for uri in chunk]
            if self.appview_url is not None:
                data = self._call("GET", "app.bsky.feed.getPosts", params=params, base_url=self.appview_url)
            else:
                assert session is not None
                data = self._call("GET", "app.bsky.feed.getPosts", params=params, token=session.access_jwt)
            for post in data.get("posts", []):
                result[str(post["uri"])] = Metrics(
                    likes=int(post.get("likeCount") or 0),
                    reposts=int(post.get("repostCount") or 0),
                    replies=int(post.get("replyCount") or 0),
                    quotes=int(post.get("quoteCount") or 0),
                )
        return result


__all__ = [
    "AuthError",
    "BlobRef",
    "BlueskyClient",
    "LinkCard",
    "Metrics",
    "PermanentError",
    "Record",
    "ReplyRef",
    "Session",
    "StrongRef",
    "TransientError",
    "link_facets",
    "new_tid",
]
