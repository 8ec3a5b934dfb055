"""Verifying that an inbound activity comes from the Bot Connector, as Microsoft documents it ("Authenticate
requests from the Bot Connector service to your bot", Bot Framework REST API authentication).

The ``Authorization: Bearer`` JWT must be signed RS256 by a key published at the ``jwks_uri`` of the OpenID
metadata (``TEAMS_OPENID_METADATA_URL``), and carry issuer ``https://api.botframework.com``, audience our
``TEAMS_APP_ID``, a valid ``exp``/``nbf`` (5 minutes of clock skew allowed), and a ``serviceurl`` claim equal
to the activity's ``serviceUrl``. When the key lists ``endorsements``, the activity's ``channelId`` must be
one of them. Keys are cached for a day; a token signed with a key we do not know refreshes them (at most
once a minute, so made-up key ids cannot make us hammer the key service).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from typing import Any

import jwt
from django.conf import settings

from groundswell.chat.errors import ChatError
from groundswell.chat.teams import client

ISSUER = "https://api.botframework.com"
ALGORITHM = "RS256"
LEEWAY_SECONDS = 300
KEYS_TTL_SECONDS = 24 * 3600
REFRESH_MIN_INTERVAL_SECONDS = 60
#: How far an activity's ``timestamp`` may be from now. Replayed activity ids are remembered (``SeenRequest``)
#: for longer than this, so a verbatim replay is refused whenever it comes.
ACTIVITY_WINDOW = dt.timedelta(minutes=5)


class Unauthenticated(Exception):
    """The request is not from the Bot Connector (answered 401); ``str(exc)`` says why, for the log."""


class Forbidden(Exception):
    """An authentic token that does not go with this activity (answered 403)."""


@dataclass
class _KeySet:
    keys: dict[str, dict[str, Any]]
    fetched_at: float


_lock = threading.Lock()
_cache: dict[str, _KeySet] = {}


def forget_keys() -> None:
    """Drop the cached signing keys (tests, and a changed metadata URL)."""
    with _lock:
        _cache.clear()


def _fetch_keys() -> dict[str, dict[str, Any]]:
    metadata = client.get_json(settings.TEAMS_OPENID_METADATA_URL)
    jwks_uri = metadata.get("jwks_uri")
    if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
        raise Unauthenticated("The Bot Framework's OpenID metadata has no jwks_uri.")
    document = client.get_json(jwks_uri)
    keys = document.get("keys")
    if not isinstance(keys, list):
        raise Unauthenticated("The Bot Framework's key set has no keys.")
    return {str(k["kid"]): k for k in keys if isinstance(k, dict) and k.get("kid")}


def signing_key(kid: str) -> dict[str, Any] | None:
    """The published key ``kid`` (a JWK dict), refreshing the cache when it is stale or ``kid`` is unknown."""
    url = settings.TEAMS_OPENID_METADATA_URL
    now = time.monotonic()
    with _lock:
        cached = _cache.get(url)
    if cached and now - cached.fetched_at < KEYS_TTL_SECONDS:
        if kid in cached.keys:
            return cached.keys[kid]
        if now - cached.fetched_at < REFRESH_MIN_INTERVAL_SECONDS:
            return None
    try:
        keys = _fetch_keys()
    except ChatError as exc:
        if cached and kid in cached.keys:
            return cached.keys[kid]  # the key service is down: keep using what we had
        raise Unauthenticated(f"The Bot Framework's signing keys could not be fetched: {exc}") from exc
    with _lock:
        _cache[url] = _KeySet(keys, now)
    return keys.get(kid)


def verify(authorization: str | None, activity: dict[str, Any]) -> dict[str, Any]:
    """The token's claims when ``authorization`` proves that ``activity`` comes from the Bot Connector.

    Raises :class:`Unauthenticated` (no or bad token) or :class:`Forbidden` (a good token for another
    service address or channel).
    """
    if not settings.TEAMS_APP_ID:
        raise Unauthenticated("Microsoft Teams is not configured on this server.")
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("No bearer token.")
    token = token.strip()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise Unauthenticated(f"Unreadable token: {exc}") from exc
    if header.get("alg") != ALGORITHM:
        raise Unauthenticated(f"Token algorithm {header.get('alg')!r} is not {ALGORITHM}.")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise Unauthenticated("The token names no signing key.")
    jwk = signing_key(kid)
    if jwk is None:
        raise Unauthenticated(f"Unknown signing key {kid!r}.")
    try:
        key = jwt.PyJWK(jwk, algorithm=ALGORITHM).key
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=settings.TEAMS_APP_ID,
            issuer=ISSUER,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iss", "aud"]},
        )
    except (jwt.PyJWTError, ValueError, KeyError) as exc:
        raise Unauthenticated(f"Token refused: {exc}") from exc
    endorsements = jwk.get("endorsements")
    channel_id = activity.get("channelId")
    if isinstance(endorsements, list) and endorsements and channel_id not in endorsements:
        raise Forbidden(f"The signing key is not endorsed for channel {channel_id!r}.")
    service_url = claims.get("serviceurl", claims.get("serviceUrl"))
    if not service_url or service_url != activity.get("serviceUrl"):
        raise Forbidden("The token's serviceUrl is not the activity's.")
    return claims


def check_timestamp(activity: dict[str, Any], now: dt.datetime | None = None) -> None:
    """Refuse (:class:`Forbidden`) an activity stamped more than :data:`ACTIVITY_WINDOW` from now.

    The token does not sign the body, so this only stops verbatim replays once the activity id has been
    forgotten; activities without a readable ``timestamp`` rely on the id alone.
    """
    raw = activity.get("timestamp")
    if not isinstance(raw, str):
        return
    try:
        stamped = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return
    if stamped.tzinfo is None:
        stamped = stamped.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    if abs(now - stamped) > ACTIVITY_WINDOW:
        raise Forbidden(f"The activity is stamped {raw}, too far from now.")
