from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "groundswell.privacy"
    label = "privacy"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from groundswell.privacy.providers import register_all

        register_all()
