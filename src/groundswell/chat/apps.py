from importlib import import_module
from importlib.util import find_spec

from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "groundswell.chat"
    label = "chat"
    verbose_name = "Slack and Microsoft Teams"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from groundswell.care.models import CaseEvent
        from groundswell.chat import privacy, receivers  # noqa: F401  (privacy registers its provider)
        from groundswell.chat.platforms import register_platform
        from groundswell.chat.slack.platform import SlackPlatform
        from groundswell.content.signals import item_announced

        register_platform("slack", SlackPlatform())
        # Microsoft Teams (chat/teams/, built on this core) registers itself when it is there.
        if find_spec("groundswell.chat.teams") and find_spec("groundswell.chat.teams.platform"):
            teams = import_module("groundswell.chat.teams.platform")
            register_platform("teams", teams.TeamsPlatform())
        item_announced.connect(receivers.on_item_announced, dispatch_uid="chat-item-announced")
        post_save.connect(receivers.on_case_event, sender=CaseEvent, dispatch_uid="chat-case-routed")
