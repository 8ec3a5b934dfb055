"""The one HTTP choke point for Microsoft Teams: the bot's token, the Bot Connector REST API, and the
Bot Framework's OpenID metadata and signing keys.

Every request goes through :func:`http_client` (``lib.safe_fetch.GuardedTransport`` underneath: addresses are
checked when the connection is made); tests swap the transport with :func:`use_transport` and answer with the
documented shapes. Error answers become the chat core's three outcomes: 401/403 → ``ChatAuthError`` (the
bot's credentials or its place in the team), 429 and 5xx → ``TransientChatError`` (with ``Retry-After``),
any other 4xx (400 bad card, 404 conversation gone) → ``PermanentChatError``.

A ``serviceUrl`` comes from inbound activities, so it is checked before anything is sent to it
(:func:`check_service_url`): https, and a host in ``TEAMS_SERVICE_HOSTS``. The bearer token is only ever sent
there.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from django.conf import settings

from groundswell.chat.errors import ChatAuthError, PermanentChatError, TransientChatError
from groundswell.lib.safe_fetch import AddressRefused, GuardedTransport
from groundswell.networks.http import retry_after_seconds

USER_AGENT = "Groundswell/0.1 (+https://github.com/groundswell; Microsoft Teams bot)"
TIMEOUT = httpx.Timeout(connect=5.0, read=15.0, write=15.0, pool=5.0)
#: The scope of a token for the Bot Connector (client-credentials grant).
BOT_SCOPE = "https://api.botframework.com/.default"
#: A token is renewed this long before it expires.
TOKEN_MARGIN_SECONDS = 120
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

_global_transport: httpx.BaseTransport | None = None
_token_lock = threading.Lock()
_tokens: dict[tuple[str, str], tuple[str, float]] = {}


def _operator_hosts() -> frozenset[str]:
    hosts = set()
    for url in (settings.TEAMS_TOKEN_URL, settings.TEAMS_OPENID_METADATA_URL):
        host = urlsplit(url).hostname
        if host:
            hosts.add(host.lower())
    return frozenset(hosts)


def http_client() -> httpx.Client:
    transport = _global_transport or GuardedTransport(trusted_hosts=_operator_hosts())
    return httpx.Client(
        transport=transport, timeout=TIMEOUT, follow_redirects=False, headers={"User-Agent": USER_AGENT}
    )


@contextlib.contextmanager
def use_transport(transport: httpx.BaseTransport) -> Iterator[None]:
    """Route every Teams call made in this process through ``transport`` (tests only); forgets cached tokens."""
    global _global_transport
    previous = _global_transport
    _global_transport = transport
    forget_tokens()
    try:
        yield
    finally:
        _global_transport = previous
        forget_tokens()


def forget_tokens() -> None:
    with _token_lock:
        _tokens.clear()


def configured() -> bool:
    """The bot's credentials are set (``TEAMS_APP_ID`` and ``TEAMS_APP_PASSWORD``)."""
    return bool(settings.TEAMS_APP_ID and settings.TEAMS_APP_PASSWORD)


def check_service_url(url: str) -> str:
    """``url`` when it is a Bot Connector address we may send to, else ``PermanentChatError``.

    https and a host in ``TEAMS_SERVICE_HOSTS`` (or a subdomain of one); plain http only for a listed loopback
    host (the test-suite's fake connector). No credentials, query or fragment.
    """
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 (a port that is not a number raises here)
    except ValueError:
        raise PermanentChatError("The Teams service address is not a valid URL.") from None
    allowed = [h.lower().strip(".") for h in settings.TEAMS_SERVICE_HOSTS]
    listed = any(host == h or host.endswith("." + h) for h in allowed)
    scheme_ok = parts.scheme == "https" or (parts.scheme == "http" and host in LOOPBACK_HOSTS)
    if not host or not listed or not scheme_ok or parts.username or parts.password or parts.query or parts.fragment:
        raise PermanentChatError(f"Groundswell does not send to this Teams service address ({host or url[:60]}).")
    return url


def _endpoint(service_url: str, path: str) -> str:
    return check_service_url(service_url).rstrip("/") + path


def _conversation_path(conversation_id: str) -> str:
    return "/v3/conversations/" + quote(conversation_id, safe="")


@contextlib.contextmanager
def _transport_errors() -> Iterator[None]:
    try:
        yield
    except AddressRefused as exc:
        raise PermanentChatError(f"Groundswell does not connect to this Teams address: {exc}") from exc
    except httpx.TimeoutException as exc:
        # A read or write timeout: the request reached Teams, which may have posted the message.
        maybe_sent = not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
        raise TransientChatError("Microsoft Teams did not answer in time.", maybe_sent=maybe_sent) from exc
    except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
        raise TransientChatError("The connection to Microsoft Teams broke off.", maybe_sent=True) from exc
    except httpx.TransportError as exc:
        raise TransientChatError(f"Could not reach Microsoft Teams: {exc}") from exc


def _error_message(response: httpx.Response) -> str:
    """The Bot Connector's ``ErrorResponse`` (``{"error": {"code", "message"}}``) or an OAuth error."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return str(error.get("message") or error.get("code") or response.reason_phrase)[:250]
        if isinstance(error, str):
            return str(body.get("error_description") or error)[:250]
        if body.get("message"):
            return str(body["message"])[:250]
    return response.reason_phrase


def raise_for_status(response: httpx.Response, *, what: str = "Microsoft Teams") -> None:
    """Nothing for a success, else the chat error the answer means (see the module)."""
    status = response.status_code
    if status < 400:
        return
    message = _error_message(response)
    if status == 429 or status >= 500:
        raise TransientChatError(
            f"{what} asked us to try later ({status}): {message}",
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )
    if status in (401, 403):
        raise ChatAuthError(f"{what} refused the bot ({status}): {message}")
    raise PermanentChatError(f"{what} refused ({status}): {message}")


def _json(response: httpx.Response, *, what: str = "Microsoft Teams") -> dict[str, Any]:
    if not response.content:
        return {}
    try:
        body = response.json()
    except ValueError as exc:
        raise TransientChatError(f"{what} sent an unreadable answer.") from exc
    if not isinstance(body, dict):
        raise TransientChatError(f"{what} sent an unexpected answer.")
    return body


def get_json(url: str) -> dict[str, Any]:
    """A JSON document by GET (the OpenID metadata and the signing keys)."""
    with _transport_errors(), http_client() as http:
        response = http.get(url, headers={"Accept": "application/json"})
    raise_for_status(response, what="The Bot Framework's key service")
    return _json(response, what="The Bot Framework's key service")


@dataclass(frozen=True)
class Token:
    access_token: str
    expires_in: int


def bot_token() -> str:
    """The bot's access token for the Bot Connector (client credentials), cached until shortly before expiry."""
    if not configured():
        raise ChatAuthError("Microsoft Teams is not configured: set TEAMS_APP_ID and TEAMS_APP_PASSWORD.")
    cache_key = (settings.TEAMS_TOKEN_URL, settings.TEAMS_APP_ID)
    with _token_lock:
        cached = _tokens.get(cache_key)
        if cached and cached[1] > time.monotonic():
            return cached[0]
    token = _request_token()
    with _token_lock:
        _tokens[cache_key] = (token.access_token, time.monotonic() + max(0, token.expires_in - TOKEN_MARGIN_SECONDS))
    return token.access_token


def _request_token() -> Token:
    data = {
        "grant_type": "client_credentials",
        "client_id": settings.TEAMS_APP_ID,
        "client_secret": settings.TEAMS_APP_PASSWORD,
        "scope": BOT_SCOPE,
    }
    with _transport_errors(), http_client() as http:
        response = http.post(settings.TEAMS_TOKEN_URL, data=data, headers={"Accept": "application/json"})
    if response.status_code in (400, 401):
        # Entra answers a wrong secret or app id with 400/401 invalid_client: the admin must fix the settings.
        raise ChatAuthError(f"Microsoft Entra refused the bot's credentials: {_error_message(response)}")
    raise_for_status(response, what="Microsoft Entra")
    body = _json(response, what="Microsoft Entra")
    access_token = body.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise TransientChatError("Microsoft Entra answered without an access token.")
    try:
        expires_in = int(body.get("expires_in", 0))
    except (TypeError, ValueError):
        expires_in = 0
    return Token(access_token, expires_in)


def _call(method: str, url: str, payload: dict[str, Any]) -> dict[str, Any]:
    token = bot_token()
    with _transport_errors(), http_client() as http:
        response = http.request(method, url, json=payload, headers={"Authorization": f"Bearer {token}"})
    if response.status_code == 401:
        forget_tokens()  # a revoked or rotated secret: ask again next time
    raise_for_status(response)
    return _json(response)


def send_activity(service_url: str, conversation_id: str, activity: dict[str, Any]) -> str:
    """Post ``activity`` to a conversation (a channel or a 1:1 chat); returns the new activity's id."""
    body = _call("POST", _endpoint(service_url, _conversation_path(conversation_id) + "/activities"), activity)
    return str(body.get("id") or "")


def update_activity(service_url: str, conversation_id: str, activity_id: str, activity: dict[str, Any]) -> str:
    """Replace an activity the bot sent (a card after someone acted on it)."""
    path = _conversation_path(conversation_id) + "/activities/" + quote(activity_id, safe="")
    body = _call("PUT", _endpoint(service_url, path), {**activity, "id": activity_id})
    return str(body.get("id") or activity_id)


def create_conversation(service_url: str, *, tenant_id: str, user_id: str) -> str:
    """Open (or find) the bot's 1:1 conversation with a Teams user, to message them proactively; its id."""
    payload = {
        "bot": {"id": f"28:{settings.TEAMS_APP_ID}"},
        "members": [{"id": user_id}],
        "isGroup": False,
        "tenantId": tenant_id,
        "channelData": {"tenant": {"id": tenant_id}},
    }
    body = _call("POST", _endpoint(service_url, "/v3/conversations"), payload)
    conversation_id = body.get("id")
    if not isinstance(conversation_id, str) or not conversation_id:
        raise TransientChatError("Microsoft Teams opened no conversation.")
    return conversation_id


def card_activity(card: dict[str, Any], *, summary: str = "") -> dict[str, Any]:
    """A message activity carrying one Adaptive Card (``summary``: the notification's text)."""
    activity: dict[str, Any] = {
        "type": "message",
        "attachments": [{"contentType": ADAPTIVE_CARD, "content": card}],
    }
    if summary:
        activity["summary"] = summary[:200]
    return activity
