from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "groundswell.sharing"
    label = "sharing"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from groundswell.networks.models import OutboundPost
        from groundswell.networks.signals import post_sent
        from groundswell.sharing import receivers
        from groundswell.sharing.models import Share

        post_sent.connect(receivers.on_post_sent, sender=OutboundPost, dispatch_uid="sharing-post-sent")
        post_delete.connect(receivers.on_share_deleted, sender=Share, dispatch_uid="sharing-share-deleted")
