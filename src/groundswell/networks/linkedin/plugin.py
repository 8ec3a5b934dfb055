"""LinkedIn plug-in (learn.microsoft.com/linkedin: Sign In with LinkedIn using OpenID Connect, Posts API,
Social Actions API; versioned ``/rest`` endpoints with the ``LinkedIn-Version`` header).

* Connecting: ``https://www.linkedin.com/oauth/v2/authorization`` (code flow; the PKCE challenge is sent too),
  the code is exchanged at ``/oauth/v2/accessToken``; the member's id is ``sub`` from ``GET /v2/userinfo``
  and their posts are authored as ``urn:li:person:{sub}``. Access tokens last 60 days; apps LinkedIn has
  enabled for programmatic refresh also get a refresh token, which ``refresh`` uses. LinkedIn documents no
  token revocation for this flow: ``can_revoke`` is False (the member removes the app in their settings).
* Posting: ``POST /rest/posts`` with the text as ``commentary`` (reserved characters escaped, as the
  "little text" format requires) and an ``article`` content (source, title, description) for the link card.
  The new post's URN comes back in the ``x-restli-id`` header. LinkedIn refuses an identical post with
  a 422 naming the existing post's URN: that is treated as "already posted".
* ``find_existing`` lists the member's latest posts (``GET /rest/posts?q=author``) and matches the share's
  tracked link (unique per share); counts come from ``GET /rest/socialActions/{urn}``. Both need
  ``r_member_social``, a permission LinkedIn grants to approved apps only.
* Company pages (Community Management API): an admin connecting a workspace (brand) account is asked for the
  organisation scopes too (``for_workspace``). After the code exchange ``identities`` lists the organisations
  where the person's role is ADMINISTRATOR (``GET /rest/organizationAcls?q=roleAssignee``, approved roles
  only) with their names (``GET /rest/organizations/{id}``, ``localizedName``); the admin picks one and the
  account's ``remote_id`` becomes the organisation's URN (``urn:li:organization:{id}``). Posts, the
  ``find_existing`` lookup and the counts then use that URN as author (``r_organization_social`` reads them).
  A member's own account asks for none of this and posts as ``urn:li:person:{sub}``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import quote

import httpx
from django.conf import settings

from groundswell.networks import http
from groundswell.networks.base import (
    AuthError,
    Identity,
    Metrics,
    NetworkClient,
    PermanentError,
    PostRequest,
    RemotePost,
    Scope,
    TokenSet,
)
from groundswell.networks.http import mentions_link, retry_after_seconds
from groundswell.networks.linkedin.intent import LinkedIn

OAUTH_URL = "https://www.linkedin.com/oauth/v2"
#: The versioned API the requests are written against (YYYYMM); LinkedIn supports a version for a year.
API_VERSION = "202610"
SCOPES: tuple[Scope, ...] = (
    Scope("openid", "Identify your LinkedIn account when you connect it."),
    Scope("profile", "Show your name next to the connected account."),
    Scope("w_member_social", "Publish the posts you ask Groundswell to share, as you."),
    Scope(
        "r_member_social",
        "Read the like and comment counts of the posts Groundswell made for you, and check whether a post already "
        "went out before retrying. Groundswell never reads your feed.",
    ),
)
#: Asked for as well when an admin connects the company's LinkedIn page (a workspace brand account).
ORGANIZATION_SCOPES: tuple[Scope, ...] = (
    Scope(
        "rw_organization_admin",
        "List the LinkedIn Pages you administer and their names, so you can choose the company page. "
        "Groundswell changes nothing on the page itself.",
    ),
    Scope("w_organization_social", "Publish the posts your stewards write on the company page, as the company."),
    Scope(
        "r_organization_social",
        "Read the like and comment counts of the company page's posts Groundswell made, and check whether a post "
        "already went out before retrying. Groundswell never reads anyone's feed.",
    ),
)
ORGANIZATION_PREFIX = "urn:li:organization:"
#: The role that may post as an organisation (Organization Access Control by Role).
ADMIN_ROLE = "ADMINISTRATOR"
RECENT_LIMIT = 20
ORGANIZATIONS_LIMIT = 100
# Characters the "little text" format of commentary reserves; they must be backslash-escaped.
_RESERVED = re.compile(r"([\\|{}@\[\]()<>#*_~])")
_ORGANIZATION = re.compile(r"urn:li:organization:\d+")
_DUPLICATE = re.compile(r"urn:li:(?:share|ugcPost):\d+")
#: Error codes that mean the token is no longer valid, whatever the status.
_AUTH_CODES = {"invalid_grant", "invalid_token", "INVALID_ACCESS_TOKEN", "EXPIRED_ACCESS_TOKEN"}


def _retry_after(response: httpx.Response) -> float | None:
    """LinkedIn says when to come back in ``Retry-After`` only."""
    return retry_after_seconds(response.headers.get("Retry-After"))


def escape_commentary(text: str) -> str:
    return _RESERVED.sub(r"\\\1", text)


def _error(response: httpx.Response) -> tuple[str, str]:
    """(error code, message) from a REST error (``code``/``message``) or an OAuth one (``error``)."""
    try:
        body = response.json()
    except ValueError:
        return "", response.text[:200] or response.reason_phrase
    if not isinstance(body, dict):
        return "", response.reason_phrase
    code = str(body.get("error") or body.get("code") or "")
    message = body.get("error_description") or body.get("message") or code or response.reason_phrase
    return code, str(message)


class Client(NetworkClient):
    key = LinkedIn.key
    label = LinkedIn.label
    auth_kind = "oauth2"
    scopes = SCOPES
    max_length = LinkedIn.max_length
    can_revoke = False
    has_metrics = True

    def __init__(self) -> None:
        if not settings.LINKEDIN_READ_POSTS:
            # Without LinkedIn's approval for r_member_social: post only. Duplicates are still caught by
            # LinkedIn's own 422 "duplicate" answer, which publish() turns into the existing post.
            self.scopes = tuple(scope for scope in SCOPES if scope.name != "r_member_social")
            self.has_metrics = False
        #: Connecting the company's page (see ``for_workspace``): organisation scopes and the page picker.
        self.organizations = False

    def for_workspace(self) -> Client:
        brand = Client()
        brand.scopes = tuple(self.scopes) + ORGANIZATION_SCOPES
        brand.organizations = True
        return brand

    @property
    def api(self) -> str:
        return str(settings.LINKEDIN_API_URL).rstrip("/")

    # --- the one place that talks HTTP and maps failures ------------------------------------------
    def _send(self, method: str, url: str, *, token: str = "", **kwargs: Any) -> httpx.Response:
        headers: dict[str, str] = dict(kwargs.pop("headers", None) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if url.startswith(f"{self.api}/rest/"):
            headers.setdefault("LinkedIn-Version", API_VERSION)
            headers.setdefault("X-Restli-Protocol-Version", "2.0.0")
        response = http.send(method, url, network="LinkedIn", headers=headers, **kwargs)
        if response.status_code >= 400:
            code, message = _error(response)
            refusal = http.ErrorBody(message, code=code, auth=code in _AUTH_CODES)
            http.raise_for_status(response, network="LinkedIn", error=refusal, retry_after=_retry_after)
        return response

    def _json(self, response: httpx.Response) -> Any:
        return http.json_body(response, network="LinkedIn")

    def _token_request(self, data: dict[str, str]) -> dict[str, Any]:
        body = self._json(
            self._send(
                "POST",
                f"{OAUTH_URL}/accessToken",
                data={
                    **data,
                    "client_id": settings.LINKEDIN_CLIENT_ID,
                    "client_secret": settings.LINKEDIN_CLIENT_SECRET,
                },
            )
        )
        if not body.get("access_token"):
            raise PermanentError("LinkedIn did not issue a token.")
        return dict(body)

    @staticmethod
    def _expiry(body: dict[str, Any]) -> dt.datetime | None:
        seconds = body.get("expires_in")
        return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=int(seconds)) if seconds else None

    # --- connecting ------------------------------------------------------------------------------
    def authorization_url(self, *, redirect_uri: str, state: str, code_challenge: str, instance: str = "") -> str:
        params = {
            "response_type": "code",
            "client_id": settings.LINKEDIN_CLIENT_ID,
            "redirect_uri": redirect_uri,
            "state": state,
            "scope": " ".join(scope.name for scope in self.scopes),
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        return str(httpx.URL(f"{OAUTH_URL}/authorization", params=params))

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str, instance: str = "") -> TokenSet:
        body = self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier,
            }
        )
        access_token = str(body["access_token"])
        user = self._json(self._send("GET", f"{self.api}/v2/userinfo", token=access_token))
        return TokenSet(
            access_token=access_token,
            refresh_token=str(body.get("refresh_token") or ""),
            expires_at=self._expiry(body),
            scopes=str(body.get("scope") or "").replace(",", " ").split(),
            remote_id=str(user["sub"]),
            handle=str(user.get("name") or user["sub"]),
        )

    def refresh(self, tokens: TokenSet) -> TokenSet:
        if not tokens.refresh_token:
            raise AuthError("LinkedIn needs you to reconnect the account.")
        try:
            body = self._token_request({"grant_type": "refresh_token", "refresh_token": tokens.refresh_token})
        except PermanentError as exc:
            raise AuthError(f"LinkedIn needs you to reconnect the account: {exc.message}") from exc
        return TokenSet(
            access_token=str(body["access_token"]),
            refresh_token=str(body.get("refresh_token") or tokens.refresh_token),
            expires_at=self._expiry(body),
            scopes=str(body.get("scope") or "").replace(",", " ").split() or tokens.scopes,
            remote_id=tokens.remote_id,
            handle=tokens.handle,
        )

    def identities(self, tokens: TokenSet) -> list[Identity] | None:
        """The organisations the person administers (only when connecting the company's page)."""
        if not self.organizations:
            return None
        response = self._send(
            "GET",
            f"{self.api}/rest/organizationAcls",
            token=tokens.access_token,
            headers={"X-RestLi-Method": "FINDER"},
            params={"q": "roleAssignee", "role": ADMIN_ROLE, "state": "APPROVED", "count": ORGANIZATIONS_LIMIT},
        )
        urns: list[str] = []
        for acl in self._json(response).get("elements") or []:
            urn = str(acl.get("organization") or "")
            approved = acl.get("role") == ADMIN_ROLE and acl.get("state", "APPROVED") == "APPROVED"
            if approved and _ORGANIZATION.fullmatch(urn) and urn not in urns:
                urns.append(urn)
        if not urns:
            raise PermanentError(
                "You are not an administrator of any LinkedIn Page. Ask an administrator of the company page to "
                "give you that role, then connect again."
            )
        return [Identity(remote_id=urn, name=self._organization_name(tokens, urn)) for urn in urns]

    def _organization_name(self, tokens: TokenSet, urn: str) -> str:
        org_id = urn.removeprefix(ORGANIZATION_PREFIX)
        body = self._json(self._send("GET", f"{self.api}/rest/organizations/{org_id}", token=tokens.access_token))
        return str(body.get("localizedName") or body.get("vanityName") or urn)

    # --- posting ---------------------------------------------------------------------------------
    @staticmethod
    def _author(tokens: TokenSet) -> str:
        """The company page's URN for a page account, else the person who connected."""
        if tokens.remote_id.startswith(ORGANIZATION_PREFIX):
            return tokens.remote_id
        return f"urn:li:person:{tokens.remote_id}"

    def reads_metrics(self, remote_id: str) -> bool:
        """Reading posts back: ``r_organization_social`` for a page, ``r_member_social`` (if approved) for a person."""
        return remote_id.startswith(ORGANIZATION_PREFIX) or self.has_metrics

    def _can_read(self, tokens: TokenSet) -> bool:
        return self.reads_metrics(tokens.remote_id)

    @staticmethod
    def _post(urn: str) -> RemotePost:
        return RemotePost(remote_id=urn, url=f"https://www.linkedin.com/feed/update/{urn}/")

    def publish(self, tokens: TokenSet, request: PostRequest) -> RemotePost:
        body: dict[str, Any] = {
            "author": self._author(tokens),
            "commentary": escape_commentary(request.text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if request.link is not None:
            article = {"source": request.link.url, "title": request.link.title or request.link.url}
            if request.link.description:
                article["description"] = request.link.description
            body["content"] = {"article": article}
        try:
            response = self._send("POST", f"{self.api}/rest/posts", token=tokens.access_token, json=body)
        except PermanentError as exc:
            duplicate = _DUPLICATE.search(exc.message) if "duplicate" in exc.message.lower() else None
            if duplicate:  # the same post was made by an earlier attempt
                return self._post(duplicate.group(0))
            raise
        urn = response.headers.get("x-restli-id") or str(self._json(response).get("id") or "")
        if not urn:
            raise PermanentError("LinkedIn accepted the post but did not say which one it is.")
        return self._post(urn)

    def find_existing(self, tokens: TokenSet, request: PostRequest) -> RemotePost | None:
        if request.link is None or not self._can_read(tokens):
            return None
        marker = request.link.url
        response = self._send(
            "GET",
            f"{self.api}/rest/posts",
            token=tokens.access_token,
            headers={"X-RestLi-Method": "FINDER"},
            params={"q": "author", "author": self._author(tokens), "count": RECENT_LIMIT, "sortBy": "LAST_MODIFIED"},
        )
        for post in self._json(response).get("elements") or []:
            article = (post.get("content") or {}).get("article") or {}
            commentary = str(post.get("commentary") or "")
            if article.get("source") == marker or mentions_link(commentary.replace("\\", ""), marker):
                return self._post(str(post["id"]))
        return None

    # --- engagement ------------------------------------------------------------------------------
    def metrics(self, tokens: TokenSet, remote_ids: list[str]) -> dict[str, Metrics]:
        if not self._can_read(tokens):
            return {}
        result: dict[str, Metrics] = {}
        for urn in remote_ids:
            try:
                response = self._send(
                    "GET", f"{self.api}/rest/socialActions/{quote(urn, safe='')}", token=tokens.access_token
                )
            except PermanentError:  # deleted post: no counts for it
                continue
            body = self._json(response)
            likes = body.get("likesSummary") or {}
            comments = body.get("commentsSummary") or {}
            result[urn] = Metrics(
                likes=int(likes.get("totalLikes") or 0),
                replies=int(comments.get("aggregatedTotalComments") or comments.get("totalFirstLevelComments") or 0),
            )
        return result
