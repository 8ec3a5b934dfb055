from groundswell.networks.intent import Network, ShareContext
from groundswell.networks.length import LengthRule


class Bluesky(Network):
    key = "bluesky"
    icon = "brand-bluesky"
    label = "Bluesky"
    max_length = 300
    # 300 graphemes (what a reader sees as one character); the link as typed.
    length_rule = LengthRule("graphemes")

    def intent_url(self, ctx: ShareContext) -> str:
        return "https://bsky.app/intent/compose?" + self.q({"text": self.full_text(ctx)})
