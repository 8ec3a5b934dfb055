from groundswell.networks.intent import Network, ShareContext
from groundswell.networks.length import LengthRule


class X(Network):
    key = "x"
    icon = "brand-x"
    label = "X"
    max_length = 280
    # Every link counts as 23; CJK characters and emoji count 2.
    length_rule = LengthRule("weighted", url_length=23)
    # X's compose page puts the link after the text with a space.
    link_separator = " "

    def intent_url(self, ctx: ShareContext) -> str:
        return "https://x.com/intent/post?" + self.q({"text": ctx.text, "url": ctx.url})
