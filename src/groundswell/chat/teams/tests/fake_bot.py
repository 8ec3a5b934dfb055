"""A fake Bot Framework at the Teams choke point (``client.use_transport``): the OpenID metadata and signing keys
(a locally generated RSA key), Microsoft Entra's token endpoint, and the Bot Connector's conversation API, each
answering with the documented shapes. Faults are queued per route; every request is recorded."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

APP_ID = "3f1c6a8e-5d2b-4c7a-9e10-2b7d4f6a8c01"
APP_PASSWORD = "test-bot-secret"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
SERVICE_URL = "https://smba.trafficmanager.net/emea/"
METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
JWKS_URL = "https://login.botframework.com/v1/.well-known/keys"
TOKEN_URL = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
ISSUER = "https://api.botframework.com"
TEAM_ID = "19:efa9296d959346209fea44151c742e73@thread.skype"
BOB_TEAMS_ID = "29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7me2kHTL3Bw"
BOB_CHAT = "a:17I0kl9EkpE1O9PH5TWrzrLNwnWWcfrU7QZjKR0WSfOpzbfcAg2IaydGElSo10tVr4C7Fc6GtieTJX663WuJCc1uA83n4CSrHS"

_private_keys: dict[str, rsa.RSAPrivateKey] = {}


def private_key(kid: str = "key-1") -> rsa.RSAPrivateKey:
    """One RSA key per key id, generated once per test process (2048 bits takes a moment)."""
    if kid not in _private_keys:
        _private_keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _private_keys[kid]


def jwk(kid: str = "key-1", endorsements: tuple[str, ...] = ("msteams", "skype")) -> dict[str, Any]:
    """A key as the Bot Framework publishes it (RSA, ``use: sig``, with the channels that endorse it)."""
    data: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(private_key(kid).public_key()))
    data.update({"kid": kid, "use": "sig", "x5t": kid, "endorsements": list(endorsements)})
    return data


def token(
    *,
    kid: str = "key-1",
    signing_kid: str | None = None,
    service_url: str = SERVICE_URL,
    audience: str = APP_ID,
    issuer: str = ISSUER,
    expires_in: int = 3600,
    not_before: int = -300,
    **extra: Any,
) -> str:
    """A Bot Connector token: signed with key ``signing_kid`` (default ``kid``) but naming ``kid``."""
    now = int(dt.datetime.now(dt.UTC).timestamp())
    claims = {
        "serviceurl": service_url,
        "nbf": now + not_before,
        "exp": now + expires_in,
        "iss": issuer,
        "aud": audience,
        **extra,
    }
    return jwt.encode(claims, private_key(signing_kid or kid), algorithm="RS256", headers={"kid": kid})


@dataclass
class Recorded:
    method: str
    url: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeBotFramework:
    keys: list[dict[str, Any]] = field(default_factory=lambda: [jwk("key-1")])
    requests: list[Recorded] = field(default_factory=list)
    #: Queued answers: (method, url suffix) → responses taken in order before the normal answer.
    faults: dict[tuple[str, str], list[httpx.Response]] = field(default_factory=dict)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def fail(self, method: str, suffix: str, response: httpx.Response) -> None:
        self.faults.setdefault((method, suffix), []).append(response)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def calls(self, method: str, contains: str = "") -> list[Recorded]:
        return [r for r in self.requests if r.method == method and contains in r.url]

    def activities(self, conversation_id: str | None = None) -> list[dict[str, Any]]:
        """The activities posted (not updates), optionally to one conversation."""
        posted = [r for r in self.requests if r.method == "POST" and r.url.endswith("/activities")]
        if conversation_id is not None:
            posted = [r for r in posted if f"/v3/conversations/{quote(conversation_id, safe='')}/" in r.url]
        return [r.body for r in posted]

    def handle(self, request: httpx.Request) -> httpx.Response:
        body: Any
        content = request.content.decode() if request.content else ""
        if request.headers.get("content-type", "").startswith("application/json") and content:
            body = json.loads(content)
        elif content:
            body = dict(httpx.QueryParams(content))
        else:
            body = None
        url = str(request.url)
        self.requests.append(Recorded(request.method, url, dict(request.headers), body))
        for (method, suffix), queued in self.faults.items():
            if method == request.method and url.endswith(suffix) and queued:
                return queued.pop(0)
        return self._answer(request.method, url, request, body)

    def _answer(self, method: str, url: str, request: httpx.Request, body: Any) -> httpx.Response:
        routes: dict[tuple[str, str], Callable[[], httpx.Response]] = {
            ("GET", METADATA_URL): lambda: httpx.Response(
                200,
                json={
                    "issuer": ISSUER,
                    "authorization_endpoint": "https://invalid.botframework.com",
                    "jwks_uri": JWKS_URL,
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                },
            ),
            ("GET", JWKS_URL): lambda: httpx.Response(200, json={"keys": self.keys}),
            ("POST", TOKEN_URL): lambda: httpx.Response(
                200,
                json={
                    "token_type": "Bearer",
                    "expires_in": 3599,
                    "ext_expires_in": 3599,
                    "access_token": f"bot-token-{next(self._ids)}",
                },
            ),
        }
        if (method, url) in routes:
            return routes[(method, url)]()
        if not url.startswith(SERVICE_URL.rstrip("/") + "/v3/conversations"):
            return httpx.Response(404, json={"error": {"code": "NotFound", "message": "No such route"}})
        if not request.headers.get("authorization", "").startswith("Bearer bot-token-"):
            return httpx.Response(401, json={"message": "Authorization has been denied for this request."})
        if method == "POST" and url.endswith("/v3/conversations"):
            return httpx.Response(201, json={"id": f"a:new-personal-chat-{next(self._ids)}"})
        if method == "POST" and url.endswith("/activities"):
            return httpx.Response(201, json={"id": f"1:{1700000000000 + next(self._ids)}"})
        if method == "PUT" and "/activities/" in url:
            return httpx.Response(200, json={"id": unquote(url.rsplit("/", 1)[1])})
        return httpx.Response(400, json={"error": {"code": "BadArgument", "message": "Unknown request"}})


def now_stamp(delta: dt.timedelta = dt.timedelta()) -> str:
    """An activity's ``timestamp`` as Teams writes it (UTC, milliseconds, "Z")."""
    return (dt.datetime.now(dt.UTC) + delta).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def personal_message(text: str = "link", *, activity_id: str = "1481567603816", **extra: Any) -> dict[str, Any]:
    """A message in the personal chat with the bot, as Teams sends it."""
    return {
        "type": "message",
        "id": activity_id,
        "timestamp": now_stamp(),
        "serviceUrl": SERVICE_URL,
        "channelId": "msteams",
        "from": {"id": BOB_TEAMS_ID, "name": "Bob Employee", "aadObjectId": "e2b2a4a4-9a1e-4b6e-8a2e-1d1b5c1a7c11"},
        "conversation": {"conversationType": "personal", "tenantId": TENANT, "id": BOB_CHAT},
        "recipient": {"id": f"28:{APP_ID}", "name": "Groundswell"},
        "textFormat": "plain",
        "locale": "en-US",
        "text": text,
        "entities": [{"locale": "en-US", "country": "US", "platform": "Web", "type": "clientInfo"}],
        "channelData": {"tenant": {"id": TENANT}},
        **extra,
    }


def submit(
    data: dict[str, Any], *, reply_to: str, activity_id: str = "1481567609999", channel: bool = False
) -> dict[str, Any]:
    """An ``Action.Submit`` click: a message with the action's ``data`` as ``value`` and no text."""
    activity = personal_message("", activity_id=activity_id, value=data, replyToId=reply_to)
    del activity["text"]
    if channel:
        activity["conversation"] = {
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": TENANT,
            "id": f"{TEAM_ID};messageid={reply_to}",
        }
        activity["channelData"] = {"team": {"id": TEAM_ID, "name": "Marketing"}, "tenant": {"id": TENANT}}
    return activity


def bot_added_to_team(*, activity_id: str = "f:3f6b4a0e-team-added") -> dict[str, Any]:
    return {
        "type": "conversationUpdate",
        "id": activity_id,
        "timestamp": now_stamp(),
        "serviceUrl": SERVICE_URL,
        "channelId": "msteams",
        "membersAdded": [{"id": f"28:{APP_ID}"}],
        "from": {"id": "29:1I9Is_Sx0O-Iy2rQ7Xz1lcaPKlO9eqmBRTBuW6XzXFOJqzWYR8fLxsVS6Yqs7O1W2xk7HkW6JbF"},
        "conversation": {"isGroup": True, "conversationType": "channel", "tenantId": TENANT, "id": TEAM_ID},
        "recipient": {"id": f"28:{APP_ID}", "name": "Groundswell"},
        "channelData": {
            "team": {"aadGroupId": "d4d3b0a5-2a4c-4b16-bb6c-1d2f3e4a5b6c", "name": "Marketing", "id": TEAM_ID},
            "eventType": "teamMemberAdded",
            "tenant": {"id": TENANT},
        },
    }


def bot_removed_from_team(*, activity_id: str = "f:3f6b4a0e-team-removed") -> dict[str, Any]:
    activity = bot_added_to_team(activity_id=activity_id)
    activity["membersRemoved"] = activity.pop("membersAdded")
    activity["channelData"]["eventType"] = "teamMemberRemoved"
    return activity
