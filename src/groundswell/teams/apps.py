from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "groundswell.teams"
    label = "teams"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from groundswell.privacy.registry import register
        from groundswell.teams.privacy import TeamsPrivacy

        register(TeamsPrivacy())
