"""Bluesky as a Groundswell network plug-in: app-password sessions on the member's PDS.

A reply (``PostRequest.reply_to``) carries ``reply: {root, parent}`` strong refs whose CIDs are read from the
AppView (``app.bsky.feed.getPosts``) when the post is sent.

Posts use a client-chosen record key (the outbox job's idempotency key, a TID), so a retry can never make
a second post: ``find_existing`` reads the record under that key, and ``create_post`` itself returns an
existing record instead of writing again.
"""

from __future__ import annotations

import base64
import datetime as dt
import json

from django.conf import settings

from groundswell.networks import http
from groundswell.networks.base import (
    Metrics,
    NetworkClient,
    PostRequest,
    RemotePost,
    Scope,
    TokenSet,
)
from groundswell.networks.bluesky.client import POST_COLLECTION, BlueskyClient, LinkCard, Session
from groundswell.networks.bluesky.errors import TransientError
from groundswell.networks.bluesky.intent import Bluesky


def _expiry(jwt: str) -> dt.datetime | None:
    """The ``exp`` claim of a JWT (not verified: only to know when to refresh)."""
    try:
        payload = jwt.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return dt.datetime.fromtimestamp(int(claims["exp"]), tz=dt.UTC)
    except (IndexError, ValueError, KeyError, TypeError):
        return None


def _tokens(session: Session, service_url: str) -> TokenSet:
    return TokenSet(
        access_token=session.access_jwt,
        refresh_token=session.refresh_jwt,
        expires_at=_expiry(session.access_jwt),
        remote_id=session.did,
        handle=session.handle,
        scopes=["app password"],
        service_url=service_url,
    )


def _session(tokens: TokenSet) -> Session:
    return Session(
        did=tokens.remote_id, handle=tokens.handle, access_jwt=tokens.access_token, refresh_jwt=tokens.refresh_token
    )


class Client(NetworkClient):
    key = Bluesky.key
    label = Bluesky.label
    auth_kind = "app_password"
    max_length = Bluesky.max_length
    can_reply = True
    can_revoke = True
    scopes = (
        Scope(
            "app password",
            "Post the shares you ask Groundswell to post, and read the like, repost and reply counts of those "
            "posts. An app password cannot change your password or read your messages; delete it in Bluesky's "
            "settings at any time.",
        ),
    )

    def _client(self, service_url: str) -> BlueskyClient:
        return BlueskyClient(service_url or settings.BLUESKY_SERVICE_URL, http.client())

    def login_with_password(self, *, identifier: str, password: str, service_url: str) -> TokenSet:
        url = (service_url or settings.BLUESKY_SERVICE_URL).rstrip("/")
        return _tokens(self._client(url).create_session(identifier, password), url)

    def refresh(self, tokens: TokenSet) -> TokenSet:
        return _tokens(self._client(tokens.service_url).refresh_session(tokens.refresh_token), tokens.service_url)

    def revoke(self, tokens: TokenSet) -> None:
        self._client(tokens.service_url).delete_session(tokens.refresh_token)

    def publish(self, tokens: TokenSet, request: PostRequest) -> RemotePost:
        card = None
        if request.link is not None:
            card = LinkCard(uri=request.link.url, title=request.link.title, description=request.link.description)
        client = self._client(tokens.service_url)
        reply = None
        if request.reply_to is not None:  # resolved at send time: the CIDs of the post answered and its root
            reply = client.reply_ref(request.reply_to.uri, _session(tokens), root_uri=request.reply_to.root_uri)
        try:
            uri, _cid = client.create_post(
                _session(tokens), request.text, card, rkey=request.idempotency_key, reply=reply
            )
        except TransientError as exc:
            exc.accepted = True  # the write may have gone through: look under the record key next time
            raise
        return RemotePost(remote_id=uri, url=self.web_url(tokens, uri))

    def find_existing(self, tokens: TokenSet, request: PostRequest) -> RemotePost | None:
        record = self._client(tokens.service_url).get_record(tokens.remote_id, POST_COLLECTION, request.idempotency_key)
        return None if record is None else RemotePost(remote_id=record.uri, url=self.web_url(tokens, record.uri))

    def metrics(self, tokens: TokenSet, remote_ids: list[str]) -> dict[str, Metrics]:
        found = self._client(tokens.service_url).get_metrics(remote_ids, _session(tokens))
        return {
            uri: Metrics(likes=m.likes, reposts=m.reposts + m.quotes, replies=m.replies) for uri, m in found.items()
        }

    @staticmethod
    def web_url(tokens: TokenSet, uri: str) -> str:
        rkey = uri.rsplit("/", 1)[-1]
        return f"https://bsky.app/profile/{tokens.handle or tokens.remote_id}/post/{rkey}"
