from django.apps import AppConfig


class UpdatesConfig(AppConfig):
    name = "groundswell.updates"
    label = "updates"
    default_auto_field = "django.db.models.BigAutoField"
