"""X plug-in (docs.x.com: OAuth 2.0 Authorization Code with PKCE, POST /2/tweets, GET /2/tweets, /2/users).

* Connecting: ``https://x.com/i/oauth2/authorize`` with PKCE (S256); the code is exchanged at
  ``POST /2/oauth2/token`` (confidential client: HTTP Basic with the client id and secret). ``offline.access``
  gives a refresh token; access tokens last two hours and the refresh token rotates on every refresh.
  The account id and handle come from ``GET /2/users/me``. ``POST /2/oauth2/revoke`` ends the tokens.
* Posting: ``POST /2/tweets`` with the text; the link in it gives the card. X has no idempotency key, so
  ``find_existing`` looks through the account's latest posts (``GET /2/users/:id/tweets``) for the share's
  tracked link (unique per share; X rewrites it to t.co, the original is in ``entities.urls[].expanded_url``).
* Metrics: ``GET /2/tweets?ids=…&tweet.fields=public_metrics`` (likes, reposts + quotes, replies and
  ``impression_count``). ``non_public_metrics.impression_count`` is read too when present; it is not asked
  for, since X refuses it for posts older than 30 days.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from django.conf import settings

from groundswell.networks import http
from groundswell.networks.base import (
    AuthError,
    Metrics,
    NetworkClient,
    PermanentError,
    PostRequest,
    RemotePost,
    Scope,
    TokenSet,
)
from groundswell.networks.http import mentions_link
from groundswell.networks.x.intent import X

AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"
SCOPES = (
    Scope("tweet.write", "Publish the posts you ask Groundswell to share."),
    Scope(
        "tweet.read",
        "Read the like, repost, reply and view counts of the posts Groundswell made for you, and check whether "
        "a post already went out before retrying. Groundswell never reads your timeline.",
    ),
    Scope("users.read", "Read your account's id and @handle, to show which account is connected."),
    Scope("offline.access", "Stay connected without asking you to sign in to X again every two hours."),
)
RECENT_LIMIT = 20
IDS_PER_REQUEST = 100


def _error(response: httpx.Response) -> tuple[str, str]:
    """(OAuth error code or "", a message fit for the member)."""
    try:
        body = response.json()
    except ValueError:
        return "", response.text[:200] or response.reason_phrase
    if not isinstance(body, dict):
        return "", response.reason_phrase
    code = str(body.get("error") or "")
    errors = body.get("errors")
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    message = body.get("error_description") or body.get("detail") or first.get("message") or body.get("title") or code
    return code, str(message or response.reason_phrase)


class Client(NetworkClient):
    key = X.key
    label = X.label
    auth_kind = "oauth2"
    scopes = SCOPES
    max_length = X.max_length
    can_revoke = True
    has_metrics = True

    @property
    def api(self) -> str:
        return str(settings.X_API_URL).rstrip("/")

    def _client_auth(self) -> httpx.BasicAuth | None:
        """Confidential clients authenticate with HTTP Basic; a public client (no secret) sends only client_id."""
        if not settings.X_CLIENT_SECRET:
            return None
        return httpx.BasicAuth(settings.X_CLIENT_ID, settings.X_CLIENT_SECRET)

    # --- the one place that talks HTTP and maps failures ------------------------------------------
    def _request(self, method: str, path: str, *, token: str = "", **kwargs: Any) -> Any:
        headers: dict[str, str] = dict(kwargs.pop("headers", None) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = http.send(method, f"{self.api}{path}", network="X", headers=headers, **kwargs)
        if response.status_code >= 400:
            code, message = _error(response)
            refusal = http.ErrorBody(message, code=code, auth=code in {"invalid_token", "invalid_grant"})
            http.raise_for_status(response, network="X", error=refusal)
        return http.json_body(response, network="X")

    def _tokens(self, body: dict[str, Any], previous: TokenSet | None = None) -> TokenSet:
        access_token = str(body.get("access_token") or "")
        if not access_token:
            raise PermanentError("X did not issue a token.")
        expires_in = body.get("expires_in")
        expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=int(expires_in)) if expires_in else None
        return TokenSet(
            access_token=access_token,
            refresh_token=str(body.get("refresh_token") or (previous.refresh_token if previous else "")),
            expires_at=expires_at,
            scopes=str(body.get("scope") or "").split() or (previous.scopes if previous else []),
            remote_id=previous.remote_id if previous else "",
            handle=previous.handle if previous else "",
        )

    # --- connecting ------------------------------------------------------------------------------
    def authorization_url(self, *, redirect_uri: str, state: str, code_challenge: str, instance: str = "") -> str:
        params = {
            "response_type": "code",
            "client_id": settings.X_CLIENT_ID,
            "redirect_uri": redirect_uri,
            "scope": " ".join(scope.name for scope in self.scopes),
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        return str(httpx.URL(AUTHORIZE_URL, params=params))

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str, instance: str = "") -> TokenSet:
        body = self._request(
            "POST",
            "/2/oauth2/token",
            auth=self._client_auth(),
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier,
                "client_id": settings.X_CLIENT_ID,
            },
        )
        tokens = self._tokens(body)
        me = self._request("GET", "/2/users/me", token=tokens.access_token)["data"]
        tokens.remote_id = str(me["id"])
        tokens.handle = f"@{me['username']}"
        return tokens

    def refresh(self, tokens: TokenSet) -> TokenSet:
        if not tokens.refresh_token:
            raise AuthError("X needs you to reconnect the account.")
        try:
            body = self._request(
                "POST",
                "/2/oauth2/token",
                auth=self._client_auth(),
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": tokens.refresh_token,
                    "client_id": settings.X_CLIENT_ID,
                },
            )
        except PermanentError as exc:  # X answers 400 invalid_request for a spent or revoked refresh token
            raise AuthError(f"X needs you to reconnect the account: {exc.message}") from exc
        return self._tokens(body, tokens)

    def revoke(self, tokens: TokenSet) -> None:
        for token, hint in ((tokens.refresh_token, "refresh_token"), (tokens.access_token, "access_token")):
            if token:
                self._request(
                    "POST",
                    "/2/oauth2/revoke",
                    auth=self._client_auth(),
                    data={"token": token, "token_type_hint": hint, "client_id": settings.X_CLIENT_ID},
                )

    # --- posting ---------------------------------------------------------------------------------
    def _url(self, tokens: TokenSet, post_id: str) -> str:
        return f"https://x.com/{tokens.handle.lstrip('@') or 'i'}/status/{post_id}"

    def publish(self, tokens: TokenSet, request: PostRequest) -> RemotePost:
        text = request.text
        if request.link and request.link.url not in text:
            text = f"{text}\n\n{request.link.url}".strip()
        try:
            body = self._request("POST", "/2/tweets", token=tokens.access_token, json={"text": text})
        except PermanentError as exc:
            # X refuses a second identical post: when an earlier attempt made it, that one is our post.
            existing = self.find_existing(tokens, request) if "duplicate" in exc.message.lower() else None
            if existing is None:
                raise
            return existing
        post_id = str(body["data"]["id"])
        return RemotePost(remote_id=post_id, url=self._url(tokens, post_id))

    def find_existing(self, tokens: TokenSet, request: PostRequest) -> RemotePost | None:
        if request.link is None:
            return None
        marker = request.link.url
        body = self._request(
            "GET",
            f"/2/users/{tokens.remote_id}/tweets",
            token=tokens.access_token,
            params={"max_results": RECENT_LIMIT, "exclude": "replies,retweets", "tweet.fields": "entities"},
        )
        for post in body.get("data") or []:
            urls = (post.get("entities") or {}).get("urls") or []
            expanded = {u.get(field) for u in urls for field in ("expanded_url", "unwound_url", "url")}
            if marker in expanded or mentions_link(str(post.get("text") or ""), marker):
                return RemotePost(remote_id=str(post["id"]), url=self._url(tokens, str(post["id"])))
        return None

    # --- engagement ------------------------------------------------------------------------------
    def metrics(self, tokens: TokenSet, remote_ids: list[str]) -> dict[str, Metrics]:
        result: dict[str, Metrics] = {}
        for start in range(0, len(remote_ids), IDS_PER_REQUEST):
            chunk = remote_ids[start : start + IDS_PER_REQUEST]
            body = self._request(
                "GET",
                "/2/tweets",
                token=tokens.access_token,
                params={"ids": ",".join(chunk), "tweet.fields": "public_metrics"},
            )
            for post in body.get("data") or []:  # deleted posts come back under "errors": skipped
                public = post.get("public_metrics") or {}
                private = post.get("non_public_metrics") or {}
                impressions = private.get("impression_count", public.get("impression_count"))
                result[str(post["id"])] = Metrics(
                    likes=int(public.get("like_count") or 0),
                    reposts=int(public.get("retweet_count") or 0) + int(public.get("quote_count") or 0),
                    replies=int(public.get("reply_count") or 0),
                    impressions=None if impressions is None else int(impressions),
                )
        return result
