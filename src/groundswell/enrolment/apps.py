from django.apps import AppConfig


class EnrolmentConfig(AppConfig):
    name = "groundswell.enrolment"
    label = "enrolment"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Call for interest and enrolment"

    def ready(self) -> None:
        from groundswell.enrolment.privacy import provider
        from groundswell.privacy.registry import register

        register(provider)
