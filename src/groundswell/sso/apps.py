from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "groundswell.sso"
    label = "sso"
    default_auto_field = "django.db.models.BigAutoField"
