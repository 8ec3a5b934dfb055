from groundswell.networks.intent import Network, ShareContext
from groundswell.networks.length import CHARACTERS


class LinkedIn(Network):
    key = "linkedin"
    icon = "brand-linkedin"
    label = "LinkedIn"
    max_length = 3000
    # 3,000 characters, the link as typed.
    length_rule = CHARACTERS

    def intent_url(self, ctx: ShareContext) -> str:
        # The feed composer accepts prefilled text; the link inside it produces the card.
        return "https://www.linkedin.com/feed/?" + self.q({"shareActive": "true", "text": self.full_text(ctx)})
