from groundswell.networks.intent import Network, ShareContext


class Email(Network):
    key = "email"
    icon = "mail"
    label = "Email"

    def intent_url(self, ctx: ShareContext) -> str:
        return "mailto:?" + self.q({"subject": ctx.title, "body": self.full_text(ctx)})
