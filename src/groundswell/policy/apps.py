from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "groundswell.policy"
    verbose_name = "Social media policy"
