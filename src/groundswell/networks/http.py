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
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import re
import threading
from collections.abc import Iterator

import httpx
from django.conf import settings

from groundswell.lib.safe_fetch import AddressRefused, GuardedTransport

__all__ = ["USER_AGENT", "AddressRefused", "client", "mentions_link", "retry_after_seconds", "use_transport"]

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
