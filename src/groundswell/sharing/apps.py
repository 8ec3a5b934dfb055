from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "groundswell.sharing"
    label = "sharing"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from groundswell.networks.models import OutboundPost
        from groundswell.networks.signals import engagement_measured, post_sent
        from groundswell.sharing import engagement, receivers
        from groundswell.sharing.models import Share

        post_sent.connect(receivers.on_post_sent, sender=OutboundPost, dispatch_uid="sharing-post-sent")
        engagement_measured.connect(
            engagement.on_engagement_measured, sender=OutboundPost, dispatch_uid="sharing-engagement-measured"
        )
        post_delete.connect(receivers.on_share_deleted, sender=Share, dispatch_uid="sharing-share-deleted")
