from groundswell.networks.intent import Network, ShareContext


class Email(Network):
    key = "email"
    label = "Email"
    icon = "mail"

    def intent_url(self, ctx: ShareContext) -> str:
        return "mailto:?" + self.q({"subject": ctx.title, "body": self.full_text(ctx)})
