from django.apps import AppConfig


class EnrolmentConfig(AppConfig):
    name = "groundswell.enrolment"
    label = "enrolment"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Call for interest and enrolment"

    def ready(self) -> None:
        from groundswell.core.home import register_panel
        from groundswell.enrolment.home import PANEL
        from groundswell.enrolment.privacy import provider
        from groundswell.privacy.registry import register

        register(provider)
        register_panel(PANEL)
