from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "groundswell.recognition"
    label = "recognition"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from groundswell.privacy.registry import register
        from groundswell.recognition.privacy import RecognitionProvider

        register(RecognitionProvider())
