"""Rendering platform-neutral messages as Slack Block Kit (https://api.slack.com/block-kit)."""

from __future__ import annotations

from typing import Any

from groundswell.chat.platforms import ActionButton, LinkButton, OutgoingMessage

#: Slack's limits: 3000 characters in a section's text, 75 in a button's text, 25 elements in an actions block.
TEXT_MAX = 3000
LABEL_MAX = 75
ACTIONS_MAX = 25


def escape(text: str) -> str:
    """Slack's mrkdwn control characters (https://api.slack.com/reference/surfaces/formatting#escaping)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def button(b: LinkButton | ActionButton, index: int = 0) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "button", "text": {"type": "plain_text", "text": _cut(b.label, LABEL_MAX)}}
    if isinstance(b, LinkButton):
        element["url"] = b.url
        element["action_id"] = f"link:{index}"  # unique per message; Slack still sends the click (acknowledged)
    else:
        element["action_id"] = f"{b.action}:{b.value}"[:255]
        element["value"] = b.value[:2000]
        if b.primary:
            element["style"] = "primary"
    return element


def render(message: OutgoingMessage) -> dict[str, Any]:
    """``text`` (the fallback, for notifications) and ``blocks`` for chat.postMessage or a response_url."""
    blocks: list[dict[str, Any]] = []
    if message.title:
        title = escape(message.title)
        if message.url:
            title = f"<{message.url}|{title}>"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _cut(f"*{title}*", TEXT_MAX)}})
    if message.text:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _cut(escape(message.text), TEXT_MAX)}})
    buttons = list(message.buttons)
    for start in range(0, len(buttons), ACTIONS_MAX):
        chunk = buttons[start : start + ACTIONS_MAX]
        blocks.append({"type": "actions", "elements": [button(b, start + i) for i, b in enumerate(chunk)]})
    if message.context:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(escape(message.context), TEXT_MAX)}]}
        )
    return {"text": _cut(message.fallback or message.title or message.text, TEXT_MAX), "blocks": blocks}
