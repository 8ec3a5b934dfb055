"""Bluesky as a listening source: search (``app.bsky.feed.searchPosts``, signed in) or the live event stream.

One source kind, two modes (``config["mode"]``):

* ``search`` (default): polls ``searchPosts`` (``sort=latest``) for the configured query, **signed in** with the
  workspace's Bluesky listening credential (a handle and an app password): Bluesky's public AppView has
  switched anonymous search off before, so it is not relied on. The session comes from
  ``com.atproto.server.createSession`` on the account's server (the PDS, or the ``bsky.social`` entryway),
  is kept encrypted on the credential (access and refresh JWT) and renewed with ``refreshSession`` when the
  access token runs out (a new ``createSession`` only when the refresh token is gone too: the server allows
  30 sign-ins per five minutes). The search goes to the PDS, which forwards it to the AppView named by the
  ``atproto-proxy`` header (``BLUESKY_APPVIEW_PROXY``, the XRPC spec's service proxying).
  The cursor is ``{"since": <newest sortAt seen>, "seen": [URIs at exactly that instant]}``: ``since`` is
  sent to the API (it is inclusive) and also applied here (the development AppView ignores it), and posts
  at the ``since`` instant that were already handed over are dropped by URI, so a poll neither doubles nor
  skips a post that shares its timestamp with the last one of the previous poll.
* ``stream``: the repository event stream of a PDS or relay (``com.atproto.sync.subscribeRepos``, see
  ``bluesky_stream.py``); needs no account. The cursor is ``{"seq": <sequence number>}``. ``manage.py
  listen_bluesky`` runs it continuously; ``fetch`` is a bounded catch-up from the stored sequence number, so
  a stream source that is only polled still hears everything the server keeps.

All HTTP goes through ``networks.http.client()`` (the test choke point). A server URL given by the admin (the
stream's ``service_url``, the credential's PDS) is checked like any user-given address (``lib.safe_fetch``):
http(s) only, no credentials, public addresses only unless ``UNFURL_ALLOW_PRIVATE_ADDRESSES`` is on.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any, Literal
from urllib.parse import urlsplit

import jwt
from django.conf import settings
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from groundswell.lib.safe_fetch import AddressRefused, FetchError, FetchRefused, check_url, resolve
from groundswell.listening.sources.base import (
    Credential,
    FetchedPost,
    FetchResult,
    Problem,
    SourceError,
    register,
)
from groundswell.networks import http
from groundswell.networks.bluesky.client import BlueskyClient, Session
from groundswell.networks.bluesky.errors import AuthError, BlueskyError, PermanentError, TransientError

log = logging.getLogger(__name__)

KIND = "bluesky"
NETWORK = "bluesky"
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
        if self.mode == "search" and self.service_url:
            raise ValueError(
                "A search has no server address: it goes through the server of the account it signs in with "
                "(Listening credentials); service_url is for the stream"
            )
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
        if isinstance(exc, FetchRefused):
            raise SourceError(str(exc), problem=Problem.INVALID_SETTINGS) from exc
        raise SourceError(str(exc), problem=Problem.UNREACHABLE) from exc


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


def _access_expiry(access_jwt: str) -> dt.datetime | None:
    """When the access token runs out (its ``exp``; read, not verified: only to renew it in time)."""
    try:
        claims = jwt.decode(access_jwt, options={"verify_signature": False})
        return dt.datetime.fromtimestamp(float(claims["exp"]), tz=dt.UTC)
    except (jwt.PyJWTError, KeyError, TypeError, ValueError, OverflowError):
        return None


def _keep(credential: Credential, session: Session) -> str:
    credential.token = session.access_jwt
    credential.refresh_token = session.refresh_jwt
    credential.token_expires_at = _access_expiry(session.access_jwt)
    credential.token_subject = session.did
    credential.changed()
    return session.access_jwt


def _problem(exc: BlueskyError, *, doing: str) -> SourceError:
    """A client error as a listening problem; ``doing`` says what was asked (``Bluesky search``, ``sign-in``)."""
    if isinstance(exc, TransientError):
        if exc.status == 429:
            wait = exc.retry_after if exc.retry_after is not None else 60.0
            until = timezone.now() + dt.timedelta(seconds=wait)
            return SourceError(
                f"{doing} is rate limited (429); Bluesky said to wait until {until:%H:%M} UTC.",
                problem=Problem.RATE_LIMITED,
                retry_at=until,
            )
        if exc.status is None:
            return SourceError(f"{doing} did not answer ({exc}).", problem=Problem.UNREACHABLE)
        if exc.status >= 500:
            return SourceError(f"{doing} failed on Bluesky's side ({exc.status}: {exc}).", problem=Problem.SERVER_ERROR)
        return SourceError(f"{doing} sent an answer that is not JSON.", problem=Problem.BAD_ANSWER)
    if isinstance(exc.__cause__, AddressRefused):
        # Checked when the connection was made (ADR 0027): the server's name now points at an address
        # Groundswell does not call. Asking again cannot fix that; the admin must change the server address.
        return SourceError(
            f"{doing}: Groundswell does not connect to this server ({exc.__cause__}). Change the server address "
            "in the Bluesky settings to a public one.",
            problem=Problem.INVALID_SETTINGS,
        )
    status = exc.status
    error = exc.code or None
    if isinstance(exc, AuthError):
        return SourceError(
            f"{doing}: Bluesky refused the session ({error or status}: {exc}).", problem=Problem.CREDENTIALS_REFUSED
        )
    if error == "AccountTakedown" or status == 403:
        return SourceError(
            f"{doing}: Bluesky refuses this account ({error or status}: {exc}).", problem=Problem.FORBIDDEN
        )
    if error == "BadQueryString":
        return SourceError(f"{doing}: Bluesky cannot search for this query ({exc}).", problem=Problem.INVALID_SETTINGS)
    if status == 404 or error in ("MethodNotImplemented", "XRPCNotSupported"):
        return SourceError(
            f"{doing}: this server does not offer search ({error or status}).", problem=Problem.NOT_FOUND
        )
    return SourceError(f"{doing}: Bluesky refused the request ({error or status}: {exc}).", permanent=True)


def sign_in(credential: Credential, client: BlueskyClient) -> str:
    """A new session from the handle and app password, kept on ``credential`` (its access JWT is returned)."""
    if not credential.identifier or not credential.secret:
        raise SourceError("Bluesky search needs a handle and an app password.", problem=Problem.NEEDS_CREDENTIALS)
    try:
        session = client.create_session(credential.identifier, credential.secret)
    except AuthError as exc:
        if exc.code == "AuthFactorTokenRequired":
            message = (
                "Bluesky asks for an e-mail code: that is the account's main password. Create an app password "
                "for Groundswell instead."
            )
        else:
            message = f"Bluesky refused the handle and app password ({exc.code or exc.status}: {exc})."
        raise SourceError(message, problem=Problem.CREDENTIALS_REFUSED) from exc
    except BlueskyError as exc:
        raise _problem(exc, doing="Signing in to Bluesky") from exc
    return _keep(credential, session)


def _session(credential: Credential, client: BlueskyClient) -> str:
    """The access JWT to use: the cached one, a refreshed one, or a new sign-in."""
    expires = credential.token_expires_at
    if credential.token and (expires is None or expires > timezone.now() + dt.timedelta(seconds=30)):
        return credential.token
    if credential.refresh_token:
        try:
            return _keep(credential, client.refresh_session(credential.refresh_token))
        except (AuthError, PermanentError):
            pass  # expired or revoked (another worker may have rotated it): sign in again
        except BlueskyError as exc:
            raise _problem(exc, doing="Renewing the Bluesky session") from exc
        credential.token, credential.refresh_token, credential.token_expires_at = "", "", None
        credential.changed()
    return sign_in(credential, client)


def _search_page(client: BlueskyClient, credential: Credential, params: dict[str, str | int]) -> dict[str, Any]:
    proxy = str(settings.BLUESKY_APPVIEW_PROXY)
    for attempt in (1, 2):
        access = _session(credential, client)
        try:
            data = client.search_posts(access, params, proxy=proxy)
        except AuthError:
            if attempt == 2:
                raise SourceError(
                    "Bluesky refused the session even after signing in again.", problem=Problem.CREDENTIALS_REFUSED
                ) from None
            credential.token, credential.token_expires_at = "", None  # expired early: refresh, then ask again
            credential.changed()
            continue
        except BlueskyError as exc:
            raise _problem(exc, doing="Bluesky search") from exc
        if not isinstance(data.get("posts", []), list):
            raise SourceError("Bluesky search sent an answer that is not a list of posts.", problem=Problem.BAD_ANSWER)
        return data
    raise AssertionError("unreachable")  # pragma: no cover


def service_url(credential: Credential) -> str:
    return (credential.service_url or str(settings.BLUESKY_SERVICE_URL)).rstrip("/")


def check_credential(credential: Credential) -> None:
    """Sign in once (the credentials page's check); ``SourceError`` says why it did not work."""
    url = service_url(credential)
    check_service_host(url)
    with http.client() as hc:
        sign_in(credential, BlueskyClient(url, hc))


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

    def credential_network(self, config: dict[str, Any]) -> str | None:
        try:
            return NETWORK if parse_config(config).mode == "search" else None
        except ValueError:
            return None

    def fetch(
        self, config: dict[str, Any], cursor: dict[str, Any], *, limit: int, credential: Credential | None = None
    ) -> FetchResult:
        try:
            cleaned = parse_config(config)
        except ValueError as exc:
            raise SourceError(
                f"The Bluesky source's settings are not valid: {exc}", problem=Problem.INVALID_SETTINGS
            ) from None
        if cleaned.mode == "stream":
            from groundswell.listening.sources.bluesky_stream import appview_handles, catch_up

            handles = appview_handles(str(settings.BLUESKY_APPVIEW_URL))
            return catch_up(stream_service_url(cleaned), cursor, limit=limit, resolve_handles=handles)
        if credential is None:
            raise SourceError(
                "Bluesky search needs a signed-in account: this workspace has no Bluesky handle and app password "
                "for listening yet (or use the stream, which needs none).",
                problem=Problem.NEEDS_CREDENTIALS,
            )
        return search(cleaned, cursor, limit=limit, credential=credential)


def search(config: BlueskyConfig, cursor: dict[str, Any], *, limit: int, credential: Credential) -> FetchResult:
    """Posts matching the query newer than ``cursor`` (oldest first, at most ``limit``) and the next cursor."""
    base_url = service_url(credential)
    check_service_host(base_url)
    since = parse_time(cursor.get("since"))
    seen = {str(uri) for uri in cursor.get("seen", [])} if since else set()
    found: dict[str, tuple[dt.datetime, FetchedPost]] = {}
    page_cursor = ""
    with http.client() as hc:
        client = BlueskyClient(base_url, hc)
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
            data = _search_page(client, credential, params)
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
