"""Share-intent (compose) links: what every network offers without an API or a connected account.

Each network's folder (``networks/<key>/``) holds an ``intent.py`` with a :class:`Network` subclass: the
network's one key, label and length limit, and how to build its compose link. Its API plug-in
(``plugin.py``, when there is one) takes the label and limit from there. Both are listed once, in
``networks.registry``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode


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
    #: A share on this network needs something from the member's profile (e.g. their Mastodon server).
    requires_profile_field: str = ""
    #: Copying the link and caption is done in the browser; nothing to open.
    is_copy: bool = False

    def intent_url(self, ctx: ShareContext) -> str:
        raise NotImplementedError

    def full_text(self, ctx: ShareContext) -> str:
        return f"{ctx.text}\n\n{ctx.url}".strip() if ctx.text else ctx.url

    def validate(self, ctx: ShareContext) -> str | None:
        """A human-readable problem with this share, or None."""
        if self.max_length and len(self.full_text(ctx)) > self.max_length:
            return f"{self.label} allows {self.max_length} characters including the link; this has {len(self.full_text(ctx))}."
        return None

    @staticmethod
    def q(params: dict[str, str]) -> str:
        return urlencode(params, quote_via=quote)
