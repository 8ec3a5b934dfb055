from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "groundswell.listening"
    label = "listening"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from groundswell.listening.privacy import ListeningProvider
        from groundswell.listening.sources import bluesky  # noqa: F401  (registers the plug-in)
        from groundswell.privacy.registry import register

        register(ListeningProvider())
