"""Share-intent (compose) links: what every network offers without an API or a connected account.

Each network's folder (``networks/<key>/``) holds an ``intent.py`` with a :class:`Network` subclass: the
network's one key, label and length limit, and how to build its compose link. Its API plug-in
(``plugin.py``, when there is one) takes the label and limit from there. Both are listed once, in
``networks.registry``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from groundswell.networks.length import CHARACTERS, LengthRule


@dataclass(frozen=True)
class ShareContext:
    """What a network needs to build its compose link."""

    text: str  # the employee's caption, without the link
    url: str  # the tracked short link
    title: str
    mastodon_instance: str = ""


class Network:
    key: str = ""
    label: str = ""
    #: The network's logo: a Tabler icon name (``{% network_icon key %}`` draws it beside the label).
    icon: str = "share"
    #: Maximum post length the network accepts (including the link), or 0 for no limit we enforce. The API
    #: plug-in uses the same limit.
    max_length: int = 0
    #: How the network counts a post's length against ``max_length`` (``networks/length.py``; the share
    #: composer's script mirrors it).
    length_rule: LengthRule = CHARACTERS
    #: Between the caption and the link when the network composes the post.
    link_separator: str = "\n\n"
    #: A share on this network needs something from the member's profile (e.g. their Mastodon server).
    requires_profile_field: str = ""
    #: Copying the link and caption is done in the browser; nothing to open.
    is_copy: bool = False

    def intent_url(self, ctx: ShareContext) -> str:
        raise NotImplementedError

    def full_text(self, ctx: ShareContext) -> str:
        return f"{ctx.text}{self.link_separator}{ctx.url}".strip() if ctx.text else ctx.url

    def count(self, text: str) -> int:
        """The length of ``text`` as this network counts it."""
        return self.length_rule.count(text)

    def too_long_message(self, length: int) -> str:
        note = self.length_rule.note
        how = f" ({note})" if note else ""
        return (
            f"{self.label} allows {self.max_length} characters including the link{how}; this has {length}. "
            f"Shorten it by {length - self.max_length}."
        )

    def validate(self, ctx: ShareContext) -> str | None:
        """A human-readable problem with this share, or None."""
        if self.max_length:
            length = self.count(self.full_text(ctx))
            if length > self.max_length:
                return self.too_long_message(length)
        return None

    @staticmethod
    def q(params: dict[str, str]) -> str:
        return urlencode(params, quote_via=quote)
