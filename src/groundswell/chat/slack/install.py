"""Installing the company's own Slack app: the manifest to create it, OAuth v2, and uninstalling.

Each self-hosted Groundswell is its own Slack app (the company creates it from the manifest shown on the
chat page, with this server's addresses), so no shared secret leaves the company (ADR 0040).

OAuth v2 (https://api.slack.com/authentication/oauth-v2): the admin is sent to ``oauth/v2/authorize`` with
the bot scopes and a ``state`` that is random, kept in their session with the workspace and their membership,
single use and valid ten minutes; the callback checks it before exchanging the code (``oauth.v2.access``).
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.urls import reverse

from groundswell.chat.actions import Installed
from groundswell.chat.errors import ChatError
from groundswell.chat.models import ChatInstallation, Platform
from groundswell.chat.slack import client

BOT_SCOPES = ("chat:write", "chat:write.public", "commands", "im:write", "channels:read", "groups:read")
BOT_EVENTS = ("app_home_opened", "app_uninstalled", "tokens_revoked")
SESSION_KEY = "chat_slack_oauth"
STATE_MAX_AGE = 600
COMMAND = "/groundswell"


def configured() -> bool:
    return bool(settings.SLACK_CLIENT_ID and settings.SLACK_CLIENT_SECRET and settings.SLACK_SIGNING_SECRET)


def _public(name: str) -> str:
    return settings.SITE_URL + reverse(f"chat_public:{name}")


def redirect_uri() -> str:
    return _public("slack_oauth")


def manifest(app_name: str = "Groundswell") -> dict[str, Any]:
    """The Slack app manifest for this server (https://api.slack.com/reference/manifests)."""
    return {
        "display_information": {
            "name": app_name[:35],
            "description": "Share your company's news with your own tracked links, from Slack.",
            "background_color": "#1d3557",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": app_name[:80], "always_online": True},
            "slash_commands": [
                {
                    "command": COMMAND,
                    "url": _public("slack_commands"),
                    "description": "Link your Slack account to Groundswell",
                    "usage_hint": "link",
                    "should_escape": False,
                }
            ],
        },
        "oauth_config": {"redirect_urls": [redirect_uri()], "scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": {"request_url": _public("slack_events"), "bot_events": list(BOT_EVENTS)},
            "interactivity": {"is_enabled": True, "request_url": _public("slack_interactivity")},
            "org_deploy_enabled": False,
            "socket_mode_enabled": False,
            "token_rotation_enabled": False,
        },
    }


def manifest_json(app_name: str = "Groundswell") -> str:
    return json.dumps(manifest(app_name), indent=2)


def start(session: SessionBase, workspace_slug: str, member_id: int) -> str:
    """Remember a fresh state in the session and return the Slack authorize URL to send the admin to."""
    state = secrets.token_urlsafe(32)
    session[SESSION_KEY] = {"state": state, "ws": workspace_slug, "member": member_id, "at": int(time.time())}
    query = urlencode(
        {
            "client_id": settings.SLACK_CLIENT_ID,
            "scope": ",".join(BOT_SCOPES),
            "redirect_uri": redirect_uri(),
            "state": state,
        }
    )
    return f"{settings.SLACK_OAUTH_URL}?{query}"


@dataclass(frozen=True)
class Pending:
    workspace_slug: str
    member_id: int


def take_state(session: SessionBase, state: str) -> Pending | None:
    """The pending install the ``state`` belongs to (removed from the session: single use), or None."""
    pending = session.pop(SESSION_KEY, None)
    if not isinstance(pending, dict) or not state:
        return None
    if not secrets.compare_digest(str(pending.get("state", "")), state):
        return None
    if time.time() - int(pending.get("at", 0)) > STATE_MAX_AGE:
        return None
    return Pending(str(pending["ws"]), int(pending["member"]))


def exchange(code: str) -> Installed:
    """``oauth.v2.access``: the code for the bot token and the Slack team."""
    body = client.call_form(
        "oauth.v2.access",
        {
            "client_id": settings.SLACK_CLIENT_ID,
            "client_secret": settings.SLACK_CLIENT_SECRET,
            "code": code,
            "redirect_uri": redirect_uri(),
        },
    )
    team = body.get("team") or {}
    token = str(body.get("access_token") or "")
    if body.get("token_type") != "bot" or not token.startswith("xoxb-") or not team.get("id"):
        raise ChatError("Slack did not give a bot token for a workspace. Try installing again.")
    return Installed(
        platform=Platform.SLACK,
        external_id=str(team["id"]),
        name=str(team.get("name") or ""),
        bot_token=token,
        bot_user_id=str(body.get("bot_user_id") or ""),
    )


def revoke(installation: ChatInstallation) -> None:
    """``auth.revoke`` the bot token (disconnecting). A token Slack already forgot is fine."""
    if not installation.bot_token:
        return
    client.call_form("auth.revoke", {}, token=installation.bot_token)


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    is_private: bool


def list_channels(installation: ChatInstallation, *, limit_pages: int = 10) -> list[Channel]:
    """The channels the bot can post to (``conversations.list``, public and private, not archived)."""
    found: list[Channel] = []
    cursor = ""
    for _ in range(limit_pages):
        data = {"types": "public_channel,private_channel", "exclude_archived": "true", "limit": "200"}
        if cursor:
            data["cursor"] = cursor
        body = client.call_form("conversations.list", data, token=installation.bot_token)
        for c in body.get("channels") or []:
            if isinstance(c, dict) and c.get("id"):
                found.append(Channel(str(c["id"]), str(c.get("name") or c["id"]), bool(c.get("is_private"))))
        cursor = str((body.get("response_metadata") or {}).get("next_cursor") or "")
        if not cursor:
            break
    return sorted(found, key=lambda c: c.name.lower())
