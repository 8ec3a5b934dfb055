"""Slack as a :class:`~groundswell.chat.platforms.ChatPlatform`: Block Kit through ``chat.postMessage``."""

from __future__ import annotations

from groundswell.chat import actions
from groundswell.chat.errors import PermanentChatError
from groundswell.chat.models import ChatInstallation
from groundswell.chat.platforms import OutgoingMessage, Target
from groundswell.chat.slack import client
from groundswell.chat.slack.blocks import render


class SlackPlatform:
    key = "slack"
    label = "Slack"
    reinstall_hint = "Reinstall the Slack app: open the chat page in Groundswell and choose “Reinstall Slack app”."

    def send(self, installation: ChatInstallation, target: Target, message: OutgoingMessage) -> str:
        if not installation.bot_token:
            raise PermanentChatError("Slack is not connected (no token).")
        channel = target.channel_id
        identity = target.identity
        if identity is not None:
            channel = identity.conversation_id
            if not channel:
                opened = client.call("conversations.open", installation.bot_token, {"users": identity.external_user_id})
                channel = str((opened.get("channel") or {}).get("id") or "")
                if not channel:
                    raise PermanentChatError("Slack did not open a direct conversation.")
                actions.save_conversation(identity, channel)
                identity.conversation_id = channel
        body = {"channel": channel, "unfurl_links": False, "unfurl_media": False, **render(message)}
        answer = client.call("chat.postMessage", installation.bot_token, body)
        return str(answer.get("ts") or "")
