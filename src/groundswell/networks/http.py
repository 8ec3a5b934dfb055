"""The one HTTP choke point for talking to social networks.

Every plug-in gets its ``httpx.Client`` here, with bounded timeouts and no redirects. Tests swap the
transport (``use_transport``) for request/response fixtures and fault injection; nothing else in the
plug-ins knows about it.

Every connection goes through ``lib.safe_fetch.GuardedTransport``: the host is resolved when the connection
is made, each address checked, and the socket connected to a checked address, so a server a member named (a
Mastodon instance, a Bluesky PDS) cannot be pointed at a private address between the form that accepted it
and the request that uses it (DNS rebinding, ADR 0027). A refusal raises ``AddressRefused`` before a byte is
sent. The hosts of the operator's own endpoint settings are exempt (a self-hosted PDS on the LAN is the
operator's choice); ``UNFURL_ALLOW_PRIVATE_ADDRESSES`` turns the check off as it does for link previews.

It is also the one place that turns an HTTP failure into the three outcomes the outbox acts on
(``networks.base``): ``send`` maps transport failures (timeouts, broken connections, refused addresses),
``raise_for_status`` maps error answers (429 and 5xx retry later, 401 or the network's own "token no longer
valid" code asks the member to reconnect, any other 4xx is a refusal for good), ``json_body`` an unreadable
answer. A plug-in only reads its network's error format into an ``ErrorBody``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings

from groundswell.lib.safe_fetch import AddressRefused, GuardedTransport
from groundswell.networks.base import AuthError, PermanentError, TransientError

__all__ = [
    "USER_AGENT",
    "AddressRefused",
    "ErrorBody",
    "client",
    "json_body",
    "mentions_link",
    "raise_for_status",
    "rate_limit_wait",
    "read_error",
    "retry_after_seconds",
    "send",
    "transport_errors",
    "use_transport",
]

#: The settings naming endpoints the operator chose; their hosts are trusted as configured.
OPERATOR_ENDPOINT_SETTINGS = (
    "LINKEDIN_API_URL",
    "X_API_URL",
    "FACEBOOK_GRAPH_URL",
    "BLUESKY_SERVICE_URL",
    "BLUESKY_APPVIEW_URL",
)

USER_AGENT = "Groundswell/0.1 (+https://github.com/groundswell; employee advocacy)"
TIMEOUT = httpx.Timeout(connect=5.0, read=20.0, write=20.0, pool=5.0)

_state = threading.local()
_global_transport: httpx.BaseTransport | None = None


def operator_hosts() -> frozenset[str]:
    """The hosts of the endpoints configured in settings (read each time: tests and the operator change them)."""
    hosts = set()
    for name in OPERATOR_ENDPOINT_SETTINGS:
        try:
            host = httpx.URL(str(getattr(settings, name, "") or "")).raw_host.decode("ascii")
        except (httpx.InvalidURL, UnicodeError):
            continue
        if host:
            hosts.add(host.lower().removesuffix("."))
    return frozenset(hosts)


def guarded_transport() -> httpx.BaseTransport:
    """The transport every real request goes through: addresses checked at connect time (see the module)."""
    return GuardedTransport(trusted_hosts=operator_hosts())


def client(**kwargs: object) -> httpx.Client:
    transport = getattr(_state, "transport", None) or _global_transport or guarded_transport()
    return httpx.Client(
        transport=transport,
        timeout=TIMEOUT,
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
        **kwargs,  # type: ignore[arg-type]
    )


@contextlib.contextmanager
def use_transport(transport: httpx.BaseTransport) -> Iterator[None]:
    """Route every network call made in this process through ``transport`` (tests only)."""
    global _global_transport
    previous = _global_transport
    _global_transport = transport
    try:
        yield
    finally:
        _global_transport = previous


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta-seconds or an HTTP date (RFC 9110), else None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def mentions_link(text: str, link: str) -> bool:
    """``link`` appears in ``text`` as a whole link (``…/s/Ab3`` does not match inside ``…/s/Ab3dE``).

    Plug-ins use it to find a post of ours among an account's recent posts: the tracked short link is
    unique per share.
    """
    return re.search(re.escape(link) + r"(?![\w/?#%.~+=&-]*\w)", text) is not None


def rate_limit_wait(response: httpx.Response) -> float | None:
    """Seconds to wait before trying again, from ``Retry-After`` or else a rate-limit reset header.

    ``x-rate-limit-reset`` (X) and ``ratelimit-reset`` (Bluesky) carry epoch seconds, ``X-RateLimit-Reset``
    (Mastodon) an ISO 8601 time; both forms are understood in any of them. None when the network did not say.
    """
    seconds = retry_after_seconds(response.headers.get("Retry-After"))
    if seconds is not None:
        return seconds
    for name in ("x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset"):
        value = response.headers.get(name)
        if not value:
            continue
        try:
            return max(0.0, float(value) - time.time())
        except ValueError:
            pass
        try:
            when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
    return None


@dataclass(frozen=True)
class ErrorBody:
    """What an error answer says, read by the plug-in that knows its network's format.

    ``auth``, ``throttled`` and ``temporary`` are the network's own codes speaking (an OAuth ``invalid_grant``,
    a Graph throttling code) when the status alone would say otherwise.
    """

    message: str
    code: str = ""
    auth: bool = False
    throttled: bool = False
    temporary: bool = False


def read_error(response: httpx.Response) -> ErrorBody:
    """The common JSON error shapes (OAuth ``error``/``error_description``, REST ``code``/``message``)."""
    try:
        body = response.json()
    except ValueError:
        return ErrorBody(response.text[:200] or response.reason_phrase)
    if not isinstance(body, dict):
        return ErrorBody(response.reason_phrase)
    code = str(body.get("error") or body.get("code") or "")
    message = body.get("error_description") or body.get("message") or body.get("detail") or code
    return ErrorBody(str(message or response.reason_phrase), code=code)


@contextlib.contextmanager
def transport_errors(network: str) -> Iterator[None]:
    """Map a transport failure of the requests made inside to the network errors.

    A read or write timeout, or a connection cut mid-answer, means the request reached the network: it may
    have made the post, so the error says ``accepted`` and the outbox looks before trying again.
    """
    try:
        yield
    except httpx.TimeoutException as exc:
        accepted = not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
        raise TransientError(f"{network} did not answer in time.", accepted=accepted) from exc
    except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
        raise TransientError(f"The connection to {network} broke off.", accepted=True) from exc
    except AddressRefused as exc:  # checked at connect time: nothing was sent, and it would be refused again
        raise PermanentError(f"Groundswell does not connect to this {network} server: {exc}") from exc
    except httpx.TransportError as exc:
        raise TransientError(f"Could not reach {network}: {exc}") from exc


def send(method: str, url: str, *, network: str, **kwargs: Any) -> httpx.Response:
    """One request through ``client()``, a transport failure mapped to the network errors
    (:func:`transport_errors`). A plug-in that keeps its own ``httpx.Client`` wraps its requests in
    :func:`transport_errors` instead."""
    with transport_errors(network), client() as http_client:
        return http_client.request(method, url, **kwargs)


def raise_for_status(
    response: httpx.Response,
    *,
    network: str,
    error: ErrorBody | Callable[[httpx.Response], ErrorBody] = read_error,
    retry_after: Callable[[httpx.Response], float | None] = rate_limit_wait,
) -> None:
    """Nothing for a success; else the network error the answer means (see the module)."""
    status = response.status_code
    if status < 400:
        return
    body = error if isinstance(error, ErrorBody) else error(response)
    code = body.code
    if status == 429 or body.throttled:
        raise TransientError(
            f"{network} asked us to slow down: {body.message}",
            retry_after=retry_after(response),
            status=status,
            code=code,
        )
    if status >= 500 or body.temporary:
        raise TransientError(f"{network} had a problem ({status}): {body.message}", status=status, code=code)
    if status == 401 or body.auth:
        raise AuthError(f"{network} refused the connection: {body.message}", status=status, code=code)
    raise PermanentError(f"{network} refused: {body.message}", status=status, code=code)


def json_body(response: httpx.Response, *, network: str) -> Any:
    """The answer's JSON ({} for an empty body); an unreadable answer is worth retrying."""
    if not response.content:
        return {}
    try:
        return response.json()
    except ValueError as exc:
        raise TransientError(f"{network} sent an unreadable answer.", status=response.status_code) from exc
