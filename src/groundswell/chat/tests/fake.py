"""A fake Slack Web API behind the one choke point (``chat.slack.client.use_transport``).

Answers follow Slack's documented shapes (https://api.slack.com/methods): ``{"ok": true, ...}`` on success,
HTTP 200 with ``{"ok": false, "error": "<code>"}`` for refusals, HTTP 429 with ``Retry-After`` when rate limited.
Every request is recorded with its method, headers and decoded body.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx

API = "https://slack.com/api"
TEAM = "T0GROUND"
BOT_TOKEN = "xoxb-test-token-1234"


@dataclass
class Call:
    method: str
    url: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    #: method -> list of responses to give next (then the default answer): a dict (JSON body, HTTP 200), an
    #: httpx.Response, or an exception to raise.
    queued: dict[str, list[Any]] = field(default_factory=dict)
    channels: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {"id": "C0NEWS", "name": "news", "is_private": False, "is_member": True},
            {"id": "G0ADV", "name": "advocates", "is_private": True, "is_member": True},
        ]
    )
    next_ts: int = 1700000000

    def queue(self, method: str, *answers: Any) -> None:
        self.queued.setdefault(method, []).extend(answers)

    def methods(self) -> list[str]:
        return [c.method for c in self.calls]

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        method = url.removeprefix(API + "/") if url.startswith(API) else "response_url"
        content_type = request.headers.get("content-type", "")
        raw = request.content.decode()
        body = json.loads(raw or "{}") if "json" in content_type else dict(parse_qsl(raw))
        self.calls.append(Call(method, url, dict(request.headers), body))
        pending = self.queued.get(method) or []
        if pending:
            answer = pending.pop(0)
            if isinstance(answer, Exception):
                raise answer
            if isinstance(answer, httpx.Response):
                return answer
            return httpx.Response(200, json=answer)
        return httpx.Response(200, json=self.default(method, body))

    def default(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "chat.postMessage":
            self.next_ts += 1
            return {"ok": True, "channel": body.get("channel"), "ts": f"{self.next_ts}.000100", "message": {}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D0" + str(body.get("users", "X"))}}
        if method == "conversations.list":
            return {"ok": True, "channels": self.channels, "response_metadata": {"next_cursor": ""}}
        if method == "oauth.v2.access":
            return {
                "ok": True,
                "access_token": BOT_TOKEN,
                "token_type": "bot",
                "scope": "chat:write,commands",
                "bot_user_id": "U0BOT",
                "app_id": "A0APP",
                "team": {"name": "Acme Slack", "id": TEAM},
                "enterprise": None,
                "authed_user": {"id": "U0ALICE"},
            }
        if method == "auth.revoke":
            return {"ok": True, "revoked": True}
        if method == "views.publish":
            return {"ok": True, "view": {"id": "V0HOME"}}
        return {"ok": True}
