"""Adaptive Cards (schema 1.4, the version Teams renders on every client) for the bot's messages.

A platform-neutral ``OutgoingMessage`` becomes a card: the title in bold, the text, a "context" line in small
print, a ``LinkButton`` an ``Action.OpenUrl`` and an ``ActionButton`` an ``Action.Submit`` whose ``data``
(``{"action": ..., "value": ...}``) Teams sends back as the activity's ``value`` when it is clicked.
"""

from __future__ import annotations

from typing import Any

from groundswell.chat.platforms import ActionButton, LinkButton, OutgoingMessage

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.4"
#: Teams shows at most six actions in a card's action bar (more are hidden); longer lists go in rows.
MAX_ACTIONS = 6


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def card(
    body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None, *, fallback: str = ""
) -> dict[str, Any]:
    content: dict[str, Any] = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body}
    if actions:
        content["actions"] = actions
    if fallback:
        content["fallbackText"] = fallback
    return content


def open_url(title: str, url: str) -> dict[str, Any]:
    return {"type": "Action.OpenUrl", "title": title, "url": url}


def submit(title: str, data: dict[str, Any], *, primary: bool = False) -> dict[str, Any]:
    action: dict[str, Any] = {"type": "Action.Submit", "title": title, "data": data}
    if primary:
        action["style"] = "positive"
    return action


def render(message: OutgoingMessage) -> dict[str, Any]:
    """The Adaptive Card for ``message``."""
    body: list[dict[str, Any]] = []
    if message.title:
        body.append(_text(message.title, weight="Bolder", size="Medium"))
    if message.text:
        body.append(_text(message.text))
    if message.context:
        body.append(_text(message.context, size="Small", isSubtle=True, spacing="Medium"))
    actions: list[dict[str, Any]] = []
    for button in message.buttons:
        if isinstance(button, LinkButton):
            actions.append(open_url(button.label, button.url))
        elif isinstance(button, ActionButton):
            actions.append(
                submit(button.label, {"action": button.action, "value": button.value}, primary=button.primary)
            )
    if message.url and not any(a["type"] == "Action.OpenUrl" and a["url"] == message.url for a in actions):
        actions.append(open_url("Open in Groundswell", message.url))
    body = body or [_text(message.fallback)]
    if len(actions) > MAX_ACTIONS:
        # More buttons than the card's action bar shows: rows of action sets in the body, none dropped.
        for start in range(0, len(actions), MAX_ACTIONS):
            body.append({"type": "ActionSet", "actions": actions[start : start + MAX_ACTIONS]})
        actions = []
    return card(body, actions, fallback=message.fallback)


def notice(title: str, text: str, *, url: str = "", url_label: str = "") -> dict[str, Any]:
    """A short card: a result after a button was used, or the bot's answer to a message."""
    body = [_text(title, weight="Bolder")] if title else []
    if text:
        body.append(_text(text))
    actions = [open_url(url_label or "Open", url)] if url else []
    return card(body, actions, fallback=f"{title} {text}".strip())


def connect_team(url: str, team_name: str) -> dict[str, Any]:
    """Posted in a team's channel when the bot is added: an admin connects the team to a workspace."""
    return card(
        [
            _text("Connect this team to Groundswell", weight="Bolder", size="Medium"),
            _text(
                f"Groundswell was added to {team_name or 'this team'}. A Groundswell admin opens the link below, "
                "signs in, picks the workspace and confirms; new things to share will then be posted here."
            ),
            _text("The link works for 7 days.", size="Small", isSubtle=True),
        ],
        [open_url("Connect this team", url)],
        fallback=f"Connect this team to Groundswell: {url}",
    )


def link_account(url: str) -> dict[str, Any]:
    """Answer in a personal chat: the member links their Teams account to their Groundswell membership."""
    return card(
        [
            _text("Link your Teams account to Groundswell", weight="Bolder", size="Medium"),
            _text(
                "Open the link, sign in to Groundswell if asked, and confirm. Then share buttons here open your own "
                "tracked links in one click, and you can schedule posts from Teams."
            ),
            _text("The link works for a limited time and only for you.", size="Small", isSubtle=True),
        ],
        [open_url("Link my account", url)],
        fallback=f"Link your Teams account to Groundswell: {url}",
    )
