import re

import idna

from groundswell.networks.intent import Network, ShareContext
from groundswell.networks.length import LengthRule

#: A DNS name with a top-level domain of letters or its punycode (``xn--p1ai`` for ``.рф``).
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")


def normalise_instance(value: str) -> str:
    """``https://Mastodon.Social/`` → ``mastodon.social``, ``Mastodon.Bücher.Example`` → its IDNA (``xn--``) form;
    raise ValueError when it is not a host name."""
    host = value.strip().lower()
    host = re.sub(r"^https?://", "", host).split("/", 1)[0]
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True, std3_rules=True).decode("ascii")
        except (idna.IDNAError, UnicodeError):
            raise ValueError(f"{value!r} is not a server name such as mastodon.social") from None
    if not _HOST.match(host):
        raise ValueError(f"{value!r} is not a server name such as mastodon.social")
    return host


class Mastodon(Network):
    key = "mastodon"
    icon = "brand-mastodon"
    label = "Mastodon"
    # The default of a Mastodon server (some allow more); graphemes, every link counts as 23.
    max_length = 500
    length_rule = LengthRule("graphemes", url_length=23)
    requires_profile_field = "mastodon_instance"

    def intent_url(self, ctx: ShareContext) -> str:
        instance = normalise_instance(ctx.mastodon_instance)
        return f"https://{instance}/share?" + self.q({"text": self.full_text(ctx)})

    def validate(self, ctx: ShareContext) -> str | None:
        if not ctx.mastodon_instance:
            return "Add your Mastodon server to your profile first (for example mastodon.social)."
        try:
            normalise_instance(ctx.mastodon_instance)
        except ValueError as exc:
            return str(exc)
        return super().validate(ctx)
