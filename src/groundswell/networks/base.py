"""The small shared base every network plug-in builds on (healthchecks' transports, Saleor's plugins).

A plug-in lives in ``networks/<key>/`` and exposes a ``Client`` subclass of :class:`NetworkClient`. It talks
HTTP only through ``networks.http.client()`` (the one choke point tests replace), and reports failures
with the three exception types below so the outbox can decide: retry later, ask the member to reconnect,
or give up with a message. Adding a network touches no other network's code: one folder, one registry line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import ClassVar, Literal


class NetworkError(Exception):
    """A failure talking to a network, with a message fit for the member."""

    def __init__(self, message: str, *, accepted: bool = False, status: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        #: True when the network may have accepted the post before the failure (timeout after sending):
        #: the outbox must look for the post before trying again.
        self.accepted = accepted
        #: The HTTP status and the network's own error code of an error answer (``networks.http``), if any.
        self.status = status
        self.code = code


class TransientError(NetworkError):
    """Timeouts, 5xx, 429: try again later (``retry_after`` seconds when the network said)."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        accepted: bool = False,
        status: int | None = None,
        code: str = "",
    ) -> None:
        super().__init__(message, accepted=accepted, status=status, code=code)
        self.retry_after = retry_after


class AuthError(NetworkError):
    """The token expired or was revoked: the account needs reconnecting (one click for the member)."""


class PermanentError(NetworkError):
    """The network refused for good (content rejected, duplicate, bad request): tell the member why."""


@dataclass(frozen=True)
class Scope:
    name: str
    what_we_do: str  # plain words: what Groundswell does with it


@dataclass
class TokenSet:
    """What a successful connection yields. Secrets are encrypted at rest by the model."""

    access_token: str
    remote_id: str
    handle: str
    refresh_token: str = ""
    expires_at: dt.datetime | None = None
    scopes: list[str] = field(default_factory=list)
    service_url: str = ""  # Mastodon instance, Bluesky PDS…


@dataclass(frozen=True)
class Identity:
    """Who a connection can post as besides the person who signed in: a Facebook Page, a LinkedIn organisation.

    ``remote_id`` becomes the account's id (a Page id, ``urn:li:organization:{id}``), ``name`` its handle;
    ``access_token`` is the identity's own token where the network issues one (a page access token),
    empty when the person's token acts for it."""

    remote_id: str
    name: str
    access_token: str = ""


@dataclass(frozen=True)
class LinkCard:
    url: str
    title: str = ""
    description: str = ""
    image_url: str = ""


@dataclass(frozen=True)
class ReplyTarget:
    """The post a reply answers, as listening stored it: the network's id (a Bluesky at:// URI, a Mastodon
    status URI), its public URL, and (Bluesky) the thread's root URI when known. Plug-ins resolve what else
    they need (CIDs, the status id on the member's own instance) at send time."""

    uri: str
    url: str = ""
    root_uri: str = ""


@dataclass(frozen=True)
class PostRequest:
    text: str
    link: LinkCard | None
    #: Stable for the life of one outbox job: used as a client-chosen record key, an Idempotency-Key
    #: header, or a marker to look for before retrying.
    idempotency_key: str
    #: Post as a reply under this post (None: a top-level post).
    reply_to: ReplyTarget | None = None


@dataclass(frozen=True)
class RemotePost:
    remote_id: str
    url: str = ""


@dataclass(frozen=True)
class Metrics:
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    impressions: int | None = None  # only where the API gives them


class NetworkClient:
    key: ClassVar[str] = ""
    label: ClassVar[str] = ""
    auth_kind: ClassVar[Literal["oauth2", "app_password"]] = "oauth2"
    #: Scopes requested, each with what Groundswell does with it (shown to the member before connecting).
    #: An instance may ask for fewer than its class when the install's app lacks a permission.
    scopes: tuple[Scope, ...] = ()
    #: Maximum post length, including the link.
    max_length: ClassVar[int] = 0
    #: The network can revoke a token through its API when the member disconnects.
    can_revoke: ClassVar[bool] = False
    #: The API returns metrics for posts we made.
    has_metrics: bool = True
    #: ``publish`` honours ``PostRequest.reply_to`` (posts a reply under another post).
    can_reply: ClassVar[bool] = False

    def reads_metrics(self, remote_id: str) -> bool:
        """The engagement sync asks this account (by its ``remote_id``) for counts. A plug-in whose permission
        depends on the kind of account (a LinkedIn company page or a person) answers per account."""
        return self.has_metrics

    # --- connecting ------------------------------------------------------------------------------
    def authorization_url(self, *, redirect_uri: str, state: str, code_challenge: str, instance: str = "") -> str:
        raise NotImplementedError

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str, instance: str = "") -> TokenSet:
        raise NotImplementedError

    def for_workspace(self) -> NetworkClient:
        """The client an admin connects a workspace (brand) account with: it may ask for more scopes and
        offer other identities (LinkedIn organisation pages). By default the same client."""
        return self

    def identities(self, tokens: TokenSet) -> list[Identity] | None:
        """After the code exchange: the identities the person can connect, to pick one from (a list, never
        empty: ``NetworkError`` says why there is none), or None when the connection is the person's own."""
        return None

    def as_identity(self, tokens: TokenSet, identity: Identity) -> TokenSet:
        """The tokens that post as ``identity`` (one of ``identities(tokens)``)."""
        return replace(
            tokens,
            remote_id=identity.remote_id,
            handle=identity.name or identity.remote_id,
            access_token=identity.access_token or tokens.access_token,
        )

    def login_with_password(self, *, identifier: str, password: str, service_url: str) -> TokenSet:
        raise NotImplementedError

    def refresh(self, tokens: TokenSet) -> TokenSet:
        """A fresh access token; AuthError when the refresh token is no longer valid."""
        raise AuthError(f"{self.label} tokens cannot be refreshed; please reconnect.")

    def revoke(self, tokens: TokenSet) -> None:
        """Revoke the token at the network (only when ``can_revoke``)."""

    # --- posting ---------------------------------------------------------------------------------
    def publish(self, tokens: TokenSet, request: PostRequest) -> RemotePost:
        raise NotImplementedError

    def find_existing(self, tokens: TokenSet, request: PostRequest) -> RemotePost | None:
        """The post made for ``request.idempotency_key`` if the network already has it, else None."""
        return None

    # --- engagement ------------------------------------------------------------------------------
    def metrics(self, tokens: TokenSet, remote_ids: list[str]) -> dict[str, Metrics]:
        return {}
