"""The one place that talks to push services: VAPID configuration, endpoint checks, and sending.

A subscription's endpoint comes from the member's browser, so it is a URL a member chose: it must be https
and point to a public address (checked when subscribing and again before each send, like every outbound
fetch; ``lib.safe_fetch``). Only the test-suite, which runs its own loopback push service, lifts that.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from pywebpush import WebPushException, webpush

from groundswell.lib.safe_fetch import FetchError, check_url, resolve

TIMEOUT_SECONDS = 10.0


class PushError(Exception):
    """A send that failed. ``gone``: the push service dropped the subscription (404/410), delete it;
    ``transient``: try again later (5xx, 429, network); neither: give up on this message."""

    def __init__(self, message: str, *, status: int | None = None, gone: bool = False, transient: bool = False):
        super().__init__(message)
        self.status, self.gone, self.transient = status, gone, transient


def push_enabled() -> bool:
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class KeyPair:
    public: str  # the uncompressed P-256 point, base64url: the browser's applicationServerKey
    private: str  # the 32-byte private number, base64url: what pywebpush signs with


def new_key_pair() -> KeyPair:
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    private = key.private_numbers().private_value.to_bytes(32, "big")
    return KeyPair(public=_b64(public), private=_b64(private))


def check_endpoint(endpoint: str) -> str:
    """The endpoint if a push may be sent to it; ``ValueError`` with a plain reason otherwise."""
    if len(endpoint) > 2000:
        raise ValueError("The push address is too long.")
    try:
        url = check_url(endpoint)
    except FetchError as exc:
        raise ValueError(str(exc)) from None
    parts = urlsplit(url)
    if parts.scheme != "https" and not settings.UNFURL_ALLOW_PRIVATE_ADDRESSES:
        raise ValueError("A push address must use https.")
    try:
        resolve(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
    except FetchError as exc:
        raise ValueError(str(exc)) from None
    return endpoint


def send(info: dict[str, object], payload: dict[str, str], *, ttl: int | None = None) -> int:
    """Encrypt ``payload`` (JSON) for the subscription and POST it; the push service's status, or PushError."""
    endpoint = str(info["endpoint"])
    try:
        check_endpoint(endpoint)
    except ValueError as exc:
        raise PushError(f"Push address refused: {exc}") from None
    try:
        response = webpush(
            subscription_info=info,
            data=json.dumps(payload),
            vapid_private_key=settings.VAPID_PRIVATE_KEY,
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            ttl=settings.PUSH_TTL_SECONDS if ttl is None else ttl,
            timeout=TIMEOUT_SECONDS,
            headers={"Urgency": "normal"},
        )
    except WebPushException as exc:
        status = exc.response.status_code if exc.response is not None else None
        if status in (404, 410):
            raise PushError("The push service no longer knows this device.", status=status, gone=True) from None
        transient = status is None or status == 429 or status >= 500
        raise PushError(f"The push service answered {status}.", status=status, transient=transient) from None
    except (OSError, ValueError) as exc:  # requests' connection errors are OSErrors; bad keys are ValueErrors
        transient = isinstance(exc, OSError)
        raise PushError(f"Could not reach the push service: {exc}", transient=transient) from None
    return int(getattr(response, "status_code", 201))


def key_has_size(value: str, size: int) -> bool:
    """True when ``value`` is base64url (padding optional) of exactly ``size`` bytes."""
    if not value or len(value) > 200:
        return False
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError:
        return False
    return len(raw) == size
