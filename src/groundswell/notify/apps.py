from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "groundswell.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from groundswell.notify import (
            privacy,  # noqa: F401  (registers the privacy provider)
            receivers,
        )
        from groundswell.workspaces.offboarding import register_preview
        from groundswell.workspaces.signals import member_deactivated

        member_deactivated.connect(receivers.on_member_deactivated, dispatch_uid="notify-offboarding")
        register_preview("notify", receivers.preview)
