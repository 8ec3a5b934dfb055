"""Bluesky as a listening source: search (``app.bsky.feed.searchPosts``) or the live event stream.

One source kind, two modes (``config["mode"]``):

* ``search`` (default): polls the AppView's ``searchPosts`` (``sort=latest``) for the configured query.
  The cursor is ``{"since": <newest sortAt seen>, "seen": [URIs at exactly that instant]}``: ``since`` is
  sent to the API (it is inclusive) and also applied here (the development AppView ignores it), and posts
  at the ``since`` instant that were already handed over are dropped by URI, so a poll neither doubles nor
  skips a post that shares its timestamp with the last one of the previous poll.
* ``stream``: the repository event stream of a PDS or relay (``com.atproto.sync.subscribeRepos``, see
  ``bluesky_stream.py``); the cursor is ``{"seq": <sequence number>}``. ``manage.py listen_bluesky`` runs
  it continuously; ``fetch`` is a bounded catch-up from the stored sequence number, so a stream source that
  is only polled still hears everything the server keeps.

All HTTP goes through ``networks.http.client()`` (the test choke point). A service URL given in the
configuration is checked like any user-given address (``lib.safe_fetch``): http(s) only, no credentials,
public addresses only unless ``UNFURL_ALLOW_PRIVATE_ADDRESSES`` is on.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from groundswell.lib.safe_fetch import FetchError, FetchRefused, check_url, resolve
from groundswell.listening.sources.base import FetchedPost, FetchResult, SourceError, register
from groundswell.networks import http

log = logging.getLogger(__name__)

KIND = "bluesky"
POST_COLLECTION = "app.bsky.feed.post"
PAGE_SIZE = 100  # the API's maximum
#: Pages read per poll when catching up; beyond this a very busy query loses its oldest new posts (logged).
MAX_PAGES = 10
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


# --- configuration ---------------------------------------------------------------------------------------


class BlueskyConfig(BaseModel):
    """What an admin configures for a Bluesky source."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    mode: Literal["search", "stream"] = "search"
    query: str = Field(default="", max_length=500)
    lang: str = Field(default="", max_length=16)
    service_url: str = Field(default="", max_length=500)

    @field_validator("lang")
    @classmethod
    def _lang(cls, value: str) -> str:
        if value and not _LANG_RE.match(value):
            raise ValueError("must be a language code such as 'en' or 'pt-BR'")
        return value

    @field_validator("service_url")
    @classmethod
    def _service_url(cls, value: str) -> str:
        if not value:
            return ""
        value = value.rstrip("/")
        try:
            check_url(value)
        except FetchError as exc:
            raise ValueError(str(exc)) from None
        parts = urlsplit(value)
        if parts.path or parts.query or parts.fragment:
            raise ValueError("must be the server's address only, such as https://bsky.social")
        return value

    @model_validator(mode="after")
    def _query_for_search(self) -> BlueskyConfig:
        if self.mode == "search" and not self.query:
            raise ValueError("A search needs a query: the words to search Bluesky for.")
        return self


def parse_config(config: dict[str, Any]) -> BlueskyConfig:
    """The typed configuration, or ``ValueError`` with one readable line per problem."""
    try:
        return BlueskyConfig.model_validate(config)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"])
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(f"{where}: {message}" if where else message)
        raise ValueError("; ".join(problems)) from None


def check_service_host(url: str) -> None:
    """SourceError unless ``url``'s host resolves to addresses we may call (public ones, outside tests)."""
    if settings.UNFURL_ALLOW_PRIVATE_ADDRESSES:
        return  # the test-suite's loopback servers (and no DNS look-ups in tests)
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        resolve(host, port)
    except FetchError as exc:
        # A refused address stays refused until the admin changes it; a failed DNS look-up may recover.
        raise SourceError(str(exc), permanent=isinstance(exc, FetchRefused)) from exc


def appview_url(config: BlueskyConfig) -> str:
    return config.service_url or str(settings.BLUESKY_APPVIEW_URL).rstrip("/")


def stream_service_url(config: BlueskyConfig) -> str:
    return config.service_url or str(settings.BLUESKY_SERVICE_URL).rstrip("/")


# --- turning records into FetchedPost ----------------------------------------------------------------------


def parse_time(value: object) -> dt.datetime | None:
    """An AT Protocol datetime as an aware datetime (UTC when the string has no offset), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC)


def _external_site(embed: object) -> str:
    """Host of an external link card (also inside a record-with-media embed)."""
    if not isinstance(embed, dict):
        return ""
    kind = str(embed.get("$type", ""))
    if kind.startswith("app.bsky.embed.recordWithMedia"):
        return _external_site(embed.get("media"))
    external = embed.get("external")
    if kind.startswith("app.bsky.embed.external") and isinstance(external, dict):
        try:
            host = urlsplit(str(external.get("uri", ""))).hostname or ""
        except ValueError:
            return ""
        return host.lower()[:253]
    return ""


def _ref_uri(reply: dict[str, Any], key: str) -> str:
    ref = reply.get(key)
    return str(ref.get("uri", ""))[:300] if isinstance(ref, dict) else ""


def post_from_record(
    uri: str, author: str, record: dict[str, Any], *, metrics: dict[str, int] | None = None
) -> FetchedPost | None:
    """A FetchedPost from a post record (search result or stream commit); None if it is not a usable post.

    ``author`` is the handle when known, else the DID (bsky.app accepts both in profile URLs).
    """
    published = parse_time(record.get("createdAt"))
    text = record.get("text")
    if published is None or not isinstance(text, str) or f"/{POST_COLLECTION}/" not in uri:
        return None
    rkey = uri.rsplit("/", 1)[1]
    langs = record.get("langs")
    lang = str(langs[0])[:8] if isinstance(langs, list) and langs else ""
    reply = record.get("reply")
    reply = reply if isinstance(reply, dict) else {}
    return FetchedPost(
        external_id=uri,
        text=text,
        published_at=published,
        url=f"https://bsky.app/profile/{author}/post/{rkey}",
        author=author[:200],
        author_url=f"https://bsky.app/profile/{author}",
        site=_external_site(record.get("embed")),
        lang=lang,
        in_reply_to=_ref_uri(reply, "parent"),
        thread_root=_ref_uri(reply, "root"),
        metrics=metrics or {},
    )


def _post_from_view(view: object) -> tuple[dt.datetime, FetchedPost] | None:
    """(sortAt, post) for one ``app.bsky.feed.defs#postView``; sortAt is what ``since`` and the order use."""
    if not isinstance(view, dict):
        return None
    uri, record, author = view.get("uri"), view.get("record"), view.get("author")
    if not isinstance(uri, str) or not isinstance(record, dict) or not isinstance(author, dict):
        return None
    handle = str(author.get("handle", ""))
    name = handle if handle and handle != "handle.invalid" else str(author.get("did", ""))
    metrics = {
        "likes": int(view.get("likeCount") or 0),
        "reposts": int(view.get("repostCount") or 0),
        "replies": int(view.get("replyCount") or 0),
    }
    post = post_from_record(uri, name, record, metrics=metrics)
    if post is None:
        return None
    indexed = parse_time(view.get("indexedAt"))
    # The AppView sorts and filters on sortAt: the earlier of createdAt and indexedAt.
    sort_at = min(post.published_at, indexed) if indexed else post.published_at
    return sort_at, post


def _lang_matches(post: FetchedPost, lang: str) -> bool:
    if not lang:
        return True
    return post.lang.lower() == lang.lower() or post.lang.lower().startswith(lang.lower() + "-")


# --- the plug-in ----------------------------------------------------------------------------------------


def _search_page(base_url: str, params: dict[str, str | int]) -> dict[str, Any]:
    url = f"{base_url}/xrpc/app.bsky.feed.searchPosts"
    try:
        with http.client() as client:
            response = client.get(url, params=params)
    except httpx.HTTPError as exc:
        raise SourceError(f"Bluesky search at {base_url} did not answer ({exc.__class__.__name__}).") from exc
    if response.status_code == 200:
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("posts", []), list):
            raise SourceError(f"Bluesky search at {base_url} sent an answer that is not a list of posts.")
        return data
    try:
        body = response.json()
        detail = str(body.get("message") or body.get("error") or "") if isinstance(body, dict) else ""
    except ValueError:
        detail = ""
    detail = f": {detail[:200]}" if detail else ""
    if response.status_code == 429 or response.status_code >= 500:
        raise SourceError(f"Bluesky search is busy or failing ({response.status_code}){detail}; retrying later.")
    raise SourceError(f"Bluesky search refused the request ({response.status_code}){detail}.", permanent=True)


class BlueskySource:
    kind: str = KIND

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        cleaned = parse_config(config)
        if cleaned.service_url:
            try:
                check_service_host(cleaned.service_url)
            except SourceError as exc:
                raise ValueError(f"service_url: {exc}") from None
        return cleaned.model_dump(exclude_defaults=True) | {"mode": cleaned.mode}

    def fetch(self, config: dict[str, Any], cursor: dict[str, Any], *, limit: int) -> FetchResult:
        try:
            cleaned = parse_config(config)
        except ValueError as exc:
            raise SourceError(f"The Bluesky source's settings are not valid: {exc}", permanent=True) from None
        if cleaned.mode == "stream":
            from groundswell.listening.sources.bluesky_stream import appview_handles, catch_up

            handles = appview_handles(str(settings.BLUESKY_APPVIEW_URL))
            return catch_up(stream_service_url(cleaned), cursor, limit=limit, resolve_handles=handles)
        return search(cleaned, cursor, limit=limit)


def search(config: BlueskyConfig, cursor: dict[str, Any], *, limit: int) -> FetchResult:
    """Posts matching the query newer than ``cursor`` (oldest first, at most ``limit``) and the next cursor."""
    base_url = appview_url(config)
    if config.service_url:
        check_service_host(base_url)
    since = parse_time(cursor.get("since"))
    seen = {str(uri) for uri in cursor.get("seen", [])} if since else set()
    found: dict[str, tuple[dt.datetime, FetchedPost]] = {}
    page_cursor = ""
    for _page in range(MAX_PAGES):
        params: dict[str, str | int] = {"q": config.query, "sort": "latest", "limit": PAGE_SIZE}
        if since is None:
            params["limit"] = max(1, min(PAGE_SIZE, limit))  # first poll: start from the newest posts
        else:
            params["since"] = since.isoformat().replace("+00:00", "Z")
        if config.lang:
            params["lang"] = config.lang
        if page_cursor:
            params["cursor"] = page_cursor
        data = _search_page(base_url, params)
        views = data.get("posts", [])
        reached_since = False
        for view in views:
            item = _post_from_view(view)
            if item is None:
                continue
            sort_at, post = item
            if since is not None and (sort_at < since or (sort_at == since and post.external_id in seen)):
                reached_since = reached_since or sort_at < since
                continue
            if _lang_matches(post, config.lang):
                found[post.external_id] = item
        page_cursor = str(data.get("cursor") or "")
        if since is None or reached_since or not views or not page_cursor:
            break
    else:
        log.warning(
            "Bluesky search %r: more than %d pages of new posts; the oldest were not read", config.query, MAX_PAGES
        )
    ordered = sorted(found.values(), key=lambda item: (item[0], item[1].external_id))
    batch = ordered[:limit]
    if not batch:
        return FetchResult(posts=[], cursor=dict(cursor))
    newest = batch[-1][0]
    at_newest = {post.external_id for when, post in batch if when == newest}
    if newest == since:
        at_newest |= seen
    return FetchResult(
        posts=[post for _, post in batch],
        cursor={"since": newest.isoformat(), "seen": sorted(at_newest)},
        more=len(ordered) > limit,
    )


register(BlueskySource())
