from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "groundswell.content"
    label = "content"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from groundswell.content.home import PANEL
        from groundswell.core.home import register_panel

        register_panel(PANEL)
