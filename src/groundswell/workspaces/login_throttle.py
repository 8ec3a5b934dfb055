"""Password sign-in throttling that slows attackers down without locking the owner out (ADR 0026).

allauth's default locks an *account* after 5 failures in 5 minutes, whatever the password and wherever it
comes from: anyone who knows a colleague's e-mail address could lock them out at will. Instead:

* failures count per **account and address** (5 per 5 minutes) and per **address** (20 per minute), so
  guessing from one place is slow, and a stranger's failures do not lock the owner out elsewhere;
* failures also count per **account** over all addresses (50 per hour), against a distributed guesser;
* a browser that signed in to the account before carries a **known-device cookie** (signed, HttpOnly,
  180 days, OWASP "device cookies"). From it, the right password always gets through, even from the
  attacker's own office address or during a distributed attack; its wrong guesses count against that device
  only (10 per 5 minutes), so a stolen cookie is no shortcut for guessing.

The rates are ``ACCOUNT_RATE_LIMITS`` in settings.py (allauth's format, ``<n>/<period>/<ip|key>``). A
successful sign-in does not count as a failure (allauth rolls the attempt back).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from allauth.core.internal import ratelimit
from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponseBase

APP = "allauth.account"
COOKIE = "gs_device"
COOKIE_PATH = "/accounts/"
COOKIE_MAX_AGE = 180 * 24 * 3600
_SALT = "groundswell.login-throttle.device"
MAX_ACCOUNTS_PER_DEVICE = 5


def _account(login: str) -> str:
    return hashlib.sha256(f"groundswell-account:{login.strip().lower()}".encode()).hexdigest()[:24]


def _read_cookie(request: HttpRequest) -> dict[str, Any]:
    raw = request.COOKIES.get(COOKIE, "")
    if not raw:
        return {}
    try:
        data = signing.loads(raw, salt=_SALT, max_age=COOKIE_MAX_AGE)
    except signing.BadSignature:
        return {}
    return data if isinstance(data, dict) else {}


def known_device(request: HttpRequest, login: str) -> str | None:
    """The id of this browser if it has signed in to ``login``'s account before, else None."""
    data = _read_cookie(request)
    accounts = data.get("a")
    if isinstance(accounts, list) and _account(login) in accounts and isinstance(data.get("d"), str):
        return str(data["d"])
    return None


def remember_device(request: HttpRequest, response: HttpResponseBase, email: str) -> None:
    """After a successful sign-in: mark this browser as known for ``email``'s account."""
    if not email:
        return
    data = _read_cookie(request)
    device = data.get("d") if isinstance(data.get("d"), str) else secrets.token_urlsafe(12)
    accounts = [a for a in data.get("a", []) if isinstance(a, str)] if isinstance(data.get("a"), list) else []
    account = _account(email)
    accounts = ([account] + [a for a in accounts if a != account])[:MAX_ACCOUNTS_PER_DEVICE]
    response.set_cookie(
        COOKIE,
        signing.dumps({"d": device, "a": accounts}, salt=_SALT, compress=True),
        max_age=COOKIE_MAX_AGE,
        path=COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def consume_attempt(request: HttpRequest, login: str) -> ratelimit.RateLimitUsage | None:
    """Count one sign-in attempt for ``login``; None when it must be refused before the password is checked.

    The caller rolls the usage back when the password was right, so only failures count."""
    account = _account(login)
    device = known_device(request, login)
    if device is not None:
        return ratelimit.consume(request, app=APP, action="login_failed_device", key=f"{device}:{account}")
    ip = ratelimit.get_ip(request)
    usage = ratelimit.RateLimitUsage(usage=[])
    for action, key in (("login_failed", f"{account}:{ip}"), ("login_failed_account", account)):
        single = ratelimit.consume(request, app=APP, action=action, key=key)
        if single is None:
            usage.rollback()
            return None
        usage.usage.extend(single.usage)
    return usage


def clear_account(request: HttpRequest, login: str) -> None:
    """After a password reset: forget the account's failures (those of its own address too)."""
    account = _account(login)
    ratelimit.clear(request, app=APP, action="login_failed_account", key=account)
    ratelimit.clear(request, app=APP, action="login_failed", key=f"{account}:{ratelimit.get_ip(request)}")
