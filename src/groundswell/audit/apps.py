from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "groundswell.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from groundswell.audit import tasks  # noqa: F401  (registers the periodic task)
        from groundswell.audit.privacy import AuditPrivacy
        from groundswell.privacy.registry import register

        register(AuditPrivacy())
