"""The App Home tab: who the Slack user is linked as, and the button to link (or link again)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from groundswell.chat import handlers
from groundswell.chat.models import ChatInstallation, Platform
from groundswell.chat.platforms import LinkButton, OutgoingMessage
from groundswell.chat.slack.blocks import render


def view_for(installation: ChatInstallation, user_id: str, channel: str) -> dict[str, Any]:
    identity = handlers.identity_for(Platform.SLACK, installation.external_id, user_id)
    workspace = installation.workspace
    url = handlers.link_url(Platform.SLACK, installation.external_id, user_id, "", channel)
    if identity is not None:
        if channel and identity.conversation_id != channel:
            from groundswell.chat import actions

            actions.save_conversation(identity, channel)
        home = settings.SITE_URL + reverse("core:home", kwargs={"ws": workspace.slug})
        page = settings.SITE_URL + reverse("chat:settings", kwargs={"ws": workspace.slug})
        dms = "on" if identity.direct_messages else "off"
        message = OutgoingMessage(
            title=f"Groundswell · {workspace.name}",
            text=f"You are linked to your membership in {workspace.name}. Direct messages from Groundswell are "
            f"{dms}: new items to share, your weekly digest and customer cases routed to you.",
            fallback=f"You are linked to {workspace.name}.",
            buttons=(
                LinkButton("Open Groundswell", home),
                LinkButton("Chat settings", page),
                LinkButton("Link again", url),
            ),
        )
    else:
        message = OutgoingMessage(
            title=f"Groundswell · {workspace.name}",
            text="Link your Slack account to Groundswell: your share buttons then open your own tracked links, "
            "and new items, your digest and cases routed to you arrive here.",
            fallback="Link your Slack account to Groundswell.",
            buttons=(LinkButton("Link my account", url),),
            context="The link works for 30 minutes; reopen this tab for a fresh one.",
        )
    return {"type": "home", "blocks": render(message)["blocks"]}
