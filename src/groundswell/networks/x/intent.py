from groundswell.networks.intent import Network, ShareContext


class X(Network):
    key = "x"
    icon = "brand-x"
    label = "X"
    # A link counts as 23 characters on X (see ``validate``).
    max_length = 280

    def intent_url(self, ctx: ShareContext) -> str:
        return "https://x.com/intent/post?" + self.q({"text": ctx.text, "url": ctx.url})

    def validate(self, ctx: ShareContext) -> str | None:
        length = len(ctx.text) + 1 + 23
        if length > self.max_length:
            return f"X allows {self.max_length} characters (a link counts as 23); this has {length}."
        return None
