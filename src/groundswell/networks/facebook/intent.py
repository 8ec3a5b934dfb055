from groundswell.networks.intent import Network, ShareContext


class Facebook(Network):
    key = "facebook"
    icon = "brand-facebook"
    label = "Facebook"
    max_length = 63206

    def intent_url(self, ctx: ShareContext) -> str:
        # Facebook's sharer takes only the link; the caption is copied for the employee to paste.
        return "https://www.facebook.com/sharer/sharer.php?" + self.q({"u": ctx.url})
