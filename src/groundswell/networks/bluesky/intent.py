from groundswell.networks.intent import Network, ShareContext


class Bluesky(Network):
    key = "bluesky"
    icon = "brand-bluesky"
    label = "Bluesky"
    max_length = 300

    def intent_url(self, ctx: ShareContext) -> str:
        return "https://bsky.app/intent/compose?" + self.q({"text": self.full_text(ctx)})
