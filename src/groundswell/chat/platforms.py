"""The platform interface: what the chat core asks of Slack or Microsoft Teams, and the registry of them.

The core (``chat.dispatch``, ``chat.handlers``, ``chat.messages``) builds platform-neutral
:class:`OutgoingMessage` values and hands them to a :class:`ChatPlatform`, which renders them (Slack Block
Kit, a Teams Adaptive Card) and sends them through its own HTTP choke point. A platform registers itself from
its app config::

    register_platform("slack", SlackPlatform())

Keep this interface stable: the Teams part builds on it (add, never rename).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from groundswell.chat.models import ChatIdentity, ChatInstallation


@dataclass(frozen=True)
class LinkButton:
    """A button that opens ``url`` in the browser (a personal share link, a page of Groundswell)."""

    label: str
    url: str


@dataclass(frozen=True)
class ActionButton:
    """A button whose click comes back to us (Slack ``block_actions``, a Teams ``Action.Submit``) with
    ``action`` (what to do: see ``chat.handlers.ACTIONS``) and ``value`` (its argument, e.g. "42:linkedin")."""

    label: str
    action: str
    value: str = ""
    primary: bool = False


Button = LinkButton | ActionButton


@dataclass(frozen=True)
class OutgoingMessage:
    """A message in platform-neutral terms.

    ``fallback`` is the plain text shown where rich content is not (notifications, screen readers, old
    clients); it must say the whole message on its own.
    """

    title: str
    text: str
    fallback: str
    url: str = ""
    buttons: tuple[Button, ...] = ()
    #: A small line under the message (e.g. "Sent by Groundswell · change what you get: <url>").
    context: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON form, kept with the delivery so a retry sends the same message."""
        return {
            "title": self.title,
            "text": self.text,
            "fallback": self.fallback,
            "url": self.url,
            "context": self.context,
            "buttons": [
                {"kind": "link", "label": b.label, "url": b.url}
                if isinstance(b, LinkButton)
                else {"kind": "action", "label": b.label, "action": b.action, "value": b.value, "primary": b.primary}
                for b in self.buttons
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OutgoingMessage:
        buttons: list[Button] = []
        for b in data.get("buttons", []):
            if b.get("kind") == "link":
                buttons.append(LinkButton(label=b["label"], url=b["url"]))
            else:
                buttons.append(
                    ActionButton(
                        label=b["label"], action=b["action"], value=b.get("value", ""), primary=bool(b.get("primary"))
                    )
                )
        return cls(
            title=data.get("title", ""),
            text=data.get("text", ""),
            fallback=data.get("fallback", ""),
            url=data.get("url", ""),
            context=data.get("context", ""),
            buttons=tuple(buttons),
        )


@dataclass(frozen=True)
class Target:
    """Where a message goes: the installation's channel, or a member's direct conversation."""

    channel_id: str = ""
    identity: ChatIdentity | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        """The delivery log's ``target`` column: "channel:<id>" or "member:<membership id>"."""
        if self.identity is not None:
            return f"member:{self.identity.member_id}"
        return f"channel:{self.channel_id}"

    @classmethod
    def channel(cls, installation: ChatInstallation) -> Target:
        return cls(channel_id=installation.channel_id)

    @classmethod
    def member(cls, identity: ChatIdentity) -> Target:
        return cls(identity=identity)


@runtime_checkable
class ChatPlatform(Protocol):
    """One chat platform. Implementations raise only ``chat.errors`` exceptions from ``send``."""

    #: The ``Platform`` value ("slack", "teams").
    key: str
    #: Its name for people ("Slack").
    label: str
    #: What an admin does when the platform refuses our credentials (shown on the chat page).
    reinstall_hint: str

    def send(self, installation: ChatInstallation, target: Target, message: OutgoingMessage) -> str:
        """Post ``message`` and return the platform's id for it (Slack: the message ``ts``)."""
        ...


_PLATFORMS: dict[str, ChatPlatform] = {}


def register_platform(key: str, platform: ChatPlatform) -> None:
    """Make ``platform`` available to the core under ``key`` (from an ``AppConfig.ready``; idempotent)."""
    _PLATFORMS[key] = platform


def get_platform(key: str) -> ChatPlatform:
    """The platform ``key``; ``KeyError`` when none is registered (e.g. Teams not built in)."""
    return _PLATFORMS[key]


def registered() -> list[str]:
    return list(_PLATFORMS)
