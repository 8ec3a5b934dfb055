"""Mastodon plug-in (docs.joinmastodon.org: methods/apps, methods/oauth, methods/statuses, methods/accounts).

* Every instance is its own OAuth server: Groundswell registers itself on an instance the first time a member
  of that instance connects (``POST /api/v1/apps``) and keeps the client id/secret in ``MastodonApp``.
* Authorisation is the code flow with PKCE (S256); the account id and handle come from
  ``GET /api/v1/accounts/verify_credentials``. Mastodon tokens do not expire; ``POST /oauth/revoke`` ends them.
* ``POST /api/v1/statuses`` is sent with an ``Idempotency-Key`` header (the outbox job's key): Mastodon
  remembers the key for an hour and answers a repeated request with the status it already made, so a retry
  after a lost response never duplicates the post. ``find_existing`` additionally looks through the
  account's own recent statuses for the share's tracked link (unique per share), for retries after that hour.
* A reply (``PostRequest.reply_to``) needs the answered status's id on the member's own instance: the post's
  URL is resolved there with ``GET /api/v2/search?resolve=true`` and sent as ``in_reply_to_id``.
* The link in the text gives the preview card (the instance fetches it); counts come from the status
  (``favourites_count``, ``reblogs_count``, ``replies_count``). Mastodon has no impressions.
"""

from __future__ import annotations

from typing import Any

import httpx
from django.conf import settings
from django.db import IntegrityError

from groundswell.networks import http
from groundswell.networks.base import (
    Metrics,
    NetworkClient,
    PermanentError,
    PostRequest,
    RemotePost,
    Scope,
    TokenSet,
)
from groundswell.networks.http import mentions_link
from groundswell.networks.mastodon.intent import Mastodon, normalise_instance
from groundswell.networks.models import MastodonApp

SCOPES = (
    Scope("profile", "Read your account's id and handle, to show which account is connected."),
    Scope("write:statuses", "Publish the posts you ask Groundswell to share, and nothing else."),
    Scope(
        "read:statuses",
        "Read the like, boost and reply counts of the posts Groundswell made for you, and check whether a post "
        "already went out before retrying. Groundswell never reads your home timeline.",
    ),
)
#: How many of the account's latest statuses ``find_existing`` looks through.
RECENT_LIMIT = 20


def _error_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict):
        message = body.get("error_description") or body.get("error") or body.get("message")
        if message:
            return str(message)
    return response.reason_phrase


def _error_code(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("error") or "") if isinstance(body, dict) else ""


def _host(instance: str) -> str:
    try:
        return normalise_instance(instance)
    except ValueError as exc:
        raise PermanentError(str(exc)) from exc


class Client(NetworkClient):
    key = Mastodon.key
    label = Mastodon.label
    auth_kind = "oauth2"
    scopes = SCOPES
    max_length = Mastodon.max_length
    can_revoke = True
    has_metrics = True
    can_reply = True

    # --- the one place that talks HTTP and maps failures ------------------------------------------
    def _request(self, method: str, url: str, *, token: str = "", **kwargs: Any) -> Any:
        headers: dict[str, str] = dict(kwargs.pop("headers", None) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = http.send(method, url, network="Mastodon", headers=headers, **kwargs)
        if response.status_code >= 400:
            code = _error_code(response)
            refusal = http.ErrorBody(
                _error_message(response), code=code, auth=response.status_code == 400 and code == "invalid_grant"
            )
            http.raise_for_status(response, network="Mastodon", error=refusal)
        return http.json_body(response, network="Mastodon")

    # --- connecting ------------------------------------------------------------------------------
    def app_for(self, instance: str, *, redirect_uri: str) -> MastodonApp:
        """Groundswell's app on ``instance``, registered there on first use."""
        instance = _host(instance)
        existing = MastodonApp.objects.filter(instance=instance).first()
        if existing is not None:
            return existing
        body = self._request(
            "POST",
            f"https://{instance}/api/v1/apps",
            json={
                "client_name": "Groundswell",
                "redirect_uris": redirect_uri,
                "scopes": " ".join(scope.name for scope in self.scopes),
                "website": settings.SITE_URL,
            },
        )
        try:
            return MastodonApp.objects.create(
                instance=instance, client_id=str(body["client_id"]), client_secret=str(body["client_secret"])
            )
        except KeyError as exc:
            raise PermanentError("The Mastodon server did not register Groundswell.") from exc
        except IntegrityError:  # registered concurrently by another request
            return MastodonApp.objects.get(instance=instance)

    def authorization_url(self, *, redirect_uri: str, state: str, code_challenge: str, instance: str = "") -> str:
        host = _host(instance)
        app = self.app_for(host, redirect_uri=redirect_uri)
        params = {
            "response_type": "code",
            "client_id": app.client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(scope.name for scope in self.scopes),
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        return str(httpx.URL(f"https://{host}/oauth/authorize", params=params))

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str, instance: str = "") -> TokenSet:
        host = _host(instance)
        app = self.app_for(host, redirect_uri=redirect_uri)
        token = self._request(
            "POST",
            f"https://{host}/oauth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": app.client_id,
                "client_secret": app.client_secret,
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier,
            },
        )
        access_token = str(token.get("access_token") or "")
        if not access_token:
            raise PermanentError("Mastodon did not issue a token.")
        account = self._request("GET", f"https://{host}/api/v1/accounts/verify_credentials", token=access_token)
        return TokenSet(
            access_token=access_token,
            remote_id=str(account["id"]),
            handle=f"@{account['username']}@{host}",
            scopes=str(token.get("scope") or "").split(),
            service_url=f"https://{host}",
        )

    def revoke(self, tokens: TokenSet) -> None:
        host = _host(tokens.service_url)
        app = MastodonApp.objects.filter(instance=host).first()
        if app is None:
            return
        self._request(
            "POST",
            f"https://{host}/oauth/revoke",
            data={"client_id": app.client_id, "client_secret": app.client_secret, "token": tokens.access_token},
        )

    # --- posting ---------------------------------------------------------------------------------
    def _base(self, tokens: TokenSet) -> str:
        return f"https://{_host(tokens.service_url)}"

    def resolve_status(self, tokens: TokenSet, url: str) -> str:
        """The id, on the member's own instance, of the status at ``url`` (any instance): ``in_reply_to_id``
        takes only local ids, so the instance is asked to look it up (``/api/v2/search`` with ``resolve``)."""
        found = self._request(
            "GET",
            f"{self._base(tokens)}/api/v2/search",
            token=tokens.access_token,
            params={"q": url, "type": "statuses", "resolve": "true", "limit": 1},
        )
        statuses = found.get("statuses") if isinstance(found, dict) else None
        if not statuses or not isinstance(statuses[0], dict) or not statuses[0].get("id"):
            raise PermanentError("your Mastodon server cannot find the post to answer (deleted, or not public).")
        return str(statuses[0]["id"])

    def publish(self, tokens: TokenSet, request: PostRequest) -> RemotePost:
        text = request.text
        if request.link and request.link.url not in text:
            text = f"{text}\n\n{request.link.url}".strip()
        body: dict[str, Any] = {"status": text}
        if request.reply_to is not None:
            body["in_reply_to_id"] = self.resolve_status(tokens, request.reply_to.url or request.reply_to.uri)
        status = self._request(
            "POST",
            f"{self._base(tokens)}/api/v1/statuses",
            token=tokens.access_token,
            headers={"Idempotency-Key": request.idempotency_key},
            json=body,
        )
        return RemotePost(remote_id=str(status["id"]), url=str(status.get("url") or status.get("uri") or ""))

    def find_existing(self, tokens: TokenSet, request: PostRequest) -> RemotePost | None:
        """Our post for ``request`` among the account's latest statuses (matched on the tracked link).

        Within an hour a plain retry of ``publish`` is safe as well: the same Idempotency-Key makes the
        instance return the status it already created instead of posting again. A reply is found as the
        account's recent status answering the same post (a case gets one reply).
        """
        if request.reply_to is not None:
            return self._find_reply(tokens, request)
        if request.link is None:
            return None
        statuses = self._request(
            "GET",
            f"{self._base(tokens)}/api/v1/accounts/{tokens.remote_id}/statuses",
            token=tokens.access_token,
            params={"limit": RECENT_LIMIT, "exclude_replies": "true", "exclude_reblogs": "true"},
        )
        marker = request.link.url
        for status in statuses if isinstance(statuses, list) else []:
            card = status.get("card") or {}
            if card.get("url") == marker or mentions_link(str(status.get("content") or ""), marker):
                return RemotePost(remote_id=str(status["id"]), url=str(status.get("url") or ""))
        return None

    def _find_reply(self, tokens: TokenSet, request: PostRequest) -> RemotePost | None:
        assert request.reply_to is not None
        target = self.resolve_status(tokens, request.reply_to.url or request.reply_to.uri)
        statuses = self._request(
            "GET",
            f"{self._base(tokens)}/api/v1/accounts/{tokens.remote_id}/statuses",
            token=tokens.access_token,
            params={"limit": RECENT_LIMIT, "exclude_reblogs": "true"},
        )
        for status in statuses if isinstance(statuses, list) else []:
            if str(status.get("in_reply_to_id") or "") == target:
                return RemotePost(remote_id=str(status["id"]), url=str(status.get("url") or ""))
        return None

    # --- engagement ------------------------------------------------------------------------------
    def metrics(self, tokens: TokenSet, remote_ids: list[str]) -> dict[str, Metrics]:
        result: dict[str, Metrics] = {}
        for remote_id in remote_ids:
            try:
                status = self._request(
                    "GET", f"{self._base(tokens)}/api/v1/statuses/{remote_id}", token=tokens.access_token
                )
            except PermanentError:  # deleted or no longer visible: no counts for it
                continue
            result[remote_id] = Metrics(
                likes=int(status.get("favourites_count") or 0),
                reposts=int(status.get("reblogs_count") or 0),
                replies=int(status.get("replies_count") or 0),
            )
        return result
