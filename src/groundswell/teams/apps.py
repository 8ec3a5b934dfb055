from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "groundswell.teams"
    label = "teams"
    default_auto_field = "django.db.models.BigAutoField"
