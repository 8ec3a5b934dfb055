"""Who is clicking: client address (with an explicit trusted-proxy count) and referrer host."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def trusted_proxy_count() -> int:
    """How many reverse proxies in front of us append to ``X-Forwarded-For``.

    ``settings.TRUSTED_PROXY_COUNT`` when set; otherwise 1 when ``BEHIND_PROXY`` is on (it sets
    ``SECURE_PROXY_SSL_HEADER``), else 0 (the header is ignored: anyone can send it).
    """
    configured = getattr(settings, "TRUSTED_PROXY_COUNT", None)
    if configured is not None:
        return max(0, int(configured))
    return 1 if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) else 0


def client_ip(remote_addr: str, forwarded_for: str, proxy_count: int) -> str:
    """The address of the client as seen by the outermost trusted proxy.

    Each trusted proxy appends the address it received the request from, so with ``n`` trusted proxies
    the client is the ``n``-th entry from the right; entries further left are client-controlled.
    """
    if proxy_count <= 0 or not forwarded_for:
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    if not hops:
        return remote_addr
    return hops[-proxy_count] if len(hops) >= proxy_count else hops[0]


def referrer_host(referrer: str) -> str:
    if not referrer:
        return ""
    try:
        host = urlsplit(referrer).hostname
    except ValueError:
        return ""
    return (host or "")[:253]
