from groundswell.networks.intent import Network, ShareContext


class CopyLink(Network):
    key = "copy"
    icon = "link"
    label = "Copy link"
    is_copy = True

    def intent_url(self, ctx: ShareContext) -> str:
        return ctx.url
