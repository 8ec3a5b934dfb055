"""The messages the bot sends, in platform-neutral terms (each platform renders them its own way).

Every message carries a ``fallback`` that says the whole thing in plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse

from groundswell.chat.platforms import ActionButton, LinkButton, OutgoingMessage

if TYPE_CHECKING:
    from groundswell.care.models import Case
    from groundswell.chat.models import ChatIdentity
    from groundswell.content.models import Item
    from groundswell.updates.digest import DigestSection

SUMMARY_MAX = 280


def _abs(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _summary(item: Item) -> str:
    text = (item.description or item.body or "").strip()
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1].rstrip() + "…"


def item_url(item: Item) -> str:
    return _abs(reverse("content:detail", kwargs={"ws": item.workspace.slug, "pk": item.pk}))


def text(body: str) -> OutgoingMessage:
    return OutgoingMessage(title="", text=body, fallback=body)


def item_for_channel(item: Item) -> OutgoingMessage:
    """A new item, posted to the channel: the summary and "Get my share buttons" (answered privately)."""
    from groundswell.chat.handlers import ACTION_SHARE_BUTTONS

    title = item.display_title
    summary = _summary(item)
    url = item_url(item)
    return OutgoingMessage(
        title=f"New to share: {title}",
        text=summary,
        url=url,
        fallback=f"New to share: {title} {url}",
        buttons=(
            ActionButton("Get my share buttons", ACTION_SHARE_BUTTONS, str(item.pk), primary=True),
            LinkButton("Open in Groundswell", url),
        ),
        context="Your buttons share with your own tracked link.",
    )


def item_for_member(
    item: Item, links: Sequence[tuple[str, str]], schedule: Sequence[tuple[str, str]]
) -> OutgoingMessage:
    """``links``: (network label, personal share URL); ``schedule``: (network label, action value)."""
    from groundswell.chat.handlers import ACTION_SCHEDULE

    title = item.display_title
    url = item_url(item)
    buttons: list[LinkButton | ActionButton] = [LinkButton(f"Share on {name}", link) for name, link in links]
    buttons += [ActionButton(f"Schedule for me on {name}", ACTION_SCHEDULE, value) for name, value in schedule]
    lines = "\n".join(f"{name}: {link}" for name, link in links)
    return OutgoingMessage(
        title=f"New to share: {title}",
        text=_summary(item),
        url=url,
        fallback=f"New to share: {title}\n{lines}",
        buttons=tuple(buttons),
        context="One click opens the network with your own tracked link.",
    )


def link_first(url: str) -> OutgoingMessage:
    body = "Link your chat account to Groundswell first, so your buttons use your own tracked links."
    return OutgoingMessage(
        title="Link your account",
        text=body,
        fallback=f"{body} {url}",
        buttons=(LinkButton("Link my account", url),),
        context="The link works for 30 minutes.",
    )


def already_linked(identity: ChatIdentity, url: str) -> OutgoingMessage:
    workspace = identity.workspace.name
    body = f"You are linked to your membership in {workspace}. To link again (e.g. after a change), use this link."
    return OutgoingMessage(
        title="Groundswell", text=body, fallback=f"{body} {url}", buttons=(LinkButton("Link again", url),)
    )


def case_routed(case: Case, summary: str) -> OutgoingMessage:
    from groundswell.chat.handlers import ACTION_ACK_CASE

    url = _abs(reverse("care:case", kwargs={"ws": case.workspace.slug, "case_id": case.pk}))
    return OutgoingMessage(
        title="A customer is waiting for an answer",
        text=summary,
        url=url,
        fallback=f"A customer is waiting for an answer: {summary} {url}",
        buttons=(ActionButton("Acknowledge", ACTION_ACK_CASE, str(case.pk), primary=True), LinkButton("Answer", url)),
    )


def digest(workspace_name: str, sections: Sequence[DigestSection], home_url: str) -> OutgoingMessage:
    parts = []
    for section in sections:
        lines = "\n".join(f"• {line.text}" + (f" ({line.url})" if line.url else "") for line in section.lines[:8])
        parts.append(f"{section.title}\n{lines}")
    body = "\n\n".join(parts)
    title = f"{workspace_name}: your advocacy digest"
    return OutgoingMessage(
        title=title,
        text=body,
        url=home_url,
        fallback=f"{title}\n{body}",
        buttons=(LinkButton("Open Groundswell", home_url),),
    )


def tip(title: str, body: str, url: str) -> OutgoingMessage:
    buttons = (LinkButton("Learn more", url),) if url else ()
    return OutgoingMessage(
        title=f"Tip of the week: {title}",
        text=body,
        url=url,
        fallback=f"Tip of the week: {title}. {body} {url}".strip(),
        buttons=buttons,
    )
