"""The one HTTP choke point for Slack's Web API (https://api.slack.com/web).

Every call goes through :func:`call` (or :func:`post_response_url` for an interaction's ``response_url``):
one httpx client through ``lib.safe_fetch.GuardedTransport`` (the host of ``SLACK_API_URL`` is the operator's
choice and trusted), bounded timeouts, no redirects. Tests swap the transport with :func:`use_transport`.

Slack answers HTTP 200 with ``{"ok": false, "error": "<code>"}`` for most failures, and HTTP 429 with
``Retry-After`` when rate limited. Both are mapped here, once, to the chat errors:

* ``ratelimited`` / 429, ``service_unavailable``, ``fatal_error``, ``internal_error``, 503, a refused or timed-out
  connection: :class:`TransientChatError` (not posted: retried later);
* a read timeout, a connection cut mid-answer, ``request_timeout``, other 5xx: transient with
  ``maybe_sent`` (Slack may have posted: not retried, so nobody gets a message twice);
* ``invalid_auth``, ``not_authed``, ``token_revoked``, ``token_expired``, ``account_inactive``,
  ``missing_scope``...: :class:`ChatAuthError` (reinstall the app);
* anything else (``channel_not_found``, ``not_in_channel``, ``is_archived``, ``invalid_blocks``...):
  :class:`PermanentChatError` with a sentence for the admin.

Tokens are sent in the ``Authorization`` header and never logged.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import httpx
from django.conf import settings

from groundswell.chat.errors import ChatAuthError, PermanentChatError, TransientChatError
from groundswell.lib.safe_fetch import AddressRefused, GuardedTransport
from groundswell.networks.http import USER_AGENT, retry_after_seconds

TIMEOUT = httpx.Timeout(connect=5.0, read=10.0, write=10.0, pool=5.0)

AUTH_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "missing_scope",
        "no_permission",
        "org_login_required",
        "team_access_not_granted",
        "ekm_access_denied",
        "app_uninstalled",
    }
)
TRANSIENT_ERRORS = frozenset({"ratelimited", "rate_limited", "service_unavailable", "fatal_error", "internal_error"})
MAYBE_SENT_ERRORS = frozenset({"request_timeout"})
#: Sentences for the admin, for the refusals they can fix.
EXPLAINED = {
    "channel_not_found": "Slack did not find the channel (was it deleted or made private?). Pick another channel.",
    "not_in_channel": "The Groundswell app is not in that channel. In Slack, type /invite @Groundswell there.",
    "is_archived": "The channel is archived. Pick another channel.",
    "msg_too_long": "The message was too long for Slack.",
    "invalid_blocks": "Slack refused the message's layout (invalid_blocks).",
    "user_not_found": "Slack did not find that user (did they leave the Slack workspace?).",
    "cannot_dm_bot": "That Slack user is a bot.",
    "messages_tab_disabled": "The app's Messages tab is off. Turn it on under App Home in the Slack app settings.",
}

_global_transport: httpx.BaseTransport | None = None
_lock = threading.Lock()


def api_url(method: str) -> str:
    return f"{settings.SLACK_API_URL}/{method}"


def _trusted_hosts() -> frozenset[str]:
    try:
        host = httpx.URL(settings.SLACK_API_URL).raw_host.decode("ascii").lower()
    except (httpx.InvalidURL, UnicodeError):
        return frozenset()
    return frozenset({host}) if host else frozenset()


def client() -> httpx.Client:
    transport = _global_transport or GuardedTransport(trusted_hosts=_trusted_hosts())
    return httpx.Client(
        transport=transport, timeout=TIMEOUT, follow_redirects=False, headers={"User-Agent": USER_AGENT}
    )


@contextlib.contextmanager
def use_transport(transport: httpx.BaseTransport) -> Iterator[None]:
    """Route every Slack call made in this process through ``transport`` (tests only)."""
    global _global_transport
    with _lock:
        previous, _global_transport = _global_transport, transport
    try:
        yield
    finally:
        with _lock:
            _global_transport = previous


def _request(method: str, url: str, **kwargs: Any) -> httpx.Response:
    try:
        with client() as http:
            return http.request(method, url, **kwargs)
    except (httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise TransientChatError("Slack did not answer in time (connecting).") from exc
    except httpx.TimeoutException as exc:
        raise TransientChatError("Slack did not answer in time.", maybe_sent=True) from exc
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
        raise TransientChatError("The connection to Slack broke off.", maybe_sent=True) from exc
    except AddressRefused as exc:
        raise PermanentChatError(f"Groundswell does not connect to this address: {exc}") from exc
    except httpx.TransportError as exc:
        raise TransientChatError("Could not reach Slack.") from exc


def error_for(code: str, *, retry_after: float | None = None) -> Exception:
    """The chat error for one of Slack's ``error`` codes."""
    if code in AUTH_ERRORS:
        return ChatAuthError(f"Slack refused Groundswell's token ({code}).", code=code)
    if code in TRANSIENT_ERRORS:
        return TransientChatError(f"Slack is busy ({code}); trying again later.", code=code, retry_after=retry_after)
    if code in MAYBE_SENT_ERRORS:
        return TransientChatError(f"Slack timed out ({code}).", code=code, maybe_sent=True)
    return PermanentChatError(EXPLAINED.get(code, f"Slack refused: {code or 'unknown error'}."), code=code)


def _check(response: httpx.Response) -> dict[str, Any]:
    status = response.status_code
    if status == 429:
        raise TransientChatError(
            "Slack asked us to slow down (rate limited).",
            code="ratelimited",
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )
    if status == 503:
        raise TransientChatError("Slack is unavailable (503); trying again later.", code="http_503")
    if status >= 500:
        raise TransientChatError(f"Slack had a problem ({status}).", code=f"http_{status}", maybe_sent=True)
    if status in (401, 403):
        raise ChatAuthError(f"Slack refused Groundswell's token (HTTP {status}).", code=f"http_{status}")
    if status >= 400:
        raise PermanentChatError(f"Slack refused the request (HTTP {status}).", code=f"http_{status}")
    try:
        body = response.json()
    except ValueError:
        if response.text.strip() == "ok":  # response_url answers a bare "ok"
            return {"ok": True}
        raise TransientChatError("Slack sent an unreadable answer.", maybe_sent=True) from None
    if not isinstance(body, dict):
        raise TransientChatError("Slack sent an unreadable answer.", maybe_sent=True)
    if not body.get("ok", False):
        raise error_for(
            str(body.get("error") or ""), retry_after=retry_after_seconds(response.headers.get("Retry-After"))
        )
    return body


def call(method: str, token: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    """Call Web API ``method`` (e.g. "chat.postMessage") with a bot token and a JSON body."""
    response = _request(
        "POST",
        api_url(method),
        json=payload or {},
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json; charset=utf-8"},
    )
    return _check(response)


def call_form(method: str, data: dict[str, str], *, token: str = "") -> dict[str, Any]:
    """A form-encoded call: ``oauth.v2.access`` (client credentials in the form) and read methods."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return _check(_request("POST", api_url(method), data=data, headers=headers))


def post_response_url(url: str, payload: dict[str, Any]) -> None:
    """Answer an interaction through its ``response_url`` (https://hooks.slack.com/..., valid 30 minutes)."""
    if not url.startswith("https://hooks.slack.com/") and not url.startswith(settings.SLACK_API_URL):
        raise PermanentChatError("Not a Slack response URL.")
    _check(_request("POST", url, json=payload))
