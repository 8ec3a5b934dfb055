"""Visitor hashes: an HMAC of IP + user agent + day. Raw IP addresses are never stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
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
