from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "groundswell.care"
    label = "care"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Social customer care"

    def ready(self) -> None:
        from groundswell.care.privacy import CarePrivacy
        from groundswell.privacy.registry import register

        register(CarePrivacy())
