"""Visitor hashes: an HMAC of IP + user agent + day. Raw IP addresses are never stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=1)
def _key() -> bytes:
    return hashlib.sha256(b"groundswell-visitor-hash:" + settings.SECRET_KEY.encode()).digest()


def visitor_hash(ip: str, user_agent: str, day: dt.date) -> str:
    message = f"{ip}\x00{user_agent}\x00{day.isoformat()}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


class VisitorHasher:
    """``visitor_hash`` for many clicks: the HMAC key schedule is computed once and copied per click."""

    def __init__(self) -> None:
        self._base = hmac.new(_key(), digestmod=hashlib.sha256)

    def __call__(self, ip: str, user_agent: str, day_iso: str) -> str:
        mac = self._base.copy()
        mac.update(f"{ip}\x00{user_agent}\x00{day_iso}".encode())
        return mac.hexdigest()


def network_prefix(ip: str) -> str:
    """The /24 of an IPv4 address or the /48 of an IPv6 one (``""`` for something that is not an address)."""
    if ip.count(".") == 3 and ":" not in ip:
        return ip.rsplit(".", 1)[0] + ".0/24"
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return network_prefix(str(address.ipv4_mapped))
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


class NetworkHasher:
    """An HMAC of the network prefix (never the address), cached per prefix: many clicks share a range."""

    def __init__(self) -> None:
        self._base = hmac.new(_key(), b"network\x00", digestmod=hashlib.sha256)
        self._cache: dict[str, str] = {}

    def __call__(self, ip: str) -> str:
        prefix = network_prefix(ip)
        if not prefix:
            return ""
        cached = self._cache.get(prefix)
        if cached is None:
            if len(self._cache) > 50_000:
                self._cache.clear()
            mac = self._base.copy()
            mac.update(prefix.encode())
            cached = self._cache[prefix] = mac.hexdigest()
        return cached
