from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "groundswell.chat"
    label = "chat"
    verbose_name = "Slack and Microsoft Teams"
