from django.apps import AppConfig


class StewardsConfig(AppConfig):
    name = "groundswell.stewards"
    label = "stewards"
    default_auto_field = "django.db.models.BigAutoField"
