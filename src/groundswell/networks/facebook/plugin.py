"""Facebook plug-in (developers.facebook.com: manually built Login flow with PKCE, long-lived tokens, Pages API,
Graph API errors). Facebook no longer lets apps post to a person's own timeline, so Groundswell posts to a
Page the member manages.

* Connecting: ``https://www.facebook.com/<version>/dialog/oauth`` (code flow with PKCE), the code is exchanged
  at ``GET /oauth/access_token``, the short-lived user token is swapped for a long-lived one
  (``grant_type=fb_exchange_token``), and ``identities`` lists the Pages the person can post to
  (``GET /me/accounts``: those whose ``tasks`` include ``CREATE_CONTENT``) with their page access tokens
  (tokens derived from a long-lived user token do not expire). The person picks one on Groundswell's page
  picker; the chosen Page's id and page access token (encrypted like every token) are what the account stores.
* Every call carries ``appsecret_proof`` (HMAC-SHA256 of the token with the app secret), as Facebook
  recommends for server-side calls.
* Posting: ``POST /{page-id}/feed`` with ``message`` and ``link`` (Facebook builds the link preview). There is
  no idempotency key: ``find_existing`` looks through the Page's latest posts for the share's tracked link.
* Metrics: ``GET /{post-id}?fields=likes.summary(true),comments.summary(true),shares`` and
  ``GET /{post-id}/insights?metric=post_impressions`` (impressions are left out when the insights are not
  available). There is no revocation of a page token through the API: ``can_revoke`` is False.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from groundswell.networks import http
from groundswell.networks.base import (
    Identity,
    Metrics,
    NetworkClient,
    PermanentError,
    PostRequest,
    RemotePost,
    Scope,
    TokenSet,
)
from groundswell.networks.facebook.intent import Facebook
from groundswell.networks.http import mentions_link

SCOPES = (
    Scope("pages_show_list", "See the list of Pages you manage, so you can choose the one Groundswell posts to."),
    Scope("pages_manage_posts", "Publish the posts you ask Groundswell to share on your Page."),
    Scope(
        "pages_read_engagement",
        "Read the like, comment and share counts of the posts Groundswell made, and check whether a post already "
        "went out before retrying. Groundswell never reads your personal feed.",
    ),
    Scope("read_insights", "Read how many times the posts Groundswell made were seen."),
)
RECENT_LIMIT = 20
PAGES_LIMIT = 100
#: Graph error codes: token no longer valid; throttled; temporary problems.
_AUTH_CODES = {102, 190}
_THROTTLE_CODES = {4, 17, 32, 613, 80001}
_TEMPORARY_CODES = {1, 2}


def _error(response: httpx.Response) -> tuple[int, str, bool]:
    """(Graph error code, message, is_transient) of a Graph API error answer."""
    try:
        body = response.json()
    except ValueError:
        return 0, response.text[:200] or response.reason_phrase, False
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return 0, response.reason_phrase, False
    try:
        code = int(error.get("code") or 0)
    except (TypeError, ValueError):
        code = 0
    return code, str(error.get("message") or response.reason_phrase), bool(error.get("is_transient"))


class Client(NetworkClient):
    key = Facebook.key
    label = Facebook.label
    auth_kind = "oauth2"
    scopes = SCOPES
    max_length = Facebook.max_length
    can_revoke = False
    has_metrics = True

    @property
    def graph(self) -> str:
        return str(settings.FACEBOOK_GRAPH_URL).rstrip("/")

    @property
    def dialog_url(self) -> str:
        version = urlsplit(self.graph).path.strip("/")
        return (
            f"https://www.facebook.com/{version}/dialog/oauth" if version else "https://www.facebook.com/dialog/oauth"
        )

    @staticmethod
    def _proof(token: str) -> str:
        return hmac.new(settings.FACEBOOK_APP_SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()

    # --- the one place that talks HTTP and maps failures ------------------------------------------
    def _request(self, method: str, path: str, *, token: str = "", **kwargs: Any) -> Any:
        headers: dict[str, str] = dict(kwargs.pop("headers", None) or {})
        params: dict[str, Any] = dict(kwargs.pop("params", None) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
            params["appsecret_proof"] = self._proof(token)
        response = http.send(
            method, f"{self.graph}{path}", network="Facebook", headers=headers, params=params, **kwargs
        )
        if response.status_code >= 400:
            code, message, transient = _error(response)
            refusal = http.ErrorBody(
                message,
                code=str(code),
                auth=code in _AUTH_CODES,
                throttled=code in _THROTTLE_CODES,
                temporary=transient or code in _TEMPORARY_CODES,
            )
            http.raise_for_status(response, network="Facebook", error=refusal)
        return http.json_body(response, network="Facebook")

    # --- connecting ------------------------------------------------------------------------------
    def authorization_url(self, *, redirect_uri: str, state: str, code_challenge: str, instance: str = "") -> str:
        params = {
            "client_id": settings.FACEBOOK_APP_ID,
            "redirect_uri": redirect_uri,
            "state": state,
            "response_type": "code",
            "scope": ",".join(scope.name for scope in self.scopes),
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        return str(httpx.URL(self.dialog_url, params=params))

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str, instance: str = "") -> TokenSet:
        app = {"client_id": settings.FACEBOOK_APP_ID, "client_secret": settings.FACEBOOK_APP_SECRET}
        short = self._request(
            "GET",
            "/oauth/access_token",
            params={**app, "redirect_uri": redirect_uri, "code": code, "code_verifier": code_verifier},
        )
        long_lived = self._request(
            "GET",
            "/oauth/access_token",
            params={**app, "grant_type": "fb_exchange_token", "fb_exchange_token": str(short["access_token"])},
        )
        return TokenSet(
            access_token=str(long_lived["access_token"]),
            remote_id="me",  # the person; the account is the Page they pick (``identities``)
            handle="",
            scopes=[scope.name for scope in self.scopes],
        )

    def identities(self, tokens: TokenSet) -> list[Identity] | None:
        """The Pages the person can create content on, each with its page access token."""
        body = self._request(
            "GET",
            "/me/accounts",
            token=tokens.access_token,
            params={"fields": "id,name,access_token,tasks", "limit": PAGES_LIMIT},
        )
        pages = [
            Identity(remote_id=str(page["id"]), name=str(page.get("name") or page["id"]), access_token=str(token))
            for page in body.get("data") or []
            if page.get("id") and (token := page.get("access_token")) and "CREATE_CONTENT" in (page.get("tasks") or [])
        ]
        if not pages:
            raise PermanentError(
                "Groundswell posts to a Facebook Page you can create content on, and none was shared with it."
            )
        return pages

    # --- posting ---------------------------------------------------------------------------------
    @staticmethod
    def _post(post: dict[str, Any]) -> RemotePost:
        post_id = str(post["id"])
        return RemotePost(
            remote_id=post_id, url=str(post.get("permalink_url") or f"https://www.facebook.com/{post_id}")
        )

    def publish(self, tokens: TokenSet, request: PostRequest) -> RemotePost:
        data = {"message": request.text}
        if request.link is not None:
            data["link"] = request.link.url
        try:
            return self._post(self._request("POST", f"/{tokens.remote_id}/feed", token=tokens.access_token, data=data))
        except PermanentError as exc:
            # "(#506) Duplicate status message": when an earlier attempt made the post, that one is ours.
            existing = self.find_existing(tokens, request) if "duplicate" in exc.message.lower() else None
            if existing is None:
                raise
            return existing

    def find_existing(self, tokens: TokenSet, request: PostRequest) -> RemotePost | None:
        if request.link is None:
            return None
        marker = request.link.url
        body = self._request(
            "GET",
            f"/{tokens.remote_id}/posts",
            token=tokens.access_token,
            params={"fields": "id,message,permalink_url,created_time", "limit": RECENT_LIMIT},
        )
        for post in body.get("data") or []:
            if mentions_link(str(post.get("message") or ""), marker):
                return self._post(post)
        return None

    # --- engagement ------------------------------------------------------------------------------
    def metrics(self, tokens: TokenSet, remote_ids: list[str]) -> dict[str, Metrics]:
        result: dict[str, Metrics] = {}
        for post_id in remote_ids:
            try:
                post = self._request(
                    "GET",
                    f"/{post_id}",
                    token=tokens.access_token,
                    params={"fields": "likes.summary(true),comments.summary(true),shares"},
                )
            except PermanentError:  # deleted post: no counts for it
                continue
            result[post_id] = Metrics(
                likes=int(((post.get("likes") or {}).get("summary") or {}).get("total_count") or 0),
                replies=int(((post.get("comments") or {}).get("summary") or {}).get("total_count") or 0),
                reposts=int((post.get("shares") or {}).get("count") or 0),
                impressions=self._impressions(tokens, post_id),
            )
        return result

    def _impressions(self, tokens: TokenSet, post_id: str) -> int | None:
        try:
            body = self._request(
                "GET", f"/{post_id}/insights", token=tokens.access_token, params={"metric": "post_impressions"}
            )
        except PermanentError:  # insights not available for this post or permission
            return None
        for metric in body.get("data") or []:
            if metric.get("name") == "post_impressions" and metric.get("values"):
                return int(metric["values"][-1].get("value") or 0)
        return None
