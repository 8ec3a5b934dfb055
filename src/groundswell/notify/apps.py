from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "groundswell.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from groundswell.notify import privacy  # noqa: F401  (describes its data to the privacy centre)
