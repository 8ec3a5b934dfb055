from django.apps import AppConfig


class LinksConfig(AppConfig):
    name = "groundswell.links"
    label = "links"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from groundswell.content.models import Item
        from groundswell.links import receivers
        from groundswell.sharing.models import Share

        # A share's destination and liveness come from its item; a deleted share (or item, or workspace:
        # they cascade to the shares) must stop redirecting on every node (ADR 0033).
        post_save.connect(receivers.on_item_saved, sender=Item, dispatch_uid="links-item-saved")
        post_delete.connect(receivers.on_share_deleted, sender=Share, dispatch_uid="links-share-deleted")
