"""Slack's request signing: every inbound request is checked before anything reads its body's meaning.

Slack sends ``X-Slack-Request-Timestamp`` and ``X-Slack-Signature: v0=<hex>``, the HMAC-SHA256 with the app's
signing secret of ``v0:{timestamp}:{raw body}``
(https://api.slack.com/authentication/verifying-requests-from-slack). We refuse a missing header, a timestamp
more than five minutes from our clock (either way), a signature that does not match (compared in constant
time), and a signature already accepted once (``chat.verify``).
"""

from __future__ import annotations

import hashlib
import hmac
import time

from groundswell.chat import verify


class Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def expected_signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def check(secret: str, timestamp: str | None, signature: str | None, body: bytes, *, now: float | None = None) -> None:
    """Raise :class:`Refused` unless the request is Slack's, fresh and new. Records the signature."""
    if not secret:
        raise Refused(403, "Slack is not configured on this server (SLACK_SIGNING_SECRET).")
    if not timestamp or not signature:
        raise Refused(401, "Missing Slack signature headers.")
    try:
        sent = int(timestamp)
    except ValueError:
        raise Refused(401, "Bad timestamp.") from None
    now = time.time() if now is None else now
    if abs(now - sent) > verify.WINDOW.total_seconds():
        raise Refused(401, "Stale or future timestamp.")
    if not hmac.compare_digest(expected_signature(secret, timestamp, body).encode(), signature.encode()):
        raise Refused(401, "Bad signature.")
    if not verify.first_sight("slack", signature):
        raise Refused(401, "Replayed request.")
